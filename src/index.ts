/**
 * ner-notebooks: the public API in one import.
 *
 * The everyday entry points are exported by name; every module is also available as a
 * namespace (`data`, `tokenization`, `models`, …) for the rest of its API.
 *
 *   import { loadCorpus, NerTokenizer, tokenizeAndAlignLabels, AutoModelForTokenClassification,
 *            Trainer, computeMetrics, pipeline } from "./src/index";
 */
export * as env from "./env";
export * as hub from "./hub/resolve";
export * as data from "./data/index";
export * as tokenization from "./tokenization/index";
export * as alignment from "./alignment/index";
export * as collator from "./collator/index";
export * as backend from "./backend/index";
export * as models from "./models/index";
export * as training from "./training/index";
export * as seqeval from "./metrics/seqeval/index";
export * as pipelines from "./pipeline/index";
export * as viz from "./viz/index";
export * as charts from "./charts/index";
export * as explore from "./explore/index";

export { loadCorpus, Dataset, DatasetDict } from "./data/index";
export { NerTokenizer } from "./tokenization/index";
export { tokenizeAndAlignLabels, wordPredictions } from "./alignment/index";
export { DataCollatorForTokenClassification } from "./collator/index";
export { initBackend } from "./backend/index";
export { AutoModelForTokenClassification, tokenClassificationLoss } from "./models/index";
export { Trainer, AdamW, linearScheduleWithWarmup } from "./training/index";
export { classificationReport, computeMetrics, f1Score } from "./metrics/seqeval/index";
export { pipeline } from "./pipeline/index";
export { renderEntitiesHtml, renderGoldVsPredHtml } from "./viz/index";
export { resolveModelFile } from "./hub/resolve";
