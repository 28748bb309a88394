// What a resume checks (issue 18 items 6 and 17): a tampered or mismatched checkpoint is refused
// in one line naming the reason, before any weight is loaded, in well under 5 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Trainer } from "../../src/training/trainer";
import { readTrainerState } from "../../src/training/checkpoint";
import type { TrainingFeature } from "../../src/training/types";
import { ToyModel, toyFeatures, weightsOf } from "./toy-model";

/** 16 examples, batch 4, 2 epochs: 8 updates, a checkpoint after each. */
const args = {
  progress: "none" as const,
  learningRate: 0.02,
  perDeviceTrainBatchSize: 4,
  numTrainEpochs: 2,
  saveStrategy: "steps" as const,
  saveSteps: 1,
};

let source: string;

/** One run whose checkpoints every case copies and tampers with. */
async function checkpoints(): Promise<string> {
  if (source) return source;
  await tf.setBackend("cpu");
  source = fs.mkdtempSync(path.join(os.tmpdir(), "ner-resume-checks-"));
  const model = new ToyModel(31);
  const trainer = new Trainer({ model, args: { ...args, outputDir: source }, trainDataset: toyFeatures(16) });
  await trainer.train();
  trainer.dispose();
  model.dispose();
  return source;
}

/** A copy of checkpoint-`step`, with `tamper` applied to it. */
async function tampered(step: number, tamper: (dir: string) => void): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ner-tampered-")), `checkpoint-${step}`);
  fs.cpSync(path.join(await checkpoints(), `checkpoint-${step}`), dir, { recursive: true });
  tamper(dir);
  return dir;
}

function editState(dir: string, edit: (s: Record<string, any>) => void): void {
  const file = path.join(dir, "trainer_state.json");
  const state = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(state);
  fs.writeFileSync(file, JSON.stringify(state));
}

/** Resuming `dir` must be refused, in one line matching `re`, within 5 s, and leave the model's weights alone. */
async function refused(
  dir: string,
  re: RegExp,
  opts: { features?: TrainingFeature[]; model?: ToyModel; maxSteps?: number; batchSize?: number } = {},
): Promise<void> {
  const model = opts.model ?? new ToyModel(32);
  const before = weightsOf(model);
  const trainer = new Trainer({
    model,
    args: {
      ...args,
      ...(opts.maxSteps ? { maxSteps: opts.maxSteps } : {}),
      ...(opts.batchSize ? { perDeviceTrainBatchSize: opts.batchSize } : {}),
    },
    trainDataset: opts.features ?? toyFeatures(16),
  });
  const t0 = Date.now();
  try {
    await assert.rejects(trainer.train({ resumeFromCheckpoint: dir }), (err: Error) => {
      assert.doesNotMatch(err.message, /\n/, "one line");
      assert.ok(err.message.startsWith(dir), `names the checkpoint: ${err.message}`);
      assert.match(err.message, re);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
    assert.deepEqual(weightsOf(model), before, "no weight was loaded from the refused checkpoint");
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

test("a checkpoint records the data's and the labels' fingerprints, and an untampered one resumes", async () => {
  const state = readTrainerState(path.join(await checkpoints(), "checkpoint-3"));
  assert.equal(state.train_examples, 16);
  assert.match(state.train_data_sha256!, /^[0-9a-f]{64}$/);
  assert.deepEqual(state.labels, ["O", "B-X", "I-X"]);
  const dir = await tampered(3, () => undefined);
  const model = new ToyModel(33);
  const trainer = new Trainer({ model, args, trainDataset: toyFeatures(16) });
  assert.equal((await trainer.train({ resumeFromCheckpoint: dir })).globalStep, 8);
  trainer.dispose();
  model.dispose();
});

test("global_step beyond max_steps, or not matching the position, is refused", async () => {
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.global_step = 100))),
    /cannot resume: global_step 100 is outside this run's 0\.\.8 \(max_steps\)/,
  );
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.global_step = 5))),
    /cannot resume: global_step 5 does not match the position \(epoch 0, batch 3: step 3\)/,
  );
  // The issue's case: a checkpoint of step 100 against a run of max_steps 8 made with the same settings.
  const far = await tampered(3, (d) => editState(d, (s) => Object.assign(s, { global_step: 100, max_steps: 8 })));
  await refused(far, /global_step 100 is outside/, { maxSteps: 8 });
});

