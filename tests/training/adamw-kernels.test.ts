/**
 * The three in-place AdamW implementations — C on the native tier (native/ner_optim.c), wasm SIMD on
 * plain wasm (src/backend/adamw-simd.ts) and the JS reference loop — give the same float32 bits, and
 * AdamW.step uses the fast one of each tier (torch parity itself: tests/training/adamw.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { adamwUpdateInPlace, fusedAdamW, inPlaceAdamWPath, type AdamWScalars } from "../../src/backend/adamw-kernel";
import { ADAMW_SIMD_WASM, simdAdamWFor } from "../../src/backend/adamw-simd";
import { loadNativeBlas } from "../../src/backend/native";
import { AdamW } from "../../src/training/adamw";
import { Rng } from "../../src/util/random";
import { parityTiers } from "../backend/tiers";

/** Values over many magnitudes, zeros, signs and a subnormal, so every rounding step is exercised. */
function data(n: number, seed: number, scale: number): Float32Array {
  const r = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = i % 97 === 0 ? 0 : i % 101 === 0 ? 1e-40 : r.normal() * scale * 10 ** (r.int(7) - 3);
  return out;
}

function scalars(t: number, decay: boolean, gradScale?: number): AdamWScalars {
  const [lr, b1, b2, wd] = [1e-3, 0.9, 0.999, 0.01];
  return {
    decay: decay ? 1 - lr * wd : 1,
    oneMinusBeta1: 1 - b1,
    beta2: b2,
    oneMinusBeta2: 1 - b2,
    bc2Sqrt: Math.sqrt(1 - b2 ** t),
    eps: 1e-8,
    negStepSize: -lr / (1 - b1 ** t),
    ...(gradScale === undefined ? {} : { gradScale }),
  };
}

function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

