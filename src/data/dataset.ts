/**
 * An in-memory table of rows in the spirit of Hugging Face `datasets.Dataset`:
 * `map` (per row or batched), `filter`, `shuffle(seed)`, `select`, `trainTestSplit`,
 * column access, typed `features`, and a `toString()` that prints like the HF repr.
 * Datasets are immutable: every operation returns a new Dataset sharing unchanged rows.
 */
import { randomInt } from "crypto";
import { Rng } from "../util/random";
import { ClassLabel, FeatureType, Features, Sequence, Value, inferFeature, pyList } from "./features";
import { DatasetDict } from "./datasetDict";

/** Column-major view of some rows: `{tokens: [[...], [...]], ner_tags: [[...], [...]]}`. */
export type Batch<R> = { [K in keyof R]: R[K][] };

/** Options of {@link Dataset.map}. */
export interface MapOptions {
  /** Columns to drop from the output (after the function ran). */
  removeColumns?: string[];
  /** Feature types of the output columns, overriding inference. */
  features?: Features;
}

/** Options of a batched {@link Dataset.map}. */
export interface BatchedMapOptions extends MapOptions {
  batched: true;
  /** Rows per call (default 1000, as in HF). */
  batchSize?: number;
}

/** Options of {@link Dataset.trainTestSplit}, with Hugging Face's semantics. */
export interface TrainTestSplitOptions {
  /** Fraction in (0, 1) or absolute count of test rows (default 0.25 when trainSize is absent). */
  testSize?: number;
  /** Fraction in (0, 1) or absolute count of train rows (default: the rest). */
  trainSize?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (default: a fresh random seed, as in HF). */
  seed?: number;
}

type Merge<Row, U> = Omit<Row, keyof U> & U;

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

export class Dataset<Row extends object = Record<string, unknown>, F extends object = Features> {
  private readonly _rows: readonly Row[];
  /** Column name → feature type. */
  readonly features: F;
  /** Name of the split this dataset came from, when known ("train", "test", ...). */
  readonly split: string | undefined;

  constructor(rows: readonly Row[], features?: F, split?: string) {
    this._rows = rows;
    this.features = features ?? (inferFeatures(rows) as F);
    this.split = split;
  }

  /** Number of rows (HF `num_rows`). */
  get numRows(): number {
    return this._rows.length;
  }

  /** Same as numRows (HF `len(ds)`). */
  get length(): number {
    return this._rows.length;
  }

  /** All rows, in order. Do not mutate them: rows are shared between derived datasets. */
  get rows(): readonly Row[] {
    return this._rows;
  }

  /** Column names, in feature order. */
  get columnNames(): string[] {
    return Object.keys(this.features);
  }

  /** Row `i`; negative indices count from the end. */
  at(i: number): Row {
    const row = this._rows.at(i);
    if (row === undefined) throw new RangeError(`row index ${i} out of range for ${this.numRows} rows`);
    return row;
  }

  /** All values of one column, in row order (HF `ds["tokens"]`). */
  column<K extends keyof Row & string>(name: K): Row[K][] {
    if (!(name in this.features))
      throw new Error(`no column ${JSON.stringify(name)} (columns: ${this.columnNames.join(", ")})`);
    return this._rows.map((r) => r[name]);
  }

  [Symbol.iterator](): Iterator<Row> {
    return this._rows[Symbol.iterator]();
  }

