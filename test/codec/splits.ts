// Feeding a byte stream to a decoder in pieces: at every single cut point, one byte at a time,
// and at seeded random cut points — the ways TCP may deliver the same bytes.
import { prng } from '../prng.js';

export { prng };

/** Every way to cut `length` bytes in two, then byte by byte, then `randomRuns` random multi-cuts. */
export function splitPlans(length: number, randomRuns: number, seed = 1): Array<{ name: string; cuts: number[] }> {
  const plans: Array<{ name: string; cuts: number[] }> = [];
  for (let k = 0; k <= length; k++) plans.push({ name: `cut at ${k}`, cuts: [k] });
  plans.push({ name: 'byte by byte', cuts: Array.from({ length }, (_, i) => i) });
  const rnd = prng(seed);
  for (let r = 0; r < randomRuns; r++) {
    const n = 1 + Math.floor(rnd() * 20);
    const cuts = Array.from({ length: n }, () => Math.floor(rnd() * (length + 1))).sort((a, b) => a - b);
    plans.push({ name: `random run ${r} (seed ${seed}): cuts ${cuts.join(',')}`, cuts });
  }
  return plans;
}

/** The pieces of `stream` between the cut points (empty pieces included: a read of 0 new bytes). */
export function pieces(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(stream.subarray(prev, c));
    prev = c;
  }
  out.push(stream.subarray(prev));
  return out;
}
