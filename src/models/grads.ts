/**
 * Loss and gradients of a token-classification model for one batch — the step the trainer
 * repeats, and the one function the parity tests check against transformers. Gradients are keyed
 * by HF parameter name; the caller owns (and disposes) them.
 *
 * The backward pass is {@link leanGradients}: the same gradient functions as `tf.variableGrads`,
 * but intermediate gradients and saved activations are freed as soon as backprop is past them.
 */
import * as tf from "@tensorflow/tfjs";
import type { ForwardOptions, ModelInputs, TokenClassificationModel } from "./base";
import { leanGradients } from "../backend/autograd";
import { tokenClassificationLoss } from "./loss";

/** A batch with labels (-100 where ignored), int32 [batch, seq] tensors. */
export interface LabeledBatch extends ModelInputs {
  labels: tf.Tensor2D;
}

/** What gradients need from a model: logits and its variables by HF name. */
export type DifferentiableModel = Pick<TokenClassificationModel, "forward" | "namedWeights">;

/** Loss of logits [batch, seq, labels] against labels [batch, seq]. */
export type LossFunction = (logits: tf.Tensor3D, labels: tf.Tensor2D) => tf.Scalar;

export interface GradOptions extends ForwardOptions {
  /** Loss to differentiate (default {@link tokenClassificationLoss}, torch's CrossEntropyLoss). */
  lossFn?: LossFunction;
  /**
   * Divide the loss by this before differentiating, as the HF Trainer divides by
   * `gradient_accumulation_steps` (default 1: no division).
   */
  lossDivisor?: number;
  /**
   * Add the gradients into this map (gradient accumulation): existing tensors are replaced by
   * `previous + new` and disposed. Without it a fresh map is returned.
   */
  accumulateInto?: Map<string, tf.Tensor>;
}

export interface LossAndGrads {
  /** The (divided) loss of this batch. */
  loss: number;
  /** d loss / d parameter, by HF name, in tfjs layout (same shape as the variable). */
  grads: Map<string, tf.Tensor>;
}

/**
 * Forward (dropout on when `training`, seeded by `dropoutSeed`), loss (divided by
 * `lossDivisor`), backward. Leaves no tensors behind except the returned gradients.
 */
export function computeLossAndGrads(
  model: DifferentiableModel,
  batch: LabeledBatch,
  opts: GradOptions = {},
): LossAndGrads {
  const { lossFn = tokenClassificationLoss, lossDivisor = 1, accumulateInto, ...forwardOpts } = opts;
  const named = [...model.namedWeights()];
  const { value, grads } = leanGradients(
    () => {
      const loss = lossFn(model.forward(batch, forwardOpts), batch.labels);
      return lossDivisor === 1 ? loss : tf.div(loss, lossDivisor);
    },
    named.map(([, v]) => v),
  );
  const loss = value.dataSync()[0];
  value.dispose();
  const out = accumulateInto ?? new Map<string, tf.Tensor>();
  named.forEach(([hf], i) => {
    const g = grads[i];
    if (g === undefined) return;
    const prev = out.get(hf);
    if (prev === undefined) out.set(hf, g);
    else {
      out.set(hf, tf.add(prev, g));
      prev.dispose();
      g.dispose();
    }
  });
  return { loss, grads: out };
}
