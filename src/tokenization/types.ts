/** Shapes returned by {@link NerTokenizer}; field names follow HF's BatchEncoding in camelCase. */

/** One encoded sequence. */
export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  /** 1 for tokens the post-processor added ([CLS], [SEP]) and for padding, else 0. */
  specialTokensMask: number[];
  tokens: string[];
  /** Index of the word each token came from; null for special and padding tokens. */
  wordIds: (number | null)[];
}

/** Encoding of pre-split words (HF `is_split_into_words=True`). */
export interface WordsEncoding extends Encoding {
  /** Number of input words. */
  numWords: number;
  /** Indices of words that produced no sub-token at all (e.g. a lone U+FE0F with uncased vocabularies). */
  emptyWords: number[];
  /** True when truncation removed tokens. */
  truncated: boolean;
}

/** Encoding of raw text. */
export interface TextEncoding extends Encoding {
  /**
   * [start, end) of each token in the input string, in UTF-16 code units (JS string indices); [0, 0] for special
   * tokens.
   */
  offsets: [number, number][];
  truncated: boolean;
}

/**
 * How pre-split words are encoded:
 * - "per-word": each word encoded on its own without special tokens, then concatenated — exactly
 *   what HF's fast tokenizer does with `is_split_into_words=True` (each word is normalized and
 *   pre-tokenized separately). Word encodings are cached, so repeated words cost nothing.
 * - "joined": words joined with single spaces, encoded as one text, tokens mapped back to words
 *   through their (code-point) offsets. Agrees with "per-word" on all four tutorial corpora.
 */
export type SplitWordsStrategy = "per-word" | "joined";

export interface EncodeOptions {
  /** Add [CLS]/[SEP] (the tokenizer's post-processor template). Default true. */
  addSpecialTokens?: boolean;
  /** Truncate on the right to `maxLength` (special tokens included). Default true. */
  truncation?: boolean;
  /** Default: the tokenizer's model_max_length (512 for BERT-family). */
  maxLength?: number;
}

export interface EncodeWordsOptions extends EncodeOptions {
  /** Default "per-word" (exact HF semantics). */
  strategy?: SplitWordsStrategy;
}

/** Padding for batch encoding (HF `padding=`). */
export type PaddingStrategy = false | "longest" | "max_length";

export interface BatchOptions {
  /** Default false (no padding). "longest" pads to the longest in the batch, "max_length" to `maxLength`. */
  padding?: PaddingStrategy | boolean;
  /** Round the padded length up to a multiple of this (HF `pad_to_multiple_of`). */
  padToMultipleOf?: number;
}
