import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../src/backend";
import { loadNativeBlas } from "../src/backend/native";
import { dropoutMaskTensor } from "../src/backend/random-kernels";
import { dropoutBits, dropoutKeys, dropoutThreshold, fillDropoutMask, Rng } from "../src/util/random";
import { parityTiers } from "./backend/tiers";

test("Rng is deterministic per seed and resumable from its state", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const first = [a.next(), a.next(), a.next()];
  assert.deepEqual(first, [b.next(), b.next(), b.next()]);
  const saved = a.state();
  const cont = [a.nextUint32(), a.nextUint32()];
  const resumed = Rng.fromState(saved);
  assert.deepEqual([resumed.nextUint32(), resumed.nextUint32()], cont);
  assert.notDeepEqual(new Rng(1).permutation(20), new Rng(2).permutation(20));
});

test("Rng.permutation is a permutation and normal() has unit variance", () => {
  const r = new Rng(7);
  const p = r.permutation(1000);
  assert.deepEqual(
    [...p].sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n) < 0.05);
  assert.ok(Math.abs(s2 / n - 1) < 0.05);
});

test("dropout masks: ~rate zeros, the rest 1/(1-rate), reproducible per seed, independent across seeds", () => {
  const a = new Float32Array(200_000);
  const b = new Float32Array(200_000);
  fillDropoutMask(a, 0.1, 5);
  fillDropoutMask(b, 0.1, 5);
  assert.deepEqual(a, b);
  fillDropoutMask(b, 0.1, 6);
  let zeros = 0;
  let both = 0;
  for (let i = 0; i < a.length; i++) {
    assert.ok(a[i] === 0 || a[i] === Math.fround(1 / 0.9));
    if (a[i] === 0) zeros++;
    if (a[i] === 0 && b[i] === 0) both++;
  }
  assert.ok(Math.abs(zeros / a.length - 0.1) < 0.005, `zero fraction ${zeros / a.length}`);
  assert.ok(
    Math.abs(both / a.length - 0.01) < 0.002,
    `seeds 5 and 6 drop together ${both / a.length} (independent: 0.01)`,
  );
  // Counter-based: element i depends on (seed, i) only.
  const [k1, k2] = dropoutKeys(5);
  const t = dropoutThreshold(0.1);
  for (const i of [0, 1, 77_777, 199_999])
    assert.equal(a[i], dropoutBits(k1, k2, i) >= t.threshold ? Math.fround(t.keep) : 0);
  assert.throws(() => dropoutThreshold(1), /dropout rate must be in \[0, 1\), got 1/);
});

test(
  "the native addon draws the same dropout bits as the JS twin",
  { skip: loadNativeBlas().addon ? undefined : "native addon not built" },
  () => {
    const addon = loadNativeBlas().addon!;
    const n = 300_001; // several threads' chunks
    const heap = new ArrayBuffer(4 * n + 64);
    for (const [rate, seed] of [
      [0.1, 1],
      [0.5, 0x7fffffff],
      [0, 3],
    ] as const) {
      const [k1, k2] = dropoutKeys(seed);
      const { threshold, keep } = dropoutThreshold(rate);
      addon.dropoutMask(heap, 64, n, k1, k2, threshold, keep);
      const want = new Float32Array(n);
      fillDropoutMask(want, rate, seed);
      assert.deepEqual(new Float32Array(heap, 64, n), want, `rate ${rate}, seed ${seed}`);
    }
    assert.throws(
      () => addon.dropoutMask(heap, 64, n + 100, 1, 2, 3, 1),
      /ner_blas\.dropoutMask: operand 1 lies outside the heap/,
    );
  },
);

test("dropoutMaskTensor gives the same mask on every tier", async () => {
  let first: Float32Array | undefined;
  for (const tier of parityTiers()) {
    if (tier.skip) continue; // wasm+blas without the addon: the other tiers still agree
    await initBackend(tier.name, { quiet: true });
    const m = dropoutMaskTensor([3, 50, 1000], 0.1, 42);
    const got = m.dataSync() as Float32Array;
    m.dispose();
    if (first === undefined) first = got;
    else assert.deepEqual(got, first, tier.name);
  }
  const want = new Float32Array(150_000);
  fillDropoutMask(want, 0.1, 42);
  assert.deepEqual(first, want);
});
