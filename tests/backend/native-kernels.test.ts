/**
 * The native kernels (exact GELU, LayerNorm, the fused attention block; forward and backward) against
 * the same formulas composed from tfjs ops on the cpu backend, at odd sizes and zero rows, with and
 * without dropout (the same seed draws the same mask on both), without leaks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import {
  biasGeluActive,
  fusedAttentionActive,
  nativeGelu,
  nativeGeluGrad,
  nativeKernelsActive,
  nativeLayerNorm,
  nativeLayerNormGrad,
  residualLayerNormActive,
} from "../../src/backend/native-kernels";
import { addLayerNorm, attention, linearGelu } from "../../src/backend/ops";
import { attentionBias } from "../../src/models/attention";
import { parityTiers } from "./tiers";

const skip = parityTiers().find((t) => t.name === "wasm+blas")?.skip;

function values(n: number, seed: number, scale = 3): number[] {
  let s = seed * 7919 + 17;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return ((s / 2147483648) * 2 - 1) * scale;
  });
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

/** Reference values from tfjs ops on cpu (float32), as flat arrays. */
async function reference(rows: number, cols: number, eps: number) {
  await initBackend("cpu", { quiet: true });
  return tf.tidy(() => {
    const x = tf.tensor2d(values(rows * cols, 1), [rows, cols]);
    const g = tf.tensor1d(values(cols, 2, 1));
    const b = tf.tensor1d(values(cols, 3, 1));
    const dy = tf.tensor2d(values(rows * cols, 4, 1), [rows, cols]);
    const ln = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, eps))), gg), bb);
    };
    const [dx, dg, db] = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(ln(xx, gg, bb), dy)))([
      x,
      g,
      b,
    ]);
    const cdf = (t: tf.Tensor) => tf.mul(tf.add(tf.erf(tf.mul(t, Math.SQRT1_2)), 1), 0.5);
    const gelu = tf.mul(x, cdf(x));
    const pdf = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    const geluGrad = tf.mul(dy, tf.add(cdf(x), tf.mul(x, pdf)));
    const flat = (t: tf.Tensor) => Array.from(t.dataSync());
    return {
      y: flat(ln(x, g, b)),
      dx: flat(dx),
      dg: flat(dg),
      db: flat(db),
      gelu: flat(gelu),
      geluGrad: flat(geluGrad),
    };
  });
}

for (const [rows, cols] of [
  [7, 13],
  [33, 768],
  [0, 5],
  [1, 1],
] as const) {
  test(
    `native LayerNorm and GELU, forward and backward, equal tfjs's formulas at ${rows}×${cols}`,
    { skip },
    async () => {
      const eps = 1e-12;
      const ref = await reference(rows, cols, eps);
      await initBackend("wasm+blas", { quiet: true });
      assert.ok(nativeKernelsActive());
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.tensor2d(values(rows * cols, 1), [rows, cols]);
        const g = tf.tensor1d(values(cols, 2, 1));
        const b = tf.tensor1d(values(cols, 3, 1));
        const dy = tf.tensor2d(values(rows * cols, 4, 1), [rows, cols]);
        const [y, xhat, invStd] = nativeLayerNorm(x, g, b, eps);
        assert.deepEqual(invStd.shape, [rows]);
        close(y.dataSync(), ref.y, 2e-5, "y");
        const [dx, dg, db] = nativeLayerNormGrad(dy, xhat, invStd, g);
        // cols = 1: xhat = 0 and the variance is 0, so dx is 0·(1/√eps) on both sides up to rounding.
        close(dx.dataSync(), ref.dx, cols === 1 ? 1e-1 : 1e-4, "dx");
        close(dg.dataSync(), ref.dg, 1e-4, "dgamma");
        close(db.dataSync(), ref.db, 1e-5, "dbeta");
        // tfjs's erf is a 1.5e-7-accurate approximation; ours is libm's erff.
        close(nativeGelu(x).dataSync(), ref.gelu, 1e-6, "gelu");
        close(nativeGeluGrad(x, dy).dataSync(), ref.geluGrad, 1e-6, "gelu'");
      });
      assert.equal(tf.memory().numTensors, before, "no tensors leak");
    },
  );
}

test("native kernels are off on plain wasm and cpu", { skip }, async () => {
  await initBackend("wasm", { quiet: true });
  assert.equal(nativeKernelsActive(), false);
  await initBackend("cpu", { quiet: true });
  assert.equal(nativeKernelsActive(), false);
});

