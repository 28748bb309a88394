/**
 * Multi-head self-attention as DistilBERT and BERT compute it: project to queries/keys/values,
 * then the attention block of the backend (scale queries by 1/√headDim, add the padding bias,
 * softmax, dropout on the probabilities, weighted sum of values, heads merged back). The output
 * projection is left to the caller (the two models place dropout/LayerNorm differently).
 */
import * as tf from "@tensorflow/tfjs";
import { attention, linear } from "../backend/ops";
import type { DropoutContext } from "./dropout";

/** Weights of one linear projection in tfjs layout (w: [in, out]). */
export interface LinearParams {
  w: tf.Tensor2D;
  b: tf.Tensor1D;
}

export interface SelfAttentionParams {
  query: LinearParams;
  key: LinearParams;
  value: LinearParams;
}

/** torch.finfo(torch.float32).min — what HF puts at masked key positions. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/**
 * Additive key mask [batch, 1, 1, seq]: 0 where `attentionMask` is 1, float32 min where it is 0.
 * (HF's `masked_fill(min)` (DistilBERT) and `+ (1 - mask) · min` (BERT) give identical softmax
 * outputs in float32: any score plus min rounds to min.)
 */
export function attentionBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [b, s] = attentionMask.shape;
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, "float32")), FLOAT32_MIN), [b, 1, 1, s]));
}

/** Context vectors [batch·seq, hidden] for `x` [batch·seq, hidden]. */
export function selfAttention(
  x: tf.Tensor2D,
  bias: tf.Tensor4D,
  p: SelfAttentionParams,
  dims: { batch: number; seq: number; heads: number },
  dropout: DropoutContext,
  attentionDropout: number,
): tf.Tensor2D {
  const q = linear(x, p.query.w, p.query.b); // [batch·seq, hidden]
  const k = linear(x, p.key.w, p.key.b); // [batch·seq, hidden]
  const v = linear(x, p.value.w, p.value.b); // [batch·seq, hidden]
  return attention(q, k, v, bias, dims, dropout.site(attentionDropout)); // [batch·seq, hidden]
}
