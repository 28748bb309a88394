/**
 * The kernels that dominate a transformer once its products run on BLAS — exact GELU, LayerNorm
 * and the attention block (native/ner_fused.c), forward and backward — as single native passes over
 * the wasm heap (tfjs composes each of them from 5–25 kernels, each a full pass with its own
 * temporary). Registered for the wasm backend under our own kernel names; active only on the
 * wasm+blas tier. The differentiable ops built on them are in src/backend/ops.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { heapOffset as offset, type WasmBackendLike, type KernelArgs } from "./wasm-types";
import type { NativeBlas } from "./native";
import { dropoutKeys, dropoutThreshold } from "../util/random";

export const NATIVE_GELU = "NerNativeGelu";
export const NATIVE_GELU_GRAD = "NerNativeGeluGrad";
export const NATIVE_LAYER_NORM = "NerNativeLayerNorm";
export const NATIVE_LAYER_NORM_GRAD = "NerNativeLayerNormGrad";
export const NATIVE_BIAS_GELU = "NerNativeBiasGelu";
export const NATIVE_BIAS_GELU_GRAD = "NerNativeBiasGeluGrad";
export const NATIVE_ATTENTION = "NerNativeAttention";
export const NATIVE_ATTENTION_GRAD = "NerNativeAttentionGrad";

type TensorInfo = tf.TensorInfo;

let addon: NativeBlas | undefined;
let registered = false;

/** Route the fused row kernels to `native` (registering them once), or switch them off with undefined. */
export function useNativeKernels(native: NativeBlas | undefined): void {
  if (native !== undefined && !registered) {
    registered = true;
    tf.registerKernel({ kernelName: NATIVE_GELU, backendName: "wasm", kernelFunc: geluKernel as never });
    tf.registerKernel({ kernelName: NATIVE_GELU_GRAD, backendName: "wasm", kernelFunc: geluGradKernel as never });
    tf.registerKernel({ kernelName: NATIVE_LAYER_NORM, backendName: "wasm", kernelFunc: layerNormKernel as never });
    tf.registerKernel({
      kernelName: NATIVE_LAYER_NORM_GRAD,
      backendName: "wasm",
      kernelFunc: layerNormGradKernel as never,
    });
    tf.registerKernel({ kernelName: NATIVE_BIAS_GELU, backendName: "wasm", kernelFunc: biasGeluKernel as never });
    tf.registerKernel({
      kernelName: NATIVE_BIAS_GELU_GRAD,
      backendName: "wasm",
      kernelFunc: biasGeluGradKernel as never,
    });
    tf.registerKernel({ kernelName: NATIVE_ATTENTION, backendName: "wasm", kernelFunc: attentionKernel as never });
    tf.registerKernel({
      kernelName: NATIVE_ATTENTION_GRAD,
      backendName: "wasm",
      kernelFunc: attentionGradKernel as never,
    });
  }
  addon = native;
}

/** True when {@link nativeGelu} & co. can run: the wasm+blas tier is active. */
export function nativeKernelsActive(): boolean {
  return addon !== undefined && tf.getBackend() === "wasm";
}

/** True when the fused bias + GELU kernels can run (the native tier, with an addon that has them). */
export function biasGeluActive(): boolean {
  return nativeKernelsActive() && typeof addon?.biasGelu === "function";
}

/** True when LayerNorm can take a residual to add first (the native tier, with an addon that has addLayerNorm). */
export function residualLayerNormActive(): boolean {
  return nativeKernelsActive() && typeof addon?.addLayerNorm === "function";
}

/** True when the fused attention kernels can run (the native tier, with an addon that has them). */
export function fusedAttentionActive(): boolean {
  return nativeKernelsActive() && typeof addon?.attention === "function";
}

function float32(name: string, ...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== "float32") throw new Error(`${name}: float32 tensors expected, got ${t.dtype}`);
}

