/**
 * Length-grouped batching (HF Trainer's `group_by_length` / LengthGroupedSampler): shuffle,
 * cut into mega-batches of `megaBatchMult × batchSize`, sort each by length (longest first),
 * and put the longest example of all in the first batch (so out-of-memory shows up at once).
 * Batches then hold similar lengths, which cuts padding with dynamic padding.
 */
import { Rng } from "../util/random";

/** HF's default multiplier: min(n / (4·batchSize), 50), at least 1. */
export function defaultMegaBatchMult(n: number, batchSize: number): number {
  return Math.max(1, Math.min(Math.floor(n / (batchSize * 4)), 50));
}

/** The length-grouped order of indices 0..lengths.length-1 (HF get_length_grouped_indices). */
export function lengthGroupedIndices(
  lengths: readonly number[],
  batchSize: number,
  rng: Rng,
  megaBatchMult?: number,
): number[] {
  const n = lengths.length;
  if (n === 0) return [];
  const mult = megaBatchMult ?? defaultMegaBatchMult(n, batchSize);
  const perm = rng.permutation(n);
  const size = mult * batchSize;
  const megas: number[][] = [];
  for (let i = 0; i < n; i += size) {
    // Stable sort, longest first (Python's sorted(..., reverse=True) is stable too).
    megas.push(perm.slice(i, i + size).sort((a, b) => lengths[b] - lengths[a]));
  }
  let maxIdx = 0;
  for (let m = 1; m < megas.length; m++) if (lengths[megas[m][0]] > lengths[megas[maxIdx][0]]) maxIdx = m;
  const tmp = megas[0][0];
  megas[0][0] = megas[maxIdx][0];
  megas[maxIdx][0] = tmp;
  return megas.flat();
}

/** Cut an index order into batches of `batchSize` (the last may be smaller unless `dropLast`). */
export function chunkBatches(order: readonly number[], batchSize: number, dropLast = false): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const b = order.slice(i, i + batchSize);
    if (b.length === batchSize || !dropLast) out.push(b);
  }
  return out;
}

/** Batches of a plain random shuffle (the default sampler), for comparison. */
export function randomBatches(n: number, batchSize: number, rng: Rng, dropLast = false): number[][] {
  return chunkBatches(rng.permutation(n), batchSize, dropLast);
}

/** Length-grouped batches, one epoch. */
export function lengthGroupedBatches(
  lengths: readonly number[],
  batchSize: number,
  rng: Rng,
  opts: { megaBatchMult?: number; dropLast?: boolean } = {},
): number[][] {
  return chunkBatches(lengthGroupedIndices(lengths, batchSize, rng, opts.megaBatchMult), batchSize, opts.dropLast);
}

/** Padding statistics of batches under dynamic padding to the longest (optionally rounded up). */
export interface PaddingStats {
  realTokens: number;
  paddedTokens: number;
  /** Padding positions / all positions. */
  paddingFraction: number;
}

export function paddingStats(
  lengths: readonly number[],
  batches: readonly (readonly number[])[],
  padToMultipleOf?: number,
): PaddingStats {
  let real = 0;
  let total = 0;
  for (const b of batches) {
    let max = 0;
    for (const i of b) {
      real += lengths[i];
      if (lengths[i] > max) max = lengths[i];
    }
    if (padToMultipleOf && padToMultipleOf > 1 && max % padToMultipleOf !== 0)
      max = (Math.floor(max / padToMultipleOf) + 1) * padToMultipleOf;
    total += max * b.length;
  }
  return { realTokens: real, paddedTokens: total - real, paddingFraction: total === 0 ? 0 : (total - real) / total };
}

/**
 * An epoch-by-epoch batch sampler. Each call to `epoch()` draws a new order from the seeded
 * Rng, whose state can be saved (`rng.state()`) so a resumed run continues identically.
 */
export class LengthGroupedBatchSampler {
  readonly rng: Rng;
  constructor(
    readonly lengths: readonly number[],
    readonly batchSize: number,
    seedOrRng: number | Rng,
    readonly opts: { megaBatchMult?: number; dropLast?: boolean } = {},
  ) {
    this.rng = typeof seedOrRng === "number" ? new Rng(seedOrRng) : seedOrRng;
  }

  /** The batches (lists of example indices) of the next epoch. */
  epoch(): number[][] {
    return lengthGroupedBatches(this.lengths, this.batchSize, this.rng, this.opts);
  }

  get numBatches(): number {
    const n = this.lengths.length;
    return this.opts.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
