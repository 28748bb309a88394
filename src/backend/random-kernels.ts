/**
 * Dropout masks made where the tensors live: on wasm straight into the heap (natively and threaded on
 * the wasm+blas tier, by the JS twin on plain wasm), on cpu into the backend's own array; elsewhere as
 * an uploaded array. Every tier draws the same bits (src/util/random.ts's counter-based stream).
 */
import * as tf from "@tensorflow/tfjs";
import { dropoutKeys, dropoutThreshold, fillDropoutMask } from "../util/random";
import { blasKernelsActive } from "./blas-kernels";
import { loadNativeBlas } from "./native";
import type { KernelArgs, WasmBackendLike } from "./wasm-types";

/** Kernel name of {@link dropoutMaskTensor} (no inputs; attrs shape, rate, seed). */
export const DROPOUT_MASK = "NerDropoutMask";

interface MaskAttrs {
  shape: number[];
  rate: number;
  seed: number;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: DROPOUT_MASK, backendName: "wasm", kernelFunc: wasmDropoutMask as never });
  tf.registerKernel({ kernelName: DROPOUT_MASK, backendName: "cpu", kernelFunc: cpuDropoutMask as never });
}

function wasmDropoutMask({ backend, attrs }: KernelArgs): tf.TensorInfo {
  const b = backend as WasmBackendLike;
  const { shape, rate, seed } = attrs as unknown as MaskAttrs;
  const out = b.makeOutput(shape, "float32");
  const n = tf.util.sizeFromShape(shape);
  const native = blasKernelsActive() ? loadNativeBlas().addon : undefined;
  if (native !== undefined && n > 0) {
    const [k1, k2] = dropoutKeys(seed);
    const { threshold, keep } = dropoutThreshold(rate);
    const offset = b.dataIdMap.get(out.dataId)?.memoryOffset ?? -1;
    native.dropoutMask(b.wasm.HEAPU8.buffer, offset, n, k1, k2, threshold, keep);
  } else {
    fillDropoutMask(b.typedArrayFromHeap(out) as Float32Array, rate, seed);
  }
  return out;
}

function cpuDropoutMask({ backend, attrs }: KernelArgs): tf.TensorInfo {
  const { shape, rate, seed } = attrs as unknown as MaskAttrs;
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  fillDropoutMask(values, rate, seed);
  return (backend as { makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo }).makeTensorInfo(
    shape,
    "float32",
    values,
  );
}

/** A float32 tensor of `shape`: 0 with probability `rate`, else 1 / (1 - rate), from `seed`. */
export function dropoutMaskTensor(shape: number[], rate: number, seed: number): tf.Tensor {
  const name = tf.getBackend();
  if (name === "wasm" || name === "cpu") {
    register();
    return tf.engine().runKernel(DROPOUT_MASK, {}, { shape: [...shape], rate, seed } as never) as tf.Tensor;
  }
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  fillDropoutMask(values, rate, seed);
  return tf.tensor(values, shape, "float32");
}
