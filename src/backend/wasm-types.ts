/**
 * The members of tfjs-backend-wasm's BackendWasm (4.22) that our heap kernels use, typed once.
 * tfjs does not export this class's type from its CommonJS entry, so the kernels cast to it.
 */
import type * as tf from "@tensorflow/tfjs";

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  refCount(dataId: tf.DataId): number;
  dataIdMap: { get(id: tf.DataId): { id: number; memoryOffset: number } | undefined };
  wasm: {
    HEAPU8: Uint8Array;
    tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void };
  };
}

/** What tfjs passes a registered kernel function. */
export interface KernelArgs<Input = tf.TensorInfo> {
  inputs: Record<string, Input>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/** Byte offset of `t`'s data on the wasm heap (throws for a tensor that is not there). */
export function heapOffset(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error("wasm heap kernel: tensor is not on the wasm heap");
  return data.memoryOffset;
}
