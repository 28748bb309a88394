/**
 * Aligning word-level NER tags to sub-word tokens, exactly as the Hugging Face token
 * classification tutorials and examples/pytorch/token-classification/run_ner.py do:
 * special tokens get -100, the first sub-token of a word gets the word's label, later
 * sub-tokens get -100 (or, with `labelAllTokens`, the word's label, optionally mapped B-X → I-X).
 */
import type { NerTokenizer, SplitWordsStrategy, WordsEncoding } from "../tokenization";
import { IGNORE_INDEX } from "../util/ignore-index";
import { bToILabelMap } from "./labels";

/** The label id ignored by the loss and metrics (-100), re-exported from its home src/util/ignore-index.ts. */
export { IGNORE_INDEX };

/** One sentence to align: words and one label id per word (HF dataset row shape). */
export interface LabelledWords {
  tokens: string[];
  ner_tags: number[];
}

/** A tokenized sentence with aligned labels, ready for the collator. */
export interface AlignedFeature {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  wordIds: (number | null)[];
  /** One label id per token; -100 where ignored. */
  labels: number[];
  /** Words (indices) that produced no sub-token at all, so their label cannot be trained on or predicted. */
  emptyWords: number[];
  /** Words (count) cut off by truncation. */
  truncatedWords: number;
}

export interface AlignOptions {
  /** Label every sub-token of a word, not just the first (the tutorials' `label_all_tokens`). Default false. */
  labelAllTokens?: boolean;
  /**
   * With `labelAllTokens`, map B-X to I-X on non-first sub-tokens like run_ner.py: `true` derives the
   * map from `labelList`; an array gives it explicitly (label id → id). Default: no mapping (tutorial notebook).
   */
  bToI?: boolean | readonly number[];
  /** Label names in id order; needed for `bToI: true`. */
  labelList?: readonly string[];
  /** Truncation length (default: the tokenizer's model_max_length, 512). */
  maxLength?: number;
  /** Default true (HF's `truncation=True`). */
  truncation?: boolean;
  /** is_split_into_words strategy (default "per-word", exact). */
  strategy?: SplitWordsStrategy;
  /** Sentences per binding call (bounds memory; default 2048). */
  chunkSize?: number;
}

/** Labels for one encoding's word ids (the inner loop of HF's tokenize_and_align_labels). */
export function alignLabels(
  wordIds: readonly (number | null)[],
  wordLabels: readonly number[],
  opts: { labelAllTokens?: boolean; bToI?: readonly number[] } = {},
): number[] {
  const labels = new Array<number>(wordIds.length);
  let previous: number | null = null;
  for (let k = 0; k < wordIds.length; k++) {
    const w = wordIds[k];
    if (w === null) {
      labels[k] = IGNORE_INDEX;
    } else if (w !== previous) {
      labels[k] = labelAt(wordLabels, w);
    } else if (opts.labelAllTokens) {
      const l = labelAt(wordLabels, w);
      labels[k] = opts.bToI ? (opts.bToI[l] ?? l) : l;
    } else {
      labels[k] = IGNORE_INDEX;
    }
    previous = w;
  }
  return labels;
}

function labelAt(wordLabels: readonly number[], w: number): number {
  const l = wordLabels[w];
  if (l === undefined)
    throw new RangeError(`word ${w} has no label (only ${wordLabels.length} labels for the sentence)`);
  return l;
}

/**
 * Tokenize sentences (is_split_into_words) and align their labels. Words producing no
 * sub-token are listed in each feature's `emptyWords` (see {@link summarizeAlignment}).
 */
export async function tokenizeAndAlignLabels(
  tokenizer: NerTokenizer,
  rows: readonly LabelledWords[],
  opts: AlignOptions = {},
): Promise<AlignedFeature[]> {
  let bToI: readonly number[] | undefined;
  if (opts.bToI === true) {
    if (!opts.labelList) throw new Error("tokenizeAndAlignLabels: bToI: true needs labelList");
    bToI = bToILabelMap(opts.labelList);
  } else if (Array.isArray(opts.bToI)) {
    bToI = opts.bToI as readonly number[];
  }
  rows.forEach((r, i) => {
    if (r.tokens.length !== r.ner_tags.length) {
      throw new Error(`row ${i}: ${r.tokens.length} tokens but ${r.ner_tags.length} ner_tags`);
    }
  });
  const chunk = opts.chunkSize ?? 2048;
  const out: AlignedFeature[] = [];
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const encs = await tokenizer.encodeWordsBatch(
      part.map((r) => r.tokens),
      { maxLength: opts.maxLength, truncation: opts.truncation, strategy: opts.strategy },
    );
    for (let i = 0; i < part.length; i++) out.push(toFeature(encs[i], part[i].ner_tags, opts.labelAllTokens, bToI));
  }
  return out;
}

