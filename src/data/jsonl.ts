/** Sentences as JSON Lines `{"tokens": [...], "tags": [...]}`, written atomically. */
import { writeFileAtomic } from "../util/atomic";
import type { Sentence } from "./types";

/** One JSON object per line, tokens and string tags only. */
export function sentencesToJsonl(sentences: readonly Sentence[]): string {
  return sentences.map((s) => JSON.stringify({ tokens: s.tokens, tags: s.tags }) + "\n").join("");
}

/** Write sentences to `target` as JSONL (temporary file + rename). */
export function writeJsonl(target: string, sentences: readonly Sentence[]): void {
  writeFileAtomic(target, sentencesToJsonl(sentences));
}
