import { test } from "node:test";
import assert from "node:assert/strict";
import { codePointLength } from "../src/util/unicode";
import { pyLen } from "../src/metrics/seqeval/python";
import { codePointLength as tokenizationCodePointLength } from "../src/tokenization";

test("codePointLength counts code points like Python's len (lone surrogates count one)", () => {
  assert.equal(codePointLength(""), 0);
  assert.equal(codePointLength("abc"), 3);
  assert.equal(codePointLength("a😀b"), 3);
  assert.equal(codePointLength("😀😀"), 2);
  assert.equal(codePointLength("a\ud83d"), 2, "lone high surrogate at the end");
  assert.equal(codePointLength("\ude00x\ud83d\ud83d"), 4, "lone low and doubled high surrogates");
  assert.equal(pyLen, codePointLength, "seqeval's pyLen is the same function");
  assert.equal(tokenizationCodePointLength, codePointLength, "tokenization re-exports it");
});
