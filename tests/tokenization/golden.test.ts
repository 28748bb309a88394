/**
 * Parity with Python transformers 4.57 (tests/fixtures/tokenizer-golden.json): tokens,
 * input_ids and word_ids of is_split_into_words encodings, ids of the joined text, and raw-text
 * ids and offsets, for the bert-base-uncased vocabulary and tiny-bert's cased vocabulary, each
 * loaded from tokenizer.json and from vocab.txt alone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import { NerTokenizer, type SplitWordsStrategy } from "../../src/tokenization";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";

interface WordsCase {
  index: number;
  words: string[];
  tokens: string[];
  input_ids: number[];
  word_ids: (number | null)[];
  word_tokens: string[][];
  text_input_ids: number[];
}
interface TextCase {
  text: string;
  tokens: string[];
  input_ids: number[];
  fast_offsets: [number, number][];
}
type Golden = Record<
  string,
  { conll2003_test: WordsCase[]; mit_restaurant_test: WordsCase[]; extra_texts: TextCase[] }
>;

const golden = readFixtureJson<Golden>("tokenizer-golden.json");
const VOCABS: [string, string][] = [
  ["bert-base-uncased (tiny-distilbert/vocab.txt, do_lower_case=True)", "tiny-distilbert"],
  ["tiny-bert cased vocab (tiny-bert/vocab.txt, do_lower_case=False)", "tiny-bert"],
];

function loaders(dir: string): [string, () => NerTokenizer][] {
  const read = (f: string) => fs.readFileSync(fixturePath(dir, f), "utf8");
  return [
    ["tokenizer.json", () => NerTokenizer.fromDirectory(fixturePath(dir))],
    [
      "vocab.txt only",
      () =>
        NerTokenizer.fromFiles(
          { vocabTxt: read("vocab.txt"), tokenizerConfigJson: read("tokenizer_config.json") },
          dir,
        ),
    ],
  ];
}

/** Python's str offsets are code points; ours are UTF-16 units. */
function utf16(text: string, cp: number): number {
  return Array.from(text).slice(0, cp).join("").length;
}

for (const [key, dir] of VOCABS) {
  const g = golden[key];
  assert.ok(g, `golden entry ${key}`);
  for (const [how, load] of loaders(dir)) {
    const tok = load();
    for (const strategy of ["per-word", "joined"] as SplitWordsStrategy[]) {
      test(`${dir} (${how}, ${strategy}): is_split_into_words matches transformers on 400 sentences`, async () => {
        const cases = [...g.conll2003_test, ...g.mit_restaurant_test];
        assert.equal(cases.length, 400);
        const encs = await tok.encodeWordsBatch(
          cases.map((c) => c.words),
          { strategy },
        );
        cases.forEach((c, i) => {
          const e = encs[i];
          assert.deepEqual(e.tokens, c.tokens, `tokens of sentence ${c.index}`);
          assert.deepEqual(e.inputIds, c.input_ids, `input_ids of sentence ${c.index}`);
          assert.deepEqual(e.wordIds, c.word_ids, `word_ids of sentence ${c.index}`);
          assert.deepEqual(
            e.attentionMask,
            c.input_ids.map(() => 1),
          );
          assert.deepEqual(
            e.tokenTypeIds,
            c.input_ids.map(() => 0),
          );
          assert.deepEqual(
            e.specialTokensMask,
            c.word_ids.map((w) => (w === null ? 1 : 0)),
          );
          assert.equal(e.truncated, false);
        });
      });
    }

    test(`${dir} (${how}): per-word tokens and ids of the space-joined text match`, async () => {
      const cases = [...g.conll2003_test, ...g.mit_restaurant_test];
      const texts = await tok.encodeTextBatch(cases.map((c) => c.words.join(" ")));
      const words = await tok.encodeWordsBatch(
        cases.flatMap((c) => c.words.map((w) => [w])),
        { addSpecialTokens: false },
      );
      let k = 0;
      cases.forEach((c, i) => {
        assert.deepEqual(texts[i].inputIds, c.text_input_ids, `text ids of sentence ${c.index}`);
        for (const wt of c.word_tokens) assert.deepEqual(words[k++].tokens, wt);
      });
    });

    test(`${dir} (${how}): raw texts give transformers' ids and (UTF-16) offsets`, async () => {
      for (const c of g.extra_texts) {
        const e = await tok.encodeText(c.text);
        assert.deepEqual(e.inputIds, c.input_ids, JSON.stringify(c.text));
        assert.deepEqual(e.tokens.slice(1, -1), c.tokens, JSON.stringify(c.text));
        const expected = c.fast_offsets.map(([s, t]) => [utf16(c.text, s), utf16(c.text, t)]);
        assert.deepEqual(e.offsets, expected, JSON.stringify(c.text));
        // Each content token's offsets select real text of the input.
        e.offsets.forEach(([s, t], j) => {
          if (e.specialTokensMask[j] === 0) assert.ok(t > s && t <= c.text.length);
        });
      }
    });
  }
}
