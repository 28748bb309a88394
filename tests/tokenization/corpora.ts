/**
 * The four corpora in ../shared/data as words and tags for tokenization tests, read by the
 * library's readers (src/data: one CoNLL reader for the whole project).
 */
import { getCorpus, readCorpusFile } from "../../src/data";
import { sharedPath } from "../helpers/shared";

export interface WordsAndTags {
  words: string[];
  tags: string[];
}

export const CORPORA = ["conll2003", "mit_restaurant", "wnut17", "wikiann_en"];

/** Sentences of one split file of a corpus, e.g. readSplit("conll2003", "train.txt"). */
export function readSplit(corpus: string, file: string): WordsAndTags[] {
  const { sentences } = readCorpusFile(sharedPath("data", corpus, file), getCorpus(corpus).format);
  return sentences.map((s) => ({ words: s.tokens, tags: s.tags }));
}

/** All sentences of every split of a corpus. */
export function readCorpus(corpus: string): WordsAndTags[] {
  return getCorpus(corpus).files.flatMap((f) => readSplit(corpus, f.file));
}

export const CONLL_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
