/**
 * Data shapes of the token-classification pipeline. Field names follow Hugging Face's
 * `TokenClassificationPipeline` output dicts so results can be compared one to one.
 */

/** How token predictions are fused into entities (Hugging Face's `AggregationStrategy`). */
export type AggregationStrategy = "none" | "simple" | "first" | "average" | "max";

export const AGGREGATION_STRATEGIES: readonly AggregationStrategy[] = ["none", "simple", "first", "average", "max"];

/** One token's prediction (`aggregationStrategy: "none"`). */
export interface TokenEntity {
  /** The label with the highest probability, e.g. "B-PER". */
  entity: string;
  /** Its float32 softmax probability. */
  score: number;
  /** Position of the token in the encoded sequence (0 is [CLS]). */
  index: number;
  /** The token as in the vocabulary ("##ing"), or the original text for an unknown token. */
  word: string;
  /** UTF-16 start index of the token in the input string. */
  start: number;
  /** UTF-16 end index (exclusive). */
  end: number;
}

/** One grouped entity (`simple`, `first`, `average`, `max`). */
export interface GroupedEntity {
  /** Entity type without its B-/I- prefix, e.g. "PER". */
  entity_group: string;
  /** Mean score of the tokens (or words) in the group. */
  score: number;
  /** The group's tokens decoded back to text (tokenizer `convert_tokens_to_string`). */
  word: string;
  start: number;
  end: number;
}

export type PipelineEntity = TokenEntity | GroupedEntity;

/** A token ready for aggregation: HF's "pre-entity". */
export interface PreEntity {
  word: string;
  /** Softmax distribution over the labels. */
  scores: Float32Array;
  start: number;
  end: number;
  index: number;
  /** True when the token continues the word of the previous token. */
  isSubword: boolean;
}

/** A labelled unit before grouping: a token (none/simple) or a whole word (first/average/max). */
export interface LabelledUnit {
  entity: string;
  score: number;
  word: string;
  start: number;
  end: number;
  /** Token index; only tokens (not aggregated words) have one. */
  index?: number;
}

/** Joins tokens back into text, like a Hugging Face tokenizer's `convert_tokens_to_string`. */
export type TokensToString = (tokens: string[]) => string;

/** The per-sequence arrays the post-processing stages work on (one model window). */
export interface EncodedWindow {
  inputIds: number[];
  /** Vocabulary tokens, one per id. */
  tokens: string[];
  /** [start, end) UTF-16 indices into the input string; [0, 0] for special tokens. */
  offsets: [number, number][];
  /** 1 for [CLS]/[SEP]/[PAD] and other special tokens, else 0. */
  specialTokensMask: number[];
}
