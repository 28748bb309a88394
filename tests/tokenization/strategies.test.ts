/**
 * The two is_split_into_words workarounds ("per-word", exact HF semantics, and "joined",
 * space-joined text mapped back through code-point offsets) agree on every sentence of all
 * splits of the four corpora (~76k sentences) with the uncased vocabulary (the one with empty
 * words). For the cased vocabulary a deterministic sample (every 5th sentence) keeps CI fast;
 * NER_FULL_STRATEGY_CHECK=1 checks every sentence there too (both agree everywhere as of writing).
 * Also checks the uncased vocabulary's empty words are exactly the lone U+FE0F tokens of WNUT-17.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NerTokenizer, type WordsEncoding } from "../../src/tokenization";
import { modelDir } from "../helpers/fixtures";
import { CORPORA, readCorpus } from "./corpora";

function sameEncoding(a: WordsEncoding, b: WordsEncoding): boolean {
  if (a.inputIds.length !== b.inputIds.length) return false;
  for (let i = 0; i < a.inputIds.length; i++) {
    if (
      a.inputIds[i] !== b.inputIds[i] ||
      a.wordIds[i] !== b.wordIds[i] ||
      a.specialTokensMask[i] !== b.specialTokensMask[i]
    )
      return false;
  }
  return a.emptyWords.join() === b.emptyWords.join();
}

const full = process.env.NER_FULL_STRATEGY_CHECK === "1";
for (const [model, every] of [
  ["bert-base-uncased", 1],
  ["bert-base-cased", full ? 1 : 5],
] as const) {
  test(
    `${model}: per-word and joined strategies agree on ` +
      `${every === 1 ? "every sentence" : `every ${every}th sentence`} of the four corpora`,
    async () => {
      const tok = NerTokenizer.fromDirectory(modelDir(model));
      const empty: string[] = [];
      for (const corpus of CORPORA) {
        const all = (await readCorpus(corpus)).map((s) => s.words);
        assert.ok(all.length > 5000, `${corpus} read`);
        const sentences = all.filter((_, i) => i % every === 0);
        // No truncation, so long WikiANN sentences are compared in full.
        const exact = await tok.encodeWordsBatch(sentences, { truncation: false });
        const fast = await tok.encodeWordsBatch(sentences, { truncation: false, strategy: "joined" });
        sentences.forEach((words, i) => {
          if (!sameEncoding(exact[i], fast[i])) {
            assert.fail(
              `${corpus} sentence ${i} differs: ${JSON.stringify(words)}\n${exact[i].tokens}\n${fast[i].tokens}`,
            );
          }
          for (const w of exact[i].emptyWords) empty.push(words[w]);
        });
      }
      if (model === "bert-base-uncased") {
        // WNUT-17 has lone U+FE0F words; nothing else vanishes.
        assert.ok(empty.length > 0);
        assert.deepEqual([...new Set(empty)], ["\uFE0F"]);
      } else {
        assert.deepEqual(empty, []);
      }
    },
  );
}
