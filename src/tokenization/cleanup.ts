/**
 * HF's `clean_up_tokenization` (PreTrainedTokenizerBase): removes the spaces WordPiece
 * decoding leaves before punctuation and English contractions. transformers applies it
 * to the whole decoded string when `clean_up_tokenization_spaces` is true (BERT's default),
 * on top of the per-token cleanup the Rust WordPiece decoder already does.
 */
const REPLACEMENTS: [string, string][] = [
  [" .", "."],
  [" ?", "?"],
  [" !", "!"],
  [" ,", ","],
  [" ' ", "'"],
  [" n't", "n't"],
  [" 'm", "'m"],
  [" 's", "'s"],
  [" 've", "'ve"],
  [" 're", "'re"],
];

/** Apply the replacements in HF's order (each one to the whole string, like str.replace). */
export function cleanUpTokenization(text: string): string {
  let out = text;
  for (const [from, to] of REPLACEMENTS) out = out.split(from).join(to);
  return out;
}
