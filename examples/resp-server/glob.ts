// Redis's glob (util.c stringmatchlen) over bytes, for CONFIG GET's patterns: `*`, `?`,
// `[abc]`, `[^a-z]`, `\x` escapes, optional ASCII case folding — the same answers as Redis,
// byte for byte, including its quirks (an unterminated `[` matches the set read so far; the
// empty string matches no pattern that has anything in it; bytes compare unsigned here).
//
// Bounded work, whatever the pattern: Redis's two guards, kept. (1) When the rest of the
// pattern after a `*` matched nowhere in the rest of the subject, no earlier `*` can help by
// matching more (the rest would have to match even later), so the whole match fails at once:
// `************x` against a 30-byte name costs a few hundred steps, where a backtracking
// RegExp took minutes. (2) Nesting (one level per `*` tried) stops at 1000: deeper is "no match".
//
// Pure; no allocation per call.

/** Most `*` levels one match may nest before it answers "no match" (Redis's limit). */
export const GLOB_MAX_NESTING = 1000;

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** The failure flag shared by one match's levels (Redis's skipLongerMatches). */
interface MatchState {
  giveUp: boolean;
}

/** True if `subject` matches glob `pattern` (both bytes); `nocase` folds ASCII letters. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase: boolean): boolean {
  return matchFrom(pattern, 0, subject, 0, nocase, { giveUp: false }, 0);
}

function matchFrom(p: Uint8Array, pi: number, s: Uint8Array, si: number, nocase: boolean, state: MatchState, nesting: number): boolean {
  if (nesting > GLOB_MAX_NESTING) return false;
  const pEnd = p.length;
  const sEnd = s.length;
  while (pi < pEnd && si < sEnd) {
    const c = p[pi]!;
    if (c === STAR) {
      while (pi + 1 < pEnd && p[pi + 1] === STAR) pi++; // a run of stars is one star
      if (pi + 1 === pEnd) return true; // a trailing star matches whatever is left
      for (; si < sEnd; si++) {
        if (matchFrom(p, pi + 1, s, si, nocase, state, nesting + 1)) return true;
        if (state.giveUp) return false;
      }
      state.giveUp = true; // guard (1): see the header
      return false;
    } else if (c === QUESTION) {
      si++;
    } else if (c === OPEN) {
      pi++;
      const not = pi < pEnd && p[pi] === CARET;
      if (not) pi++;
      const sc = nocase ? lower(s[si]!) : s[si]!;
      let match = false;
      for (;;) {
        if (pi + 1 < pEnd && p[pi] === BACKSLASH) {
          pi++; // an escaped byte stands for itself (compared as is, as Redis does)
          if (p[pi] === s[si]) match = true;
        } else if (pi < pEnd && p[pi] === CLOSE) {
          break;
        } else if (pi >= pEnd) {
          pi--; // unterminated set: the set ends with the pattern (the step below re-advances)
          break;
        } else if (pi + 2 < pEnd && p[pi + 1] === DASH) {
          let from = p[pi]!;
          let to = p[pi + 2]!;
          if (from > to) [from, to] = [to, from];
          if (nocase) (from = lower(from)), (to = lower(to));
          if (sc >= from && sc <= to) match = true;
          pi += 2;
        } else if ((nocase ? lower(p[pi]!) : p[pi]!) === sc) {
          match = true;
        }
        pi++;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
    } else {
      if (c === BACKSLASH && pi + 1 < pEnd) pi++; // `\x`: x literally
      const pc = p[pi]!;
      if (nocase ? lower(pc) !== lower(s[si]!) : pc !== s[si]) return false;
      si++;
    }
    pi++;
    if (si === sEnd) {
      while (pi < pEnd && p[pi] === STAR) pi++; // trailing stars match the empty rest
      break;
    }
  }
  return pi === pEnd && si === sEnd;
}
