/**
 * One optimizer update, the heart of the training loop:
 *   gradients of the mean loss over the micro-batches → clip to the global norm → AdamW step.
 * Kept separate from the Trainer so it can be checked against the Hugging Face Trainer step by
 * step (tests/training/parity.test.ts) and reused by benchmarks.
 */
import * as tf from "@tensorflow/tfjs";
import type { AdamW } from "./adamw";
import { computeLossAndGrads } from "../models/grads";
import { clipCoefficient } from "./clip";
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
  const n = batches.length;
  const grads = new Map<string, tf.Tensor>();
  let loss = 0;
  try {
    for (let k = 0; k < n; k++) {
      const { labels } = batches[k];
      if (!labels) throw new Error("trainingStep: batch has no labels");
      // The parity-tested gradient function (src/models/grads.ts), loss divided by the number of
      // micro-batches as the HF Trainer does, gradients summed into `grads`.
      const r = computeLossAndGrads(
        model,
        { ...batches[k], labels },
        {
          lossFn: opts.lossFn,
          lossDivisor: n,
          accumulateInto: grads,
          training: opts.training ?? true,
          dropoutSeed: opts.dropoutSeeds?.[k],
        },
      );
      loss += r.loss;
    }
    if (!Number.isFinite(loss)) return { loss, gradNorm: NaN, applied: false };
    const clip = opts.maxGradNorm > 0 ? clipCoefficient(grads.values(), opts.maxGradNorm) : { total: NaN, coef: 1 };
    const gradNorm = clip.total;
    if (opts.maxGradNorm > 0 && !Number.isFinite(gradNorm)) return { loss, gradNorm, applied: false };
    // Clipping happens inside the update (gradScale); each gradient is freed as soon as AdamW has applied it.
    optimizer.step(grads, opts.lr, { disposeGrads: true, gradScale: clip.coef });
    return { loss, gradNorm, applied: true };
  } finally {
    tf.dispose([...grads.values()]);
  }
}