test(
  "the SIMD module is valid wasm and matches the JS reference bit for " + "bit (with and without decay and clipping)",
  () => {
    assert.ok(WebAssembly.validate(ADAMW_SIMD_WASM));
    const n = 4099; // not a multiple of 4: the caller's JS tail is not part of this check
    const n4 = n - (n % 4);
    const memory = new WebAssembly.Memory({ initial: 2 });
    const simd = simdAdamWFor(memory);
    assert.ok(simd, "Node's V8 runs wasm SIMD");
    const heap = new Float32Array(memory.buffer, 0, 4 * n);
    const views = [0, 1, 2, 3].map((k) => heap.subarray(k * n, k * n + n));
    const ref = [data(n, 1, 1), new Float32Array(n), new Float32Array(n), data(n, 2, 0.1)];
    views.forEach((v, k) => v.set(ref[k]));
    for (const [decay, clip] of [
      [true, undefined],
      [false, undefined],
      [true, 0.37],
    ] as const) {
      for (let t = 1; t <= 3; t++) {
        const s = scalars(t, decay, clip);
        const f = Math.fround;
        simd!(
          0,
          n * 4,
          n * 8,
          n * 12,
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
        fusedAdamW(ref[0].subarray(0, n4), ref[1].subarray(0, n4), ref[2].subarray(0, n4), ref[3].subarray(0, n4), s);
        for (const [k, name] of [
          [0, "param"],
          [1, "exp_avg"],
          [2, "exp_avg_sq"],
        ] as const) {
          assertSameBits(
            views[k].subarray(0, n4),
            ref[k].subarray(0, n4),
            `${name} (decay ${decay}, clip ${clip}, step ${t})`,
          );
        }
      }
    }
  },
);

const expectedPath = { wasm: "wasm-simd", "wasm+blas": "native", cpu: "none" } as const;

for (const tier of parityTiers()) {
  test(
    `adamwUpdateInPlace on ${tier.name} (${expectedPath[tier.name]}) equals the JS reference bit for bit`,
    { skip: tier.skip },
    async () => {
      await initBackend(tier.name, { quiet: true });
      assert.equal(inPlaceAdamWPath(), expectedPath[tier.name]);
      const shape = [1031, 131]; // 135 061 floats: two native threads' chunks (grain 65 536) and a SIMD tail of 1
      const n = shape[0] * shape[1];
      const init = data(n, 3, 1);
      const ref = [init.slice(), new Float32Array(n), new Float32Array(n)];
      const params = new Map([
        ["layer.weight", tf.variable(tf.tensor(init, shape))],
        ["layer.bias", tf.variable(tf.tensor(init.slice(0, 131), [131]))],
      ]);
      const opt = new AdamW(params, { lr: 1e-3, weightDecay: 0.01 });
      for (let t = 1; t <= 4; t++) {
        const g = data(n, 10 + t, 0.1);
        const grads = new Map([
          ["layer.weight", tf.tensor(g, shape)],
          ["layer.bias", tf.tensor(g.slice(0, 131), [131])],
        ]);
        const clip = t % 2 === 0 ? 0.43 : undefined; // steps 2 and 4 clip inside the update
        opt.step(grads, undefined, clip === undefined ? {} : { gradScale: clip });
        tf.dispose([...grads.values()]);
        fusedAdamW(ref[0], ref[1], ref[2], g, scalars(t, true, clip));
      }
      // cpu runs tfjs ops: the same float32 operations in the same order, so the same bits too.
      assertSameBits(params.get("layer.weight")!.dataSync() as Float32Array, ref[0], "param");
      const state = opt.exportState();
      assertSameBits(state.tensors.get("layer.weight.exp_avg")!.dataSync() as Float32Array, ref[1], "exp_avg");
      assertSameBits(state.tensors.get("layer.weight.exp_avg_sq")!.dataSync() as Float32Array, ref[2], "exp_avg_sq");
      tf.dispose([...state.tensors.values()]);
      opt.dispose();
      tf.dispose([...params.values()]);
    },
  );
}

test(
  "the native adamw rejects operands outside the heap with a one-line error",
  { skip: loadNativeBlas().addon ? undefined : "native addon not built" },
  () => {
    const addon = loadNativeBlas().addon!;
    const heap = new ArrayBuffer(64);
    assert.throws(
      () => addon.adamw(heap, 0, 16, 32, 48, 8, 1, 0.1, 0.999, 0.001, 1, 1e-8, -1e-3),
      /ner_blas\.adamw: operand 4 lies outside the heap/,
    );
    const loose = addon.adamw as unknown as (...args: unknown[]) => void; // a caller outside TypeScript
    assert.throws(() => loose(heap, 0, 16, 32, 48), /ner_blas\.adamw: expected 13 or 14 arguments/);
  },
);

test("adamwUpdateInPlace is unavailable off wasm with a clear error", async () => {
  await initBackend("cpu", { quiet: true });
  const v = tf.variable(tf.zeros([2]));
  assert.throws(() => adamwUpdateInPlace(v, v, v, v, scalars(1, false)), /needs the wasm backend, not cpu/);
  v.dispose();
});

test(
  "the native sum of squares (the clipping norm) equals a double-precision sum",
  { skip: loadNativeBlas().addon ? undefined : "native addon not built" },
  () => {
    const addon = loadNativeBlas().addon!;
    const n = 300_007; // several threads' chunks
    const heap = new ArrayBuffer(4 * n + 16);
    const x = new Float32Array(heap, 16, n);
    x.set(data(n, 9, 1));
    let want = 0;
    for (let i = 0; i < n; i++) want += x[i] * x[i];
    const got = addon.sumSquares(heap, 16, n);
    assert.ok(Math.abs(got - want) <= 1e-12 * want, `${got} vs ${want}`);
    assert.equal(addon.sumSquares(heap, 16, 0), 0);
    assert.throws(() => addon.sumSquares(heap, 16, n + 1), /ner_blas\.sumSquares: operand 1 lies outside the heap/);
  },
);
