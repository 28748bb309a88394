/**
 * Column types in the spirit of Hugging Face `datasets.Features`: `Value`, `ClassLabel`
 * and `Sequence`. Their `toString()` (also used by console.log / tslab) follows the Python repr
 * so printed features look familiar.
 */

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** A scalar column: dtype "string", "int64", "float64" or "bool". */
export class Value {
  constructor(readonly dtype: string) {}
  toString(): string {
    return `Value(dtype='${this.dtype}', id=None)`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}

/** Integer class ids with names (the label list). */
export class ClassLabel {
  readonly names: readonly string[];
  private readonly index: Map<string, number>;

  constructor(names: readonly string[]) {
    this.names = Object.freeze([...names]);
    this.index = new Map(this.names.map((n, i) => [n, i]));
    if (this.index.size !== this.names.length) throw new Error(`ClassLabel names must be unique: ${names.join(", ")}`);
  }

  get numClasses(): number {
    return this.names.length;
  }

  /** Name of class `id`. */
  int2str(id: number): string {
    const name = this.names[id];
    if (name === undefined) throw new RangeError(`class id ${id} out of range 0..${this.names.length - 1}`);
    return name;
  }

  /** Id of class `name`. */
  str2int(name: string): number {
    const id = this.index.get(name);
    if (id === undefined)
      throw new RangeError(`unknown label ${JSON.stringify(name)} (known: ${this.names.join(", ")})`);
    return id;
  }

  /** Id of class `name`, or undefined. */
  tryStr2int(name: string): number | undefined {
    return this.index.get(name);
  }

  toString(): string {
    return `ClassLabel(names=${pyList(this.names)}, id=None)`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}

/** A variable-length list of `feature`. */
export class Sequence<F extends FeatureType = FeatureType> {
  constructor(readonly feature: F) {}

  /** The label names when this is a sequence of ClassLabel (HF: `features["ner_tags"].feature.names`). */
  get names(): F extends ClassLabel ? readonly string[] : undefined {
    return (this.feature instanceof ClassLabel ? this.feature.names : undefined) as never;
  }

  toString(): string {
    return `Sequence(feature=${String(this.feature)}, length=-1, id=None)`;
  }

  [inspectSymbol](): string {
    return this.toString();
  }
}

export type FeatureType = Value | ClassLabel | Sequence<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Column name → type. */
export type Features = { [column: string]: FeatureType };

/** Features of a token-classification dataset row. */
export type NerFeatures = {
  id: Value;
  tokens: Sequence<Value>;
  pos_tags?: Sequence<ClassLabel>;
  chunk_tags?: Sequence<ClassLabel>;
  ner_tags: Sequence<ClassLabel>;
  [column: string]: FeatureType | undefined;
};

/** Guess the feature type of a JavaScript value (used when `map` adds columns). */
export function inferFeature(value: unknown): FeatureType {
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null && v !== undefined);
    return new Sequence(first === undefined ? new Value("null") : inferFeature(first));
  }
  if (typeof value === "string") return new Value("string");
  if (typeof value === "boolean") return new Value("bool");
  if (typeof value === "number") return new Value(Number.isInteger(value) ? "int64" : "float64");
  if (typeof value === "bigint") return new Value("int64");
  if (value === null || value === undefined) return new Value("null");
  return new Value("object");
}

/** Python-style list repr of strings: ['a', 'b']. */
export function pyList(items: readonly string[]): string {
  return `[${items.map(pyStr).join(", ")}]`;
}

/** Python-style repr of a string (single quotes unless the string holds one). */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else out += ch;
  }
  return quote + out + quote;
}
