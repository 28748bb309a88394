/**
 * Small helpers the Trainer uses around batches: reading features from arrays or Datasets,
 * a default padding collator (pad to the longest, labels with -100), a collator adapter,
 * and the masked cross-entropy used when no loss function is given.
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch, Collator, FeatureSource, TrainingFeature } from "./types";

/** The features of an array or a Dataset-like `{rows}`. */
export function featuresOf(source: FeatureSource): readonly TrainingFeature[] {
  return Array.isArray(source) ? (source as readonly TrainingFeature[]) : (source as { rows: readonly TrainingFeature[] }).rows;
}

/** Pad to the longest feature: input ids with `padTokenId`, masks and type ids with 0, labels with -100. */
export function padCollate(features: readonly TrainingFeature[], padTokenId = 0): Batch {
  const len = Math.max(1, ...features.map((f) => f.inputIds.length));
  const pad = (xs: readonly number[] | undefined, value: number) => {
    const out = new Array<number>(len).fill(value);
    if (xs) for (let i = 0; i < Math.min(len, xs.length); i++) out[i] = xs[i];
    return out;
  };
  const shape: [number, number] = [features.length, len];
  const withTypes = features.some((f) => f.tokenTypeIds !== undefined);
  return {
    inputIds: tf.tensor2d(features.flatMap((f) => pad(f.inputIds, padTokenId)), shape, "int32"),
    attentionMask: tf.tensor2d(features.flatMap((f) => pad(f.attentionMask, 0)), shape, "int32"),
    ...(withTypes ? { tokenTypeIds: tf.tensor2d(features.flatMap((f) => pad(f.tokenTypeIds, 0)), shape, "int32") } : {}),
    labels: tf.tensor2d(features.flatMap((f) => pad(f.labels, -100)), shape, "int32"),
  };
}

/** Turn any supported collator into a function (default: {@link padCollate}). */
export function asCollateFn(collator?: Collator): (features: readonly TrainingFeature[]) => Batch {
  if (!collator) return (f) => padCollate(f);
  if (typeof collator === "function") return collator;
  if ("collate" in collator) return (f) => collator.collate(f);
  return (f) => collator.call(f);
}

/** Free every tensor of a batch. */
export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.inputIds, batch.attentionMask, ...(batch.labels ? [batch.labels] : []), ...(batch.tokenTypeIds ? [batch.tokenTypeIds] : [])]);
}

/**
 * Mean cross-entropy over positions whose label is not -100 (torch CrossEntropyLoss with
 * ignore_index=-100). Used when the Trainer is given no loss function.
 */
export function maskedCrossEntropy(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const numLabels = logits.shape[2];
    const flatLogits = logits.reshape([-1, numLabels]);
    const flatLabels = labels.reshape([-1]);
    const keep = flatLabels.notEqual(tf.scalar(-100, "int32"));
    const safeLabels = tf.where(keep, flatLabels, tf.zerosLike(flatLabels));
    const logProbs = tf.logSoftmax(flatLogits);
    const picked = logProbs.mul(tf.oneHot(safeLabels, numLabels)).sum(1);
    const mask = keep.toFloat();
    const count = mask.sum().maximum(tf.scalar(1));
    return picked.mul(mask).sum().neg().div(count) as tf.Scalar;
  });
}

/** Number of real (attended) tokens in some features, for tokens/s. */
export function countTokens(features: readonly TrainingFeature[]): number {
  let n = 0;
  for (const f of features) for (const m of f.attentionMask) n += m;
  return n;
}