function active(): NativeBlas {
  if (addon === undefined) throw new Error("native kernels are off: initBackend('wasm+blas') first");
  return addon;
}

function geluKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const b = backend as WasmBackendLike;
  const { x } = inputs;
  float32("gelu", x);
  const y = b.makeOutput(x.shape, "float32");
  active().gelu(b.wasm.HEAPU8.buffer, offset(b, x), offset(b, y), tf.util.sizeFromShape(x.shape));
  return y;
}

function geluGradKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const b = backend as WasmBackendLike;
  const { x, dy } = inputs;
  float32("geluGrad", x, dy);
  const dx = b.makeOutput(x.shape, "float32");
  active().geluGrad(b.wasm.HEAPU8.buffer, offset(b, x), offset(b, dy), offset(b, dx), tf.util.sizeFromShape(x.shape));
  return dx;
}

function layerNormKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const b = backend as WasmBackendLike;
  const { x, gamma, beta, residual } = inputs;
  float32("layerNorm", x, gamma, beta, ...(residual ? [residual] : []));
  const [rows, cols] = x.shape;
  if (residual && !tf.util.arraysEqual(residual.shape, x.shape))
    throw new Error(`layerNorm: residual [${residual.shape}] vs x [${x.shape}]`);
  const y = b.makeOutput([rows, cols], "float32");
  const xhat = b.makeOutput([rows, cols], "float32");
  const invStd = b.makeOutput([rows], "float32");
  const native = active();
  // The heap only now: the allocations above may have grown (and detached) it.
  if (typeof native.addLayerNorm === "function") {
    const at = (t: TensorInfo) => offset(b, t);
    native.addLayerNorm(
      b.wasm.HEAPU8.buffer,
      at(x),
      residual ? at(residual) : -1,
      at(gamma),
      at(beta),
      at(y),
      at(xhat),
      at(invStd),
      rows,
      cols,
      Number(attrs?.eps),
    );
    return [y, xhat, invStd];
  }
  if (residual)
    throw new Error("layerNorm: this build of the native addon has no addLayerNorm (run `npm run build:native`)");
  active().layerNorm(
    b.wasm.HEAPU8.buffer,
    offset(b, x),
    offset(b, gamma),
    offset(b, beta),
    offset(b, y),
    offset(b, xhat),
    offset(b, invStd),
    rows,
    cols,
    Number(attrs?.eps),
  );
  return [y, xhat, invStd];
}

function layerNormGradKernel({ inputs, backend }: KernelArgs): TensorInfo[] {
  const b = backend as WasmBackendLike;
  const { dy, xhat, invStd, gamma } = inputs;
  float32("layerNormGrad", dy, xhat, invStd, gamma);
  const [rows, cols] = dy.shape;
  const dx = b.makeOutput([rows, cols], "float32");
  const dgamma = b.makeOutput([cols], "float32");
  const dbeta = b.makeOutput([cols], "float32");
  const native = active();
  if (typeof native.layerNormGradThreaded === "function") {
    const at = (t: TensorInfo) => offset(b, t);
    native.layerNormGradThreaded(
      b.wasm.HEAPU8.buffer,
      at(dy),
      at(xhat),
      at(invStd),
      at(gamma),
      at(dx),
      at(dgamma),
      at(dbeta),
      rows,
      cols,
    );
    return [dx, dgamma, dbeta];
  }
  active().layerNormGrad(
    b.wasm.HEAPU8.buffer,
    offset(b, dy),
    offset(b, xhat),
    offset(b, invStd),
    offset(b, gamma),
    offset(b, dx),
    offset(b, dgamma),
    offset(b, dbeta),
    rows,
    cols,
  );
  return [dx, dgamma, dbeta];
}

/** Exact GELU on the native tier (check {@link nativeKernelsActive}); not differentiable by itself. */
export function nativeGelu(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(NATIVE_GELU, { x } as never) as tf.Tensor;
}

