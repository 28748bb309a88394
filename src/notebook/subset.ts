/**
 * The rows a notebook uses from each split: all of them (full profile), or the first N after a
 * seeded shuffle (smoke), so smoke runs see a varied but reproducible sample.
 */

/** The part of a Dataset this needs (src/data's Dataset fits). */
export interface Subsettable<T> {
  readonly numRows: number;
  shuffle(seed?: number): T;
  select(indices: Iterable<number>): T;
}

/** `n` rows of `ds` after shuffling with `seed`, or `ds` itself when `n` is undefined or ≥ its size. */
export function takeSubset<T extends Subsettable<T>>(ds: T, n: number | undefined, seed: number): T {
  if (n === undefined || n >= ds.numRows) return ds;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`subset size must be a non-negative integer, got ${n}`);
  return ds.shuffle(seed).select(Array.from({ length: n }, (_, i) => i));
}
