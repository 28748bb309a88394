/**
 * The option table (src/training/options.ts) is the one source of the Trainer's defaults and checks,
 * `ner train`'s job defaults, and the flags and help of `ner train` / `ner evaluate` / `ner predict`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main";
import { optionsFromFlags } from "../../src/cli/commands/train";
import { optionsOfFlags } from "../../src/cli/flags";
import {
  DEFAULT_TRAINING_ARGUMENTS,
  EVALUATE_OPTIONS,
  TRAINING_OPTIONS,
  resolveJobDefaults,
  resolveTrainingArguments,
} from "../../src/training/options";

function command(name: string): Command {
  return buildProgram().commands.find((c) => c.name() === name)!;
}

function helpOf(cmd: Command): string {
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text.replace(/\s+/g, " ");
}

test("TrainingArguments defaults are Hugging Face's (transformers TrainingArguments)", () => {
  assert.deepEqual(DEFAULT_TRAINING_ARGUMENTS, {
    overwriteOutputDir: false,
    numTrainEpochs: 3,
    learningRate: 5e-5,
    perDeviceTrainBatchSize: 8,
    perDeviceEvalBatchSize: 8,
    gradientAccumulationSteps: 1,
    weightDecay: 0,
    adamBeta1: 0.9,
    adamBeta2: 0.999,
    adamEpsilon: 1e-8,
    maxGradNorm: 1,
    lrSchedulerType: "linear",
    warmupRatio: 0,
    warmupSteps: 0,
    maxSteps: -1,
    seed: 42,
    shuffle: true,
    evalStrategy: "no",
    evalSteps: 500,
    saveStrategy: "steps",
    saveSteps: 500,
    saveTotalLimit: 0,
    loggingSteps: 500,
    loadBestModelAtEnd: false,
    metricForBestModel: "loss",
    earlyStoppingPatience: 0,
    earlyStoppingThreshold: 0,
    progress: "auto",
  });
});

test("resolveTrainingArguments checks every value with the table's ranges (errors name the key)", () => {
  assert.equal(resolveTrainingArguments({ learningRate: 2e-5 }).learningRate, 2e-5);
  assert.throws(
    () => resolveTrainingArguments({ perDeviceTrainBatchSize: 0 }),
    /perDeviceTrainBatchSize must be an integer ≥ 1, got 0/,
  );
  assert.throws(() => resolveTrainingArguments({ warmupRatio: 2 }), /warmupRatio must be a number ≥ 0 and ≤ 1, got 2/);
  assert.throws(
    () => resolveTrainingArguments({ evalStrategy: "often" as never }),
    /evalStrategy must be epoch, steps or no, got "often"/,
  );
  assert.throws(
    () => resolveTrainingArguments({ loadBestModelAtEnd: true }),
    /loadBestModelAtEnd needs an evaluation strategy/,
  );
  assert.throws(
    () => resolveTrainingArguments({ earlyStoppingPatience: 2 }),
    /earlyStoppingPatience needs an evaluation strategy/,
  );
  assert.throws(
    () => resolveTrainingArguments({ progress: "loud" as never }),
    /progress must be auto, bar, notebook, lines or none/,
  );
});

test("ner train's defaults: the main job from scratch, the fine-tuning recipe, then derived ones", () => {
  const scratch = resolveJobDefaults({ outputDir: "o" });
  assert.equal(scratch.model, "scratch");
  assert.equal(scratch.tokenizer, "bert-base-uncased");
  assert.deepEqual(
    [
      scratch.learningRate,
      scratch.numTrainEpochs,
      scratch.warmupRatio,
      scratch.maxLength,
      scratch.perDeviceTrainBatchSize,
    ],
    [1e-3, 4, 0.1, 32, 16],
  );
  assert.deepEqual(
    [scratch.perDeviceEvalBatchSize, scratch.evalStrategy, scratch.saveStrategy, scratch.saveSteps],
    [32, "epoch", "epoch", 500],
  );
  assert.deepEqual(
    [scratch.saveTotalLimit, scratch.metricForBestModel, scratch.loggingSteps, scratch.seed],
    [1, "f1", 50, 42],
  );
  assert.deepEqual(
    [scratch.hiddenSize, scratch.numLayers, scratch.numHeads, scratch.intermediateSize],
    [128, 2, 2, 512],
  );

  const tuned = resolveJobDefaults({ outputDir: "o", model: "distilbert-base-uncased", perDeviceTrainBatchSize: 8 });
  assert.deepEqual([tuned.learningRate, tuned.numTrainEpochs, tuned.warmupRatio, tuned.maxLength], [2e-5, 3, 0, 512]);
  assert.equal(tuned.tokenizer, "distilbert-base-uncased", "the model's tokenizer");
  assert.equal(tuned.perDeviceEvalBatchSize, 16, "2x the training batch");

  const steps = resolveJobDefaults({ outputDir: "o", evalStrategy: "steps", evalSteps: 20, warmupSteps: 0 });
  assert.deepEqual([steps.saveStrategy, steps.saveSteps, steps.warmupRatio], ["steps", 20, 0]);
  const given = resolveJobDefaults({
    outputDir: "o",
    evalStrategy: "steps",
    saveStrategy: "no",
    perDeviceEvalBatchSize: 3,
  });
  assert.deepEqual([given.saveStrategy, given.perDeviceEvalBatchSize], ["no", 3], "given values win over derived ones");
});

test("every TrainingArguments key is a ner train flag, with its default in the help", () => {
  const train = command("train");
  const longs = new Set(train.options.map((o) => o.long));
  for (const key of Object.keys(TRAINING_OPTIONS)) {
    const flag = key === "shuffle" ? "--no-shuffle" : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    assert.ok(longs.has(flag), `${key}: ${flag}`);
  }
  const help = helpOf(train);
  assert.match(help, /--learning-rate <x> peak learning rate \(default 1e-3 from scratch, 2e-5 fine-tuning\)/);
  assert.match(help, /--per-device-eval-batch-size <n> evaluation batch size \(default: 2x the training batch size\)/);
  assert.match(help, /--layers <n> alias of --num-layers/);
  assert.deepEqual(optionsFromFlags({ output: "o", layers: "3", numHeads: "4" }), {
    outputDir: "o",
    numLayers: 3,
    numHeads: 4,
  });
});

test("ner evaluate: --per-device-eval-batch-size (HF's name, as in ner train); --batch-size stays as its alias", () => {
  const evaluate = command("evaluate");
  const help = helpOf(evaluate);
  assert.match(help, /--per-device-eval-batch-size <n> evaluation batch size .*\(default 32\)/);
  assert.match(help, /--batch-size <n> alias of --per-device-eval-batch-size/);
  const table = EVALUATE_OPTIONS;
  assert.deepEqual(optionsOfFlags(table, { model: "m", data: "d", batchSize: "4" }), {
    model: "m",
    data: "d",
    perDeviceEvalBatchSize: 4,
  });
  assert.deepEqual(
    optionsOfFlags(table, { model: "m", data: "d", perDeviceEvalBatchSize: "4" }).perDeviceEvalBatchSize,
    4,
  );
  assert.throws(
    () => optionsOfFlags(table, { batchSize: "4", evalBatchSize: "8" }),
    /--batch-size and --eval-batch-size disagree/,
  );
  assert.throws(() => optionsOfFlags(table, { batchSize: "0" }), /--batch-size must be an integer ≥ 1, got 0/);
  assert.throws(() => optionsOfFlags(table, { maxLength: "x" }), /--max-length: expected a number, got "x"/);
});

test("ner predict: flags from the table, checked before anything loads", () => {
  const help = helpOf(command("predict"));
  assert.match(help, /--aggregation <strategy> .* \(default simple\)/);
  assert.match(help, /--batch-size <n> windows per forward pass .*\(default 8\)/);
  const predict = command("predict");
  assert.ok(predict.options.find((o) => o.long === "--model")?.mandatory, "--model is required");
});
