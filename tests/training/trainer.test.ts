import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Trainer, NonFiniteLossError } from "../../src/training/trainer";
import {
  latestCheckpoint,
  listCheckpoints,
  loadModelWeights,
  saveCheckpoint,
  readTrainerState,
} from "../../src/training/checkpoint";
import { AdamW } from "../../src/training/adamw";
import { tokenClassificationLoss } from "../../src/models/loss";
import { ToyModel, toyFeatures, toyMetrics, weightsOf } from "./toy-model";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-trainer-"));
const quiet = { progress: "none" as const };

test("loss decreases and eval f1 improves on a tiny corpus", async () => {
  await tf.setBackend("cpu");
  const model = new ToyModel(3);
  const trainer = new Trainer({
    model,
    args: {
      ...quiet,
      learningRate: 0.05,
      perDeviceTrainBatchSize: 8,
      numTrainEpochs: 4,
      loggingSteps: 4,
      evalStrategy: "epoch",
      saveStrategy: "no",
      weightDecay: 0.01,
    },
    trainDataset: toyFeatures(64),
    evalDataset: toyFeatures(32, 99),
    computeMetrics: toyMetrics,
  });
  const before = await trainer.evaluate();
  const out = await trainer.train();
  const losses = trainer.state.logHistory.filter((e) => e.loss !== undefined).map((e) => e.loss);
  assert.equal(out.globalStep, 32);
  assert.ok(losses.length >= 5);
  assert.ok(losses[losses.length - 1] < losses[0] * 0.7, `losses ${losses}`);
  const evals = trainer.state.logHistory.filter((e) => e.eval_f1 !== undefined);
  assert.equal(evals.length, 4); // train() starts a fresh log history, as in HF
  assert.ok(evals[evals.length - 1].eval_f1 > before.eval_f1);
  assert.equal(trainer.state.epochRows.length, 4);
  assert.deepEqual(
    trainer.state.epochRows.map((r) => r.epoch),
    [1, 2, 3, 4],
  );
  // Each log names the rate its step used (HF 5.x logs it before the scheduler advances): linear decay, no warmup.
  const logged = trainer.state.logHistory.filter((e) => e.learning_rate !== undefined);
  for (const e of logged) {
    const used = 0.05 * (1 - (e.step - 1) / trainer.state.maxSteps);
    assert.ok(Math.abs(e.learning_rate - used) < 1e-12, `lr ${e.learning_rate} at step ${e.step}, expected ${used}`);
  }
  const final = trainer.state.logHistory[trainer.state.logHistory.length - 1];
  assert.ok(final.train_runtime > 0 && final.train_tokens_per_second > 0 && final.train_loss > 0);
  trainer.dispose();
  model.dispose();
});

test("tensor count is stable across training steps", async () => {
  await tf.setBackend("cpu");
  const model = new ToyModel(4);
  const counts: number[] = [];
  const trainer = new Trainer({
    model,
    args: {
      ...quiet,
      learningRate: 0.01,
      perDeviceTrainBatchSize: 4,
      numTrainEpochs: 1,
      gradientAccumulationSteps: 2,
      saveStrategy: "no",
    },
    trainDataset: toyFeatures(40),
    callbacks: [{ onStepEnd: () => void counts.push(tf.memory().numTensors) }],
  });
  await trainer.train();
  assert.equal(counts.length, 5);
  assert.ok(
    counts.slice(1).every((c) => c === counts[1]),
    `tensor counts ${counts}`,
  );
  trainer.dispose();
  model.dispose();
});

test("resume from a checkpoint gives the same final weights as an uninterrupted run", async () => {
  await tf.setBackend("cpu");
  const data = toyFeatures(30);
  const args = {
    ...quiet,
    learningRate: 0.02,
    perDeviceTrainBatchSize: 4,
    numTrainEpochs: 3,
    weightDecay: 0.01,
    warmupRatio: 0.1,
    loggingSteps: 3,
    saveStrategy: "steps" as const,
    saveSteps: 5,
  };

  const dirA = tmp();
  const a = new ToyModel(5);
  await new Trainer({ model: a, args: { ...args, outputDir: dirA }, trainDataset: data }).train();

  // Interrupted run: stop after step 13 (by throwing from a callback), then resume from the latest checkpoint (10).
  const dirB = tmp();
  const b = new ToyModel(5);
  const interrupted = new Trainer({
    model: b,
    args: { ...args, outputDir: dirB },
    trainDataset: data,
    callbacks: [
      {
        onStepEnd: (s) => {
          if (s.globalStep === 13) throw new Error("power cut");
        },
      },
    ],
  });
  await assert.rejects(interrupted.train(), /power cut/);
  assert.equal(path.basename(latestCheckpoint(dirB)!), "checkpoint-10");
  const c = new ToyModel(77); // different init: everything must come from the checkpoint
  const resumed = new Trainer({ model: c, args: { ...args, outputDir: dirB }, trainDataset: data });
  const out = await resumed.train({ resumeFromCheckpoint: true });
  assert.equal(out.globalStep, 24);
  assert.deepEqual(weightsOf(c), weightsOf(a));
  const logA = readTrainerState(latestCheckpoint(dirA)!).log_history.filter((e) => e.loss !== undefined);
  const logC = readTrainerState(latestCheckpoint(dirB)!).log_history.filter((e) => e.loss !== undefined);
  assert.deepEqual(logC, logA);
  for (const m of [a, b, c]) m.dispose();
});

