/**
 * Loss and gradients of a token-classification model for one batch — the step the trainer
 * repeats. Gradients are keyed by HF parameter name; the caller owns (and disposes) them.
 */
import * as tf from "@tensorflow/tfjs";
import type { ForwardOptions, ModelInputs, TokenClassificationModel } from "./base";
import { tokenClassificationLoss } from "./loss";

/** A batch with labels (-100 where ignored), int32 [batch, seq] tensors. */
export interface LabeledBatch extends ModelInputs {
  labels: tf.Tensor2D;
}

export interface LossAndGrads {
  loss: number;
  /** d loss / d parameter, by HF name, in tfjs layout (same shape as the variable). */
  grads: Map<string, tf.Tensor>;
}

/**
 * Forward (dropout on when `training`, seeded by `dropoutSeed`), mean cross-entropy loss,
 * backward. Leaves no tensors behind except the returned gradients.
 */
export function computeLossAndGrads(model: TokenClassificationModel, batch: LabeledBatch, opts: ForwardOptions = {}): LossAndGrads {
  const named = model.namedWeights();
  const byVarName = new Map<string, string>();
  for (const [hf, v] of named) byVarName.set(v.name, hf);
  const { value, grads } = tf.variableGrads(() => tokenClassificationLoss(model.forward(batch, opts), batch.labels), [...named.values()]);
  const loss = value.dataSync()[0];
  value.dispose();
  const out = new Map<string, tf.Tensor>();
  for (const [hf, v] of named) {
    const g = grads[v.name];
    if (g !== undefined) out.set(hf, g);
  }
  return { loss, grads: out };
}

/** Forward only: the loss of a batch (no gradients), e.g. for evaluation. */
export function computeLoss(model: TokenClassificationModel, batch: LabeledBatch, opts: ForwardOptions = {}): number {
  const loss = tf.tidy(() => tokenClassificationLoss(model.forward(batch, opts), batch.labels));
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}
