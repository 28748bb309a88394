/**
 * Gradient checkpointing per encoder layer, as HF's `gradient_checkpointing`: in the forward pass
 * a layer runs without recording and keeps only its input; in the backward pass it is run again
 * (same dropout masks, replayed from the same random stream) and differentiated right away, so at
 * most one layer's activations are alive at a time. Same numbers, about one more forward of compute.
 *
 * "auto" (the default) checkpoints only where it is needed: on a backend whose heap is bounded
 * (wasm: 4 GiB for every tensor, `capabilities().heapLimitBytes`), when the estimated activations of
 * the whole encoder would not fit beside what is already allocated (e.g. bert-base at batch 16 × 173
 * tokens, CoNLL's longest batch).
 */
import * as tf from "@tensorflow/tfjs";
import { customOp, isRecordingGradients, leanGradients } from "../backend/autograd";
import { capabilities } from "../backend/ops";
import type { DropoutContext } from "./dropout";

/** `true`/`false` force checkpointing on/off while training; "auto" decides per batch (see above). */
export type GradientCheckpointing = boolean | "auto";

/** One encoder layer: hidden states [batch·seq, hidden] → [batch·seq, hidden]. */
export type EncoderBlock = (x: tf.Tensor2D, bias: tf.Tensor4D, dropout: DropoutContext) => tf.Tensor2D;

/** The share of a bounded heap auto mode plans to use. */
const AUTO_HEAP_SHARE = 0.85;

export interface LayerShape {
  batch: number;
  seq: number;
  hidden: number;
  intermediate: number;
  heads: number;
}

/**
 * Bytes one BERT/DistilBERT layer keeps for backprop. Composed tfjs ops (`fused` false: plain wasm, cpu)
 * save a copy of each input: ~22 [tokens, hidden], 3 [tokens, intermediate] and 5 [batch, heads, seq, seq]
 * tensors, plus copies of the layer's weight matrices; within 2 % of what a layer keeps on wasm at three
 * shapes (measured with the tape's saved tensors). The native tier's fused kernels (`fused` true) keep
 * 8 [tokens, hidden], 3 [tokens, intermediate] and one [batch, heads, seq, seq] (the probabilities) and
 * update weights in place: measured at bert-base width with `scripts/memory-check.ts --checkpointing false`
 * and 2 vs 6 layers (30.9 / 63 / 66 MiB a layer at 16×32 / 16×64 / 8×128 tokens); one more hidden and
 * one more score tensor are counted as margin. tests/training/memory.test.ts checks both bounds.
 */
export function layerActivationBytes(s: LayerShape, fused = false): number {
  const tokens = s.batch * s.seq;
  const scores = s.batch * s.heads * s.seq * s.seq;
  if (fused) return 4 * (9 * tokens * s.hidden + 3 * tokens * s.intermediate + 2 * scores);
  const weights = 4 * s.hidden * s.hidden + 2 * s.hidden * s.intermediate;
  return 4 * (22 * tokens * s.hidden + 3 * tokens * s.intermediate + 5 * scores + weights);
}

/** Whether to checkpoint this forward pass's layers (only ever while gradients are recorded). */
export function shouldCheckpoint(
  mode: GradientCheckpointing,
  layer: LayerShape,
  numLayers: number,
  paramBytes: number,
): boolean {
  if (!isRecordingGradients()) return false;
  if (mode !== "auto") return mode;
  const { heapLimitBytes: heap, nativeKernels } = capabilities();
  if (heap === undefined) return false;
  // Already allocated (weights, optimizer moments, the batch) + gradients to come + all layers'
  // activations + one more layer's worth of transients (the layer being run, its gradients).
  const budget = AUTO_HEAP_SHARE * heap - tf.memory().numBytes - paramBytes;
  return (numLayers + 1) * layerActivationBytes(layer, nativeKernels) > budget;
}

/**
 * `block(x, bias, dropout)` with its activations recomputed in the backward pass. `params` are
 * every variable the block reads (their gradients flow through the recomputation).
 */
export function checkpointed(
  block: EncoderBlock,
  x: tf.Tensor2D,
  bias: tf.Tensor4D,
  params: tf.Variable[],
  dropout: DropoutContext,
): tf.Tensor2D {
  const replay = dropout.replay();
  const run = customOp<tf.Tensor[], tf.Tensor2D>("NerCheckpointedLayer", (...args) => {
    const [xIn, biasIn] = args as unknown as [tf.Tensor2D, tf.Tensor4D];
    const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
    save([xIn, biasIn]);
    return {
      value: block(xIn, biasIn, dropout),
      gradFunc: (dy, saved) => {
        const [xs, bs] = saved as [tf.Tensor2D, tf.Tensor4D];
        const { value, grads } = leanGradients(() => block(xs, bs, replay), [xs, ...params], dy);
        value.dispose();
        return [
          grads[0] ?? tf.zerosLike(xs),
          tf.zerosLike(bs),
          ...params.map((p, i) => grads[i + 1] ?? tf.zerosLike(p)),
        ];
      },
    };
  });
  return run(x, bias, ...params);
}
