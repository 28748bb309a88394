/**
 * `BatchMatMul` and `_FusedMatMul` for the wasm backend computed by the native BLAS addon, in place
 * on the wasm heap (inputs read at their heap offsets, output allocated with makeOutput).
 *
 * tf.matMul, the attention products and tf.fused.matMul all reach these two kernels (tfjs has no
 * separate "MatMul" kernel). Transposed operands go to BLAS as flags. Whatever is not handled —
 * non-float32, tfjs's modular batch indexing beyond "equal or one side 1", bias or PReLU weights that
 * are not per column or scalar, unknown activations, or the tier switched off — runs the original
 * wasm kernel, kept from before registration.
 */
import * as tf from "@tensorflow/tfjs";
import { heapOffset, type WasmBackendLike, type KernelArgs } from "./wasm-types";
import type { NativeBlas } from "./native";

type TensorInfo = tf.TensorInfo;

/** tfjs-backend-wasm's FusableActivation codes, which native/ner_blas.c also uses. */
const ACTIVATION_CODES: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  prelu: 3,
  leakyrelu: 4,
  sigmoid: 5,
  elu: 6,
};

const KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;

let addon: NativeBlas | undefined;
let enabled = false;
const originals = new Map<string, tf.KernelConfig>();

/**
 * Route wasm's matrix products to `blas` (registering the kernels on first use) or, with
 * `undefined`, back to the original wasm kernels. Call after the wasm backend is registered.
 */
export function useBlasKernels(blas: NativeBlas | undefined): void {
  if (blas !== undefined && originals.size === 0) {
    for (const name of KERNELS) {
      const original = tf.getKernel(name, "wasm");
      if (original === undefined)
        throw new Error(`wasm backend has no ${name} kernel to replace (is @tensorflow/tfjs-backend-wasm loaded?)`);
      originals.set(name, original);
      tf.unregisterKernel(name, "wasm");
      // Keep the original's setupFunc: it prepares the fallback if the backend is (re)initialised later.
      tf.registerKernel({
        kernelName: name,
        backendName: "wasm",
        setupFunc: original.setupFunc,
        kernelFunc: (name === "BatchMatMul" ? batchMatMul : fusedMatMul) as never,
      });
    }
  }
  addon = blas;
  enabled = blas !== undefined;
}

/** True while wasm's products run on the native BLAS. */
export function blasKernelsActive(): boolean {
  return enabled && tf.getBackend() === "wasm";
}

/**
 * Whether `tf.matMul(a, b, transposeA, transposeB)` is as fast as the plain product on the active
 * backend: true everywhere except plain wasm, whose XNNPACK path takes only untransposed operands
 * (transposed ones fall to a loop 10–40× slower, so callers there transpose explicitly).
 */
export function transposedMatMulIsFast(): boolean {
  return tf.getBackend() !== "wasm" || enabled;
}

function fallback(name: string, args: KernelArgs<TensorInfo | undefined>): TensorInfo {
  return (originals.get(name) as tf.KernelConfig).kernelFunc(args as never) as TensorInfo;
}

/** How one batched product maps onto the addon's strided gemm, or undefined to fall back. */
interface GemmPlan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  batch: number;
  strideA: number;
  strideB: number;
}

function size(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): GemmPlan | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return undefined; // the original kernel throws tfjs's own message
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batch = size(outer);
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  // Real broadcasting equals a strided loop only when each side has every batch or just one.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  return {
    outShape: [...outer, m, n],
    m,
    n,
    k,
    batch,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
  };
}

/**
 * Length of a per-column vector broadcast against [..., n]: n or 1 for a tensor whose leading
 * axes are all 1 and whose last axis is n or 1; undefined for any other shape (then fall back).
 */
function columnVectorLength(t: TensorInfo, n: number): number | undefined {
  const s = t.shape;
  const last = s.length === 0 ? 1 : s[s.length - 1];
  if (s.slice(0, -1).some((d) => d !== 1)) return undefined;
  return last === n || last === 1 ? last : undefined;
}

function run(
  backend: WasmBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  p: GemmPlan,
  transposeA: boolean,
  transposeB: boolean,
  epilogue?: { bias?: TensorInfo; biasLen: number; act: number; alpha: number; prelu?: TensorInfo; preluLen: number },
): TensorInfo {
  const out = backend.makeOutput(p.outShape, "float32");
  if (size(p.outShape) === 0) return out;
  // Fetch the heap only now: makeOutput may have grown it, which detaches the previous buffer.
  const heap = backend.wasm.HEAPU8.buffer;
  const aOff = heapOffset(backend, a);
  const bOff = heapOffset(backend, b);
  const cOff = heapOffset(backend, out);
  const blas = addon as NativeBlas;
  if (epilogue === undefined) {
    blas.gemm(heap, transposeA, transposeB, p.m, p.n, p.k, p.batch, aOff, p.strideA, bOff, p.strideB, cOff);
  } else {
    const { bias, biasLen, act, alpha, prelu, preluLen } = epilogue;
    blas.gemm(
      heap,
      transposeA,
      transposeB,
      p.m,
      p.n,
      p.k,
      p.batch,
      aOff,
      p.strideA,
      bOff,
      p.strideB,
      cOff,
      bias ? heapOffset(backend, bias) : -1,
      biasLen,
      act,
      alpha,
      prelu ? heapOffset(backend, prelu) : -1,
      preluLen,
    );
  }
  return out;
}

function batchMatMul(args: KernelArgs<TensorInfo | undefined>): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  if (!enabled || a.dtype !== "float32" || b.dtype !== "float32") return fallback("BatchMatMul", args);
  const p = plan(a, b, transposeA, transposeB);
  if (p === undefined) return fallback("BatchMatMul", args);
  return run(args.backend as WasmBackendLike, a, b, p, transposeA, transposeB);
}

function fusedMatMul(args: KernelArgs<TensorInfo | undefined>): TensorInfo {
  const { a, b, bias, preluActivationWeights: prelu } = args.inputs;
  const attrs = args.attrs ?? {};
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const act = ACTIVATION_CODES[String(attrs.activation ?? "linear")];
  if (
    !enabled ||
    a === undefined ||
    b === undefined ||
    a.dtype !== "float32" ||
    b.dtype !== "float32" ||
    act === undefined
  ) {
    return fallback("_FusedMatMul", args);
  }
  const p = plan(a, b, transposeA, transposeB);
  if (p === undefined) return fallback("_FusedMatMul", args);
  const biasLen = bias ? columnVectorLength(bias, p.n) : 0;
  const preluLen = prelu ? columnVectorLength(prelu, p.n) : 0;
  if (
    biasLen === undefined ||
    preluLen === undefined ||
    (bias && bias.dtype !== "float32") ||
    (prelu && prelu.dtype !== "float32")
  ) {
    return fallback("_FusedMatMul", args);
  }
  if (act === ACTIVATION_CODES.prelu && prelu === undefined) return fallback("_FusedMatMul", args);
  const alpha = Number(attrs.leakyreluAlpha ?? 0);
  return run(args.backend as WasmBackendLike, a, b, p, transposeA, transposeB, {
    bias,
    biasLen,
    act,
    alpha,
    prelu,
    preluLen,
  });
}
