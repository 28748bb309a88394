/**
 * transformers' `tokenizer(...)` call and the BatchEncoding it returns, for notebooks that follow
 * the Python tutorials line by line: `await tokenizer.call(words, { isSplitIntoWords: true })`, then
 * `encoded.wordIds(i)` and `encoded.inputIds[i]`.
 */
import type { Encoding, PaddingStrategy } from "./types";

/** Options of the call, named like transformers' keyword arguments (camelCase). */
export interface TokenizerCallOptions {
  /** The input is pre-split words: one sentence (string[]) or a batch (string[][]). Default false. */
  isSplitIntoWords?: boolean;
  /** Default false, as in transformers (the NerTokenizer encode methods default to true). */
  truncation?: boolean;
  /** Truncation / "max_length" padding length; default the tokenizer's model_max_length. */
  maxLength?: number;
  /** false (default), true / "longest", or "max_length". */
  padding?: PaddingStrategy | boolean;
  padToMultipleOf?: number;
  /** Add [CLS] / [SEP]. Default true. */
  addSpecialTokens?: boolean;
}

/** One sequence's columns as the collator and the Trainer take them. */
export interface EncodedRow {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  labels: number[];
}

/**
 * The encoded batch, column by column (transformers' BatchEncoding, always batched: a single input
 * is a batch of one, and `wordIds()` / `tokens()` default to sequence 0 as in Python).
 */
export class BatchEncoding {
  readonly inputIds: number[][];
  readonly attentionMask: number[][];
  readonly tokenTypeIds: number[][];
  /** Aligned labels, set by the caller (`tokenized_inputs["labels"] = labels` in the tutorials). */
  labels?: number[][];
  private readonly encodings: readonly Encoding[];

  constructor(encodings: readonly Encoding[]) {
    this.encodings = encodings;
    this.inputIds = encodings.map((e) => e.inputIds);
    this.attentionMask = encodings.map((e) => e.attentionMask);
    this.tokenTypeIds = encodings.map((e) => e.tokenTypeIds);
  }

  /** Number of sequences. */
  get length(): number {
    return this.encodings.length;
  }

  /** The word each token came from (null for special and padding tokens): HF `word_ids(batch_index)`. */
  wordIds(batchIndex = 0): (number | null)[] {
    return this.encoding(batchIndex).wordIds;
  }

  /** Token strings of one sequence: HF `tokens(batch_index)`. */
  tokens(batchIndex = 0): string[] {
    return this.encoding(batchIndex).tokens;
  }

  /**
   * One row per sequence with its labels: what `DataCollatorForTokenClassification` and the
   * Trainer take (a BatchEncoding with labels can be passed as a Trainer dataset directly).
   */
  get rows(): EncodedRow[] {
    const labels = this.labels;
    if (!labels)
      throw new Error("BatchEncoding.rows: no labels yet (set encoded.labels, as tokenize_and_align_labels does)");
    if (labels.length !== this.length)
      throw new Error(`BatchEncoding.rows: ${labels.length} label rows for ${this.length} sequences`);
    return this.encodings.map((e, i) => ({
      inputIds: e.inputIds,
      attentionMask: e.attentionMask,
      tokenTypeIds: e.tokenTypeIds,
      labels: labels[i],
    }));
  }

  private encoding(i: number): Encoding {
    const e = this.encodings[i];
    if (e === undefined) throw new RangeError(`batch index ${i} out of range for ${this.length} sequences`);
    return e;
  }
}

/** What the call needs from a tokenizer (NerTokenizer's encode methods). */
interface Encoder {
  encodeWordsBatch(batch: string[][], opts: object): Promise<Encoding[]>;
  encodeTextBatch(texts: string[], opts: object): Promise<Encoding[]>;
}

/** transformers' `tokenizer(text, is_split_into_words=..., truncation=..., padding=..., max_length=...)`. */
export async function callTokenizer(
  tokenizer: Encoder,
  input: string | string[] | string[][],
  opts: TokenizerCallOptions = {},
): Promise<BatchEncoding> {
  const encodeOpts = {
    truncation: opts.truncation ?? false,
    maxLength: opts.maxLength,
    padding: opts.padding,
    padToMultipleOf: opts.padToMultipleOf,
    addSpecialTokens: opts.addSpecialTokens,
  };
  if (opts.isSplitIntoWords) {
    if (typeof input === "string")
      throw new TypeError("tokenizer.call: isSplitIntoWords needs a list of words (or a batch of lists), got a string");
    const batch = input.length > 0 && Array.isArray(input[0]) ? (input as string[][]) : [input as string[]];
    return new BatchEncoding(await tokenizer.encodeWordsBatch(batch, encodeOpts));
  }
  if (typeof input !== "string" && input.some((x) => typeof x !== "string")) {
    throw new TypeError("tokenizer.call: a batch of word lists needs { isSplitIntoWords: true }");
  }
  const texts = typeof input === "string" ? [input] : (input as string[]);
  return new BatchEncoding(await tokenizer.encodeTextBatch(texts, encodeOpts));
}
