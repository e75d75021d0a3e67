// Seeded randomness for model-checked tests: a tiny PRNG (mulberry32) and the
// seed a run uses -- MODEL_SEED from the environment to replay a failure, else
// a fresh one that the test prints. Stateless apart from the generator itself.

/** A deterministic generator of numbers in [0, 1) and helpers over it. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** MODEL_SEED if set (to replay a failure), else a new seed; printed by the caller. */
export function modelSeed(): number {
  const fromEnv = process.env.MODEL_SEED;
  return fromEnv !== undefined ? Number(fromEnv) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
}
