/// <reference lib="dom" />
// WebAssembly.Memory/Module types: tslab compiles with the ES2022 lib only
/**
 * The AdamW update of one parameter, fused and in place on the wasm heap: param, exp_avg and
 * exp_avg_sq are overwritten where they lie, with no temporaries — in C on the native tier
 * (native/ner_optim.c, threaded), in wasm SIMD on plain wasm (./adamw-simd.ts), else in JS. Every operation is rounded
 * to
 * float32 (`Math.fround`) in the order torch's single-tensor AdamW runs its float32 ops, so the
 * result is bit for bit the one of the op-by-op path (src/training/adamw.ts), which matches torch.
 *
 * In-place writes are only safe when no other live tensor shares the buffer (tfjs shares data
 * between a tensor and its reshapes, clones on some backends, and `tf.variable(initial)`):
 * {@link ensureExclusiveBuffer} gives a variable its own copy first when needed.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackendLike } from "./wasm-types";
import { heapTensorChanged } from "./kernels";
import { blasKernelsActive } from "./blas-kernels";
import { loadNativeBlas } from "./native";
import { simdAdamWFor } from "./adamw-simd";

/** Scalars of one AdamW update (computed in double precision by the caller, as torch does). */
export interface AdamWScalars {
  /** `1 - lr·wd`, or 1 when the parameter has no weight decay. */
  decay: number;
  /** `1 - beta1` (torch's lerp weight). */
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** `sqrt(1 - beta2^t)`. */
  bc2Sqrt: number;
  eps: number;
  /** `-lr / (1 - beta1^t)`. */
  negStepSize: number;
  /** Multiplies the gradient first (the clipping coefficient, as torch's `grad.mul_(coef)`); default 1. */
  gradScale?: number;
}

/** True when the active backend lets {@link adamwUpdateInPlace} write tensors in place. */
export function inPlaceAdamWAvailable(): boolean {
  return tf.getBackend() === "wasm";
}

/** How many tensors share `t`'s buffer on the active backend (1: `t` alone). */
export function bufferRefCount(t: tf.Tensor): number {
  return (tf.backend() as unknown as WasmBackendLike).refCount(t.dataId);
}

/**
 * Give `v` a buffer of its own when another live tensor shares it (copy on write), so writing
 * `v` in place cannot change that tensor.
 */
export function ensureExclusiveBuffer(v: tf.Variable): void {
  if (bufferRefCount(v) <= 1) return;
  // On wasm, Identity (clone) always copies into a fresh heap buffer.
  const copy = tf.clone(v);
  if (bufferRefCount(copy) !== 1) {
    copy.dispose();
    throw new Error(`ensureExclusiveBuffer: the ${tf.getBackend()} backend shares clones; in-place update refused`);
  }
  v.assign(copy);
  copy.dispose();
}

/**
 * One AdamW update of `param` with gradient `grad`, writing `param`, `expAvg` and `expAvgSq` in
 * place (wasm only: check {@link inPlaceAdamWAvailable}). The three variables must own their
 * buffers ({@link ensureExclusiveBuffer}); `grad` is only read.
 */
