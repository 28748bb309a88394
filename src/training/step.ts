/**
 * One optimizer update, the heart of the training loop:
 *   gradients of the mean loss over the micro-batches → clip to the global norm → AdamW step.
 * Kept separate from the Trainer so it can be checked against the Hugging Face Trainer step by
 * step (tests/training/parity.test.ts) and reused by benchmarks.
 */
import * as tf from "@tensorflow/tfjs";
import type { AdamW } from "./adamw";
import { clipGradNorm } from "./clip";
import type { Batch, LossFn, TrainableModel } from "./types";

export interface StepResult {
  /** Mean loss over the micro-batches (before the update). */
  loss: number;
  /** Global gradient norm before clipping (NaN when clipping is off). */
  gradNorm: number;
  /** False when the loss or gradient norm was not finite: nothing was updated. */
  applied: boolean;
}

export interface StepOptions {
  model: TrainableModel;
  /** Micro-batches whose gradients are averaged into one update (gradient accumulation). */
  batches: Batch[];
  optimizer: AdamW;
  lr: number;
  /** Clip to this global norm; 0 disables. */
  maxGradNorm: number;
  lossFn: LossFn;
  /** Dropout on (default true). */
  training?: boolean;
  /** One dropout seed per micro-batch. */
  dropoutSeeds?: number[];
}

/** Compute gradients, clip, and apply AdamW; leaves no tensors behind. */
export async function trainingStep(opts: StepOptions): Promise<StepResult> {
  const { model, batches, optimizer } = opts;
  const weights = model.namedWeights();
  const varList = [...weights.values()];
  const nameOfVar = new Map<string, string>();
  for (const [name, v] of weights) nameOfVar.set(v.name, name);
  const n = batches.length;
  const grads = new Map<string, tf.Tensor>();
  let loss = 0;
  for (let k = 0; k < n; k++) {
    const batch = batches[k];
    const labels = batch.labels;
    if (!labels) throw new Error("trainingStep: batch has no labels");
    const { value, grads: g } = tf.variableGrads(
      () =>
        tf.div(
          opts.lossFn(model.forward(batch, { training: opts.training ?? true, dropoutSeed: opts.dropoutSeeds?.[k] }), labels),
          n,
        ) as tf.Scalar,
      varList,
    );
    loss += (await value.data())[0];
    value.dispose();
    for (const [varName, grad] of Object.entries(g)) {
      const name = nameOfVar.get(varName);
      const prev = name ? grads.get(name) : undefined;
      if (!name) grad.dispose();
      else if (prev) {
        grads.set(name, prev.add(grad));
        prev.dispose();
        grad.dispose();
      } else grads.set(name, grad);
    }
  }
  try {
    if (!Number.isFinite(loss)) return { loss, gradNorm: NaN, applied: false };
    const gradNorm = opts.maxGradNorm > 0 ? clipGradNorm(grads, opts.maxGradNorm) : NaN;
    if (opts.maxGradNorm > 0 && !Number.isFinite(gradNorm)) return { loss, gradNorm, applied: false };
    optimizer.step(grads, opts.lr);
    return { loss, gradNorm, applied: true };
  } finally {
    tf.dispose([...grads.values()]);
  }
}
