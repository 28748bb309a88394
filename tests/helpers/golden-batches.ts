/**
 * The padded golden batches of the tiny fixtures (golden.json `batches`), made by Python
 * transformers, and their word-level rows as our alignment expects them.
 */
import { readFixtureJson } from "./fixtures";
import { CONLL_LABELS } from "../tokenization/corpora";

export interface GoldenBatch {
  words: string[][];
  word_labels: string[][];
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  word_ids: (number | null)[][];
  labels: number[][];
  max_length: number | null;
}

export function goldenBatches(model: string): Record<string, GoldenBatch> {
  return readFixtureJson<{ batches: Record<string, GoldenBatch> }>(model, "golden.json").batches;
}

/** The batch's sentences as `{tokens, ner_tags}` rows with CoNLL label ids. */
export function goldenRows(b: GoldenBatch): { tokens: string[]; ner_tags: number[] }[] {
  return b.words.map((tokens, i) => ({ tokens, ner_tags: b.word_labels[i].map((l) => CONLL_LABELS.indexOf(l)) }));
}