test("an interrupted checkpoint write leaves the previous checkpoint loadable", async () => {
  await tf.setBackend("cpu");
  const dir = tmp();
  const model = new ToyModel(6);
  const trainer = new Trainer({
    model,
    args: {
      ...quiet,
      outputDir: dir,
      learningRate: 0.01,
      perDeviceTrainBatchSize: 8,
      numTrainEpochs: 1,
      saveStrategy: "epoch",
    },
    trainDataset: toyFeatures(16),
  });
  await trainer.train();
  const good = latestCheckpoint(dir)!;
  const goodWeights = weightsOf(model);
  // A model whose save dies half-way through writing its weights.
  const broken = Object.create(model) as ToyModel;
  broken.savePretrained = async (d: string) => {
    fs.writeFileSync(path.join(d, "model.safetensors"), "partial");
    throw new Error("disk full");
  };
  const opt = new AdamW(model.namedWeights());
  await assert.rejects(
    saveCheckpoint(path.join(dir, "checkpoint-99"), {
      model: broken,
      optimizer: opt,
      state: readTrainerState(good),
      rng: { data: [1, 2, 3, 4], dropout: [1, 2, 3, 4] },
      trainingArgs: {},
    }),
    /disk full/,
  );
  // A leftover temporary directory (as after a kill -9) is not a checkpoint either.
  fs.mkdirSync(path.join(dir, ".checkpoint-100.tmp-1-2"));
  fs.writeFileSync(path.join(dir, ".checkpoint-100.tmp-1-2", "model.safetensors"), "partial");
  assert.deepEqual(listCheckpoints(dir), [good]);
  const fresh = new ToyModel(8);
  loadModelWeights(fresh, latestCheckpoint(dir)!);
  assert.deepEqual(weightsOf(fresh), goodWeights);
  for (const m of [model, fresh]) m.dispose();
  opt.dispose();
});

test("a NaN loss stops the run with a clear message and keeps the last good checkpoint", async () => {
  await tf.setBackend("cpu");
  const dir = tmp();
  const model = new ToyModel(9);
  let calls = 0;
  const trainer = new Trainer({
    model,
    args: {
      ...quiet,
      outputDir: dir,
      learningRate: 0.01,
      perDeviceTrainBatchSize: 8,
      numTrainEpochs: 3,
      saveStrategy: "epoch",
    },
    trainDataset: toyFeatures(16),
    // Poison the loss from the 5th update on (epoch 3).
    lossFn: (logits, labels) =>
      tf.tidy(() => {
        const ce = tokenClassificationLoss(logits, labels);
        return ++calls >= 5 ? (ce.mul(tf.scalar(NaN)) as tf.Scalar) : ce;
      }),
  });
  const err = await trainer.train().then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof NonFiniteLossError);
  assert.match(err.message, /loss is NaN at step 5 .*last good checkpoint is .*checkpoint-4/);
  const w = weightsOf(model);
  assert.ok(Object.values(w).every((xs) => xs.every(Number.isFinite)));
  const fresh = new ToyModel(10);
  loadModelWeights(fresh, latestCheckpoint(dir)!);
  assert.equal(path.basename(latestCheckpoint(dir)!), "checkpoint-4");
  trainer.dispose();
  model.dispose();
  fresh.dispose();
});

test("load best model at end restores the best checkpoint; early stopping ends the run", async () => {
  await tf.setBackend("cpu");
  const dir = tmp();
  const model = new ToyModel(11);
  // Eval metric that peaks at the second evaluation, then gets worse.
  const scores = [0.5, 0.9, 0.6, 0.4, 0.3, 0.2];
  let evals = 0;
  const trainer = new Trainer({
    model,
    args: {
      ...quiet,
      outputDir: dir,
      learningRate: 0.01,
      perDeviceTrainBatchSize: 8,
      numTrainEpochs: 6,
      evalStrategy: "epoch",
      saveStrategy: "epoch",
      loadBestModelAtEnd: true,
      metricForBestModel: "f1",
      earlyStoppingPatience: 2,
      saveTotalLimit: 1,
    },
    trainDataset: toyFeatures(16),
    evalDataset: toyFeatures(8, 3),
    computeMetrics: () => ({ f1: scores[evals++] }),
  });
  await trainer.train();
  assert.equal(evals, 4, "stopped after two evaluations without improvement");
  assert.equal(trainer.state.bestMetric, 0.9);
  assert.equal(path.basename(trainer.state.bestModelCheckpoint!), "checkpoint-4");
  // saveTotalLimit 1 keeps the newest and the best.
  assert.deepEqual(
    listCheckpoints(dir).map((d) => path.basename(d)),
    ["checkpoint-4", "checkpoint-8"],
  );
  const best = new ToyModel(12);
  loadModelWeights(best, trainer.state.bestModelCheckpoint!);
  assert.deepEqual(weightsOf(model), weightsOf(best));
  trainer.dispose();
  model.dispose();
  best.dispose();
});

test("predict returns per-example logits, label ids and test_ metrics", async () => {
  await tf.setBackend("cpu");
  const model = new ToyModel(13);
  const data = toyFeatures(5);
  const trainer = new Trainer({ model, args: { ...quiet, perDeviceEvalBatchSize: 2 }, computeMetrics: toyMetrics });
  const out = await trainer.predict(data);
  assert.equal(out.predictions.length, 5);
  data.forEach((f, i) => {
    assert.equal(out.predictions[i].length, f.inputIds.length);
    assert.equal(out.predictions[i][0].length, 3);
    assert.deepEqual(out.labelIds[i], f.labels);
  });
  assert.ok(out.metrics.test_loss > 0);
  assert.ok(out.metrics.test_accuracy >= 0 && out.metrics.test_accuracy <= 1);
  model.dispose();
});
