/**
 * The differentiable ops the encoders are written in, each the fastest way the active backend
 * tier allows, all with the same numbers: models call these and never ask which tier runs.
 *
 * - native tier (wasm+blas): products with BLAS transpose flags, GELU, LayerNorm and the whole
 *   attention block (QKᵀ + mask + softmax + dropout + ·V, forward and backward) as single native
 *   passes over the wasm heap (src/backend/native-kernels.ts);
 * - plain wasm: explicit transposes before products (XNNPACK only takes untransposed operands;
 *   transposed ones run 10–40× slower), the rest composed from tfjs kernels;
 * - cpu (and anything else): tfjs kernels with transpose flags.
 *
 * Every op has a hand-written gradient ({@link customOp}: saved tensors are not copied).
 */
import * as tf from "@tensorflow/tfjs";
import { customOp } from "./autograd";
import { transposedMatMulIsFast } from "./blas-kernels";
import { gatherRows, scatterAddRowsOp } from "./kernels";
import * as native from "./native-kernels";
import { dropoutMaskTensor } from "./random-kernels";

/** What the active tier offers; the ops below choose their path from it. */
export interface Capabilities {
  /** tf.getBackend(). */
  backend: string;
  /** Native row kernels and fused attention (wasm+blas). */
  nativeKernels: boolean;
  /** `tf.matMul(a, b, transposeA, transposeB)` is as fast as the plain product. */
  transposedMatMul: boolean;
  /** The most bytes all tensors together may take (wasm32's heap), undefined when unbounded. */
  heapLimitBytes?: number;
}

/** wasm32's largest heap. */
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

export function capabilities(): Capabilities {
  const backend = tf.getBackend();
  return {
    backend,
    nativeKernels: native.nativeKernelsActive(),
    transposedMatMul: transposedMatMulIsFast(),
    heapLimitBytes: backend === "wasm" ? WASM_HEAP_BYTES : undefined,
  };
}

/** Swap the last two axes. */
function swapLast<T extends tf.Tensor>(t: T): T {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

/** `op(a) @ op(b)`: transpose flags where the tier takes them fast, explicit transposes on plain wasm. */
export function matMulT<T extends tf.Tensor>(a: T, b: T, transposeA: boolean, transposeB: boolean): T {
  if (transposedMatMulIsFast()) return tf.matMul(a, b, transposeA, transposeB) as T;
  return tf.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b) as T;
}

/**
 * Column sums of a 2-D tensor (`tf.sum(x, 0)`) as a [1, n] @ [n, cols] product: wasm reduces over
 * axis 0 by transposing first (10 ms for 512×3072), XNNPACK does the product in 0.4 ms.
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}

/** `x @ w + b` for `x` [n, in], `w` [in, out] (HF's [out, in] transposed on load), `b` [out]; bias fused. */
export const linear = customOp<[tf.Tensor2D, tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>("NerLinear", (x, w, b, save) => {
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const d = dy as tf.Tensor2D;
      // tidy: the transposed copies (plain wasm) die here, not at the end of the backward pass.
      return tf.tidy(() => [matMulT(d, ws, false, true), matMulT(xs, d, true, false), sumRows(d)]);
    },
  };
});

/** Batched `a @ b` for rank-4 tensors ([B, H, m, k] @ [B, H, k, n]); gradients through {@link matMulT}. */
export const batchMatMul = customOp<[tf.Tensor4D, tf.Tensor4D], tf.Tensor4D>("NerBatchMatMul", (a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy, saved) => {
      const [as, bs] = saved as [tf.Tensor4D, tf.Tensor4D];
      return tf.tidy(() => [matMulT(dy as tf.Tensor4D, bs, false, true), matMulT(as, dy as tf.Tensor4D, true, false)]);
    },
  };
});

/** LayerNorm over the last axis as torch computes it: biased variance, `eps` inside the square root. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  return layerNormWithEps(eps)(x, gamma, beta);
}

type LayerNormOp = (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
const layerNormCache = new Map<number, LayerNormOp>();

function layerNormWithEps(eps: number): LayerNormOp {
  let f = layerNormCache.get(eps);
  if (f) return f;
  f = customOp<[tf.Tensor2D, tf.Tensor1D, tf.Tensor1D], tf.Tensor2D>("NerLayerNorm", (x, gamma, beta, save) => {
    if (native.nativeKernelsActive()) {
      // One native pass each way instead of ~8 tfjs kernels forward and ~10 backward.
      const [y, xhat, invStd] = native.nativeLayerNorm(x, gamma, beta, eps);
      save([xhat, invStd, gamma]);
      return {
        value: y,
        gradFunc: (dy, saved) => {
          const [xh, inv, g] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          return native.nativeLayerNormGrad(dy as tf.Tensor2D, xh, inv, g);
        },
      };
    }
    const { mean, variance } = tf.moments(x, -1, true);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(x, mean), invStd);
    save([xhat, invStd, gamma]);
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xh, inv, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          const dxhat = tf.mul(dy, g);
          // dx = invStd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
          const m1 = tf.mean(dxhat, -1, true);
          const m2 = tf.mean(tf.mul(dxhat, xh), -1, true);
          const dx = tf.mul(inv, tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)));
          return [dx, sumRows(tf.mul(dy, xh) as tf.Tensor2D), sumRows(dy as tf.Tensor2D)];
        }),
    };
  });
  layerNormCache.set(eps, f);
  return f;
}

/**
 * `LayerNorm(x + residual)`, the sub-layers' "add & norm": one threaded native pass each way on the
 * native tier (the residual's gradient is the sum's, shared without a copy); elsewhere the two ops.
 */
