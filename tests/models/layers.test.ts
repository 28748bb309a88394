/**
 * Building blocks: exact gelu, LayerNorm, linear, attention products, loss, dropout, embedding gradient — on
 * wasm, wasm+blas and cpu where the path differs — and training mode through every fused path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { DropoutContext } from "../../src/models/dropout";
import { batchMatMul, embeddingLookup, gelu, layerNorm, linear, matMulT } from "../../src/backend/ops";
import { fillDropoutMask } from "../../src/util/random";
import { parityTiers } from "../backend/tiers";
import { tokenClassificationLoss } from "../../src/models/loss";
import { computeLossAndGrads, configFromHf, defaultHfConfig, randomInit } from "../../src/models";

// torch.nn.functional.gelu(x) (exact erf form), float64 reference values.
const GELU: [number, number][] = [
  [-3, -0.0040496962],
  [-1, -0.1586552539],
  [-0.5, -0.1542687694],
  [0, 0],
  [0.5, 0.3457312306],
  [1, 0.8413447461],
  [2.5, 2.4844753263],
];

for (const tier of parityTiers()) {
  test(`gelu is the exact erf form, with the analytic gradient (${tier.name})`, { skip: tier.skip }, async () => {
    await initBackend(tier.name, { quiet: true });
    const x = tf.tensor1d(GELU.map(([a]) => a));
    const y = gelu(x).dataSync();
    GELU.forEach(([, e], i) => assert.ok(Math.abs(y[i] - e) < 1e-6, `gelu(${GELU[i][0]}) = ${y[i]} vs ${e}`));
    const g = tf
      .grad((t: tf.Tensor) => tf.sum(gelu(t)))(x)
      .dataSync();
    const h = 1e-3;
    GELU.forEach(([a], i) => {
      const f = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
      assert.ok(Math.abs(g[i] - (f(a + h) - f(a - h)) / (2 * h)) < 1e-4, `gelu'(${a})`);
    });
    x.dispose();
  });
}

function erf(x: number): number {
  // High-precision series/continued fraction is overkill here: Abramowitz-Stegun 7.1.26 (1.5e-7).
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

for (const tier of parityTiers()) {
  test(
    `layerNorm and linear gradients agree with tfjs autodiff of the plain formulas (${tier.name})`,
    { skip: tier.skip },
    async () => {
      await initBackend(tier.name, { quiet: true });
      const x = tf.randomNormal([6, 8], 0, 2, "float32", 1) as tf.Tensor2D;
      const gamma = tf.randomNormal([8], 1, 0.3, "float32", 2) as tf.Tensor1D;
      const beta = tf.randomNormal([8], 0, 0.3, "float32", 3) as tf.Tensor1D;
      const w = tf.randomNormal([8, 5], 0, 1, "float32", 4) as tf.Tensor2D;
      const b = tf.randomNormal([5], 0, 1, "float32", 5) as tf.Tensor1D;
      const weights = tf.randomNormal([6, 5], 0, 1, "float32", 6);
      const ours = (xx: tf.Tensor, g: tf.Tensor, bb: tf.Tensor, ww: tf.Tensor, bias: tf.Tensor) =>
        tf.sum(
          tf.mul(
            linear(
              layerNorm(xx as tf.Tensor2D, g as tf.Tensor1D, bb as tf.Tensor1D, 1e-12),
              ww as tf.Tensor2D,
              bias as tf.Tensor1D,
            ),
            weights,
          ),
        );
      const plain = (xx: tf.Tensor, g: tf.Tensor, bb: tf.Tensor, ww: tf.Tensor, bias: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, -1, true);
        const n = tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-12))), g), bb);
        return tf.sum(tf.mul(tf.add(tf.matMul(n, ww), bias), weights));
      };
      const ga = tf.grads(ours)([x, gamma, beta, w, b]);
      const gb = tf.grads(plain)([x, gamma, beta, w, b]);
      ga.forEach((g, i) => {
        const d = tf.max(tf.abs(tf.sub(g, gb[i]))).dataSync()[0];
        assert.ok(d < 1e-4, `input ${i}: gradient differs by ${d}`);
      });
      assert.ok(Math.abs(ours(x, gamma, beta, w, b).dataSync()[0] - plain(x, gamma, beta, w, b).dataSync()[0]) < 1e-3);
    },
  );

  test(
    `batchMatMul's gradients and matMulT equal tfjs autodiff of plain products, no leaks (${tier.name})`,
    { skip: tier.skip },
    async () => {
      await initBackend(tier.name, { quiet: true });
      const q = tf.randomNormal([2, 3, 5, 4], 0, 1, "float32", 11) as tf.Tensor4D;
      const k = tf.randomNormal([2, 3, 4, 5], 0, 1, "float32", 12) as tf.Tensor4D;
      const wts = tf.randomNormal([2, 3, 5, 5], 0, 1, "float32", 13);
      const before = tf.memory().numTensors;
      const ga = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(batchMatMul(a as tf.Tensor4D, b as tf.Tensor4D), wts)),
      )([q, k]);
      const gb = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), wts)))([q, k]);
      ga.forEach((g, i) =>
        assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(g, gb[i]))).dataSync()[0]) < 1e-5, `input ${i}`),
      );
      tf.dispose([...ga, ...gb]);
      const s1 = tf.randomNormal([2, 3, 4, 4], 0, 1, "float32", 14);
      const s2 = tf.randomNormal([2, 3, 4, 4], 0, 1, "float32", 15);
      for (const [ta, tb] of [
        [false, true],
        [true, false],
        [true, true],
      ] as const) {
        const d = tf.tidy(
          () => tf.max(tf.abs(tf.sub(matMulT(s1, s2, ta, tb), tf.matMul(s1, s2, ta, tb)))).dataSync()[0],
        );
        assert.ok(d < 1e-5, `matMulT ${ta}/${tb} differs by ${d}`);
      }
      tf.dispose([s1, s2]);
      assert.equal(tf.memory().numTensors, before, "no tensors leak");
      tf.dispose([q, k, wts]);
    },
  );
}

test("loss is torch's CrossEntropyLoss(ignore_index=-100), NaN when every label is ignored", async () => {
  await initBackend("wasm", { quiet: true });
  const logits = tf.tensor3d([
    [
      [1, 2, 0.5],
      [0, 0, 0],
      [3, -1, 2],
    ],
  ]);
  const labels = tf.tensor2d([[1, -100, 0]], undefined, "int32");
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const expected = (lse([1, 2, 0.5]) - 2 + (lse([3, -1, 2]) - 3)) / 2;
  assert.ok(Math.abs(tokenClassificationLoss(logits, labels).dataSync()[0] - expected) < 1e-6);
  const none = tf.tensor2d([[-100, -100, -100]], undefined, "int32");
  assert.ok(Number.isNaN(tokenClassificationLoss(logits, none).dataSync()[0]));
});

for (const tier of parityTiers()) {
  test(
    `the loss's own gradient is (softmax − one-hot) / count over non-ignored positions (${tier.name})`,
    { skip: tier.skip },
    async () => {
      await initBackend(tier.name, { quiet: true });
      const rows = [
        [1, 2, 0.5],
        [0, 0, 0],
        [3, -1, 2],
        [-2, 0.5, 4],
      ];
      const logits = tf.tensor3d([rows]);
      const labels = tf.tensor2d([[1, -100, 0, 2]], undefined, "int32");
      const before = tf.memory().numTensors;
      const g = tf
        .grad((x: tf.Tensor) => tokenClassificationLoss(x as tf.Tensor3D, labels))(logits)
        .dataSync();
      assert.equal(tf.memory().numTensors, before + 1, "only the gradient survives");
      const want = rows.flatMap((r, i) => {
        const label = [1, -100, 0, 2][i];
        if (label === -100) return r.map(() => 0);
        const z = r.reduce((s, v) => s + Math.exp(v), 0);
        return r.map((v, j) => (Math.exp(v) / z - (j === label ? 1 : 0)) / 3);
      });
      want.forEach((w, i) => assert.ok(Math.abs(g[i] - w) < 1e-6, `dlogits[${i}] = ${g[i]} vs ${w}`));
      tf.dispose([logits, labels]);
    },
  );
}

test("dropout masks are reproducible from the seed and keep the expected fraction", () => {
  const dropoutMask = (n: number, rate: number, seed: number) => {
    const out = new Float32Array(n);
    fillDropoutMask(out, rate, seed);
    return out;
  };
  const a = dropoutMask(100000, 0.1, 5);
  assert.deepEqual(a, dropoutMask(100000, 0.1, 5));
  assert.notDeepEqual(a, dropoutMask(100000, 0.1, 6));
  const kept = a.filter((v) => v !== 0);
  assert.ok(Math.abs(kept.length / a.length - 0.9) < 0.005, `kept ${kept.length}`);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.9) < 1e-6));
  assert.equal(new DropoutContext(undefined).active, false);
});

for (const tier of parityTiers()) {
  test(
    `training mode: dropout changes logits, same dropoutSeed gives the same loss and gradients (${tier.name})`,
    { skip: tier.skip },
    async () => {
      await initBackend(tier.name, { quiet: true });
      const cfg = configFromHf(
        defaultHfConfig("bert", {
          vocab_size: 40,
          hidden_size: 16,
          num_hidden_layers: 2,
          num_attention_heads: 4,
          intermediate_size: 32,
        }),
        { numLabels: 4 },
      );
      const model = randomInit(cfg, 3);
      const batch = {
        inputIds: tf.tensor2d(
          [
            [2, 5, 9, 3, 0],
            [2, 7, 3, 0, 0],
          ],
          undefined,
          "int32",
        ),
        attentionMask: tf.tensor2d(
          [
            [1, 1, 1, 1, 0],
            [1, 1, 1, 0, 0],
          ],
          undefined,
          "int32",
        ),
        labels: tf.tensor2d(
          [
            [-100, 1, 2, -100, -100],
            [-100, 3, -100, -100, -100],
          ],
          undefined,
          "int32",
        ),
      };
      const evalLogits = model.forward(batch);
      const before = tf.memory().numTensors;
      const r1 = computeLossAndGrads(model, batch, { training: true, dropoutSeed: 99 });
      const r2 = computeLossAndGrads(model, batch, { training: true, dropoutSeed: 99 });
      const r3 = computeLossAndGrads(model, batch, { training: true, dropoutSeed: 100 });
      const r0 = computeLossAndGrads(model, batch, { training: false });
      assert.equal(r1.loss, r2.loss);
      assert.notEqual(r1.loss, r3.loss);
      assert.notEqual(r1.loss, r0.loss);
      for (const [k, g] of r1.grads) assert.deepEqual(g.dataSync(), r2.grads.get(k)!.dataSync(), k);
      // The padding row of the word embeddings never gets a gradient (torch padding_idx).
      const wg = r1.grads.get("bert.embeddings.word_embeddings.weight")!.arraySync() as number[][];
      assert.ok(wg[0].every((v) => v === 0));
      assert.ok(wg[5].some((v) => v !== 0));
      for (const r of [r0, r1, r2, r3]) for (const g of r.grads.values()) g.dispose();
      assert.equal(tf.memory().numTensors, before, "no tensors leak from forward+backward");
      const again = model.forward(batch);
      assert.deepEqual(again.dataSync(), evalLogits.dataSync(), "eval mode is deterministic");
      model.dispose();
    },
  );
}

/** Training-mode loss and gradients (dropout seed 7) of a small model, with layer checkpointing on or off. */
function trainingRun(type: "bert" | "distilbert", checkpointing: boolean) {
  const cfg = configFromHf(
    defaultHfConfig(
      type,
      type === "bert"
        ? { vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32 }
        : { vocab_size: 40, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 32 },
    ),
    { numLabels: 4 },
  );
  const model = randomInit(cfg, 5);
  model.gradientCheckpointing = checkpointing;
  const batch = {
    inputIds: tf.tensor2d(
      [
        [2, 5, 9, 3, 0, 0],
        [2, 7, 3, 11, 12, 4],
      ],
      undefined,
      "int32",
    ),
    attentionMask: tf.tensor2d(
      [
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
      ],
      undefined,
      "int32",
    ),
    labels: tf.tensor2d(
      [
        [-100, 1, 2, -100, -100, -100],
        [-100, 3, 0, 1, 2, -100],
      ],
      undefined,
      "int32",
    ),
  };
  const { loss, grads } = computeLossAndGrads(model, batch, { training: true, dropoutSeed: 7 });
  const out = { loss, grads: new Map([...grads].map(([k, g]) => [k, Array.from(g.dataSync())])) };
  tf.dispose([...grads.values(), ...Object.values(batch)]);
  model.dispose();
  return out;
}

