import { test } from "node:test";
import assert from "node:assert/strict";
import { wordPieceDecoder as bindingWordPieceDecoder } from "tokenizers";
import { cleanupTokenizationSpaces, wordPieceTokensToString } from "../../src/pipeline/decode";
import { readFixtureJson } from "../helpers/fixtures";
import { fixtureTokenizer } from "./helpers";

test("first token keeps its ## prefix, later ones are glued; clean-up removes space before punctuation", () => {
  assert.equal(wordPieceTokensToString(["##IN", ",", "United"]), "##IN, United");
  assert.equal(wordPieceTokensToString(["E", "##mi", "##rates"]), "Emirates");
  assert.equal(wordPieceTokensToString(["new", "york", "?"]), "new york?");
  assert.equal(wordPieceTokensToString(["1996", "-", "12"]), "1996 - 12");
  assert.equal(wordPieceTokensToString([]), "");
  assert.equal(wordPieceTokensToString(["a", "."], { cleanup: false }), "a .");
});

test("clean-up is applied per token, so multi-token patterns such as ' do not' stay", () => {
  assert.equal(wordPieceTokensToString(["i", "do", "not"]), "i do not");
  assert.equal(wordPieceTokensToString(["it", "'", "s"]), "it ' s");
  assert.equal(cleanupTokenizationSpaces("it 's a do not , ok ."), "it's a don't, ok.");
});

test("matches the tokenizers library's WordPiece decoder on fixture token lists", () => {
  const golden = readFixtureJson<Record<string, unknown>>("tokenizer-golden.json");
  const decoder = bindingWordPieceDecoder("##", true);
  let checked = 0;
  for (const [key, value] of Object.entries(golden)) {
    if (!key.includes("vocab")) continue;
    const sets = value as Record<string, { tokens?: string[] }[]>;
    for (const cases of Object.values(sets)) {
      for (const c of cases.slice(0, 60)) {
        if (!c.tokens) continue;
        // Decode every suffix starting inside the sentence too, so leading "##" pieces occur.
        for (const from of [0, 1, 2, 3]) {
          const toks: string[] = c.tokens.slice(from);
          assert.equal(wordPieceTokensToString(toks), decoder.decode(toks), JSON.stringify(toks));
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 400, `only ${checked} token lists checked`);
  // The fixture tokenizer.json carries the same decoder.
  const fromJson = fixtureTokenizer("tiny-bert").getDecoder();
  assert.ok(fromJson);
  assert.equal(
    fromJson.decode(["##IN", ",", "do", "##n", "'", "t", "!"]),
    wordPieceTokensToString(["##IN", ",", "do", "##n", "'", "t", "!"]),
  );
});
