/**
 * The native BLAS kernels (BatchMatMul, _FusedMatMul on wasm+blas) against tfjs's reference results
 * on the cpu backend: every transpose combination, batches and broadcasting, fused bias and
 * activations, odd and zero sizes, gradients, fallbacks, and no leaked tensors. A counting wrapper
 * around the addon proves the native path really ran.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { useBlasKernels } from "../../src/backend/blas-kernels";
import { loadNativeBlas, type NativeBlas } from "../../src/backend/native";
import { parityTiers } from "./tiers";

const blasTier = parityTiers().find((t) => t.name === "wasm+blas");
const skip = blasTier?.skip;

/** Deterministic values in [-1, 1) of the given shape. */
function values(shape: number[], seed: number): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  let s = seed * 7919 + 17;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push((s / 2147483648) * 2 - 1);
  }
  return out;
}

let gemmCalls = 0;

/** Activate wasm+blas with an addon wrapper that counts native products. */
async function useCountingBlas(): Promise<void> {
  await initBackend("wasm+blas", { quiet: true });
  const real = loadNativeBlas().addon as NativeBlas;
  // The addon's own properties are not enumerable: wrap by defining over a prototype link.
  const counting = Object.create(real) as NativeBlas;
  Object.defineProperty(counting, "gemm", {
    value: (...args: Parameters<NativeBlas["gemm"]>) => {
      gemmCalls++;
      real.gemm(...args);
    },
  });
  useBlasKernels(counting);
}

/** Run `f` on cpu (the reference) and on wasm+blas with tensors made from the same values; compare. */
async function compare(
  label: string,
  f: () => tf.Tensor,
  opts: { native?: boolean; tol?: number } = {},
): Promise<void> {
  await initBackend("cpu", { quiet: true });
  const refT = tf.tidy(f);
  const ref = { shape: refT.shape, data: Array.from(refT.dataSync()) };
  refT.dispose();
  await useCountingBlas();
  const before = tf.memory().numTensors;
  const calls = gemmCalls;
  const gotT = tf.tidy(f);
  assert.deepEqual(gotT.shape, ref.shape, `${label}: shape`);
  const got = gotT.dataSync();
  gotT.dispose();
  assert.equal(tf.memory().numTensors, before, `${label}: no tensors leak`);
  const tol = opts.tol ?? 2e-5;
  for (let i = 0; i < ref.data.length; i++) {
    const d = Math.abs(got[i] - ref.data[i]);
    assert.ok(d <= tol * (1 + Math.abs(ref.data[i])), `${label}: element ${i}: ${got[i]} vs ${ref.data[i]}`);
  }
  if (opts.native !== false) assert.ok(gemmCalls > calls, `${label}: the native kernel ran`);
  else assert.equal(gemmCalls, calls, `${label}: the addon was not called (fallback or empty output)`);
}

const t = (shape: number[], seed: number) => tf.tensor(values(shape, seed), shape);

test("matMul: all transpose combinations at odd sizes equal tfjs's cpu results", { skip }, async () => {
  const [m, k, n] = [7, 13, 5];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      const a = ta ? [k, m] : [m, k];
      const b = tb ? [n, k] : [k, n];
      await compare(`[${a}]${ta ? "ᵀ" : ""} @ [${b}]${tb ? "ᵀ" : ""}`, () => tf.matMul(t(a, 1), t(b, 2), ta, tb));
    }
  }
  await compare("1x1 @ 1x1", () => tf.matMul(t([1, 1], 3), t([1, 1], 4)));
  await compare("larger 67x129 @ 129x31", () => tf.matMul(t([67, 129], 5), t([129, 31], 6)), { tol: 1e-4 });
});

test("batched attention products [B,H,m,k] @ [B,H,k,n] with transposed operands", { skip }, async () => {
  const [B, H, S, D] = [2, 3, 5, 4];
  await compare("q @ kᵀ", () => tf.matMul(t([B, H, S, D], 1), t([B, H, S, D], 2), false, true));
  await compare("probs @ v", () => tf.matMul(t([B, H, S, S], 3), t([B, H, S, D], 4)));
  await compare("dyᵀ-style aᵀ @ b", () => tf.matMul(t([B, H, S, D], 5), t([B, H, S, S], 6), true, false));
  await compare("aᵀ @ bᵀ", () => tf.matMul(t([B, H, D, S], 7), t([B, H, S, D], 8), true, true));
  await compare("rank 3", () => tf.matMul(t([4, 6, 3], 9), t([4, 3, 2], 10)));
});

test("batch broadcasting: one side with a single batch (rank 2 or leading 1s) runs natively", { skip }, async () => {
  await compare("[2,3,5,4] @ [4,6]", () => tf.matMul(t([2, 3, 5, 4], 1), t([4, 6], 2)));
  await compare("[5,4] @ [2,3,4,6]", () => tf.matMul(t([5, 4], 3), t([2, 3, 4, 6], 4)));
  await compare("[1,1,5,4] @ [2,3,6,4]ᵀ", () => tf.matMul(t([1, 1, 5, 4], 5), t([2, 3, 6, 4], 6), false, true));
  await compare("[3,5,4] @ [2,3,4,6] (left-padded batch)", () => tf.matMul(t([3, 5, 4], 7), t([2, 3, 4, 6], 8)), {
    native: false,
  });
});

