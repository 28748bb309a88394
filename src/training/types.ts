/**
 * The shapes the Trainer works with. The model side is the project's shared
 * `TokenClassificationModel` contract (src/models), restated structurally here so the
 * training loop can be read (and tested) on its own; a `TokenClassificationModel` is a
 * `TrainableModel` as it is (tests/training/contracts.test.ts checks this, without casts).
 */
import type * as tf from "@tensorflow/tfjs";

/** Model inputs of one batch (int32, [batch, seq]). */
export interface ModelInputs {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
}

/** What the Trainer needs from a model: logits, its variables by HF name, and saving. */
export interface TrainableModel {
  readonly config: { readonly numLabels: number; readonly id2label: Record<number, string> };
  forward(inputs: ModelInputs, opts?: { training?: boolean; dropoutSeed?: number }): tf.Tensor3D;
  namedWeights(): Map<string, tf.Variable>;
  savePretrained(dir: string): Promise<void>;
}

/** One tokenized, label-aligned example (labels are -100 where ignored). */
export interface TrainingFeature {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds?: number[];
  labels: number[];
}

/** A collated batch: model inputs plus int32 labels [batch, seq] (required for training and evaluation). */
export interface Batch extends ModelInputs {
  labels?: tf.Tensor2D;
}

/** A collator: a function, or an object with `collate` / `call` (e.g. DataCollatorForTokenClassification). */
export type Collator =
  | ((features: readonly TrainingFeature[]) => Batch)
  | { collate(features: readonly TrainingFeature[]): Batch }
  | { call(features: readonly TrainingFeature[]): Batch };

/** Anything holding features: an array, or a Dataset with `rows`. */
export type FeatureSource = readonly TrainingFeature[] | { readonly rows: readonly TrainingFeature[] };

/** Loss of logits against labels (mean cross-entropy over labels != -100). */
export type LossFn = (logits: tf.Tensor3D, labels: tf.Tensor2D) => tf.Scalar;

/**
 * Metrics from predictions and labels, e.g. `(p, l) => computeMetrics(p, l, labelList)` with
 * seqeval's `computeMetrics`. Numeric fields become `<prefix>_<name>` metrics; the others
 * (seqeval's `report`) are kept as the evaluation's extras. Typed as `object` so result
 * interfaces without an index signature (seqeval's `ComputedMetrics`) fit as they are.
 */
export type ComputeMetrics = (predictions: number[][], labels: number[][]) => object;
