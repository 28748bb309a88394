/**
 * Default-mode (conlleval-compatible) chunking of seqeval's `get_entities`.
 *
 * Rules, as in seqeval 1.2.2: nested input is read as one sequence with an "O" after
 * every sentence (so sentence ends close chunks) and one more "O" at the end; a chunk
 * ends before the current tag when the previous tag was E/S, when B or I is followed by
 * B/S/O, or when the type changes after a tag other than O and "."; a chunk starts at
 * B/S, at I/E after E/S/O, and on a type change at a tag other than O and ".". The tag
 * is the first character (last with `suffix`); the type is what follows the first "-"
 * (precedes the last "-" with `suffix`), "_" when empty.
 *
 * Speed: each distinct label is parsed once per call into a tag code and an interned
 * type id; the scan itself allocates nothing per token.
 */
import { SeqevalError } from "./python";
import { defaultWarningHandler, type WarningHandler } from "./types";

/** Interns entity type names to small ids, shared by the truth and prediction scans. */
export class TypeTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}

/** Entities in scan order: `end` strictly increases (at most one chunk closes per position). */
export interface EntityColumns {
  type: number[];
  start: number[];
  end: number[];
}

const C_O = 79; // 'O'
const C_B = 66;
const C_I = 73;
const C_E = 69;
const C_S = 83;
const C_DOT = 46; // '.'

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  return "dict";
}

/**
 * The flat token stream Python builds: for nested input every sentence followed by "O".
 * Returns the sentences to scan, each followed by an implicit "O" when `nested`.
 */
export function sentencesOf(seq: unknown): { sentences: readonly unknown[][]; nested: boolean } {
  if (!Array.isArray(seq)) {
    throw new SeqevalError("TypeError", `'${pyTypeName(seq)}' object is not iterable`);
  }
  const nested = seq.some((s) => Array.isArray(s));
  if (!nested) return { sentences: [seq], nested: false };
  for (const s of seq) {
    if (!Array.isArray(s)) {
      // Python evaluates `sublist + ['O']` on a non-list item.
      const t = pyTypeName(s);
      throw new SeqevalError(
        "TypeError",
        t === "str"
          ? 'can only concatenate str (not "list") to str'
          : `unsupported operand type(s) for +: '${t}' and 'list'`,
      );
    }
  }
  return { sentences: seq as unknown[][], nested: true };
}

/** Parses labels once per call: tag code and type id per distinct label. */
class LabelParser {
  private readonly cache = new Map<string, number>();
  readonly tags: number[] = [];
  readonly types: number[] = [];
  constructor(
    private readonly table: TypeTable,
    private readonly suffix: boolean,
    private readonly warn: WarningHandler,
  ) {}

  /** Index into `tags`/`types` for a label. */
  parse(label: unknown): number {
    if (typeof label !== "string") {
      throw new SeqevalError("TypeError", `labels must be str, got '${pyTypeName(label)}'`);
    }
    const hit = this.cache.get(label);
    if (hit !== undefined) return hit;
    this.validate(label);
    if (label.length === 0) throw new SeqevalError("IndexError", "string index out of range");
    let tag: number;
    let type: string;
    if (this.suffix) {
      const last = label.codePointAt(label.length - 1)!;
      const lowSurrogate = label.length >= 2 && last >= 0xdc00 && last <= 0xdfff;
      const cut = lowSurrogate ? label.length - 2 : label.length - 1;
      tag = lowSurrogate ? label.codePointAt(cut)! : last;
      const body = label.slice(0, cut);
      const dash = body.lastIndexOf("-");
      type = (dash >= 0 ? body.slice(0, dash) : body) || "_";
    } else {
      tag = label.codePointAt(0)!;
      const body = label.slice(tag > 0xffff ? 2 : 1);
      const dash = body.indexOf("-");
      type = (dash >= 0 ? body.slice(dash + 1) : body) || "_";
    }
    const index = this.tags.length;
    this.tags.push(tag);
    this.types.push(this.table.id(type));
    this.cache.set(label, index);
    return index;
  }