for (const type of ["bert", "distilbert"] as const) {
  const title =
    `training mode with dropout: wasm+blas (fused ops) and wasm equal ` + `cpu, checkpointed layers equal plain ones`;
  test(`${title} (${type})`, async () => {
    const runs = new Map<string, ReturnType<typeof trainingRun>>();
    for (const tier of parityTiers()) {
      if (tier.skip) continue;
      await initBackend(tier.name, { quiet: true });
      const before = tf.memory().numTensors;
      runs.set(tier.name, trainingRun(type, false));
      const ckpt = trainingRun(type, true);
      assert.equal(tf.memory().numTensors, before, `${tier.name}: no tensors leak`);
      const plain = runs.get(tier.name)!;
      // Recomputation replays the same masks and ops: identical numbers on each tier.
      assert.equal(ckpt.loss, plain.loss, `${tier.name}: checkpointed loss`);
      for (const [k, g] of plain.grads) assert.deepEqual(ckpt.grads.get(k), g, `${tier.name}: checkpointed ${k}`);
    }
    // The same seed draws the same masks on every tier: losses and gradients agree across tiers.
    const ref = runs.get("cpu")!;
    for (const [name, r] of runs) {
      assert.ok(Math.abs(r.loss - ref.loss) <= 1e-5 * Math.abs(ref.loss), `${name}: loss ${r.loss} vs cpu ${ref.loss}`);
      for (const [k, g] of ref.grads) {
        const ours = r.grads.get(k)!;
        const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
        const diff = norm(g.map((x, i) => x - ours[i]));
        assert.ok(
          diff <= 1e-3 * norm(g) + 1e-6,
          `${name} ${k}: gradient differs from cpu's by ${diff} (norm ${norm(g)})`,
        );
      }
    }
  });
}

test("embeddingLookup gradient scatters rows and skips the padding index", async () => {
  await initBackend("wasm", { quiet: true });
  const table = tf.tensor2d([
    [1, 1],
    [2, 2],
    [3, 3],
  ]);
  const ids = tf.tensor1d([2, 0, 2, 1], "int32");
  const dy = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
  ]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(t as tf.Tensor2D, ids, 0), dy)))(table);
  assert.deepEqual(g.arraySync(), [
    [0, 0],
    [7, 8],
    [6, 8],
  ]);
  assert.deepEqual(embeddingLookup(table, ids).arraySync(), [
    [3, 3],
    [1, 1],
    [3, 3],
    [2, 2],
  ]);
});