function toFeature(
  enc: WordsEncoding,
  tags: readonly number[],
  labelAllTokens: boolean | undefined,
  bToI?: readonly number[],
): AlignedFeature {
  let lastWord = -1;
  for (const w of enc.wordIds) if (w !== null && w > lastWord) lastWord = w;
  let truncatedWords = 0;
  if (enc.truncated) {
    const empty = new Set(enc.emptyWords);
    for (let w = lastWord + 1; w < enc.numWords; w++) if (!empty.has(w)) truncatedWords++;
  }
  return {
    inputIds: enc.inputIds,
    attentionMask: enc.attentionMask,
    tokenTypeIds: enc.tokenTypeIds,
    wordIds: enc.wordIds,
    labels: alignLabels(enc.wordIds, tags, { labelAllTokens, bToI }),
    emptyWords: enc.emptyWords,
    truncatedWords,
  };
}

/** What alignment could not represent, over a whole dataset. */
export interface AlignmentSummary {
  sentences: number;
  /** Words that produced no sub-token. */
  emptyWordCount: number;
  /** Every such word: sentence index, word index and the word itself (when rows are given). */
  emptyWords: { sentence: number; word: number; text?: string }[];
  /** Sentences that lost tokens to truncation, and the words they lost. */
  truncatedSentences: number;
  truncatedWordCount: number;
}

/** Count and list the words alignment dropped (empty words and truncation). */
export function summarizeAlignment(
  features: readonly AlignedFeature[],
  rows?: readonly LabelledWords[],
): AlignmentSummary {
  const s: AlignmentSummary = {
    sentences: features.length,
    emptyWordCount: 0,
    emptyWords: [],
    truncatedSentences: 0,
    truncatedWordCount: 0,
  };
  features.forEach((f, i) => {
    for (const w of f.emptyWords)
      s.emptyWords.push(rows ? { sentence: i, word: w, text: rows[i].tokens[w] } : { sentence: i, word: w });
    s.emptyWordCount += f.emptyWords.length;
    if (f.truncatedWords > 0) {
      s.truncatedSentences++;
      s.truncatedWordCount += f.truncatedWords;
    }
  });
  return s;
}

/**
 * One line about what alignment dropped from `what` (e.g. a file), or null when nothing was lost:
 * sentences cut at `maxLength` tokens with the words they lost, and words with no sub-token
 * (`where` names a sentence, e.g. as file:line). The same wording for align, train and evaluate.
 */
export function alignmentNotice(
  summary: AlignmentSummary,
  what: string,
  opts: { maxLength?: number; where?: (sentence: number) => string } = {},
): string | null {
  const parts: string[] = [];
  if (summary.truncatedSentences > 0) {
    parts.push(
      `${summary.truncatedSentences} sentence(s) ` +
        `truncated${opts.maxLength ? ` to ${opts.maxLength} tokens` : ""} (of ${summary.sentences}), ` +
        `${summary.truncatedWordCount} word(s) cut: their labels are not trained on or evaluated; ` +
        `raise --max-length to keep them`,
    );
  }
  if (summary.emptyWordCount > 0) {
    const where = opts.where ?? ((i: number) => `sentence ${i + 1}`);
    const shown = summary.emptyWords
      .slice(0, 5)
      .map((e) => `${where(e.sentence)} word ${e.word}${e.text !== undefined ? ` ${JSON.stringify(e.text)}` : ""}`);
    parts.push(
      `${summary.emptyWordCount} word(s) produced no sub-token (their labels are lost): ` +
        `${shown.join("; ")}${summary.emptyWordCount > 5 ? "; ..." : ""}`,
    );
  }
  return parts.length ? `${what}: ${parts.join("; ")}` : null;
}
