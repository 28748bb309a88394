/**
 * A small seeded random number generator (sfc32) whose whole state can be saved in a
 * checkpoint and restored, so shuffles, initialisation and dropout are reproducible
 * and a resumed run continues the same random sequence.
 */
export type RngState = [number, number, number, number];

/** splitmix32: successive well-mixed 32-bit words from a seed (seeds the generators below). */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 expands the seed into four well-mixed words.
    const next = splitmix32(seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    [r.a, r.b, r.c, r.d] = state.map((x) => x >>> 0) as RngState;
    return r;
  }

  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Rng.int needs n > 0, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal sample (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A new int32 seed derived from this stream (e.g. for a tfjs op's `seed`). */
  seed(): number {
    return this.nextUint32() & 0x7fffffff;
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}

/*
 * Dropout's counter-based stream: element i of the stream of `seed` is h(h(i ^ k1) + k2), with
 * (k1, k2) the first two splitmix32 words of the seed and h Wellons' triple32 (a full-avalanche
 * 32-bit bijection). Any element can be computed alone, so the native tier (native/ner_addon.h's
 * ner_random_bits, threaded) and this JS twin (plain wasm, cpu) draw exactly the same masks.
 */

/** Wellons' triple32 hash of a 32-bit word. */
export function hash32(x: number): number {
  x = (x ^ (x >>> 17)) >>> 0;
  x = Math.imul(x, 0xed5ad4bb);
  x = (x ^ (x >>> 11)) >>> 0;
  x = Math.imul(x, 0xac4c1b51);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x31848bab);
  return (x ^ (x >>> 14)) >>> 0;
}

/** The keys (k1, k2) of the dropout stream of `seed`. */
export function dropoutKeys(seed: number): [number, number] {
  const next = splitmix32(seed);
  return [next(), next()];
}

/** Element `i` of the dropout stream with keys (k1, k2), as an unsigned 32-bit integer. */
export function dropoutBits(k1: number, k2: number, i: number): number {
  return hash32((hash32((i ^ k1) >>> 0) + k2) >>> 0);
}

/** What a mask element compares and stores: keep where bits >= threshold (probability 1 - rate). */
export function dropoutThreshold(rate: number): { threshold: number; keep: number } {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  return { threshold: Math.floor(rate * 4294967296), keep: 1 / (1 - rate) };
}

/** Fill `out` with the dropout mask of `seed`: 0 with probability `rate`, else 1 / (1 - rate). */
export function fillDropoutMask(out: Float32Array, rate: number, seed: number): void {
  const [k1, k2] = dropoutKeys(seed);
  const { threshold, keep } = dropoutThreshold(rate);
  const n = out.length;
  for (let i = 0; i < n; i++) {
    // hash32 inlined twice: this loop runs over every activation of a training step.
    let x = (i ^ k1) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = Math.imul(x, 0xed5ad4bb);
    x = (x ^ (x >>> 11)) >>> 0;
    x = Math.imul(x, 0xac4c1b51);
    x = (x ^ (x >>> 15)) >>> 0;
    x = Math.imul(x, 0x31848bab);
    x = ((x ^ (x >>> 14)) + k2) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = Math.imul(x, 0xed5ad4bb);
    x = (x ^ (x >>> 11)) >>> 0;
    x = Math.imul(x, 0xac4c1b51);
    x = (x ^ (x >>> 15)) >>> 0;
    x = Math.imul(x, 0x31848bab);
    out[i] = (x ^ (x >>> 14)) >>> 0 >= threshold ? keep : 0;
  }
}
