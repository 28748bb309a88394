/**
 * Data layer: readers for the tutorials' corpora, a Hugging Face-like Dataset API,
 * and a corpus registry with mirror / embedded / cache / download resolution.
 *
 * ```ts
 * const ds = await loadCorpus("conll2003");
 * console.log(ds.toString());              // DatasetDict({ train: Dataset({...}) ... })
 * ds.train.features.ner_tags.names;        // ["O", "B-PER", ...]
 * ```
 */
export * from "./types";
export { DataFormatError, CorpusFileError } from "./errors";
export { ClassLabel, Sequence, Value, inferFeature } from "./features";
export type { FeatureType, Features, NerFeatures } from "./features";
export { Dataset, range } from "./dataset";
export type { Batch, MapOptions, BatchedMapOptions, TrainTestSplitOptions } from "./dataset";
export { DatasetDict } from "./datasetDict";
export { parseCorpusText, readCorpusFile } from "./readers";
export { parseTag, iob1ToIob2, iob2Violation, iob1Violation } from "./tags";
export { parseLabelList, readLabelFile, labelsFromOption, labelListFromTags, labelMaps } from "./labels";
export { tagSpans } from "./tags";
export type { ParsedTag, Span } from "./tags";
export {
  CORPORA,
  CORPUS_NAMES,
  CONLL2003_NER,
  CONLL2003_POS,
  CONLL2003_CHUNK,
  WNUT17_NER,
  WIKIANN_NER,
  MIT_RESTAURANT_NER,
  findCorpus,
  getCorpus,
  normalizeSplit,
} from "./registry";
export type { CorpusName, CorpusSpec, CorpusFile } from "./registry";
export { resolveCorpusFile, corpusFileUrl, EMBEDDED_DATA_DIR } from "./resolve";
export type { ResolveOptions, ResolvedFile, FileSource } from "./resolve";
export { downloadVerified } from "./download";
export { sha256OfFile } from "../util/files";
export { loadCorpus, loadCorpusFile, readCorpusSplits, sentencesToDataset } from "./load";
export type {
  NerRow,
  NerDataset,
  NerDatasetDict,
  LoadCorpusOptions,
  LoadedSplit,
  ToDatasetOptions,
  LoadFileOptions,
} from "./load";
export { corpusStats } from "./stats";
export type { CorpusStats } from "./stats";
export {
  sentencesToJsonl,
  writeJsonl,
  parseJsonlRecords,
  readJsonlRecords,
  recordTagNames,
  parseJsonl,
  readJsonl,
  readJsonlSplits,
  schemeWarning,
} from "./jsonl";
export type { JsonlRecord, JsonlSentence, ReadJsonlOptions, JsonlReadResult, ReadJsonlSplitsOptions } from "./jsonl";
