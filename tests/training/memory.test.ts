// Memory behaviour of training (issue #11 part 2, #13.1): the fused in-place AdamW equals the op-by-op
// one bit for bit and never writes into a buffer another live tensor shares; the lean backward pass
// and layer checkpointing give the same gradients as tfjs's own; peak bytes of one step stay under a
// bound derived from the parameters and the activations; nothing is left after train → dispose.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { bufferRefCount } from "../../src/backend/adamw-kernel";
import { heapMemoryBytes, peakMemoryBytes, resetPeakMemory } from "../../src/backend/memory";
import { configFromHf, defaultHfConfig, randomInit, tokenClassificationLoss } from "../../src/models";
import type { EncoderForTokenClassification } from "../../src/models/base";
import { leanGradients } from "../../src/backend/autograd";
import { computeLossAndGrads } from "../../src/models/grads";
import { layerActivationBytes } from "../../src/models/recompute";
import { AdamW } from "../../src/training/adamw";
import { trainingStep } from "../../src/training/step";
import { Trainer } from "../../src/training/trainer";
import { Rng } from "../../src/util/random";
import { toyFeatures } from "./toy-model";

const LABELS = { id2label: { 0: "O", 1: "B-X", 2: "I-X" } };

function smallModel(
  type: "bert" | "distilbert",
  size: { hidden: number; layers: number; heads: number; inter: number },
  seed = 3,
): EncoderForTokenClassification {
  const raw =
    type === "bert"
      ? defaultHfConfig("bert", {
          vocab_size: 64,
          hidden_size: size.hidden,
          num_hidden_layers: size.layers,
          num_attention_heads: size.heads,
          intermediate_size: size.inter,
          max_position_embeddings: 128,
        })
      : defaultHfConfig("distilbert", {
          vocab_size: 64,
          dim: size.hidden,
          n_layers: size.layers,
          n_heads: size.heads,
          hidden_dim: size.inter,
          max_position_embeddings: 128,
        });
  return randomInit(configFromHf(raw, LABELS), seed);
}

function randomBatch(batch: number, seq: number, seed: number) {
  const rng = new Rng(seed);
  const ids = Array.from({ length: batch }, () => Array.from({ length: seq }, () => 1 + rng.int(63)));
  // Ragged: the last rows are padded, so the attention bias and -100 labels matter.
  const mask = ids.map((row, b) => row.map((_, s) => (s < seq - b ? 1 : 0)));
  const labels = ids.map((row, b) => row.map((id, s) => (s === 0 || mask[b][s] === 0 ? -100 : id % 3)));
  return {
    inputIds: tf.tensor2d(ids, undefined, "int32"),
    attentionMask: tf.tensor2d(mask, undefined, "int32"),
    labels: tf.tensor2d(labels, undefined, "int32"),
  };
}

function randomTensor(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal() * scale),
    shape,
  );
}

/** Three AdamW steps (with and without weight decay) on random params/grads; final params, m, v. */
function adamwRun(): { params: Float32Array[]; moments: Float32Array[] } {
  const rng = new Rng(11);
  const shapes: [string, number[]][] = [
    ["enc.weight", [7, 5]],
    ["enc.bias", [5]],
    ["LayerNorm.weight", [5]],
  ];
  const params = new Map(
    shapes.map(([n, s]) => {
      const init = randomTensor(s, rng);
      const v = tf.variable(init, true);
      init.dispose();
      return [n, v] as [string, tf.Variable];
    }),
  );
  const opt = new AdamW(params, { lr: 1e-2, weightDecay: 0.1 });
  for (let step = 0; step < 3; step++) {
    const grads = new Map(
      shapes.map(([n, s]) => [n, randomTensor(s, rng, step === 1 ? 1e-7 : 0.3)] as [string, tf.Tensor]),
    );
    opt.step(grads, 1e-2 * (1 - step / 3));
    tf.dispose([...grads.values()]);
  }
  const state = opt.exportState();
  const out = {
    params: [...params.values()].map((v) => v.dataSync() as Float32Array),
    moments: [...state.tensors.values()].map((t) => t.dataSync() as Float32Array),
  };
  tf.dispose([...state.tensors.values()]);
  opt.dispose();
  tf.dispose([...params.values()]);
  return out;
}

