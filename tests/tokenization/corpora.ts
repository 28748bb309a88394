/**
 * Minimal readers of the four corpora in ../shared/data for tokenization tests (words and
 * tags only), independent of src/data so these tests exercise tokenization alone.
 */
import * as fs from "fs";
import { sharedPath } from "../helpers/shared";

export interface WordsAndTags {
  words: string[];
  tags: string[];
}

function blocks(file: string, parse: (line: string) => [string, string]): WordsAndTags[] {
  const out: WordsAndTags[] = [];
  let cur: WordsAndTags = { words: [], tags: [] };
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") {
      if (cur.words.length) out.push(cur);
      cur = { words: [], tags: [] };
      continue;
    }
    const [w, t] = parse(line);
    cur.words.push(w);
    cur.tags.push(t);
  }
  if (cur.words.length) out.push(cur);
  return out;
}

const readers: Record<string, { files: string[]; parse: (line: string) => [string, string] }> = {
  conll2003: { files: ["train.txt", "valid.txt", "test.txt"], parse: (l) => { const p = l.split(" "); return [p[0], p[3]]; } },
  mit_restaurant: { files: ["train.bio", "test.bio"], parse: (l) => { const i = l.indexOf("\t"); return [l.slice(i + 1), l.slice(0, i)]; } },
  wnut17: { files: ["train.conll", "dev.conll", "test.conll"], parse: (l) => { const i = l.lastIndexOf("\t"); return [l.slice(0, i), l.slice(i + 1)]; } },
  wikiann_en: { files: ["train", "dev", "test"], parse: (l) => { const i = l.lastIndexOf("\t"); return [l.slice(3, i), l.slice(i + 1)]; } },
};

export const CORPORA = Object.keys(readers);

/** Sentences of one split file of a corpus, e.g. readSplit("conll2003", "train.txt"). */
export function readSplit(corpus: string, file: string): WordsAndTags[] {
  return blocks(sharedPath("data", corpus, file), readers[corpus].parse);
}

/** All sentences of every split of a corpus. */
export function readCorpus(corpus: string): WordsAndTags[] {
  return readers[corpus].files.flatMap((f) => readSplit(corpus, f));
}

export const CONLL_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
