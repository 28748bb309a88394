/**
 * Named splits of one corpus, like Hugging Face `datasets.DatasetDict`, plus the label
 * mapping the tutorials build from it (`labelList`, `id2label`, `label2id`).
 */
import type { Batch, BatchedMapOptions, Dataset, MapOptions } from "./dataset";
import type { Features } from "./features";
import { Sequence, ClassLabel } from "./features";
import { labelMaps } from "./labels";

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

export class DatasetDict<Row extends object = Record<string, unknown>, F extends object = Features> {
  /** Split name → dataset, in insertion order (train, validation, test for the corpora). */
  readonly splits: Readonly<Record<string, Dataset<Row, F>>>;

  constructor(splits: Record<string, Dataset<Row, F>>) {
    this.splits = Object.freeze({ ...splits });
  }

  /** The training split (throws if there is none). */
  get train(): Dataset<Row, F> {
    return this.get("train");
  }

  /** The validation split, if the corpus has one. */
  get validation(): Dataset<Row, F> | undefined {
    return this.splits.validation;
  }

  /** The test split (throws if there is none). */
  get test(): Dataset<Row, F> {
    return this.get("test");
  }

  /** Split names in order. */
  keys(): string[] {
    return Object.keys(this.splits);
  }

  has(split: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.splits, split);
  }

  /** A split by name (throws naming the available splits if absent). */
  get(split: string): Dataset<Row, F> {
    if (!this.has(split)) throw new Error(`no split ${JSON.stringify(split)} (splits: ${this.keys().join(", ")})`);
    return this.splits[split];
  }

  /** Rows per split. */
  get numRows(): Record<string, number> {
    return Object.fromEntries(this.keys().map((k) => [k, this.splits[k].numRows]));
  }

  /** Label names of the `ner_tags` column (empty when there is none). */
  get labelList(): string[] {
    const first = Object.values(this.splits)[0];
    const f = first ? (first.features as Features).ner_tags : undefined;
    return f instanceof Sequence && f.feature instanceof ClassLabel ? [...f.feature.names] : [];
  }

  /** Class id → label name. */
  get id2label(): Record<number, string> {
    return labelMaps(this.labelList).id2label;
  }

  /** Label name → class id. */
  get label2id(): Record<string, number> {
    return labelMaps(this.labelList).label2id;
  }

  /** Apply `Dataset.map` to every split. */
  map<U extends object>(
    fn: (row: Row, index: number) => U,
    opts?: MapOptions & { batched?: false },
  ): DatasetDict<Omit<Row, keyof U> & U>;
  map<U extends object>(
    fn: (batch: Batch<Row>, indices: number[]) => Batch<U>,
    opts: BatchedMapOptions,
  ): DatasetDict<Omit<Row, keyof U> & U>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  map(fn: (input: any, index: any) => any, opts?: any): DatasetDict<any> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return new DatasetDict(this.mapSplits((d) => (d.map as any)(fn, opts)));
  }

  /** Apply `Dataset.filter` to every split. */
  filter(predicate: (row: Row, index: number) => boolean): DatasetDict<Row, F> {
    return new DatasetDict(this.mapSplits((d) => d.filter(predicate)));
  }

  /** Shuffle every split with the same seed (as HF does). */
  shuffle(seed?: number | { seed?: number }): DatasetDict<Row, F> {
    return new DatasetDict(this.mapSplits((d) => d.shuffle(seed)));
  }

  private mapSplits<T>(fn: (d: Dataset<Row, F>) => T): Record<string, T> {
    return Object.fromEntries(this.keys().map((k) => [k, fn(this.splits[k])]));
  }

  /** HF-style repr: `DatasetDict({\n    train: Dataset({...})\n    ...\n})`. */
  toString(): string {
    const body = this.keys()
      .map((k) => `${k}: ${this.splits[k].toString()}`)
      .join("\n")
      .replace(/^/gm, "    ");
    return `DatasetDict({\n${body}\n})`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}