test("fused in-place AdamW on wasm equals the op-by-op update on cpu bit for bit", async () => {
  await initBackend("cpu", { quiet: true });
  const cpu = adamwRun();
  await initBackend("wasm", { quiet: true });
  const before = tf.memory().numTensors;
  const wasm = adamwRun();
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(wasm.params, cpu.params);
  assert.deepEqual(wasm.moments, cpu.moments);
});

test("in-place AdamW never writes into a buffer another live tensor shares", async () => {
  await initBackend("wasm", { quiet: true });
  const initial = tf.tensor([1, 2, 3, 4], [2, 2]);
  const param = tf.variable(initial, true); // shares initial's buffer
  assert.equal(bufferRefCount(param), 2);
  const view = tf.reshape(param, [4]); // shares it too
  const opt = new AdamW(new Map([["w", param]]), { lr: 0.1 });
  const g = tf.tensor([0.5, -0.5, 1, -1], [2, 2]);
  opt.step(new Map([["w", g]]));
  const exported = opt.exportState();
  const momentsAfterOne = [...exported.tensors.values()].map((t) => Array.from(t.dataSync()));
  opt.step(new Map([["w", g]]));
  assert.deepEqual(Array.from(initial.dataSync()), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(view.dataSync()), [1, 2, 3, 4]);
  assert.deepEqual(
    [...exported.tensors.values()].map((t) => Array.from(t.dataSync())),
    momentsAfterOne,
  );
  assert.ok(
    param.dataSync().every((x, i) => x !== [1, 2, 3, 4][i]),
    "the parameter itself moved",
  );
  // A resumed optimizer's moments are its own copies, too.
  const resumed = new AdamW(new Map([["w", param]]), { lr: 0.1 });
  resumed.loadState(exported);
  resumed.step(new Map([["w", g]]));
  assert.deepEqual(
    [...exported.tensors.values()].map((t) => Array.from(t.dataSync())),
    momentsAfterOne,
  );
  tf.dispose([initial, view, g, param, ...exported.tensors.values()]);
  opt.dispose();
  resumed.dispose();
});

test("AdamW slots and loadState leave no intermediates behind (#13.1)", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await initBackend(backend, { quiet: true });
    const base = tf.memory();
    const init = tf.zeros([3, 4]);
    const p = tf.variable(init, true);
    init.dispose();
    const afterParam = tf.memory();
    const opt = new AdamW(new Map([["w", p]]));
    const g = tf.ones([3, 4]);
    opt.step(new Map([["w", g]]));
    const state = opt.exportState();
    opt.loadState(state);
    tf.dispose([...state.tensors.values(), g]);
    assert.equal(tf.memory().numTensors, afterParam.numTensors + 2, `${backend}: param + two moments`);
    opt.dispose();
    assert.equal(tf.memory().numTensors, afterParam.numTensors, backend);
    assert.equal(tf.memory().numBytes, afterParam.numBytes, backend);
    p.dispose();
    assert.equal(tf.memory().numTensors, base.numTensors, backend);
    assert.equal(tf.memory().numBytes, base.numBytes, backend);
  }
});

