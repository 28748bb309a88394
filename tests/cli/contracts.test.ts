/**
 * Contracts every `ner` command keeps: helpful --help (examples, environment variables, the
 * flags the issues name), one-line errors with the command name and a non-zero exit code (stack
 * traces only with NER_DEBUG=1), only JSON on stdout with --json, a quiet exit when stdout closes.
 * Help texts are checked in-process; only a few behaviours spawn `node bin/ner.js`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main";
import { optionsFromFlags } from "../../src/cli/commands/train";
import { formatCliError } from "../../src/cli/errors";
import { BACKEND_CHOICES } from "../../src/cli/help";
import { BACKEND_NAMES } from "../../src/backend/index";
import { repoRoot, fixturePath, modelsMirror } from "../helpers/fixtures";

const bin = path.join(repoRoot, "bin", "ner.js");

function ner(args: string[], env: Record<string, string> = {}, cwd = repoRoot) {
  const res = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, NER_MODELS_DIR: modelsMirror, NER_BACKEND: "wasm", NER_DEBUG: "", ...env },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ner-cli-"));
}

/** Every leaf command (`data stats`, `model logits`, `train`, ...) with its full name. */
function leafCommands(): { name: string; cmd: Command }[] {
  const out: { name: string; cmd: Command }[] = [];
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      if (sub.name() === "help") continue;
      const name = `${prefix}${sub.name()}`;
      if (sub.commands.length > 0) walk(sub, `${name} `);
      else out.push({ name, cmd: sub });
    }
  };
  walk(buildProgram(), "");
  return out;
}

