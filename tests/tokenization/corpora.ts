/**
 * The four corpora as words and tags for tokenization tests, found as a user's run finds them
 * (NER_DATA_DIR mirror → cache → download) and read by the library's readers.
 */
import { getCorpus, readCorpusFile } from "../../src/data";
import { corpusPath } from "../helpers/fixtures";

export interface WordsAndTags {
  words: string[];
  tags: string[];
}

export const CORPORA = ["conll2003", "mit_restaurant", "wnut17", "wikiann_en"];

/** Sentences of one split file of a corpus, e.g. readSplit("conll2003", "train.txt"). */
export async function readSplit(corpus: string, file: string): Promise<WordsAndTags[]> {
  const { sentences } = readCorpusFile(await corpusPath(corpus, file), getCorpus(corpus).format);
  return sentences.map((s) => ({ words: s.tokens, tags: s.tags }));
}

/** All sentences of every split of a corpus. */
export async function readCorpus(corpus: string): Promise<WordsAndTags[]> {
  const splits = await Promise.all(getCorpus(corpus).files.map((f) => readSplit(corpus, f.file)));
  return splits.flat();
}

export const CONLL_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