for (const backend of ["cpu", "wasm"]) {
  test(`lean backward pass = tf.variableGrads bit for bit, and frees as it goes (${backend})`, async () => {
    await initBackend(backend, { quiet: true });
    const model = smallModel("bert", { hidden: 16, layers: 2, heads: 2, inter: 32 });
    const batch = randomBatch(3, 9, 5);
    const vars = [...model.namedWeights().values()];
    const loss = () => tokenClassificationLoss(model.forward(batch, { training: true, dropoutSeed: 7 }), batch.labels);
    const ref = tf.variableGrads(loss as () => tf.Scalar, vars);
    const before = tf.memory().numTensors;
    const lean = leanGradients(loss, vars);
    assert.equal(
      tf.memory().numTensors,
      before + 1 + vars.length,
      "only the value and one gradient per variable remain",
    );
    assert.equal(lean.value.dataSync()[0], ref.value.dataSync()[0]);
    vars.forEach((v, i) => assert.deepEqual(lean.grads[i]!.dataSync(), ref.grads[v.name].dataSync(), v.name));
    tf.dispose([
      lean.value,
      ref.value,
      ...lean.grads.filter((g): g is tf.Tensor => g !== undefined),
      ...Object.values(ref.grads),
    ]);
    tf.dispose(Object.values(batch));
    model.dispose();
  });

  for (const type of ["bert", "distilbert"] as const) {
    test(`checkpointed layers give the same loss and gradients, dropout included (${type}, ${backend})`, async () => {
      await initBackend(backend, { quiet: true });
      const model = smallModel(type, { hidden: 16, layers: 3, heads: 2, inter: 32 });
      const batch = randomBatch(3, 9, 6);
      const run = (mode: boolean) => {
        model.gradientCheckpointing = mode;
        const before = tf.memory().numTensors;
        const r = computeLossAndGrads(model, batch, { training: true, dropoutSeed: 1234 });
        assert.equal(tf.memory().numTensors, before + r.grads.size, `checkpointing ${mode}: gradients only`);
        return r;
      };
      const plain = run(false);
      const ckpt = run(true);
      assert.equal(ckpt.loss, plain.loss);
      for (const [name, g] of plain.grads) assert.deepEqual(ckpt.grads.get(name)!.dataSync(), g.dataSync(), name);
      tf.dispose([...plain.grads.values(), ...ckpt.grads.values(), ...Object.values(batch)]);
      model.dispose();
    });
  }
}

test("peak bytes of one update stay under weights×4 + the layers' activations; checkpointing lowers it", async () => {
  await initBackend("wasm", { quiet: true });
  const size = { hidden: 64, layers: 4, heads: 4, inter: 256 };
  const [batch, seq] = [8, 64];
  const model = smallModel("bert", size);
  const paramBytes = 4 * model.numParameters();
  const data = randomBatch(batch, seq, 9);
  const optimizer = new AdamW(model.namedWeights(), { lr: 1e-3, weightDecay: 0.01 });
  const step = async (mode: boolean) => {
    model.gradientCheckpointing = mode;
    const base = tf.memory().numBytes;
    resetPeakMemory();
    await trainingStep({
      model,
      batches: [data],
      optimizer,
      lr: 1e-3,
      maxGradNorm: 1,
      lossFn: tokenClassificationLoss,
      dropoutSeeds: [1],
    });
    return peakMemoryBytes() - base;
  };
  await step(false); // first step allocates the moments
  const plain = await step(false);
  const ckpt = await step(true);
  const layer = layerActivationBytes({ batch, seq, hidden: size.hidden, intermediate: size.inter, heads: size.heads });
  // Above what is allocated between steps (weights, moments, batch): gradients, activations, and transients.
  const logits = 4 * batch * seq * 3 * 8;
  console.log(
    `# peak above baseline: ${plain} B plain, ${ckpt} B checkpointed; params ${paramBytes} B, layer ` +
      `estimate ${layer} B`,
  );
  assert.ok(
    plain < paramBytes + (size.layers + 1.5) * layer + logits,
    `peak ${plain} B vs params ${paramBytes} B, layer estimate ${layer} B`,
  );
  assert.ok(
    plain > size.layers * layer,
    `the estimate is not above what the layers keep (${plain} vs ${layer}×${size.layers})`,
  );
  assert.ok(ckpt < paramBytes + 2.5 * layer + logits, `checkpointed peak ${ckpt} B`);
  assert.ok(ckpt < plain * 0.6, `checkpointing: ${ckpt} B vs ${plain} B`);
  assert.ok((heapMemoryBytes() ?? 0) > 0);
  tf.dispose(Object.values(data));
  optimizer.dispose();
  model.dispose();
});

