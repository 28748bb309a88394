/**
 * Test helpers: encode text with the HF `tokenizers` binding straight from a fixture's
 * tokenizer.json (independent of src/tokenization), with offsets converted from code points
 * to UTF-16 indices, so the pipeline stages can be exercised on real encodings.
 */
import { Tokenizer } from "tokenizers";
import type { EncodedWindow } from "../../src/pipeline/types";
import { fixturePath } from "../helpers/fixtures";

const cache = new Map<string, Tokenizer>();

export function fixtureTokenizer(name: "tiny-bert" | "tiny-distilbert"): Tokenizer {
  let tok = cache.get(name);
  if (!tok) {
    tok = Tokenizer.fromFile(fixturePath(name, "tokenizer.json"));
    cache.set(name, tok);
  }
  return tok;
}

/** UTF-16 index of each code-point index (one extra entry for the end). */
export function codePointToUtf16(text: string): number[] {
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return map;
}

/** A binding Encoding of `text` as an EncodedWindow (offsets converted from code points to UTF-16). */
export function toWindow(
  enc: { getIds(): number[]; getTokens(): string[]; getOffsets(): number[][]; getSpecialTokensMask(): number[] },
  text: string,
): EncodedWindow {
  const cp = codePointToUtf16(text);
  return {
    inputIds: enc.getIds(),
    tokens: enc.getTokens(),
    offsets: enc.getOffsets().map(([s, e]) => [cp[s], cp[e]] as [number, number]),
    specialTokensMask: enc.getSpecialTokensMask(),
  };
}

export async function encodeWithBinding(name: "tiny-bert" | "tiny-distilbert", text: string): Promise<EncodedWindow> {
  return toWindow(await fixtureTokenizer(name).encode(text), text);
}
