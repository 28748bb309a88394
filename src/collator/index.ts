/** Batching for token classification: dynamic padding into tensors, and length-grouped sampling. */
export { DataCollatorForTokenClassification, disposeBatch } from "./collator";
export type { TokenClassificationBatch, CollatorOptions } from "./collator";
export { padFeatures, toRows } from "./pad";
export type { TokenFeature, PaddedBatch, PadOptions } from "./pad";
export {
  lengthGroupedIndices,
  lengthGroupedBatches,
  randomBatches,
  chunkBatches,
  paddingStats,
  defaultMegaBatchMult,
  LengthGroupedBatchSampler,
} from "./length-grouped";
export type { PaddingStats } from "./length-grouped";