test("native tier: peak of one update stays under the fused-layer estimate, which is not above what layers keep", async () => {
  await initBackend("wasm+blas", { quiet: true });
  const size = { hidden: 128, layers: 4, heads: 4, inter: 512 };
  const [batch, seq] = [8, 64];
  const model = smallModel("bert", size);
  const paramBytes = 4 * model.numParameters();
  const data = randomBatch(batch, seq, 9);
  const optimizer = new AdamW(model.namedWeights(), { lr: 1e-3, weightDecay: 0.01 });
  const step = async () => {
    model.gradientCheckpointing = false;
    const base = tf.memory().numBytes;
    resetPeakMemory();
    await trainingStep({
      model,
      batches: [data],
      optimizer,
      lr: 1e-3,
      maxGradNorm: 1,
      lossFn: tokenClassificationLoss,
      dropoutSeeds: [1],
    });
    return peakMemoryBytes() - base;
  };
  await step(); // first step allocates the moments
  const plain = await step();
  const shape = { batch, seq, hidden: size.hidden, intermediate: size.inter, heads: size.heads };
  const fused = layerActivationBytes(shape, true);
  const logits = 4 * batch * seq * 3 * 8;
  console.log(`# native peak above baseline: ${plain} B; params ${paramBytes} B, fused layer estimate ${fused} B`);
  assert.ok(plain < paramBytes + (size.layers + 1) * fused + logits, `peak ${plain} B vs fused estimate ${fused} B`);
  assert.ok(plain > paramBytes + 0.5 * size.layers * fused, `the fused estimate is far above what layers keep`);
  assert.ok(fused < 0.6 * layerActivationBytes(shape), "the fused tier keeps less than composed ops");
  tf.dispose(Object.values(data));
  optimizer.dispose();
  model.dispose();
});

test("tensor count and bytes return to baseline after train → dispose, including a resume (#13.1)", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await initBackend(backend, { quiet: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-memory-"));
    const baseline = tf.memory();
    const args = {
      progress: "none" as const,
      outputDir: dir,
      learningRate: 0.01,
      perDeviceTrainBatchSize: 4,
      numTrainEpochs: 3,
      saveStrategy: "epoch" as const,
      weightDecay: 0.01,
    };
    const model = smallModel("bert", { hidden: 16, layers: 1, heads: 2, inter: 32 });
    const withModel = tf.memory();
    const trainer = new Trainer({ model, args, trainDataset: toyFeatures(16) });
    await trainer.train();
    trainer.dispose();
    assert.equal(tf.memory().numTensors, withModel.numTensors, `${backend}: after train + dispose`);
    assert.equal(tf.memory().numBytes, withModel.numBytes, backend);
    model.dispose();
    // Interrupted after epoch 1's checkpoint, then resumed into a fresh model and Trainer.
    const dirB = fs.mkdtempSync(path.join(os.tmpdir(), "ner-memory-"));
    const stopped = smallModel("bert", { hidden: 16, layers: 1, heads: 2, inter: 32 });
    const interrupted = new Trainer({
      model: stopped,
      args: { ...args, outputDir: dirB },
      trainDataset: toyFeatures(16),
      callbacks: [
        {
          onStepEnd: (st) => {
            if (st.globalStep === 6) throw new Error("power cut");
          },
        },
      ],
    });
    await assert.rejects(interrupted.train(), /power cut/);
    interrupted.dispose();
    stopped.dispose();
    const resumedModel = smallModel("bert", { hidden: 16, layers: 1, heads: 2, inter: 32 }, 9);
    const resumed = new Trainer({
      model: resumedModel,
      args: { ...args, outputDir: dirB },
      trainDataset: toyFeatures(16),
    });
    const out = await resumed.train({ resumeFromCheckpoint: true });
    assert.equal(out.globalStep, 12);
    resumed.dispose();
    resumedModel.dispose();
    assert.equal(tf.memory().numTensors, baseline.numTensors, `${backend}: after resume + dispose`);
    assert.equal(tf.memory().numBytes, baseline.numBytes, backend);
    for (const d of [dir, dirB]) fs.rmSync(d, { recursive: true, force: true });
  }
});