export function adamwUpdateInPlace(
  param: tf.Variable,
  expAvg: tf.Variable,
  expAvgSq: tf.Variable,
  grad: tf.Tensor,
  s: AdamWScalars,
): void {
  if (!inPlaceAdamWAvailable()) throw new Error(`adamwUpdateInPlace: needs the wasm backend, not ${tf.getBackend()}`);
  for (const t of [param, expAvg, expAvgSq, grad]) {
    if (t.dtype !== "float32") throw new Error(`adamwUpdateInPlace: float32 tensors expected, got ${t.dtype}`);
    if (!tf.util.arraysEqual(t.shape, param.shape))
      throw new Error(`adamwUpdateInPlace: shape [${t.shape}] differs from the parameter's [${param.shape}]`);
  }
  const backend = tf.backend() as unknown as WasmBackendLike;
  const where = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId)?.memoryOffset ?? -1;
  const n = param.size;
  const native = blasKernelsActive() ? loadNativeBlas().addon : undefined;
  if (native !== undefined && typeof native.adamw === "function") {
    // The native tier: vectorised C, split over the BLAS's threads (native/ner_optim.c).
    native.adamw(
      backend.wasm.HEAPU8.buffer,
      where(param),
      where(expAvg),
      where(expAvgSq),
      where(grad),
      n,
      s.decay,
      s.oneMinusBeta1,
      s.beta2,
      s.oneMinusBeta2,
      s.bc2Sqrt,
      s.eps,
      s.negStepSize,
      s.gradScale ?? 1,
    );
  } else {
    // No allocation from here on: views of the heap stay valid (growth would detach them).
    const p = backend.typedArrayFromHeap(param) as Float32Array;
    const m = backend.typedArrayFromHeap(expAvg) as Float32Array;
    const v = backend.typedArrayFromHeap(expAvgSq) as Float32Array;
    const g = backend.typedArrayFromHeap(grad) as Float32Array;
    const memory = (backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
    const simd = memory instanceof WebAssembly.Memory ? simdAdamWFor(memory) : undefined;
    // Plain wasm: four floats at a time in wasm SIMD on the heap, the last n mod 4 in JS.
    const n4 = simd === undefined ? 0 : n - (n % 4);
    if (n4 > 0) {
      const f = Math.fround;
      simd!(
        where(param),
        where(expAvg),
        where(expAvgSq),
        where(grad),
        n4,
        f(s.decay),
        f(s.oneMinusBeta1),
        f(s.beta2),
        f(s.oneMinusBeta2),
        f(s.bc2Sqrt),
        f(s.eps),
        f(s.negStepSize),
        f(s.gradScale ?? 1),
      );
    }
    if (n4 < n) fusedAdamW(p.subarray(n4), m.subarray(n4), v.subarray(n4), g.subarray(n4), s);
  }
  heapTensorChanged(param); // XNNPACK's packed copy of the old weights must not be reused
}

/**
 * Σ x² of a float32 tensor by the native tier in one threaded pass accumulated in double, or
 * undefined off that tier (callers then use tfjs ops).
 */
export function nativeSumSquares(t: tf.Tensor): number | undefined {
  if (t.dtype !== "float32" || !blasKernelsActive()) return undefined;
  const native = loadNativeBlas().addon;
  if (native === undefined || typeof native.sumSquares !== "function") return undefined;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const offset = backend.dataIdMap.get(t.dataId)?.memoryOffset;
  return offset === undefined ? undefined : native.sumSquares(backend.wasm.HEAPU8.buffer, offset, t.size);
}

/** Which implementation {@link adamwUpdateInPlace} uses on the active backend (for benchmarks and tests). */
export function inPlaceAdamWPath(): "native" | "wasm-simd" | "js" | "none" {
  if (!inPlaceAdamWAvailable()) return "none";
  const native = blasKernelsActive() ? loadNativeBlas().addon : undefined;
  if (native !== undefined && typeof native.adamw === "function") return "native";
  const backend = tf.backend() as unknown as WasmBackendLike;
  const memory = (backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
  return memory instanceof WebAssembly.Memory && simdAdamWFor(memory) !== undefined ? "wasm-simd" : "js";
}

/**
 * The reference update on plain arrays (the fallback, and the twin the native and SIMD paths are
 * tested against bit for bit). Same float32 rounding, step by step, as
 *   g ← g·gradScale (when given: clipping folded in);
 *   p ← p·decay;  m ← m + (g − m)·(1−β1);  v ← v·β2 + (g·(1−β2))·g;
 *   p ← p + (m·(−stepSize)) / (√v / √(1−β2^t) + ε)
 * with every scalar first rounded to float32 (tfjs scalars are float32 tensors).
 */
export function fusedAdamW(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, s: AdamWScalars): void {
  const f = Math.fround;
  const decay = f(s.decay);
  const b1c = f(s.oneMinusBeta1);
  const b2 = f(s.beta2);
  const b2c = f(s.oneMinusBeta2);
  const bc2 = f(s.bc2Sqrt);
  const eps = f(s.eps);
  const ns = f(s.negStepSize);
  const scale = f(s.gradScale ?? 1);
  const withDecay = s.decay !== 1;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = scale === 1 ? g[i] : f(g[i] * scale);
    const mi = f(m[i] + f(f(gi - m[i]) * b1c));
    const vi = f(f(v[i] * b2) + f(f(gi * b2c) * gi));
    const denom = f(f(f(Math.sqrt(vi)) / bc2) + eps);
    const pi = withDecay ? f(p[i] * decay) : p[i];
    m[i] = mi;
    v[i] = vi;
    p[i] = f(pi + f(f(mi * ns) / denom));
  }
}
