import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readJsonl } from "../../src/data/jsonl";
import { runEvaluateJob, runTrainJob } from "../../src/training/job";
import { optionsFromFlags } from "../../src/cli/commands/train";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-job-"));

function writeCorpus(dir: string): { train: string; valid: string } {
  const sents = [
    { tokens: ["cheap", "pizza", "near", "me"], tags: ["B-Price", "B-Cuisine", "B-Location", "I-Location"] },
    { tokens: ["any", "thai", "places", "open", "now"], tags: ["O", "B-Cuisine", "O", "B-Hours", "I-Hours"] },
    { tokens: ["best", "sushi", "in", "town"], tags: ["B-Rating", "B-Cuisine", "B-Location", "I-Location"] },
  ];
  const labels = ["O", "B-Cuisine", "B-Hours", "I-Hours", "B-Location", "I-Location", "B-Price", "B-Rating"];
  const asIds = (s: { tokens: string[]; tags: string[] }) =>
    JSON.stringify({ tokens: s.tokens, ner_tags: s.tags.map((t) => labels.indexOf(t)) });
  const train = path.join(dir, "train.jsonl");
  const valid = path.join(dir, "valid.jsonl");
  fs.writeFileSync(train, [...sents, ...sents].map(asIds).join("\n") + "\n");
  fs.writeFileSync(valid, sents.map(asIds).join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "labels.txt"), labels.join("\n"));
  return { train, valid };
}

test(
  "ner train on JSONL writes an HF-layout model, metrics, run card and report; ner evaluate writes " +
    "CoNLL predictions",
  async () => {
    const dir = tmp();
    const { train, valid } = writeCorpus(dir);
    const out = path.join(dir, "out");
    const config = path.join(dir, "tiny.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        model_type: "bert",
        vocab_size: 30522,
        hidden_size: 8,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 32,
      }),
    );
    const result = await runTrainJob(
      {
        data: `${train},${valid}`,
        labels: path.join(dir, "labels.txt"),
        model: config,
        outputDir: out,
        maxSteps: 3,
        perDeviceTrainBatchSize: 2,
        loggingSteps: 1,
        backend: "cpu",
        progress: "none",
      },
      () => undefined,
    );
    for (const f of [
      "config.json",
      "model.safetensors",
      "tokenizer.json",
      "metrics.json",
      "run_card.json",
      "classification_report.txt",
    ]) {
      assert.ok(fs.existsSync(path.join(out, f)), `${f} written`);
    }
    assert.ok(
      fs.existsSync(path.join(out, "checkpoint-3", "trainer_state.json")),
      "last checkpoint kept beside the model",
    );
    assert.ok(
      fs.existsSync(path.join(out, "checkpoint-3", "tokenizer.json")),
      "a checkpoint carries the tokenizer, as in HF",
    );
    const card = JSON.parse(fs.readFileSync(path.join(out, "run_card.json"), "utf8"));
    assert.match(card.data.sha256["train.jsonl"], /^[0-9a-f]{64}$/);
    assert.equal(card.backend, "cpu");
    assert.equal(card.seed, 42);
    assert.ok(card.train_tokens_per_second > 0 && card.wall_time_seconds > 0);
    const cfg = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8"));
    assert.equal(cfg.id2label["1"], "B-Cuisine");
    assert.equal(result.metrics.step, 3);
    assert.ok(typeof result.metrics.eval_f1 === "number");
    assert.match(result.reportText, /Cuisine/);

    const ev = await runEvaluateJob({ model: out, data: valid, labels: path.join(dir, "labels.txt"), backend: "cpu" });
    assert.equal(ev.sentences, 3);
    const lines = fs.readFileSync(ev.predictionsFile!, "utf8").split("\n");
    assert.equal(lines[0].split(" ").slice(0, 2).join(" "), "cheap B-Price");
    assert.equal(lines[0].split(" ").length, 3);
    assert.equal(lines[4], "");
    assert.ok(
      Math.abs(ev.metrics.eval_f1 - (result.metrics.eval_f1 as number)) < 1e-9,
      "evaluate agrees with the training run's final evaluation",
    );
    assert.deepEqual(ev.report, result.report, "the same seqeval report dict");

    // A run killed before its final save holds checkpoints only: evaluate says so and names the checkpoint.
    const unfinished = path.join(dir, "unfinished");
    fs.mkdirSync(unfinished);
    fs.cpSync(path.join(out, "checkpoint-3"), path.join(unfinished, "checkpoint-3"), { recursive: true });
    await assert.rejects(
      runEvaluateJob({ model: unfinished, data: valid, backend: "cpu" }),
      /unfinished: no saved model \(the run stopped before its final save\); evaluate .*checkpoint-3/,
    );
  },
);