/** Help text with commander's line wrapping undone. */
function helpOf(cmd: Command): string {
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

test("ner --help lists every command, examples and the environment variables", () => {
  const help = helpOf(buildProgram());
  for (const c of ["align", "data", "evaluate", "model", "predict", "seqeval", "train"])
    assert.match(help, new RegExp(`^  ${c}\\b`, "m"));
  assert.match(help, /Examples:\n {2}ner /);
  for (const v of ["NER_DATA_DIR", "NER_MODELS_DIR", "NER_CACHE_DIR", "NER_OFFLINE", "NER_BACKEND", "NER_DEBUG"])
    assert.ok(help.includes(v), v);
});

test("the backend names in the help are the backend ladder's", () => {
  assert.equal(BACKEND_CHOICES, BACKEND_NAMES.join(" | "));
});

test("every command has a description, --json, an example and (where it loads files) its environment variables", () => {
  const leaves = leafCommands();
  assert.deepEqual(leaves.map((l) => l.name).sort(), [
    "align",
    "data convert",
    "data download",
    "data list",
    "data stats",
    "env",
    "evaluate",
    "export web",
    "model convert",
    "model info",
    "model logits",
    "predict",
    "seqeval",
    "train",
  ]);
  for (const { name, cmd } of leaves) {
    const help = helpOf(cmd);
    assert.ok(cmd.description().length > 20, `${name}: description`);
    assert.ok(
      cmd.options.some((o) => o.long === "--json"),
      `${name}: --json`,
    );
    assert.match(help, new RegExp(`Examples:\\n  ner ${name}|Examples:\\n  .*\\n  ner ${name}`), `${name}: example`);
  }
  const envOf = (n: string) => helpOf(leaves.find((l) => l.name === n)!.cmd);
  for (const n of ["data stats", "data convert", "data download"])
    assert.match(envOf(n), /NER_DATA_DIR[\s\S]*NER_OFFLINE/, n);
  for (const n of ["model info", "model logits", "predict", "train", "evaluate"])
    assert.match(envOf(n), /NER_MODELS_DIR[\s\S]*NER_BACKEND/, n);
  assert.match(envOf("align"), /NER_MODELS_DIR[\s\S]*NER_OFFLINE/);
});

test("the flags the issues name exist", () => {
  const leaves = new Map(leafCommands().map((l) => [l.name, l.cmd]));
  const flags = (n: string) => new Set(leaves.get(n)!.options.map((o) => o.long));
  const expect: Record<string, string[]> = {
    train: [
      "--data",
      "--model",
      "--output",
      "--epochs",
      "--lr",
      "--batch-size",
      "--weight-decay",
      "--warmup",
      "--config",
      "--max-steps",
      "--seed",
      "--max-grad-norm",
      "--warmup-steps",
      "--no-shuffle",
      "--labels",
    ],
    evaluate: ["--model", "--data", "--json", "--predictions"],
    predict: ["--model", "--aggregation", "--input", "--json", "--html"],
    align: ["--tokenizer", "--input", "--label-all-tokens", "--max-length", "--labels", "--json"],
    "model logits": ["--model", "--input", "--json"],
    seqeval: ["--input", "--json", "--format"],
    "data stats": ["--format", "--data-dir", "--strict", "--json"],
  };
  for (const [cmd, want] of Object.entries(expect)) for (const f of want) assert.ok(flags(cmd).has(f), `${cmd} ${f}`);
});

test("errors: one line naming the command and the problem, exit 1; the stack only with NER_DEBUG=1", () => {
  const plain = ner(["data", "stats", "no_such_corpus"]);
  assert.equal(plain.code, 1);
  assert.equal(plain.stdout, "");
  assert.match(
    plain.stderr,
    new RegExp(
      "^ner data stats: no_such_corpus: neither a file nor a corpus \\(corpora: " +
        "mit_restaurant, conll2003, wnut17, wikiann_en",
    ),
  );
  assert.equal(plain.stderr.trim().split("\n").length, 1);
  assert.doesNotMatch(plain.stderr, /\n\s+at /);

  const debug = ner(["data", "stats", "no_such_corpus"], { NER_DEBUG: "1" });
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /\n\s+at .*data\.ts/);

  const missing = ner(["data", "stats", "nope/test.txt", "--format", "conll2003"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^ner data stats: nope\/test\.txt: no such file\n$/);

  const split = ner(["data", "stats", "conll2003:bogus", "--json"]);
  assert.equal(split.code, 1);
  assert.equal(split.stdout, "");
  assert.match(split.stderr, /conll2003 has no split "bogus"/);

  // The formatting itself, without a process.
  assert.equal(formatCliError("ner x", new Error("boom")), "ner x: boom\n");
  const garbage = formatCliError("ner x", new Error(`bad value ${"\u0000\u001b[31m\ufffd".repeat(2000)}`));
  assert.ok(garbage.length < 2100, `${garbage.length} characters`);
  assert.ok(!/[\u0000\u001b\ufffd]/.test(garbage));
  assert.match(garbage, /^ner x: bad value \\u0000\\u001b\[31m\\ufffd.*more characters\)\n$/);
});

test("NER_OFFLINE with a Hub name: a clear error naming the variables, no network", () => {
  const r = ner(["model", "info", "someone/not-mirrored", "--json"], { NER_OFFLINE: "1", NER_CACHE_DIR: tmp() });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /^ner model info: someone\/not-mirrored\/config\.json is not available offline \(NER_OFFLINE=1\).*NER_MODELS_DIR/,
  );
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

test("--json: stdout is only JSON (backend notices and weight reports go to stderr)", () => {
  const model = fixturePath("tiny-bert");
  const info = ner(["model", "info", model, "--json"]);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(JSON.parse(info.stdout).architecture, "BertForTokenClassification");

  const pred = ner(["predict", "--model", model, "--json", "EU rejects German call", "Peter lives in Berlin"], {
    NER_BACKEND: "cpu",
  });
  assert.equal(pred.code, 0, pred.stderr);
  const lines = pred.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { text: string; entities: unknown[] });
  assert.deepEqual(
    lines.map((l) => l.text),
    ["EU rejects German call", "Peter lives in Berlin"],
  );
  assert.match(pred.stderr, /running TensorFlow\.js in Node\.js/, "tfjs's cpu-backend notice goes to stderr");

  const list = ner(["data", "list", "--json"]);
  assert.equal(list.code, 0);
  assert.ok((JSON.parse(list.stdout) as unknown[]).length >= 4);
});

test("a closed stdout pipe (ner ... | head) ends quietly with exit 0", async () => {
  const dir = tmp();
  const cases = Array.from({ length: 400 }, () => ({
    y_true: [["B-PER", "I-PER", "O", "B-LOC"]],
    y_pred: [["B-PER", "I-PER", "O", "O"]],
  }));
  const file = path.join(dir, "cases.json");
  fs.writeFileSync(file, JSON.stringify(cases));
  const child = spawn(process.execPath, [bin, "seqeval", "--input", file, "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});

test("ner train flags: --config keys are checked, numbers are range-checked before anything loads", () => {
  const dir = tmp();
  const cfg = (obj: unknown) => {
    const f = path.join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(f, JSON.stringify(obj));
    return f;
  };
  assert.throws(
    () => optionsFromFlags({ config: cfg({ output: "o", learning_rate: 1 }) }),
    /unknown key "learning_rate" \(known: data, model/,
  );
  assert.throws(
    () => optionsFromFlags({ config: cfg({ output: "o", lr: "fast" }) }),
    /"lr" must be a number, got "fast"/,
  );
  assert.throws(
    () => optionsFromFlags({ config: cfg({ output: "o", shuffle: "no" }) }),
    /"shuffle" must be true or false/,
  );
  assert.throws(() => optionsFromFlags({ config: cfg([1]) }), /must hold a JSON object/);
  assert.throws(() => optionsFromFlags({ output: "o", batchSize: "0" }), /--batch-size must be an integer ≥ 1, got 0/);
  assert.throws(() => optionsFromFlags({ output: "o", batchSize: "2.5" }), /--batch-size must be an integer/);
  assert.throws(() => optionsFromFlags({ output: "o", epochs: "-1" }), /--epochs must be a number > 0/);
  assert.throws(() => optionsFromFlags({ output: "o", warmup: "1.5" }), /--warmup must be a number ≥ 0 and ≤ 1/);
  assert.throws(() => optionsFromFlags({ output: "o", maxSteps: "0" }), /--max-steps must be an integer ≥ 1 \(or -1\)/);
  assert.throws(() => optionsFromFlags({ output: "o", lr: "-1" }), /--lr must be a number > 0/);
  assert.deepEqual(
    optionsFromFlags({
      output: "o",
      epochs: "2",
      lr: "5e-5",
      batchSize: "8",
      weightDecay: "0",
      warmup: "0.1",
      warmupSteps: "3",
      maxSteps: "-1",
      seed: "7",
      maxGradNorm: "0",
      shuffle: false,
      labels: "O,B-X,I-X",
    }),
    {
      outputDir: "o",
      numTrainEpochs: 2,
      learningRate: 5e-5,
      perDeviceTrainBatchSize: 8,
      weightDecay: 0,
      warmupRatio: 0.1,
      warmupSteps: 3,
      maxSteps: -1,
      seed: 7,
      maxGradNorm: 0,
      shuffle: false,
      labels: "O,B-X,I-X",
    },
  );
  const r = ner(["train", "--output", path.join(dir, "out"), "--batch-size", "0"]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "ner train: --batch-size must be an integer ≥ 1, got 0\n",
    "rejected before the backend is even announced",
  );
});

test("ner train with the issue's flags, then ner evaluate --json with a per-type report and CoNLL predictions", () => {
  const dir = tmp();
  const sentences = [
    { tokens: ["cheap", "pizza", "near", "me"], tags: ["B-Price", "B-Dish", "B-Location", "I-Location"] },
    { tokens: ["any", "thai", "place", "open", "now"], tags: ["O", "B-Cuisine", "O", "B-Hours", "I-Hours"] },
    { tokens: ["best", "sushi", "in", "town"], tags: ["B-Rating", "B-Dish", "B-Location", "I-Location"] },
  ];
  const jsonl = sentences.map((s) => JSON.stringify(s)).join("\n") + "\n";
  fs.writeFileSync(path.join(dir, "train.jsonl"), jsonl);
  fs.writeFileSync(path.join(dir, "valid.jsonl"), jsonl);
  const labels =
    "O,B-Price,I-Price,B-Dish,I-Dish,B-Location,I-Location,B-Cuisine,I-Cuisine,B-Hours,I-Hours,B-Rating,I-Rating";
  fs.writeFileSync(path.join(dir, "train.json"), JSON.stringify({ weightDecay: 0.01, maxGradNorm: 1 }));
  const out = path.join(dir, "model");
  const train = ner(
    [
      "train",
      "--data",
      "train.jsonl,valid.jsonl",
      "--labels",
      labels,
      "--model",
      fixturePath("tiny-bert"),
      "--config",
      "train.json",
      "--epochs",
      "1",
      "--lr",
      "1e-3",
      "--batch-size",
      "2",
      "--weight-decay",
      "0",
      "--warmup",
      "0.1",
      "--warmup-steps",
      "1",
      "--max-steps",
      "2",
      "--seed",
      "3",
      "--max-grad-norm",
      "0.5",
      "--no-shuffle",
      "--output",
      out,
      "--progress",
      "none",
      "--json",
    ],
    {},
    dir,
  );
  assert.equal(train.code, 0, train.stderr);
  const t = JSON.parse(train.stdout) as {
    metrics: Record<string, number>;
    runCard: { options: Record<string, unknown> };
  };
  assert.equal(t.metrics.step, 2);
  assert.equal(t.runCard.options.shuffle, false);
  assert.equal(t.runCard.options.weightDecay, 0, "flags override --config");
  assert.equal(t.runCard.options.maxGradNorm, 0.5);
  const config = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")) as {
    id2label: Record<string, string>;
  };
  assert.deepEqual(Object.values(config.id2label), labels.split(","));
  assert.ok(fs.existsSync(path.join(out, "model.safetensors")));

  const ev = ner(["evaluate", "--model", out, "--data", "valid.jsonl", "--json"], {}, dir);
  assert.equal(ev.code, 0, ev.stderr);
  const e = JSON.parse(ev.stdout) as {
    metrics: Record<string, number>;
    sentences: number;
    predictions: string;
    classification_report: Record<string, { "f1-score": number; support: number }>;
    report: string;
  };
  assert.equal(e.sentences, 3);
  assert.equal(e.classification_report["micro avg"].support, 8);
  assert.ok(Math.abs(e.classification_report["micro avg"]["f1-score"] - e.metrics.eval_f1) < 1e-12);
  assert.match(e.report, /micro avg/);
  const conll = fs.readFileSync(path.resolve(dir, e.predictions), "utf8").split("\n");
  assert.deepEqual(conll[0].split(" ").slice(0, 2), ["cheap", "B-Price"]);
  assert.equal(conll[4], "", "a blank line ends each sentence");
});
