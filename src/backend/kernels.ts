/**
 * Kernels the wasm backend lacks (or runs slowly) that training a transformer needs.
 *
 * - `UnsortedSegmentSum` (wasm has none): tfjs's gradient of `gather` — every embedding
 *   lookup — calls it, so without it no model can be trained on wasm. Implemented as a
 *   scatter-add straight on the wasm heap (no copies), O(rows × width).
 * - `NerGatherRows` (wasm and cpu): row lookup `table[ids]` used by the embedding layer; wasm's
 *   generic GatherV2 walks every element with strides and is ~50× slower than copying rows.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendLike, KernelArgs } from "./wasm-types";

/** Kernel name of the row-gather used by {@link gatherRows}. */
export const GATHER_ROWS = "NerGatherRows";
/** Kernel name of the row scatter-add used by {@link scatterAddRowsOp} (UnsortedSegmentSum for 2-D values). */
export const SCATTER_ADD_ROWS = "NerScatterAddRows";

type TensorInfo = tf.TensorInfo;
type TypedArray = Float32Array | Int32Array | Uint8Array;

/**
 * Declare that `t`'s bytes on the wasm heap were rewritten in place (e.g. by an in-place optimizer).
 * tfjs-wasm's XNNPACK matmul operators keep the weights they packed, keyed by tensor id, and would
 * go on multiplying by the old values; re-registering the id runs tfjs-wasm's disposal callbacks,
 * which drop those operators, without freeing or moving the memory. No-op off wasm.
 */
export function heapTensorChanged(t: TensorInfo): void {
  if (tf.getBackend() !== "wasm") return;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(t.shape), data.memoryOffset);
}
/** The few members of tfjs-backend-cpu's MathBackendCPU that these kernels use. */
interface CpuBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
}

let registered = false;

/** Register the extra kernels (idempotent; safe before or after a backend is chosen). */
export function registerExtraKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel("UnsortedSegmentSum", "wasm") === undefined) {
    tf.registerKernel({
      kernelName: "UnsortedSegmentSum",
      backendName: "wasm",
      kernelFunc: wasmUnsortedSegmentSum as never,
    });
  }
  tf.registerKernel({ kernelName: GATHER_ROWS, backendName: "wasm", kernelFunc: wasmGatherRows as never });
  tf.registerKernel({ kernelName: GATHER_ROWS, backendName: "cpu", kernelFunc: cpuGatherRows as never });
  tf.registerKernel({ kernelName: SCATTER_ADD_ROWS, backendName: "wasm", kernelFunc: wasmUnsortedSegmentSum as never });
  // tfjs-cpu's UnsortedSegmentSum loops over every segment with tensor ops (O(segments × rows)).
  tf.registerKernel({ kernelName: SCATTER_ADD_ROWS, backendName: "cpu", kernelFunc: cpuScatterAddRows as never });
}

function rowWidth(shape: number[]): number {
  let w = 1;
  for (let i = 1; i < shape.length; i++) w *= shape[i];
  return w;
}

function wasmUnsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const b = backend as WasmBackendLike;
  const { x, segmentIds } = inputs;
  const numSegments = Number(attrs?.numSegments);
  if (x.dtype !== "float32") throw new Error(`UnsortedSegmentSum (wasm): float32 values expected, got ${x.dtype}`);
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds must be 1-D of length ${x.shape[0]}, got [${segmentIds.shape}]`,
    );
  }
  const width = rowWidth(x.shape);
  // Allocate first: growing the heap detaches views taken before.
  const out = b.makeOutput([numSegments, ...x.shape.slice(1)], "float32");
  const o = b.typedArrayFromHeap(out) as Float32Array;
  const v = b.typedArrayFromHeap(x) as Float32Array;
  const ids = b.typedArrayFromHeap(segmentIds);
  scatterAddRows(o, v, ids, width, numSegments);
  return out;
}

function wasmGatherRows({ inputs, backend }: KernelArgs): TensorInfo {
  const b = backend as WasmBackendLike;
  const { table, ids } = inputs;
  const width = rowWidth(table.shape);
  const out = b.makeOutput([ids.shape[0], ...table.shape.slice(1)], table.dtype);
  const o = b.typedArrayFromHeap(out);
  copyRows(o, b.typedArrayFromHeap(table), b.typedArrayFromHeap(ids), width, table.shape[0]);
  return out;
}

function cpuGatherRows({ inputs, backend }: KernelArgs): TensorInfo {
  const b = backend as CpuBackendLike;
  const { table, ids } = inputs;
  const width = rowWidth(table.shape);
  const t = b.readSync(table.dataId) as TypedArray;
  const i = b.readSync(ids.dataId) as TypedArray;
  const o = table.dtype === "int32" ? new Int32Array(ids.shape[0] * width) : new Float32Array(ids.shape[0] * width);
  copyRows(o, t, i, width, table.shape[0]);
  return b.makeTensorInfo([ids.shape[0], ...table.shape.slice(1)], table.dtype, o);
}

function cpuScatterAddRows({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const b = backend as CpuBackendLike;
  const { x, segmentIds } = inputs;
  const numSegments = Number(attrs?.numSegments);
  const width = rowWidth(x.shape);
  const o = new Float32Array(numSegments * width);
  scatterAddRows(
    o,
    b.readSync(x.dataId) as Float32Array,
    b.readSync(segmentIds.dataId) as TypedArray,
    width,
    numSegments,
  );
  return b.makeTensorInfo([numSegments, ...x.shape.slice(1)], "float32", o);
}

function copyRows(out: TypedArray, table: TypedArray, ids: TypedArray, width: number, rows: number): void {
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r];
    if (id < 0 || id >= rows || !Number.isInteger(id)) {
      throw new Error(`gatherRows: index ${id} at position ${r} is outside [0, ${rows})`);
    }
    out.set(table.subarray(id * width, (id + 1) * width), r * width);
  }
}

function scatterAddRows(
  out: Float32Array,
  values: Float32Array,
  ids: TypedArray,
  width: number,
  numSegments: number,
): void {
  out.fill(0);
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r];
    if (id < 0 || id >= numSegments) continue; // TF drops out-of-range segments
    const src = r * width;
    const dst = id * width;
    for (let j = 0; j < width; j++) out[dst + j] += values[src + j];
  }
}

/**
 * `table[ids]` for a 2-D `table` and 1-D int32 `ids` — fast row copies on wasm/cpu, tf.gather
 * elsewhere. Not differentiable by itself: see `embeddingLookup` in src/models/embedding.ts.
 */
export function gatherRows(table: tf.Tensor, ids: tf.Tensor1D): tf.Tensor {
  if (tf.getKernel(GATHER_ROWS, tf.getBackend()) === undefined) return tf.gather(table, ids);
  return tf.engine().runKernel(GATHER_ROWS, { table, ids } as never) as tf.Tensor;
}

/**
 * `out[ids[r]] += values[r]` into `numSegments` zero rows (rows with an id outside
 * [0, numSegments) are dropped) — a fast UnsortedSegmentSum on wasm/cpu.
 */
export function scatterAddRowsOp(values: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  if (tf.getKernel(SCATTER_ADD_ROWS, tf.getBackend()) === undefined)
    return tf.unsortedSegmentSum(values, ids, numSegments);
  return tf
    .engine()
    .runKernel(SCATTER_ADD_ROWS, { x: values, segmentIds: ids } as never, { numSegments } as never) as tf.Tensor;
}
