import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "stream";
import * as tf from "@tensorflow/tfjs";
import {
  LineProgress,
  NotebookProgress,
  formatDuration,
  formatEpochTable,
  resolveProgressMode,
  tslabIfRunning,
} from "../../src/training/progress";
import { Trainer } from "../../src/training/trainer";
import { ToyModel, toyFeatures, toyMetrics } from "./toy-model";

test("epoch table has the tutorials' columns and 'No log' for missing values", () => {
  const text = formatEpochTable([
    { epoch: 1, trainingLoss: null, validationLoss: 0.5, precision: 0.7, recall: 0.6, f1: 0.65, accuracy: 0.9 },
  ]);
  const [header, row] = text.split("\n");
  assert.deepEqual(header.trim().split(/\s{2,}/), [
    "Epoch",
    "Training Loss",
    "Validation Loss",
    "Precision",
    "Recall",
    "F1",
    "Accuracy",
  ]);
  assert.deepEqual(row.trim().split(/\s+/), ["1", "No", "log", "0.5000", "0.7000", "0.6000", "0.6500", "0.9000"]);
  assert.equal(formatDuration(65), "1m05s");
  assert.equal(formatDuration(3700), "1h01m");
});

test("outside tslab, auto progress is a bar on a TTY or plain lines", () => {
  assert.equal(tslabIfRunning(), null);
  assert.equal(resolveProgressMode("auto"), process.stderr.isTTY ? "bar" : "lines");
  assert.equal(resolveProgressMode("none"), "none");
});

test("line and notebook progress report steps, losses and the epoch table during training", async () => {
  await tf.setBackend("cpu");
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d) => (text += d));
  const html: string[] = [];
  const model = new ToyModel(21);
  const trainer = new Trainer({
    model,
    args: {
      progress: "none",
      learningRate: 0.05,
      perDeviceTrainBatchSize: 8,
      numTrainEpochs: 2,
      loggingSteps: 2,
      evalStrategy: "epoch",
      saveStrategy: "no",
    },
    trainDataset: toyFeatures(32),
    evalDataset: toyFeatures(8, 5),
    computeMetrics: toyMetrics,
    callbacks: [
      new LineProgress(stream),
      new NotebookProgress({ html: (s) => html.push(s), text: () => undefined }, 0),
    ],
  });
  await trainer.train();
  assert.match(text, /training: 8 steps/);
  assert.match(text, /step 2\/8 {2}epoch 0\.50 {2}loss \d\.\d{4} {2}lr \d\.\d{2}e-\d+ /);
  assert.match(text, /eval {2}step 4 {2}epoch 1\.00 {2}loss \d\.\d{4} {2}f1 /);
  assert.match(text, /Epoch +Training Loss +Validation Loss/);
  const last = html[html.length - 1];
  assert.match(last, /<progress value="8" max="8"/);
  assert.equal((last.match(/<tr><td/g) ?? []).length, 2);
  assert.ok(html.length >= 8);
  model.dispose();
});
