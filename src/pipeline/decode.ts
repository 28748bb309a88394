/**
 * Turning tokens back into text the way Hugging Face's fast BERT tokenizers do
 * (`convert_tokens_to_string` = the tokenizer.json WordPiece decoder).
 */
import { wordPieceDecoderCleanup } from "../tokenization/cleanup";
import type { TokensToString } from "./types";

/** Settings of a WordPiece decoder (tokenizer.json `decoder: {type: "WordPiece", prefix, cleanup}`). */
export interface WordPieceDecoderOptions {
  /** Continuing-subword prefix, "##" for BERT. */
  prefix?: string;
  /** Apply the English clean-up (" ," → ",", " n't" → "n't", …) to each token. */
  cleanup?: boolean;
}

/**
 * The English spacing clean-up of Hugging Face's WordPiece decoder (applied per token); the one
 * implementation lives in src/tokenization/cleanup.ts.
 */
export const cleanupTokenizationSpaces: (text: string) => string = wordPieceDecoderCleanup;

/**
 * Join WordPiece tokens into text: every token after the first gets a leading space unless it
 * starts with the prefix (which is then removed); the first token keeps its prefix ("##IN"
 * stays "##IN"), exactly like the tokenizers library.
 */
export function wordPieceTokensToString(tokens: string[], opts: WordPieceDecoderOptions = {}): string {
  const prefix = opts.prefix ?? "##";
  const cleanup = opts.cleanup ?? true;
  let text = "";
  tokens.forEach((token, i) => {
    let piece = token;
    if (i !== 0) {
      piece = prefix !== "" && token.startsWith(prefix) ? token.slice(prefix.length) : ` ${token}`;
    }
    text += cleanup ? cleanupTokenizationSpaces(piece) : piece;
  });
  return text;
}

/** A `TokensToString` for a WordPiece decoder with the given settings. */
export function wordPieceDecoder(opts: WordPieceDecoderOptions = {}): TokensToString {
  return (tokens) => wordPieceTokensToString(tokens, opts);
}
