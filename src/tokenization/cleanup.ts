/**
 * The English spacing clean-up that WordPiece decoding applies, in its two Hugging Face variants:
 *
 * - `cleanUpTokenization`: transformers' `clean_up_tokenization` (PreTrainedTokenizerBase),
 *   applied to the whole decoded string when `clean_up_tokenization_spaces` is true (BERT's default);
 * - `wordPieceDecoderCleanup`: the tokenizers library's WordPiece decoder clean-up, applied to
 *   each token separately; it is the same list plus " do not" → " don't".
 *
 * Both remove the spaces WordPiece decoding leaves before punctuation and English contractions.
 */

// The Rust decoder's list, in its order; Python's list is this one without the " do not" rule.
const RULES: readonly (readonly [string, string])[] = [
  [" .", "."],
  [" ?", "?"],
  [" !", "!"],
  [" ,", ","],
  [" ' ", "'"],
  [" n't", "n't"],
  [" 'm", "'m"],
  [" do not", " don't"],
  [" 's", "'s"],
  [" 've", "'ve"],
  [" 're", "'re"],
];
const PYTHON_RULES = RULES.filter(([from]) => from !== " do not");

/** Apply the replacements in order, each one to the whole string (like str.replace). */
function applyRules(text: string, rules: readonly (readonly [string, string])[]): string {
  let out = text;
  for (const [from, to] of rules) out = out.split(from).join(to);
  return out;
}

/** transformers' `clean_up_tokenization`: the whole-string clean-up of `decode`. */
export function cleanUpTokenization(text: string): string {
  return applyRules(text, PYTHON_RULES);
}

/** The tokenizers library's WordPiece decoder clean-up (adds " do not" → " don't"). */
export function wordPieceDecoderCleanup(text: string): string {
  return applyRules(text, RULES);
}