/** ops.attention's output and q/k/v gradients (weighted sum of the context) on the active backend. */
function attentionRun(b: number, s: number, heads: number, headDim: number, drop?: { rate: number; seed: number }) {
  return tf.tidy(() => {
    const n = b * s;
    const hidden = heads * headDim;
    const q = tf.tensor2d(values(n * hidden, 5, 1), [n, hidden]);
    const k = tf.tensor2d(values(n * hidden, 6, 1), [n, hidden]);
    const v = tf.tensor2d(values(n * hidden, 7, 1), [n, hidden]);
    const w = tf.tensor2d(values(n * hidden, 8, 1), [n, hidden]);
    // The last key of every other sequence is padding.
    const mask = tf.tensor2d(
      Array.from({ length: n }, (_, i) => (i % s === s - 1 && Math.floor(i / s) % 2 === 1 ? 0 : 1)),
      [b, s],
      "int32",
    );
    const bias = attentionBias(mask);
    const f = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
      tf.sum(
        tf.mul(
          attention(qq as tf.Tensor2D, kk as tf.Tensor2D, vv as tf.Tensor2D, bias, { batch: b, seq: s, heads }, drop),
          w,
        ),
      );
    const ctx = attention(q, k, v, bias, { batch: b, seq: s, heads }, drop);
    const grads = tf.grads(f)([q, k, v]);
    return [ctx, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

for (const [b, s, heads, headDim] of [
  [2, 5, 3, 4],
  [3, 33, 2, 8],
  [1, 7, 2, 3],
] as const) {
  for (const drop of [undefined, { rate: 0.1, seed: 42 }, { rate: 0.5, seed: 7 }]) {
    const what = `${b}×${s}, ${heads} heads × ${headDim}${drop ? `, dropout ${drop.rate}` : ""}`;
    test(
      `fused native attention equals the composed tfjs ops (cpu), forward and q/k/v gradients: ${what}`,
      { skip },
      async () => {
        await initBackend("cpu", { quiet: true });
        const want = attentionRun(b, s, heads, headDim, drop);
        await initBackend("wasm+blas", { quiet: true });
        assert.ok(fusedAttentionActive());
        const before = tf.memory().numTensors;
        const got = attentionRun(b, s, heads, headDim, drop);
        assert.equal(tf.memory().numTensors, before, "no tensors leak");
        ["context", "dq", "dk", "dv"].forEach((name, i) => close(got[i], want[i], 1e-5, name));
      },
    );
  }
}

/** linearGelu's value and x/w/b gradients on the active backend. */
function linearGeluRun(rows: number, inDim: number, outDim: number) {
  return tf.tidy(() => {
    const x = tf.tensor2d(values(rows * inDim, 9, 1), [rows, inDim]);
    const w = tf.tensor2d(values(inDim * outDim, 10, 1), [inDim, outDim]);
    const b = tf.tensor1d(values(outDim, 11, 1));
    const dy = tf.tensor2d(values(rows * outDim, 12, 1), [rows, outDim]);
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(linearGelu(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), dy));
    const y = linearGelu(x, w, b);
    return [y, ...tf.grads(f)([x, w, b])].map((t) => Array.from(t.dataSync()));
  });
}

for (const [rows, inDim, outDim] of [
  [5, 7, 9],
  [64, 32, 3072],
  [0, 4, 6],
] as const) {
  test(
    `fused linear + bias + GELU (threaded) equals gelu(linear) composed on cpu at ${rows}×${inDim}→${outDim}`,
    { skip },
    async () => {
      await initBackend("cpu", { quiet: true });
      const want = linearGeluRun(rows, inDim, outDim);
      await initBackend("wasm+blas", { quiet: true });
      assert.ok(biasGeluActive());
      const before = tf.memory().numTensors;
      const got = linearGeluRun(rows, inDim, outDim);
      assert.equal(tf.memory().numTensors, before, "no tensors leak");
      // libm's erff here, tfjs's 1.5e-7 approximation there; sums over `inDim` products.
      ["y", "dx", "dw", "db"].forEach((name, i) => close(got[i], want[i], 2e-5, name));
    },
  );
}

/** addLayerNorm's value and x/residual/gamma/beta gradients on the active backend. */
function addLayerNormRun(rows: number, cols: number) {
  return tf.tidy(() => {
    const x = tf.tensor2d(values(rows * cols, 13), [rows, cols]);
    const r = tf.tensor2d(values(rows * cols, 14), [rows, cols]);
    const g = tf.tensor1d(values(cols, 15, 1));
    const b = tf.tensor1d(values(cols, 16, 1));
    const dy = tf.tensor2d(values(rows * cols, 17, 1), [rows, cols]);
    const f = (xx: tf.Tensor, rr: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(
        tf.mul(addLayerNorm(xx as tf.Tensor2D, rr as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-12), dy),
      );
    return [addLayerNorm(x, r, g, b, 1e-12), ...tf.grads(f)([x, r, g, b])].map((t) => Array.from(t.dataSync()));
  });
}

for (const [rows, cols] of [
  [7, 13],
  [70, 768],
  [0, 5],
] as const) {
  test(
    `fused residual + LayerNorm (threaded) equals layerNorm(x + residual) composed on cpu at ${rows}×${cols}`,
    { skip },
    async () => {
      await initBackend("cpu", { quiet: true });
      const want = addLayerNormRun(rows, cols);
      await initBackend("wasm+blas", { quiet: true });
      assert.ok(residualLayerNormActive());
      const before = tf.memory().numTensors;
      const got = addLayerNormRun(rows, cols);
      assert.equal(tf.memory().numTensors, before, "no tensors leak");
      ["y", "dx", "dresidual", "dgamma", "dbeta"].forEach((name, i) => close(got[i], want[i], 1e-4, name));
    },
  );
}