  /**
   * Apply `fn` to every row; the object it returns is merged into the row (new columns are
   * appended, same-named columns replaced), then `removeColumns` are dropped.
   * With `{batched: true}`, `fn` receives and returns column-major batches; a batch may
   * change the number of rows only if all input columns it does not return are removed.
   */
  map<U extends object>(
    fn: (row: Row, index: number) => U,
    opts?: MapOptions & { batched?: false },
  ): Dataset<Merge<Row, U>>;
  map<U extends object>(
    fn: (batch: Batch<Row>, indices: number[]) => Batch<U>,
    opts: BatchedMapOptions,
  ): Dataset<Merge<Row, U>>;
  map(
    fn: (input: any, index: any) => any, // eslint-disable-line @typescript-eslint/no-explicit-any
    opts: MapOptions & { batched?: boolean; batchSize?: number } = {},
  ): Dataset<Record<string, unknown>> {
    const remove = new Set(opts.removeColumns ?? []);
    for (const c of remove) {
      if (!(c in this.features)) throw new Error(`removeColumns: no column ${JSON.stringify(c)}`);
    }
    const out: Record<string, unknown>[] = [];
    const returned = new Set<string>();
    const strip = (r: Record<string, unknown>): Record<string, unknown> => {
      if (remove.size === 0) return r;
      const copy: Record<string, unknown> = {};
      for (const k of Object.keys(r)) if (!remove.has(k)) copy[k] = r[k];
      return copy;
    };

    if (!opts.batched) {
      this._rows.forEach((row, i) => {
        const u = fn(row, i) as Record<string, unknown>;
        if (u === null || typeof u !== "object") throw new TypeError(`map function must return an object, got ${u}`);
        for (const k of Object.keys(u)) returned.add(k);
        out.push(strip({ ...(row as Record<string, unknown>), ...u }));
      });
    } else {
      const size = opts.batchSize ?? 1000;
      if (!(size >= 1)) throw new RangeError(`batchSize must be >= 1, got ${size}`);
      const cols = this.columnNames;
      for (let start = 0; start < this.numRows; start += size) {
        const rows = this._rows.slice(start, start + size) as Record<string, unknown>[];
        const indices = rows.map((_, j) => start + j);
        const batch: Record<string, unknown[]> = {};
        for (const c of cols) batch[c] = rows.map((r) => r[c]);
        const result = fn(batch, indices) as Record<string, unknown[]>;
        const keys = Object.keys(result);
        keys.forEach((k) => returned.add(k));
        const lengths = new Set(keys.map((k) => result[k].length));
        if (lengths.size > 1)
          throw new Error(
            `batched map returned columns of different lengths: ` +
              `${keys.map((k) => `${k}=${result[k].length}`).join(", ")}`,
          );
        const n = keys.length ? result[keys[0]].length : rows.length;
        const kept = cols.filter((c) => !remove.has(c) && !(c in result));
        if (n !== rows.length && kept.length > 0) {
          throw new Error(
            `batched map changed the batch size from ${rows.length} to ${n}: remove the input columns ` +
              `it does not return (${kept.join(", ")}) with removeColumns`,
          );
        }
        for (let j = 0; j < n; j++) {
          const row: Record<string, unknown> = {};
          if (n === rows.length) Object.assign(row, rows[j]);
          for (const k of keys) row[k] = result[k][j];
          out.push(strip(row));
        }
      }
    }

    const features: Features = {};
    for (const [name, type] of Object.entries(this.features as Features)) {
      if (remove.has(name)) continue;
      features[name] = type;
    }
    for (const name of returned) {
      if (remove.has(name)) continue;
      const given = opts.features?.[name];
      if (given) {
        features[name] = given;
        continue;
      }
      const inferred = inferColumn(out, name);
      const old = features[name];
      features[name] = old !== undefined && sameShape(old, inferred) ? old : inferred;
    }
    // Column order follows the rows' key order (originals first, new ones appended).
    const ordered: Features = {};
    const keyOrder = out.length ? Object.keys(out[0]) : Object.keys(features);
    for (const k of keyOrder) if (features[k]) ordered[k] = features[k];
    for (const k of Object.keys(features)) if (!ordered[k]) ordered[k] = features[k];
    return new Dataset(out, ordered, this.split);
  }

  /** Keep the rows for which `predicate` is true. */
  filter(predicate: (row: Row, index: number) => boolean): Dataset<Row, F> {
    return new Dataset(this._rows.filter(predicate), this.features, this.split);
  }

