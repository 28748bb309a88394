/**
 * Differentiable building blocks shared by the encoders, written for speed on every CPU tier:
 * the gradients' transposed products go through {@link matMulT}, which passes transpose flags where
 * they are free (native BLAS, cpu, tfjs-node) and transposes explicitly on plain wasm, whose
 * XNNPACK matmul only takes untransposed operands (transposed ones run 10–40× slower).
 */
import * as tf from "@tensorflow/tfjs";
import { transposedMatMulIsFast } from "../backend/blas-kernels";
import { nativeGelu, nativeGeluGrad, nativeKernelsActive, nativeLayerNorm, nativeLayerNormGrad } from "../backend/native-kernels";

/** Swap the last two axes. */
function swapLast<T extends tf.Tensor>(t: T): T {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

/** `op(a) @ op(b)`: BLAS transpose flags where the backend takes them fast, explicit transposes on plain wasm. */
export function matMulT<T extends tf.Tensor>(a: T, b: T, transposeA: boolean, transposeB: boolean): T {
  if (transposedMatMulIsFast()) return tf.matMul(a, b, transposeA, transposeB) as T;
  return tf.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b) as T;
}

/**
 * `x @ w + b` for `x` [n, in], `w` [in, out] (tfjs layout: HF's [out, in] transposed on load),
 * `b` [out]; bias add fused into the matmul.
 */
export const linear = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      // tidy: tfjs keeps everything a gradient function creates until the whole backward pass
      // ends; the transposed copies (plain wasm) would otherwise pile up (~1 GB at distilbert-base size).
      return tf.tidy(() => [matMulT(dy, ws, false, true), matMulT(xs, dy, true, false), sumRows(dy)]);
    },
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * Column sums of a 2-D tensor (`tf.sum(x, 0)`) as a [1, n] @ [n, cols] product: wasm reduces over
 * axis 0 by transposing first (10 ms for 512×3072), XNNPACK does the product in 0.4 ms.
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}

/** Batched `a @ b` for rank-4 tensors ([B, H, m, k] @ [B, H, k, n]); gradients through {@link matMulT}. */
export const batchMatMul = tf.customGrad(((a: tf.Tensor4D, b: tf.Tensor4D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [as, bs] = saved as [tf.Tensor4D, tf.Tensor4D];
      return tf.tidy(() => [matMulT(dy, bs, false, true), matMulT(as, dy, true, false)]);
    },
  };
}) as never) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;

/**
 * LayerNorm over the last axis as torch computes it: biased variance, `eps` inside the square root.
 * Hand-written gradient: fewer ops than differentiating `moments`.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  return layerNormWithEps(eps)(x, gamma, beta);
}

const layerNormCache = new Map<number, (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D>();

function layerNormWithEps(eps: number): (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D {
  let f = layerNormCache.get(eps);
  if (f) return f;
  f = tf.customGrad(((x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
    if (nativeKernelsActive()) {
      // One native pass each way (wasm+blas) instead of ~8 tfjs kernels forward and ~10 backward.
      const [y, xhat, invStd] = nativeLayerNorm(x, gamma, beta, eps);
      save([xhat, invStd, gamma]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
          const [xh, inv, g] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          return nativeLayerNormGrad(dy, xh, inv, g);
        },
      };
    }
    const { mean, variance } = tf.moments(x, -1, true);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(x, mean), invStd);
    save([xhat, invStd, gamma]);
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xh, inv, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          const dxhat = tf.mul(dy, g);
          // dx = invStd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
          const m1 = tf.mean(dxhat, -1, true);
          const m2 = tf.mean(tf.mul(dxhat, xh), -1, true);
          const dx = tf.mul(inv, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)));
          return [dx, sumRows(tf.mul(dy, xh)), sumRows(dy)];
        }),
    };
  }) as never) as (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
  layerNormCache.set(eps, f);
  return f;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU, `x · Φ(x)` with Φ from erf (torch's default `gelu`), with an analytic gradient. */
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  if (nativeKernelsActive()) {
    // Native erf (correctly rounded, vs tfjs's 1.5e-7 approximation), one pass each way.
    save([x]);
    return { value: nativeGelu(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [nativeGeluGrad(saved[0], dy)] };
  }
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, c] = saved;
      return tf.tidy(() => {
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
        return [tf.mul(dy, tf.add(c, tf.mul(xs, pdf)))];
      });
    },
  };
}) as never) as (x: tf.Tensor) => tf.Tensor;

/** The tanh approximation of GELU (HF "gelu_new"). */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

/** The activation named in the config. */
export function activation(name: "gelu" | "gelu_new" | "relu", x: tf.Tensor): tf.Tensor {
  if (name === "gelu") return gelu(x);
  if (name === "gelu_new") return geluNew(x);
  return tf.relu(x);
}
