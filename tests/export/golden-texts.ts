/**
 * The raw-text cases of tokenizer-golden.json (made by transformers 4.57): each golden sentence's
 * words joined by spaces with its ids, and the hand-written tricky strings with ids and offsets
 * (converted from Python's code points to UTF-16). Shared by the Node and the browser tests.
 */
export interface TokenizerGoldenVocab {
  conll2003_test: { words: string[]; text_input_ids: number[] }[];
  mit_restaurant_test: { words: string[]; text_input_ids: number[] }[];
  extra_texts: { text: string; fast_input_ids: number[]; fast_offsets: [number, number][] }[];
}
export type TokenizerGolden = Record<string, TokenizerGoldenVocab>;

export interface GoldenText {
  text: string;
  inputIds: number[];
  /** UTF-16 offsets, special tokens [0, 0] (only for the tricky strings). */
  offsets?: [number, number][];
}

function utf16(text: string, codePoints: number): number {
  return Array.from(text).slice(0, codePoints).join("").length;
}

export function goldenTexts(vocab: TokenizerGoldenVocab): GoldenText[] {
  const sentences = [...vocab.conll2003_test, ...vocab.mit_restaurant_test].map((c) => ({
    text: c.words.join(" "),
    inputIds: c.text_input_ids,
  }));
  const extra = vocab.extra_texts.map((c) => ({
    text: c.text,
    inputIds: c.fast_input_ids,
    offsets: c.fast_offsets.map(([s, e]): [number, number] => [utf16(c.text, s), utf16(c.text, e)]),
  }));
  return [...sentences, ...extra];
}

/** Strings where the offsets are easy to get wrong (checked against the Rust binding). */
export const TRICKY_TEXTS = [
  "Zu\u0308rich and Cafe\u0301 x",
  "Zürich 😀 naïve 👍🏽 ok",
  "I saw [MASK] in [UNK] town",
  "北京欢迎你 Tokyo",
  "a\u0000b\tc\u200bd\u00ade",
  "ΣΑΣ ΟΔΟΣ Σ",
  "İstanbul straße",
  "x  ##y  ##",
  "",
  "   ",
  "ﬁne ﬂour ǅ",
  "e\u0301\u0301 hello\u0301",
  "don't do not 's",
];