test("bad JSONL and bad flags give errors naming file, line or flag", () => {
  const dir = tmp();
  const f = path.join(dir, "bad.jsonl");
  fs.writeFileSync(f, '{"tokens": ["a"], "tags": ["O"]}\n{"tokens": ["a", "b"], "tags": ["O"]}\n');
  assert.throws(() => readJsonl(f), new RegExp(`${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:2: 2 tokens but 1 tags`));
  fs.writeFileSync(f, "{oops\n");
  assert.throws(() => readJsonl(f), /bad\.jsonl:1: invalid JSON/);
  assert.throws(() => optionsFromFlags({ output: "x", lr: "fast" }), /--lr: expected a number/);
  assert.throws(() => optionsFromFlags({ output: "x", batchSize: "" }), /--batch-size: expected a number/);
  assert.throws(() => optionsFromFlags({}), /--output <dir> is required/);
  const cfg = path.join(dir, "train.json");
  fs.writeFileSync(cfg, JSON.stringify({ output: "o", epochs: 5, lr: 2e-5 }));
  assert.deepEqual(optionsFromFlags({ config: cfg, epochs: "1" }), {
    outputDir: "o",
    numTrainEpochs: 1,
    learningRate: 2e-5,
  });
  assert.equal(optionsFromFlags({ output: "o", shuffle: false }).shuffle, false);
});

test(
  "one vocabulary: TrainingArguments flags, their aliases and --config keys give the same options; " +
    "--resume with nothing to resume fails before loading",
  async () => {
    const dir = tmp();
    const long = optionsFromFlags({
      outputDir: "o",
      learningRate: "2e-5",
      perDeviceTrainBatchSize: "8",
      numTrainEpochs: "3",
      warmupRatio: "0.1",
      gradientAccumulationSteps: "2",
      resumeFromCheckpoint: "auto",
    });
    const short = optionsFromFlags({
      output: "o",
      lr: "2e-5",
      batchSize: "8",
      epochs: "3",
      warmup: "0.1",
      gradAccum: "2",
      resume: "auto",
    });
    const cfg = path.join(dir, "train.json");
    fs.writeFileSync(
      cfg,
      JSON.stringify({
        outputDir: "o",
        learningRate: 2e-5,
        batchSize: 8,
        numTrainEpochs: 3,
        warmupRatio: 0.1,
        gradientAccumulationSteps: 2,
        resumeFromCheckpoint: "auto",
      }),
    );
    const expected = {
      outputDir: "o",
      learningRate: 2e-5,
      perDeviceTrainBatchSize: 8,
      numTrainEpochs: 3,
      warmupRatio: 0.1,
      gradientAccumulationSteps: 2,
      resumeFromCheckpoint: "auto",
    };
    assert.deepEqual(long, expected);
    assert.deepEqual(short, expected);
    assert.deepEqual(optionsFromFlags({ config: cfg }), expected);
    assert.throws(
      () => optionsFromFlags({ output: "o", lr: "1e-3", learningRate: "2e-3" }),
      /--lr and --learning-rate disagree/,
    );
    fs.writeFileSync(cfg, JSON.stringify({ outputDir: "o", saveStrategy: "sometimes" }));
    assert.throws(
      () => optionsFromFlags({ config: cfg }),
      /train\.json: "saveStrategy" must be epoch, steps or no, got "sometimes"/,
    );

    // Data and model do not exist: the resume error coming first shows it is checked before they are read.
    await assert.rejects(
      runTrainJob(
        {
          data: "no-such-file.jsonl",
          model: "no-such-model",
          outputDir: path.join(dir, "empty"),
          resumeFromCheckpoint: true,
        },
        () => undefined,
      ),
      /No valid checkpoint found in output directory \(.*empty\)/,
    );
  },
);
