/**
 * Tokenization for token classification: a wrapper of the Hugging Face `tokenizers`
 * binding with transformers' `is_split_into_words`, truncation, padding and offsets.
 */
export { NerTokenizer, parseVocabTxt } from "./tokenizer";
export type { TokenizerFiles, FromPretrainedOptions } from "./tokenizer";
export { AutoTokenizer } from "./auto";
export { BatchEncoding, callTokenizer } from "./batch-encoding";
export type { TokenizerCallOptions, EncodedRow } from "./batch-encoding";
export type {
  Encoding,
  WordsEncoding,
  TextEncoding,
  SplitWordsStrategy,
  EncodeOptions,
  EncodeWordsOptions,
  BatchOptions,
  PaddingStrategy,
} from "./types";
export { cleanUpTokenization, wordPieceDecoderCleanup } from "./cleanup";
export { codePointLength, codePointToUtf16Map, toUtf16Offsets } from "./offsets";
export { padEncoding, paddedLength } from "./padding";
export { DEFAULT_MAX_LENGTH } from "./config";
export type { SingleTemplate, SpecialPiece } from "./config";