  /** Rows at `indices`, in that order (indices may repeat). */
  select(indices: Iterable<number>): Dataset<Row, F> {
    const rows: Row[] = [];
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.numRows) {
        throw new RangeError(`select: index ${i} out of range for ${this.numRows} rows`);
      }
      rows.push(this._rows[i]);
    }
    return new Dataset(rows, this.features, this.split);
  }

  /** The first `n` rows (or fewer). */
  take(n: number): Dataset<Row, F> {
    return new Dataset(this._rows.slice(0, Math.max(0, n)), this.features, this.split);
  }

  /**
   * A deterministic permutation of the rows (Fisher–Yates driven by src/util/random.ts):
   * the same seed always gives the same order. Without a seed a random one is drawn, as in HF.
   */
  shuffle(seed?: number | { seed?: number }): Dataset<Row, F> {
    const s = typeof seed === "object" ? seed.seed : seed;
    const rng = new Rng(s ?? randomInt(0, 2 ** 31 - 1));
    return this.select(rng.permutation(this.numRows));
  }

  /** Split into `train` and `test` with Hugging Face's size rules (test first in the permutation). */
  trainTestSplit(opts: TrainTestSplitOptions = {}): DatasetDict<Row, F> {
    const n = this.numRows;
    const { nTrain, nTest } = splitSizes(n, opts.testSize, opts.trainSize);
    let trainIdx: number[];
    let testIdx: number[];
    if (opts.shuffle ?? true) {
      const perm = new Rng(opts.seed ?? randomInt(0, 2 ** 31 - 1)).permutation(n);
      testIdx = perm.slice(0, nTest);
      trainIdx = perm.slice(nTest, nTest + nTrain);
    } else {
      trainIdx = range(0, nTrain);
      testIdx = range(nTrain, nTrain + nTest);
    }
    return new DatasetDict({
      train: new Dataset(
        trainIdx.map((i) => this._rows[i]),
        this.features,
        "train",
      ),
      test: new Dataset(
        testIdx.map((i) => this._rows[i]),
        this.features,
        "test",
      ),
    });
  }

  /** A copy without the given columns. */
  removeColumns(names: string[]): Dataset<Record<string, unknown>> {
    return this.map(() => ({}), { removeColumns: names });
  }

  /** A copy with column `from` renamed to `to` (keeping its position and feature). */
  renameColumn(from: string, to: string): Dataset<Record<string, unknown>> {
    if (!(from in this.features)) throw new Error(`renameColumn: no column ${JSON.stringify(from)}`);
    if (to in this.features) throw new Error(`renameColumn: column ${JSON.stringify(to)} already exists`);
    const rename = (k: string): string => (k === from ? to : k);
    const features: Features = {};
    for (const [k, v] of Object.entries(this.features as Features)) features[rename(k)] = v;
    const rows = this._rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) o[rename(k)] = v;
      return o;
    });
    return new Dataset(rows, features, this.split);
  }

  /** HF-style repr: `Dataset({\n    features: ['id', ...],\n    num_rows: N\n})`. */
  toString(): string {
    return `Dataset({\n    features: ${pyList(this.columnNames)},\n    num_rows: ${this.numRows}\n})`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}

/** [start, end) as an array, for `select(range(0, 100))`. */
export function range(start: number, end?: number): number[] {
  if (end === undefined) [start, end] = [0, start];
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

function splitSizes(n: number, testSize?: number, trainSize?: number): { nTrain: number; nTest: number } {
  const isFrac = (x: number): boolean => x > 0 && x < 1 && !Number.isInteger(x);
  const check = (name: string, x: number | undefined): void => {
    if (x === undefined) return;
    if (!(isFrac(x) || (Number.isInteger(x) && x > 0 && x < n))) {
      throw new RangeError(`${name}=${x} must be a fraction in (0, 1) or a count in [1, ${n - 1}] for ${n} rows`);
    }
  };
  if (testSize === undefined && trainSize === undefined) testSize = 0.25;
  check("testSize", testSize);
  check("trainSize", trainSize);
  let nTest = testSize === undefined ? undefined : isFrac(testSize) ? Math.ceil(testSize * n) : testSize;
  let nTrain = trainSize === undefined ? undefined : isFrac(trainSize) ? Math.floor(trainSize * n) : trainSize;
  if (nTrain === undefined) nTrain = n - nTest!;
  if (nTest === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) throw new RangeError(`trainSize + testSize = ${nTrain + nTest} exceeds the ${n} rows`);
  if (nTrain === 0 || nTest === 0) throw new RangeError(`split of ${n} rows leaves an empty train or test set`);
  return { nTrain, nTest };
}

function inferFeatures(rows: readonly object[]): Features {
  const out: Features = {};
  if (rows.length === 0) return out;
  for (const k of Object.keys(rows[0])) out[k] = inferColumn(rows as Record<string, unknown>[], k);
  return out;
}

function hasNull(f: FeatureType): boolean {
  if (f instanceof Value) return f.dtype === "null";
  if (f instanceof Sequence) return hasNull(f.feature);
  return false;
}

/** Infer a column's type from the first row whose value is informative. */
function inferColumn(rows: readonly Record<string, unknown>[], name: string): FeatureType {
  let best: FeatureType = new Value("null");
  for (const r of rows) {
    best = inferFeature(r[name]);
    if (!hasNull(best)) break;
  }
  return best;
}

/** Whether an existing feature still describes values of the inferred shape (ClassLabel holds int64). */
function sameShape(old: FeatureType, inferred: FeatureType): boolean {
  if (old instanceof Sequence)
    return inferred instanceof Sequence && (hasNull(inferred) || sameShape(old.feature, inferred.feature));
  if (inferred instanceof Sequence) return false;
  const dtype = (inferred as Value).dtype;
  if (old instanceof ClassLabel) return dtype === "int64";
  return (old as Value).dtype === dtype || dtype === "null";
}
