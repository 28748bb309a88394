/**
 * The web page's tokenizer (pure-JS @huggingface/tokenizers + our offsets) against the library's
 * NerTokenizer (the Rust binding, itself held to transformers by tests/tokenization): same ids,
 * tokens, UTF-16 offsets and special-token mask on the tokenizer goldens, tricky strings and
 * seeded random strings, for both fixture vocabularies; and the HF goldens' ids directly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NerTokenizer } from "../../src/tokenization";
import { tokenizerSettings } from "../../src/export/tokenizer-settings";
import { WebTokenizer } from "../../src/export/web-tokenizer";
import { Rng } from "../../src/util/random";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";
import { goldenTexts, TRICKY_TEXTS, type TokenizerGolden } from "./golden-texts";

const golden = readFixtureJson<TokenizerGolden>("tokenizer-golden.json");

/** Both tokenizers of a fixture checkpoint, the web one built from the files the export writes. */
function tokenizers(dir: string): { ner: NerTokenizer; web: WebTokenizer } {
  const ner = NerTokenizer.fromDirectory(fixturePath(dir));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-webtok-"));
  try {
    ner.save(tmp);
    const json = JSON.parse(fs.readFileSync(path.join(tmp, "tokenizer.json"), "utf8")) as Record<string, unknown>;
    const config = JSON.parse(fs.readFileSync(path.join(tmp, "tokenizer_config.json"), "utf8")) as Record<
      string,
      unknown
    >;
    return { ner, web: new WebTokenizer(json, config, tokenizerSettings(ner, json, dir)) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Seeded strings from a pool of awkward characters (accents, combining marks, CJK, emoji, controls, sigma). */
function randomTexts(count: number, seed: number): string[] {
  const pool = [
    ..."aZé ü ,.-'#ΣσςİıßǅﬁÅ\u0301\u0308\t\n\u00a0\u200b\u0000北京서울😀👍🏽[]",
    "[MASK]",
    "##",
    "[UNK]",
    "don't",
    "New York",
  ];
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const n = rng.int(24);
    let s = "";
    for (let i = 0; i < n; i++) s += pool[rng.int(pool.length)];
    return s;
  });
}

for (const [key, dir] of [
  ["bert-base-uncased (tiny-distilbert/vocab.txt, do_lower_case=True)", "tiny-distilbert"],
  ["tiny-bert cased vocab (tiny-bert/vocab.txt, do_lower_case=False)", "tiny-bert"],
] as const) {
  test(`${dir}: web tokenizer = NerTokenizer (ids, tokens, offsets, mask) on goldens, tricky, random`, async () => {
    const { ner, web } = tokenizers(dir);
    const texts = [...goldenTexts(golden[key]).map((c) => c.text), ...TRICKY_TEXTS, ...randomTexts(1500, 7)];
    for (const text of texts) {
      const want = await ner.encodeText(text, { truncation: false });
      const got = web.encodeTextSync(text, { truncation: false });
      const label = JSON.stringify(text);
      assert.deepEqual(got.inputIds, want.inputIds, `ids of ${label}`);
      assert.deepEqual(got.tokens, want.tokens, `tokens of ${label}`);
      assert.deepEqual(got.offsets, want.offsets, `offsets of ${label}`);
      assert.deepEqual(got.specialTokensMask, want.specialTokensMask, `special mask of ${label}`);
      const content = want.tokens.slice(1, -1);
      assert.equal(web.convertTokensToString(content), ner.convertTokensToString(content), `decoded ${label}`);
    }
    assert.equal(web.unkTokenId, ner.unkTokenId);
    assert.equal(web.modelMaxLength, ner.modelMaxLength);
  });

  test(`${dir}: web tokenizer gives transformers' ids on the tokenizer goldens`, () => {
    const { web } = tokenizers(dir);
    for (const c of goldenTexts(golden[key])) {
      assert.deepEqual(web.encodeTextSync(c.text, { truncation: false }).inputIds, c.inputIds, JSON.stringify(c.text));
      if (c.offsets)
        assert.deepEqual(web.encodeTextSync(c.text, { truncation: false }).offsets, c.offsets, JSON.stringify(c.text));
    }
  });
}

test("the web tokenizer truncates like NerTokenizer when asked", async () => {
  const { ner, web } = tokenizers("tiny-bert");
  const text = Array.from({ length: 700 }, (_, i) => `w${i}`).join(" ");
  const want = await ner.encodeText(text, { truncation: true });
  const got = web.encodeTextSync(text, { truncation: true });
  assert.equal(got.inputIds.length, ner.modelMaxLength);
  assert.deepEqual(got.inputIds, want.inputIds);
  assert.deepEqual(got.offsets, want.offsets);
});