test("an invalid epochOrder, position or running totals is refused (no more 'padFeatures: empty batch')", async () => {
  const order = (v: unknown) => (s: Record<string, any>) => (s.resume.position.epochOrder = v);
  await refused(
    await tampered(3, (d) => editState(d, order([999, -1, ...Array(14).fill(0)]))),
    /resume\.position\.epochOrder \(\[999,-1,.*\) is not an order of this run's 16 examples/,
  );
  await refused(
    await tampered(3, (d) => editState(d, order([0, 1, 2]))),
    /epochOrder .* is not an order of this run's 16 examples/,
  );
  await refused(await tampered(3, (d) => editState(d, order("garbage"))), /resume\.position\.epochOrder is not a list/);
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.resume.position.stepInEpoch = 999))),
    /resume\.position\.stepInEpoch 999 is not a batch of an epoch \(0\.\.3\)/,
  );
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.resume.totals.trLossCount = "x"))),
    /resume\.totals\.trLossCount must be an integer >= 0, got "x"/,
  );
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.resume.totals.trLossSum = null))),
    /resume\.totals\.trLossSum must be a finite number, got null/,
  );
  await refused(
    await tampered(3, (d) => editState(d, (s) => delete s.resume.totals)),
    /trainer_state\.json has no resume\.totals/,
  );
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.resume.totals.elapsedSeconds = -5))),
    /resume\.totals\.elapsedSeconds must be a number >= 0, got -5/,
  );
  await refused(
    await tampered(3, (d) => editState(d, (s) => (s.resume.position.epochIndex = 7))),
    /resume\.position\.epochIndex 7 is not an epoch of this run \(0\.\.2\)/,
  );
});

test("other steps or batch size are refused", async () => {
  const dir = await tampered(3, () => undefined);
  await refused(dir, /checkpoint was made for 8 steps at batch size 4, this run has 16 steps at batch size 2/, {
    batchSize: 2,
  });
  await refused(dir, /checkpoint was made for 8 steps at batch size 4, this run has 5 steps at batch size 4/, {
    maxSteps: 5,
  });
});

test("other training data is refused: fewer examples, or the same number with other content", async () => {
  const dir = await tampered(3, () => undefined);
  // 8 examples with max_steps fixed at the checkpoint's 8 (so steps and batch size agree).
  await refused(dir, /the checkpoint was trained on 16 examples, this run has 8 \(other training data\)/, {
    features: toyFeatures(8),
    maxSteps: 8,
  });
  await refused(
    dir,
    new RegExp(
      "the training data differs from the checkpoint's " +
        "\\(sha256 of input ids and labels [0-9a-f]{12}… vs [0-9a-f]{12}…\\)",
    ),
    { features: toyFeatures(16, 99) },
  );
});

test(
  "the same labels in another order are refused (the classifier rows " + "would be read as the wrong labels)",
  async () => {
    const dir = await tampered(3, () => undefined);
    const reordered = new ToyModel(34);
    (reordered as { config: { numLabels: number; id2label: Record<number, string> } }).config = {
      numLabels: 3,
      id2label: { 0: "B-X", 1: "O", 2: "I-X" },
    };
    await refused(
      dir,
      new RegExp(
        "the checkpoint has the same labels in another order \\(O,B-X,I-X vs this " +
          "run's B-X,O,I-X\\); its classifier rows would be read as the wrong labels",
      ),
      { model: reordered },
    );
    const other = new ToyModel(35);
    (other as { config: { numLabels: number; id2label: Record<number, string> } }).config = {
      numLabels: 3,
      id2label: { 0: "O", 1: "B-Y", 2: "I-Y" },
    };
    await refused(dir, /the checkpoint's labels \(O,B-X,I-X\) differ from this run's \(O,B-Y,I-Y\)/, { model: other });
    // A config.json id2label (real models) is compared too, for checkpoints without the label list.
    const viaConfig = await tampered(3, (d) => {
      editState(d, (s) => delete s.labels);
      fs.writeFileSync(
        path.join(d, "config.json"),
        JSON.stringify({ model_type: "toy", id2label: { 0: "I-X", 1: "B-X", 2: "O" } }),
      );
    });
    await refused(viaConfig, /same labels in another order \(I-X,B-X,O vs this run's O,B-X,I-X\)/);
  },
);

test("a garbage rng_state.json is refused naming the file (no more 'state.map is not a function')", async () => {
  await refused(
    await tampered(3, (d) =>
      fs.writeFileSync(path.join(d, "rng_state.json"), '{"data": "x", "dropout": [1, 2, 3, 4]}'),
    ),
    /rng_state\.json: not an RNG state: "data" must be 4 32-bit integers, got "x"/,
  );
  await refused(
    await tampered(3, (d) =>
      fs.writeFileSync(path.join(d, "rng_state.json"), '{"data": [1, 2, 3, 4], "dropout": [1, 2, 1.5, 4]}'),
    ),
    /"dropout" must be 4 32-bit integers/,
  );
  await refused(
    await tampered(3, (d) => fs.writeFileSync(path.join(d, "rng_state.json"), "null")),
    /rng_state\.json: not an RNG state/,
  );
  await refused(
    await tampered(3, (d) => fs.writeFileSync(path.join(d, "rng_state.json"), "{oops")),
    /rng_state\.json: invalid JSON/,
  );
});
