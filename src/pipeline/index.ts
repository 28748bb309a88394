/**
 * Token-classification pipeline with Hugging Face's aggregation strategies
 * (none / simple / first / average / max), built from pure, separately tested stages.
 */
export { pipeline } from "./pipeline";
export { createTokenClassifier, parseAggregationStrategy } from "./classifier";
export type {
  TokenClassifier,
  TokenClassificationOptions,
  ClassifierOptions,
  CallOptions,
  PipelineModel,
  PipelineTokenizer,
  TruncationInfo,
} from "./classifier";
export { softmaxRows } from "./softmax";
export { argmax } from "../util/argmax";
export {
  gatherPreEntities,
  labelTokens,
  aggregateWord,
  aggregateWords,
  getTag,
  groupSubEntities,
  groupEntities,
  aggregate,
  filterIgnored,
  mergeOverlappingEntities,
  postprocessWindow,
} from "./stages";
export type { GatherOptions, PostprocessOptions, Id2Label } from "./stages";
export { splitIntoWindows } from "./windows";
export type { WindowOptions } from "./windows";
export { wordPieceTokensToString, wordPieceDecoder, cleanupTokenizationSpaces } from "./decode";
export type { WordPieceDecoderOptions } from "./decode";
export { AGGREGATION_STRATEGIES } from "./types";
export type {
  AggregationStrategy,
  TokenEntity,
  GroupedEntity,
  PipelineEntity,
  PreEntity,
  LabelledUnit,
  EncodedWindow,
  TokensToString,
} from "./types";