test("zero-size dimensions: empty outputs and k = 0 (all zeros)", { skip }, async () => {
  await compare("[0,5] @ [5,3]", () => tf.matMul(t([0, 5], 1), t([5, 3], 2)), { native: false });
  await compare("[4,0] @ [0,3] = zeros", () => tf.matMul(tf.zeros([4, 0]), tf.zeros([0, 3])));
  await compare("[2,0,4,3] @ [2,0,3,2]", () => tf.matMul(tf.zeros([2, 0, 4, 3]), tf.zeros([2, 0, 3, 2])), {
    native: false,
  });
});

test("fused matMul: bias (per column and scalar) and every activation tfjs fuses", { skip }, async () => {
  const [m, k, n] = [6, 9, 5];
  for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu"] as const) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      await compare(`${activation} ${ta}/${tb}`, () =>
        tf.fused.matMul({
          a: tf.mul(t(ta ? [k, m] : [m, k], 1), 4),
          b: t(tb ? [n, k] : [k, n], 2),
          transposeA: ta,
          transposeB: tb,
          bias: t([n], 3),
          activation,
          leakyreluAlpha: 0.3,
        }),
      );
    }
  }
  await compare("scalar bias", () => tf.fused.matMul({ a: t([m, k], 4), b: t([k, n], 5), bias: tf.scalar(0.25) }));
  await compare("no bias, relu", () => tf.fused.matMul({ a: t([m, k], 6), b: t([k, n], 7), activation: "relu" }));
  await compare("prelu weights per column", () =>
    tf.fused.matMul({
      a: tf.mul(t([m, k], 8), 3),
      b: t([k, n], 9),
      bias: t([n], 10),
      activation: "prelu",
      preluActivationWeights: t([n], 11),
    }),
  );
  await compare("batched fused [2,m,k] @ [k,n] + bias", () =>
    tf.fused.matMul({ a: t([2, m, k], 12), b: t([k, n], 13), bias: t([n], 14) }),
  );
});

test("gradients of fused and plain matMul equal the cpu backend's", { skip }, async () => {
  const f = () => {
    const a = t([5, 7], 1);
    const b = t([7, 3], 2);
    const bias = t([3], 3);
    const g = tf.grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c, activation: "relu" }),
          t([5, 3], 4),
        ),
      ),
    )([a, b, bias]);
    return tf.concat(g.map((x) => tf.reshape(x, [-1])));
  };
  await compare("grads of relu(a@b+bias)", f);
  const h = () => {
    const q = t([2, 2, 4, 3], 5);
    const k = t([2, 2, 4, 3], 6);
    const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, false, true))))([q, k]);
    return tf.concat(g.map((x) => tf.reshape(x, [-1])));
  };
  await compare("grads of (q @ kᵀ)²", h, { tol: 1e-4 });
});

test("plain wasm goes through the original kernels", { skip }, async () => {
  await useCountingBlas();
  const calls = gemmCalls;
  await initBackend("wasm", { quiet: true });
  const r = tf.tidy(() => tf.matMul(t([3, 4], 1), t([4, 2], 2)).arraySync());
  assert.equal(gemmCalls, calls, "plain wasm never calls the addon");
  await initBackend("cpu", { quiet: true });
  const ref = tf.tidy(() => tf.matMul(t([3, 4], 1), t([4, 2], 2)).arraySync());
  (r as number[][]).forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - (ref as number[][])[i][j]) < 1e-5)),
  );
});

test("the addon checks its operands against the heap's bounds", { skip }, () => {
  const addon = loadNativeBlas().addon as NativeBlas;
  const heap = new ArrayBuffer(64);
  assert.throws(() => addon.gemm(heap, false, false, 4, 4, 4, 1, 0, 0, 0, 0, 0 + 64), /outside the heap/);
  assert.throws(() => addon.gemm(heap, false, false, 2, 2, 2, 1, 2, 0, 0, 0, 16), /outside the heap|aligned/);
  assert.throws(() => addon.gemm({} as ArrayBuffer, false, false, 1, 1, 1, 1, 0, 0, 0, 0, 0), /ArrayBuffer/);
  // In bounds: 2x2 @ 2x2 into the same buffer.
  const f = new Float32Array(heap);
  f.set([1, 2, 3, 4], 0);
  f.set([5, 6, 7, 8], 4);
  addon.gemm(heap, false, false, 2, 2, 2, 1, 0, 0, 16, 0, 32);
  assert.deepEqual(Array.from(f.subarray(8, 12)), [19, 22, 43, 50]);
  addon.gemm(heap, true, true, 2, 2, 2, 1, 0, 0, 16, 0, 32);
  assert.deepEqual(Array.from(f.subarray(8, 12)), [23, 31, 34, 46]);
});