export function addLayerNorm(
  x: tf.Tensor2D,
  residual: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): tf.Tensor2D {
  if (!native.residualLayerNormActive()) return layerNorm(tf.add(x, residual) as tf.Tensor2D, gamma, beta, eps);
  let f = addLayerNormCache.get(eps);
  if (f === undefined) {
    f = customOp<[tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D], tf.Tensor2D>(
      "NerAddLayerNorm",
      (xi, ri, g, b, save) => {
        const [y, xhat, invStd] = native.nativeLayerNorm(xi, g, b, eps, ri);
        save([xhat, invStd, g]);
        return {
          value: y,
          gradFunc: (dy, saved) => {
            const [xh, inv, gs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
            const [dx, dgamma, dbeta] = native.nativeLayerNormGrad(dy as tf.Tensor2D, xh, inv, gs);
            return [dx, tf.reshape(dx, dx.shape), dgamma, dbeta]; // a reshape shares the buffer
          },
        };
      },
    );
    addLayerNormCache.set(eps, f);
  }
  return f(x, residual, gamma, beta);
}

type AddLayerNormOp = (x: tf.Tensor2D, residual: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
const addLayerNormCache = new Map<number, AddLayerNormOp>();

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU, `x · Φ(x)` with Φ from erf (torch's default `gelu`), with an analytic gradient. */
export const gelu = customOp<[tf.Tensor], tf.Tensor>("NerGelu", (x, save) => {
  if (native.biasGeluActive()) {
    // One threaded native pass each way (libm's erf, vs tfjs's 1.5e-7 approximation).
    save([x]);
    return {
      value: native.nativeBiasGelu(x),
      gradFunc: (dy, saved) => [native.nativeBiasGeluGrad(saved[0], undefined, dy)],
    };
  }
  if (native.nativeKernelsActive()) {
    save([x]);
    return { value: native.nativeGelu(x), gradFunc: (dy, saved) => [native.nativeGeluGrad(saved[0], dy)] };
  }
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy, saved) => {
      const [xs, c] = saved;
      return tf.tidy(() => {
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
        return [tf.mul(dy, tf.add(c, tf.mul(xs, pdf)))];
      });
    },
  };
});

/**
 * `gelu(x @ w + b)`, the feed-forward block's first half, as one op: on the native tier the bias and
 * GELU are one threaded pass after the BLAS product (and the backward pass recomputes `x @ w + b`
 * from the saved product instead of keeping a second copy); elsewhere `gelu(linear(x, w, b))`.
 */
export function linearGelu(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (!native.biasGeluActive()) return gelu(linear(x, w, b)) as tf.Tensor2D;
  return linearGeluOp(x, w, b);
}

const linearGeluOp = customOp<[tf.Tensor2D, tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>(
  "NerLinearGelu",
  (x, w, b, save) => {
    const xw = tf.matMul(x, w); // [n, out], bias not yet added
    save([x, w, xw, b]);
    return {
      value: native.nativeBiasGelu(xw, b) as tf.Tensor2D,
      gradFunc: (dy, saved) => {
        const [xs, ws, xws, bs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        return tf.tidy(() => {
          const du = native.nativeBiasGeluGrad(xws, bs, dy) as tf.Tensor2D; // d loss / d(x @ w + b)
          return [matMulT(du, ws, false, true), matMulT(xs, du, true, false), sumRows(du)];
        });
      },
    };
  },
);

/** The tanh approximation of GELU (HF "gelu_new"), differentiated by tfjs. */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

/**
 * `table[ids]` → [ids.length, dim]; the gradient scatters rows back into the table (no dense
 * one-hot) and, like torch's `padding_idx`, skips rows where `ids == paddingIdx`.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D, paddingIdx?: number): tf.Tensor2D {
  const numRows = table.shape[0];
  // ids go through `save` (not a closure) so they outlive the forward pass's tidy scope.
  const lookup = customOp<[tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>("NerEmbedding", (t, i, save) => {
    save([i]);
    return {
      value: gatherRows(t, i) as tf.Tensor2D, // [ids, dim] from table [rows, dim]
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const si = saved[0] as tf.Tensor1D; // [ids]; dy: [ids, dim]
          // Ids outside the table are dropped by the scatter: send padding rows there.
          const target =
            paddingIdx === undefined ? si : tf.where(tf.equal(si, paddingIdx), tf.fill(si.shape, -1, "int32"), si);
          return [scatterAddRowsOp(dy, target as tf.Tensor1D, numRows), tf.zerosLike(si)]; // [rows, dim], [ids]
        }),
    };
  });
  return lookup(table, ids);
}

/**
 * Inverted dropout of `x` with the mask of `seed` (src/backend/random-kernels.ts: the same bits on
 * every tier). Its own gradient `dy · mask` keeps only the mask for backprop (tfjs's product would
 * copy both operands).
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (rate >= 1) return tf.zerosLike(x);
  return dropoutOp(x, rate, seed) as T;
}

function dropoutOp(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const op = customOp<[tf.Tensor], tf.Tensor>("NerDropout", (xi, save) => {
    const mask = dropoutMaskTensor(xi.shape, rate, seed);
    save([mask]);
    return { value: tf.mul(xi, mask), gradFunc: (dy, saved) => [tf.mul(dy, saved[0])] };
  });
  return op(x);
}

/** One dropout site: its rate and the seed of its mask. */
export interface DropoutSite {
  rate: number;
  seed: number;
}

export interface AttentionDims {
  batch: number;
  seq: number;
  heads: number;
}

/**
 * Scaled dot-product attention of all heads: `q`, `k`, `v` [batch·seq, hidden] (heads side by
 * side, as the projections give them), `keyBias` [batch, 1, 1, seq] added to every score
 * (0 or float32 min), dropout on the probabilities. Queries are scaled by 1/√headDim before the
 * product (DistilBERT's order). Returns the context [batch·seq, hidden], heads merged.
 */
export function attention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  keyBias: tf.Tensor4D,
  dims: AttentionDims,
  drop?: DropoutSite,
): tf.Tensor2D {
  // rate ≥ 1 (everything dropped) stays on the composed path: the stream has no threshold for it.
  if (native.fusedAttentionActive() && !(drop && drop.rate >= 1)) return nativeAttention(q, k, v, keyBias, dims, drop);
  const { batch, seq, heads } = dims;
  const hidden = q.shape[1];
  const headDim = hidden / heads;
  const split = (t: tf.Tensor, perm: number[]): tf.Tensor4D =>
    tf.transpose(tf.reshape(t, [batch, seq, heads, headDim]), perm);
  const qh = split(tf.mul(q, 1 / Math.sqrt(headDim)), [0, 2, 1, 3]); // [B, H, S, headDim]
  const kT = split(k, [0, 2, 3, 1]); // [B, H, headDim, S]
  const vh = split(v, [0, 2, 1, 3]); // [B, H, S, headDim]
  const scores = tf.add(batchMatMul(qh, kT), keyBias) as tf.Tensor4D; // [B, H, S, S]
  const softmax = tf.softmax(scores) as tf.Tensor4D;
  const probs = drop ? dropout(softmax, drop.rate, drop.seed) : softmax;
  const ctx = batchMatMul(probs, vh); // [B, H, S, headDim]
  return tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [batch * seq, hidden]);
}

/** The native tier's attention: one kernel forward (saving the probabilities), one backward (redrawing the mask). */
function nativeAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  keyBias: tf.Tensor4D,
  dims: AttentionDims,
  drop?: DropoutSite,
): tf.Tensor2D {
  const scale = 1 / Math.sqrt(q.shape[1] / dims.heads);
  const biasShape = keyBias.shape;
  const op = customOp<[tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor4D], tf.Tensor2D>(
    "NerAttention",
    (qi, ki, vi, bias, save) => {
      const [ctx, probs] = native.nativeAttention(qi, ki, vi, bias, dims, scale, drop);
      save([qi, ki, vi, probs]);
      return {
        value: ctx,
        gradFunc: (dy, saved) => {
          const [qs, ks, vs, ps] = saved as tf.Tensor2D[];
          const [dq, dk, dv] = native.nativeAttentionGrad(dy as tf.Tensor2D, qs, ks, vs, ps, dims, scale, drop);
          return [dq, dk, dv, tf.zeros(biasShape)]; // the mask is a constant
        },
      };
    },
  );
  return op(q, k, v, keyBias);
}