export function nativeGeluGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(NATIVE_GELU_GRAD, { x, dy } as never) as tf.Tensor;
}

/** LayerNorm of a 2-D `x` (plus `residual`, added first, when given) on the native tier: [y, xhat, invStd]. */
export function nativeLayerNorm(
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  residual?: tf.Tensor2D,
): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
  const inputs = residual ? { x, gamma, beta, residual } : { x, gamma, beta };
  return tf.engine().runKernel(NATIVE_LAYER_NORM, inputs as never, { eps } as never) as unknown as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor1D,
  ];
}

/** Its gradient: [dx, dgamma, dbeta]. */
export function nativeLayerNormGrad(
  dy: tf.Tensor2D,
  xhat: tf.Tensor2D,
  invStd: tf.Tensor1D,
  gamma: tf.Tensor1D,
): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  return tf.engine().runKernel(NATIVE_LAYER_NORM_GRAD, { dy, xhat, invStd, gamma } as never) as unknown as [
    tf.Tensor2D,
    tf.Tensor1D,
    tf.Tensor1D,
  ];
}

/** Sizes of one attention call (q, k, v are [batch·seq, heads·headDim]) and its dropout. */
export interface AttentionShape {
  batch: number;
  seq: number;
  heads: number;
}

/** Dropout of the probabilities: the seed's stream (src/util/random.ts) at 0 < rate < 1. */
export interface AttentionDropout {
  rate: number;
  seed: number;
}

interface AttentionAttrs extends AttentionShape {
  scale: number;
  /** Dropout stream keys, threshold and keep value; keep 0: no dropout. */
  k1: number;
  k2: number;
  threshold: number;
  keep: number;
}

function attentionSizes(q: TensorInfo, a: AttentionAttrs) {
  const [n, hidden] = q.shape;
  if (n !== a.batch * a.seq || hidden % a.heads !== 0) {
    throw new Error(`attention: q [${q.shape}] is not [${a.batch}·${a.seq}, ${a.heads} heads × headDim]`);
  }
  return [a.batch, a.seq, a.heads, hidden / a.heads, a.scale, a.k1, a.k2, a.threshold, a.keep];
}

function attentionKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const b = backend as WasmBackendLike;
  const { q, k, v, bias } = inputs;
  float32("attention", q, k, v, bias);
  const a = attrs as unknown as AttentionAttrs;
  const sizes = attentionSizes(q, a);
  const ctx = b.makeOutput(q.shape, "float32");
  const probs = b.makeOutput([a.batch, a.heads, a.seq, a.seq], "float32");
  const at = (t: TensorInfo) => offset(b, t);
  active().attention(
    b.wasm.HEAPU8.buffer,
    at(q),
    at(k),
    at(v),
    at(bias),
    at(ctx),
    at(probs),
    ...(sizes as [number, number, number, number, number, number, number, number, number]),
  );
  return [ctx, probs];
}

function attentionGradKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const b = backend as WasmBackendLike;
  const { dy, q, k, v, probs } = inputs;
  float32("attentionGrad", dy, q, k, v, probs);
  const sizes = attentionSizes(q, attrs as unknown as AttentionAttrs);
  const dq = b.makeOutput(q.shape, "float32");
  const dk = b.makeOutput(q.shape, "float32");
  const dv = b.makeOutput(q.shape, "float32");
  const at = (t: TensorInfo) => offset(b, t);
  active().attentionGrad(
    b.wasm.HEAPU8.buffer,
    at(dy),
    at(q),
    at(k),
    at(v),
    at(probs),
    at(dq),
    at(dk),
    at(dv),
    ...(sizes as [number, number, number, number, number, number, number, number, number]),
  );
  return [dq, dk, dv];
}

function attentionAttrs(dims: AttentionShape, scale: number, drop: AttentionDropout | undefined): AttentionAttrs {
  if (drop === undefined) return { ...dims, scale, k1: 0, k2: 0, threshold: 0, keep: 0 };
  const [k1, k2] = dropoutKeys(drop.seed);
  const { threshold, keep } = dropoutThreshold(drop.rate);
  return { ...dims, scale, k1, k2, threshold, keep };
}

