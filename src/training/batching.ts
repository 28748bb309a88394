/**
 * Small helpers the Trainer uses around batches: reading features from arrays or Datasets,
 * a default padding collator (pad to the longest, labels with -100) and a collator adapter.
 */
import { DataCollatorForTokenClassification } from "../collator/collator";
import type { ModelBatch, Collator, FeatureSource, TrainingFeature } from "./types";

/** The features of an array or a Dataset-like `{rows}`. */
export function featuresOf(source: FeatureSource): readonly TrainingFeature[] {
  return Array.isArray(source)
    ? (source as readonly TrainingFeature[])
    : (source as { rows: readonly TrainingFeature[] }).rows;
}

/** Pad to the longest feature (the collator's rules: ids with `padTokenId`, masks 0, labels -100). */
export function padCollate(features: readonly TrainingFeature[], padTokenId = 0): ModelBatch {
  return new DataCollatorForTokenClassification({ padTokenId }).collate(features) as ModelBatch;
}

/** Turn any supported collator into a function (default: {@link padCollate}). */
export function asCollateFn(collator?: Collator): (features: readonly TrainingFeature[]) => ModelBatch {
  if (!collator) return (f) => padCollate(f);
  if (typeof collator === "function") return collator;
  if ("collate" in collator) return (f) => collator.collate(f);
  return (f) => collator.call(f);
}

/** Number of real (attended) tokens in some features, for tokens/s. */
export function countTokens(features: readonly TrainingFeature[]): number {
  let n = 0;
  for (const f of features) for (const m of f.attentionMask) n += m;
  return n;
}
