/** Backend selection and the extra wasm kernels (run in their own process: they switch backends). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { activeBackend, backendInfo, initBackend } from "../../src/backend";
import { loadNativeBlas } from "../../src/backend/native";

/** True when no native TensorFlow binding is installed (danfojs's shim does not count). */
function noNativeTf(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed package's own package.json
    const pkg = require("@tensorflow/tfjs-node/package.json") as { description?: string };
    return /shim/i.test(pkg.description ?? "");
  } catch {
    return true;
  }
}

test(
  "initBackend picks the best backend (wasm+blas, else wasm, without native tfjs), is idempotent and " +
    "honours NER_BACKEND",
  async () => {
    const saved = process.env.NER_BACKEND;
    delete process.env.NER_BACKEND;
    try {
      const first = await initBackend(undefined, { quiet: true });
      const native = loadNativeBlas();
      assert.equal(first, noNativeTf() ? (native.addon ? "wasm+blas" : "wasm") : first);
      assert.equal(await initBackend(undefined, { quiet: true }), first);
      const info = backendInfo();
      assert.equal(info?.name, first);
      if (noNativeTf()) {
        assert.deepEqual(
          info?.skipped.map((s) => s.name),
          native.addon ? ["tfjs-node-gpu", "tfjs-node"] : ["tfjs-node-gpu", "tfjs-node", "wasm+blas"],
        );
        if (!native.addon) assert.match(info?.skipped[2].reason ?? "", /native BLAS addon (not built|load error)/);
      }
      process.env.NER_BACKEND = "cpu";
      assert.equal(await initBackend(undefined, { quiet: true }), "cpu");
      assert.equal(tf.getBackend(), "cpu");
      assert.equal(activeBackend(), "cpu");
      assert.deepEqual(backendInfo(), { name: "cpu", label: "cpu", skipped: [] });
    } finally {
      if (saved === undefined) delete process.env.NER_BACKEND;
      else process.env.NER_BACKEND = saved;
    }
  },
);

test("asking for a missing or unknown backend is a clear error", async () => {
  if (noNativeTf()) {
    await assert.rejects(
      initBackend("tfjs-node", { quiet: true }),
      /Backend "tfjs-node" is not available: tfjs-node: .*registered no "tensorflow" backend/,
    );
    await assert.rejects(initBackend("tfjs-node-gpu", { quiet: true }), /Backend "tfjs-node-gpu" is not available/);
  }
  await assert.rejects(
    initBackend("webgpu", { quiet: true }),
    /Unknown backend "webgpu".*expected one of tfjs-node-gpu, tfjs-node, wasm\+blas, wasm, cpu/,
  );
});

test(
  "wasm+blas reports its BLAS (library, version, threads, " + "OPENBLAS_CORETYPE) in the label; wasm is plain wasm",
  async (t) => {
    const native = loadNativeBlas();
    if (native.addon === undefined) {
      // CI must prove the native tier: there a missing addon is a failure, elsewhere the error must say why.
      assert.notEqual(process.env.CI, "true", `CI=true but the native BLAS addon is unavailable: ${native.reason}`);
      await assert.rejects(
        initBackend("wasm+blas", { quiet: true }),
        /Backend "wasm\+blas" is not available: wasm\+blas: native BLAS addon (not built|load error)/,
      );
      t.diagnostic(`native BLAS addon unavailable here: ${native.reason}`);
      return;
    }
    assert.equal(await initBackend("wasm+blas", { quiet: true }), "wasm+blas");
    assert.equal(tf.getBackend(), "wasm");
    const info = backendInfo();
    const lib = native.addon.info();
    assert.ok(info?.blas);
    assert.equal(info.blas.library, lib.library);
    assert.equal(info.blas.threads, lib.threads);
    assert.ok(info.blas.threads >= 0);
    if (lib.library === "openblas") {
      assert.match(info.blas.version ?? "", /OpenBLAS/);
      assert.equal(info.blas.coretype, process.env.OPENBLAS_CORETYPE || undefined);
    }
    assert.match(info.label, new RegExp(`^wasm\\+${lib.library}( \\(\\d+ threads?\\))?$`));
    assert.equal(await initBackend("wasm", { quiet: true }), "wasm");
    assert.deepEqual(backendInfo(), { name: "wasm", label: "wasm", skipped: [] });
  },
);

test("tf.gather's gradient (UnsortedSegmentSum) works on wasm and equals cpu's", async () => {
  const run = async (backend: string) => {
    await initBackend(backend, { quiet: true });
    return tf.tidy(() => {
      const table = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ]);
      const ids = tf.tensor1d([3, 0, 3, 1], "int32");
      const w = tf.tensor2d([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
      ]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(table);
      return g.arraySync();
    });
  };
  const expected = [
    [2, 20],
    [4, 40],
    [0, 0],
    [4, 40],
  ];
  assert.deepEqual(await run("wasm"), expected);
  assert.deepEqual(await run("cpu"), expected);
  await initBackend("wasm", { quiet: true });
  const seg = tf.unsortedSegmentSum(
    tf.tensor2d([
      [1, 1],
      [2, 2],
      [4, 4],
    ]),
    tf.tensor1d([2, -1, 2], "int32"),
    3,
  );
  assert.deepEqual(
    seg.arraySync(),
    [
      [0, 0],
      [0, 0],
      [5, 5],
    ],
    "negative segment ids are dropped, as in TF",
  );
  seg.dispose();
});

test("heapTensorChanged: after an in-place heap write, wasm's XNNPACK matmul sees the new weights", async () => {
  const { heapTensorChanged } = await import("../../src/backend/kernels");
  await initBackend("wasm", { quiet: true });
  const before = tf.memory().numTensors;
  const x = tf.ones([2, 3]) as tf.Tensor2D;
  const init = tf.ones([3, 2]);
  const w = tf.variable(init);
  init.dispose();
  const bias = tf.zeros([1]) as tf.Tensor1D;
  const product = () => tf.tidy(() => tf.fused.matMul({ a: x, b: w as unknown as tf.Tensor2D, bias }).dataSync()[0]);
  assert.equal(product(), 3); // packs w = ones
  const heap = tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
  heap.typedArrayFromHeap(w as never).fill(2); // what an in-place optimizer does
  heapTensorChanged(w);
  assert.equal(product(), 6, "XNNPACK must not reuse the weights it packed before the write");
  assert.equal(
    tf.tidy(() => tf.sum(w).dataSync()[0]),
    12,
    "the data itself is kept",
  );
  tf.dispose([x, w, bias]);
  assert.equal(tf.memory().numTensors, before);
});
