// The resume forms (true / "auto" / a path) and the model save as one atomic step.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Trainer } from "../../src/training/trainer";
import { latestCheckpoint, listCheckpoints, recoverOutputDir, rotateCheckpoints } from "../../src/training/checkpoint";
import { ToyModel, toyFeatures, weightsOf } from "./toy-model";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-resume-"));
const args = { progress: "none" as const, learningRate: 0.02, perDeviceTrainBatchSize: 4, numTrainEpochs: 1, saveStrategy: "steps" as const, saveSteps: 2 };

test("resumeFromCheckpoint: true without a checkpoint is an error (as HF), \"auto\" starts fresh, a path must be a complete checkpoint", async () => {
  await tf.setBackend("cpu");
  const dir = tmp();
  const model = new ToyModel(21);
  const trainer = new Trainer({ model, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
  await assert.rejects(trainer.train({ resumeFromCheckpoint: true }), /^Error: No valid checkpoint found in output directory \(.*\); use resumeFromCheckpoint "auto"/);

  const out = await trainer.train({ resumeFromCheckpoint: "auto" });
  assert.equal(out.globalStep, 4, "auto with nothing to resume trains from step 0");
  assert.equal(path.basename(latestCheckpoint(dir)!), "checkpoint-4");

  // "auto" with a checkpoint resumes from it (here: the end, so no step is trained again).
  const againModel = new ToyModel(22);
  const again = new Trainer({ model: againModel, args: { ...args, outputDir: dir, resumeFromCheckpoint: "auto" }, trainDataset: toyFeatures(16) });
  assert.equal((await again.train()).globalStep, 4);
  assert.deepEqual(weightsOf(againModel), weightsOf(model));

  // A checkpoint directory missing a file is refused, naming what is missing.
  const broken = path.join(dir, "checkpoint-2");
  fs.rmSync(path.join(broken, "optimizer.safetensors"));
  await assert.rejects(trainer.train({ resumeFromCheckpoint: broken }), new RegExp(`checkpoint-2: not a complete checkpoint \\(missing optimizer\\.safetensors\\)`));
  assert.deepEqual(listCheckpoints(dir).map((d) => path.basename(d)), ["checkpoint-4"], "an incomplete checkpoint does not count");
  await assert.rejects(trainer.train({ resumeFromCheckpoint: path.join(dir, "nope") }), /nope: no such checkpoint directory/);
  for (const t of [trainer, again]) t.dispose();
  for (const m of [model, againModel]) m.dispose();
});

test("saveModel swaps in a complete directory: checkpoints and other files stay, stale model files go, leftovers are cleaned", async () => {
  await tf.setBackend("cpu");
  const dir = tmp();
  const model = new ToyModel(23);
  const trainer = new Trainer({ model, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
  await trainer.train();
  fs.writeFileSync(path.join(dir, "predictions-test.conll"), "a O O\n");
  fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "stale weights of an earlier model");
  fs.mkdirSync(path.join(dir, ".save-123"));
  await trainer.saveModel(dir, { files: { "run_card.json": "{}\n" } });
  const names = fs.readdirSync(dir).sort();
  assert.deepEqual(names, ["checkpoint-2", "checkpoint-4", "config.json", "model.safetensors", "predictions-test.conll", "run_card.json", "training_args.json"]);
  assert.equal(fs.readFileSync(path.join(dir, "predictions-test.conll"), "utf8"), "a O O\n");
  assert.deepEqual(fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(`.${path.basename(dir)}.`)), [], "no temporary sibling left");
  const fresh = new ToyModel(24);
  const resumed = new Trainer({ model: fresh, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
  await resumed.train({ resumeFromCheckpoint: true });
  assert.deepEqual(weightsOf(fresh), weightsOf(model), "checkpoints carried over by the save still resume");
  for (const t of [trainer, resumed]) t.dispose();
  for (const m of [model, fresh]) m.dispose();
});

test("a kill between the two renames of a save is repaired at the next start; rotation renames before deleting", async () => {
  const parent = tmp();
  const out = path.join(parent, "run");
  // State after such a kill: the old directory and the new complete one both renamed aside, no `run`.
  const old = path.join(parent, ".run.tmp-1-1-old");
  const fresh = path.join(parent, ".run.tmp-1-2-new");
  for (const [d, text] of [[old, "old"], [fresh, "new"]] as const) {
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, "config.json"), text);
  }
  fs.writeFileSync(path.join(old, "training_args.json"), "{}");
  const later = new Date(Date.now() + 5000);
  fs.writeFileSync(path.join(fresh, "training_args.json"), "{}");
  fs.utimesSync(path.join(fresh, "training_args.json"), later, later);
  recoverOutputDir(out);
  assert.equal(fs.readFileSync(path.join(out, "config.json"), "utf8"), "new", "the newer complete save is put back");
  assert.deepEqual(fs.readdirSync(parent), ["run"]);

  // A half-written temporary (no marker) is never put back.
  fs.renameSync(out, fresh);
  fs.rmSync(path.join(fresh, "training_args.json"));
  recoverOutputDir(out);
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(parent), []);

  // Rotation: deleted checkpoints leave no directory under a checkpoint-<n> name at any moment.
  fs.mkdirSync(out);
  for (const step of [1, 2, 3]) {
    const d = path.join(out, `checkpoint-${step}`);
    fs.mkdirSync(d);
    for (const f of ["config.json", "model.safetensors", "optimizer.safetensors", "rng_state.json", "trainer_state.json"]) fs.writeFileSync(path.join(d, f), "x");
  }
  const renamed: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const nodeFs = require("fs") as { renameSync: typeof fs.renameSync };
  const realRename = nodeFs.renameSync;
  nodeFs.renameSync = (a, b) => {
    renamed.push(`${path.basename(String(a))} -> ${path.basename(String(b)).replace(/-\d+-\d+$/, "")}`);
    realRename(a, b);
  };
  try {
    rotateCheckpoints(out, 1, null);
  } finally {
    nodeFs.renameSync = realRename;
  }
  assert.deepEqual(renamed, ["checkpoint-1 -> .checkpoint-1.deleted", "checkpoint-2 -> .checkpoint-2.deleted"]);
  assert.deepEqual(fs.readdirSync(out), ["checkpoint-3"]);
});