/**
 * Attention of all heads on the native tier (check {@link fusedAttentionActive}): softmax(scale·QKᵀ +
 * bias) ∘ dropout mask · V with q, k, v [batch·seq, hidden] and bias [batch, 1, 1, seq]; the mask is
 * the seed's (0 < rate < 1), exactly the one dropoutMaskTensor([batch, heads, seq, seq], rate, seed)
 * gives. Returns [context [batch·seq, hidden], probabilities before dropout [batch, heads, seq, seq]].
 */
export function nativeAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  bias: tf.Tensor,
  dims: AttentionShape,
  scale: number,
  drop?: AttentionDropout,
): [tf.Tensor2D, tf.Tensor4D] {
  const attrs = attentionAttrs(dims, scale, drop);
  return tf.engine().runKernel(NATIVE_ATTENTION, { q, k, v, bias } as never, attrs as never) as unknown as [
    tf.Tensor2D,
    tf.Tensor4D,
  ];
}

/** Its gradient: [dq, dk, dv] from the context's gradient, the inputs and the saved probabilities. */
export function nativeAttentionGrad(
  dy: tf.Tensor2D,
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  probs: tf.Tensor,
  dims: AttentionShape,
  scale: number,
  drop?: AttentionDropout,
): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const attrs = attentionAttrs(dims, scale, drop);
  const inputs = { dy, q, k, v, probs };
  return tf.engine().runKernel(NATIVE_ATTENTION_GRAD, inputs as never, attrs as never) as unknown as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
}

/** Rows and columns of `x` seen as [rows, last axis] (a scalar is 1×1). */
function rowsCols(x: TensorInfo): [number, number] {
  const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  return [cols === 0 ? 0 : tf.util.sizeFromShape(x.shape) / cols, cols];
}

function biasGeluKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const b = backend as WasmBackendLike;
  const { x, bias } = inputs;
  float32("biasGelu", x, ...(bias ? [bias] : []));
  const [rows, cols] = rowsCols(x);
  if (bias && tf.util.sizeFromShape(bias.shape) !== cols)
    throw new Error(`biasGelu: bias [${bias.shape}] for rows of ${cols}`);
  const y = b.makeOutput(x.shape, "float32");
  active().biasGelu(b.wasm.HEAPU8.buffer, offset(b, x), bias ? offset(b, bias) : -1, offset(b, y), rows, cols);
  return y;
}

function biasGeluGradKernel({ inputs, backend }: KernelArgs): TensorInfo {
  const b = backend as WasmBackendLike;
  const { x, bias, dy } = inputs;
  float32("biasGeluGrad", x, dy, ...(bias ? [bias] : []));
  const [rows, cols] = rowsCols(x);
  const dx = b.makeOutput(x.shape, "float32");
  active().biasGeluGrad(
    b.wasm.HEAPU8.buffer,
    offset(b, x),
    bias ? offset(b, bias) : -1,
    offset(b, dy),
    offset(b, dx),
    rows,
    cols,
  );
  return dx;
}

/** `gelu(x + bias)` over the last axis on the native tier (check {@link biasGeluActive}); no bias: `gelu(x)`. */
export function nativeBiasGelu(x: tf.Tensor, bias?: tf.Tensor1D): tf.Tensor {
  return tf.engine().runKernel(NATIVE_BIAS_GELU, (bias ? { x, bias } : { x }) as never) as tf.Tensor;
}

/** Its gradient `dy · gelu'(x + bias)`. */
export function nativeBiasGeluGrad(x: tf.Tensor, bias: tf.Tensor1D | undefined, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(NATIVE_BIAS_GELU_GRAD, (bias ? { x, bias, dy } : { x, dy }) as never) as tf.Tensor;
}
