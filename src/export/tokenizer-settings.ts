/**
 * The tokenizer settings the web page needs, taken from the library's NerTokenizer (the one
 * place that resolves special tokens, template and max length from a checkpoint's files).
 */
import type { NerTokenizer } from "../tokenization/tokenizer";
import { wordPieceDecoderSettings, type TokenizerSettings } from "./web-tokenizer";

/** Settings of `tokenizer` for {@link WebTokenizer}; throws for a tokenizer the page cannot run. */
export function tokenizerSettings(
  tokenizer: NerTokenizer,
  tokenizerJson: Record<string, unknown>,
  source: string,
): TokenizerSettings {
  const model = tokenizerJson.model as { type?: string } | undefined;
  if (model?.type !== "WordPiece") {
    throw new Error(
      `${source}: tokenizer model ${String(model?.type)} is not WordPiece; ` +
        "the web export supports BERT-family tokenizers",
    );
  }
  return {
    unkToken: tokenizer.unkToken,
    unkTokenId: tokenizer.unkTokenId,
    padTokenId: tokenizer.padTokenId,
    modelMaxLength: tokenizer.modelMaxLength,
    continuingSubwordPrefix: tokenizer.continuingSubwordPrefix,
    template: tokenizer.template,
    decoder: wordPieceDecoderSettings(tokenizerJson),
  };
}