  private validate(chunk: string): void {
    if (chunk === "O" || chunk === "B" || chunk === "I" || chunk === "E" || chunk === "S") return;
    const ok = this.suffix
      ? chunk.endsWith("-B") || chunk.endsWith("-I") || chunk.endsWith("-E") || chunk.endsWith("-S")
      : chunk.startsWith("B-") || chunk.startsWith("I-") || chunk.startsWith("E-") || chunk.startsWith("S-");
    if (!ok) this.warn(`${chunk} seems not to be NE tag.`, "UserWarning");
  }
}

/**
 * Scans a sequence (nested or flat) in default mode and returns its chunks as columns
 * with global offsets (sentence k starts after the k previous sentences and their "O").
 */
export function extractDefaultEntities(
  seq: unknown,
  suffix: boolean,
  table: TypeTable,
  warn: WarningHandler,
): EntityColumns {
  const { sentences, nested } = sentencesOf(seq);
  const parser = new LabelParser(table, suffix, warn);
  const tags = parser.tags;
  const types = parser.types;
  const outside = parser.parse("O");
  const out: EntityColumns = { type: [], start: [], end: [] };

  let prevTag = C_O;
  let prevType = -1; // Python starts with prev_type '' which equals no parsed type
  let begin = 0;
  let i = 0;
  const outTag = tags[outside];
  const outType = types[outside];
  // One-entry memo in front of the Map: runs of the same label (mostly "O") are common.
  let lastLabel: unknown = "O";
  let lastIndex = outside;

  const total = sentences.length;
  for (let s = 0; s <= total; s++) {
    const sentence = s < total ? sentences[s] : null;
    // Tokens of the sentence, then the "O" Python appends after each nested sentence
    // (and once more at the very end).
    const n = sentence === null ? 1 : sentence.length + (nested ? 1 : 0);
    for (let k = 0; k < n; k++) {
      let tag: number;
      let type: number;
      if (sentence !== null && k < sentence.length) {
        const label = sentence[k];
        if (label !== lastLabel) {
          lastIndex = parser.parse(label);
          lastLabel = label;
        }
        tag = tags[lastIndex];
        type = types[lastIndex];
      } else {
        tag = outTag;
        type = outType;
      }
      // end_of_chunk(prev_tag, tag, prev_type, type_)
      if (
        prevTag === C_E ||
        prevTag === C_S ||
        ((prevTag === C_B || prevTag === C_I) && (tag === C_B || tag === C_S || tag === C_O)) ||
        (prevTag !== C_O && prevTag !== C_DOT && prevType !== type)
      ) {
        out.type.push(prevType);
        out.start.push(begin);
        out.end.push(i - 1);
      }
      // start_of_chunk(prev_tag, tag, prev_type, type_)
      if (
        tag === C_B ||
        tag === C_S ||
        ((tag === C_E || tag === C_I) && (prevTag === C_E || prevTag === C_S || prevTag === C_O)) ||
        (tag !== C_O && tag !== C_DOT && prevType !== type)
      ) {
        begin = i;
      }
      prevTag = tag;
      prevType = type;
      i++;
    }
  }
  return out;
}

/**
 * seqeval's `get_entities(seq, suffix)`: `[type, start, end]` triples (end inclusive),
 * offsets counted in the flattened sequence where each sentence is followed by "O".
 */
export function getEntities(
  seq: readonly string[] | readonly (readonly string[])[],
  suffix = false,
  onWarning?: WarningHandler,
): [string, number, number][] {
  const table = new TypeTable();
  const cols = extractDefaultEntities(seq, suffix, table, onWarning ?? defaultWarningHandler);
  const result: [string, number, number][] = new Array(cols.type.length);
  for (let k = 0; k < cols.type.length; k++) {
    // A chunk can close right at the start with Python's prev_type '' (id -1).
    const t = cols.type[k];
    result[k] = [t < 0 ? "" : table.names[t], cols.start[k], cols.end[k]];
  }
  return result;
}
