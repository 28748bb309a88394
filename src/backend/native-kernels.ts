/**
 * The row kernels that dominate a transformer once its products run on BLAS — exact GELU and
 * LayerNorm, forward and backward — as single native passes over the wasm heap (tfjs composes each
 * of them from 5–10 kernels, each a full pass with its own temporary). Registered for the wasm
 * backend under our own kernel names; active only on the wasm+blas tier.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendLike, KernelArgs } from "./wasm-types";
import type { NativeBlas } from "./native";

export const NATIVE_GELU = "NerNativeGelu";
export const NATIVE_GELU_GRAD = "NerNativeGeluGrad";
export const NATIVE_LAYER_NORM = "NerNativeLayerNorm";
export const NATIVE_LAYER_NORM_GRAD = "NerNativeLayerNormGrad";

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
    tf.registerKernel({ kernelName: NATIVE_LAYER_NORM_GRAD, backendName: "wasm", kernelFunc: layerNormGradKernel as never });
  }
  addon = native;
}

/** True when {@link nativeGelu} & co. can run: the wasm+blas tier is active. */
export function nativeKernelsActive(): boolean {
  return addon !== undefined && tf.getBackend() === "wasm";
}

function offset(b: WasmBackendLike, t: TensorInfo): number {
  const d = b.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error("native kernel: tensor is not on the wasm heap");
  return d.memoryOffset;
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
  const { x, gamma, beta } = inputs;
  float32("layerNorm", x, gamma, beta);
  const [rows, cols] = x.shape;
  const y = b.makeOutput([rows, cols], "float32");
  const xhat = b.makeOutput([rows, cols], "float32");
  const invStd = b.makeOutput([rows], "float32");
  // The heap only now: the allocations above may have grown (and detached) it.
  active().layerNorm(b.wasm.HEAPU8.buffer, offset(b, x), offset(b, gamma), offset(b, beta), offset(b, y), offset(b, xhat), offset(b, invStd), rows, cols, Number(attrs?.eps));
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
  active().layerNormGrad(b.wasm.HEAPU8.buffer, offset(b, dy), offset(b, xhat), offset(b, invStd), offset(b, gamma), offset(b, dx), offset(b, dgamma), offset(b, dbeta), rows, cols);
  return [dx, dgamma, dbeta];
}

/** Exact GELU on the native tier (check {@link nativeKernelsActive}); not differentiable by itself. */
export function nativeGelu(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(NATIVE_GELU, { x } as never) as tf.Tensor;
}

export function nativeGeluGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(NATIVE_GELU_GRAD, { x, dy } as never) as tf.Tensor;
}

/** LayerNorm of a 2-D `x` on the native tier: [y, xhat, invStd]. */
export function nativeLayerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
  return tf.engine().runKernel(NATIVE_LAYER_NORM, { x, gamma, beta } as never, { eps } as never) as unknown as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
}

/** Its gradient: [dx, dgamma, dbeta]. */
export function nativeLayerNormGrad(dy: tf.Tensor2D, xhat: tf.Tensor2D, invStd: tf.Tensor1D, gamma: tf.Tensor1D): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  return tf.engine().runKernel(NATIVE_LAYER_NORM_GRAD, { dy, xhat, invStd, gamma } as never) as unknown as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
}
