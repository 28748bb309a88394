import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { clipGradNorm, globalNorm } from "../../src/training/clip";

test("global norm is the L2 norm over all gradient elements", async () => {
  await tf.setBackend("cpu");
  const n = globalNorm([tf.tensor([3, 0]), tf.tensor([[4]])]);
  assert.ok(Math.abs(n - 5) < 1e-6);
});

test("clipGradNorm scales by maxNorm / (norm + 1e-6) when above, leaves grads alone below", async () => {
  await tf.setBackend("cpu");
  const grads = new Map<string, tf.Tensor>([
    ["a", tf.tensor([3, 0])],
    ["b", tf.tensor([4])],
  ]);
  const total = clipGradNorm(grads, 1.0);
  assert.ok(Math.abs(total - 5) < 1e-6);
  const coef = 1 / (5 + 1e-6);
  const a = grads.get("a")!.dataSync();
  assert.ok(Math.abs(a[0] - 3 * coef) < 1e-7);
  assert.ok(Math.abs(grads.get("b")!.dataSync()[0] - 4 * coef) < 1e-7);
  const small = new Map<string, tf.Tensor>([["a", tf.tensor([0.3, 0.4])]]);
  const t2 = clipGradNorm(small, 1.0);
  assert.ok(Math.abs(t2 - 0.5) < 1e-6);
  assert.deepEqual(Array.from(small.get("a")!.dataSync()), Array.from(new Float32Array([0.3, 0.4])));
});

test("clipGradNorm returns a non-finite norm untouched so the caller can stop", async () => {
  await tf.setBackend("cpu");
  const grads = new Map<string, tf.Tensor>([["a", tf.tensor([NaN, 1])]]);
  assert.ok(Number.isNaN(clipGradNorm(grads, 1)));
});
