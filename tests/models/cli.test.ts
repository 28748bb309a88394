/** `ner model info` and `ner model logits` end to end (spawned like a user would). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot, fixturePath, readFixtureJson } from "../helpers/fixtures";
import type { Golden } from "./parity-helper";
import { readSafetensors } from "../../src/models";

function ner(args: string[]) {
  const res = spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, NER_BACKEND: "wasm" },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test("model info --json reports architecture, parameter count, labels and backend", () => {
  const r = ner(["model", "info", fixturePath("tiny-bert"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.architecture, "BertForTokenClassification");
  assert.match(info.backend, /^wasm(\+blas)?$/, "wasm, or wasm+blas where the native BLAS addon is built");
  assert.equal(info.numLabels, 9);
  assert.equal(info.weights.tensors, 5 + 2 * 16 + 2);
  assert.deepEqual(info.weights.missing, []);
  // embeddings (7173 + 512 + 2) × 32 + LayerNorm 64
  // + 2 layers × (4·(32·32+32) + 32·64+64 + 64·32+32 + 2 LayerNorms·64) + classifier 32·9+9
  const layer = 4 * (32 * 32 + 32) + (32 * 64 + 64) + (64 * 32 + 32) + 2 * 64;
  assert.equal(info.parameters, (7173 + 512 + 2) * 32 + 64 + 2 * layer + 32 * 9 + 9);
});

test("model logits reproduces transformers' logits from input_ids, tokens and text lines", () => {
  const golden = readFixtureJson<Golden>("tiny-bert", "golden.json").batches.b4_padded as Golden["batches"][string] & {
    words: string[][];
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-logits-"));
  const input = path.join(dir, "in.jsonl");
  const lines = golden.input_ids.map((ids, k) => {
    const n = golden.attention_mask[k].reduce((a, b) => a + b, 0);
    return JSON.stringify({ input_ids: ids.slice(0, n), attention_mask: golden.attention_mask[k].slice(0, n) });
  });
  lines.push(JSON.stringify({ tokens: golden.words[1] }), JSON.stringify({ text: golden.words[1].join(" ") }));
  fs.writeFileSync(input, lines.join("\n") + "\n");
  const r = ner([
    "model",
    "logits",
    "--model",
    fixturePath("tiny-bert"),
    "--input",
    input,
    "--json",
    "--batch-size",
    "3",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { input_ids: number[]; logits: number[][] });
  assert.equal(out.length, 6);
  golden.input_ids.forEach((_, k) => {
    const n = out[k].input_ids.length;
    const expected = golden.logits[k].slice(0, n).flat();
    const got = out[k].logits.flat();
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-4, `line ${k + 1}: ${v} vs ${expected[i]}`));
  });
  const n1 = golden.attention_mask[1].reduce((a, b) => a + b, 0);
  assert.deepEqual(
    out[4].input_ids,
    golden.input_ids[1].slice(0, n1),
    "words are tokenized with the model's tokenizer",
  );
  assert.deepEqual(out[5].input_ids, out[4].input_ids);
});

test("model logits: bad input names file and line, exits non-zero", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-logits-"));
  const input = path.join(dir, "bad.jsonl");
  fs.writeFileSync(input, '{"input_ids": [101, 102]}\n{"input_ids": [101, 102], "attention_mask": [1]}\n');
  const r = ner(["model", "logits", "--model", fixturePath("tiny-bert"), "--input", input, "--json"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bad\.jsonl:2: "attention_mask" must be an array of 2 integers/);
});

const torchFixture = (name: string) => path.join(__dirname, "fixtures", "torch", name);

/** A copy of the tiny-bert fixture directory (config.json + model.safetensors) to alter. */
function tinyBertCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-info-"));
  for (const f of ["config.json", "model.safetensors"]) fs.copyFileSync(fixturePath("tiny-bert", f), path.join(dir, f));
  return dir;
}

test(
  "model info: a truncated model.safetensors or pytorch_model.bin is a " + "problem (exit 1), found from headers only",
  () => {
    const dir = tinyBertCopy();
    const file = path.join(dir, "model.safetensors");
    fs.truncateSync(file, fs.statSync(file).size - 100);
    let r = ner(["model", "info", dir, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.problems.length, 1);
    assert.match(
      info.problems[0],
      new RegExp(
        'model\\.safetensors: invalid safetensors file: tensor ".*" data \\[\\d+, \\d+\\) ' +
          "runs past the end of the data .*truncated",
      ),
    );

    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "ner-info-"));
    fs.copyFileSync(torchFixture("bert.config.json"), path.join(bin, "config.json"));
    const whole = fs.readFileSync(torchFixture("bert.zip.bin"));
    fs.writeFileSync(path.join(bin, "pytorch_model.bin"), whole);
    r = ner(["model", "info", bin, "--json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).weights.format, "pytorch");
    assert.deepEqual(JSON.parse(r.stdout).weights.missing, []);
    fs.writeFileSync(path.join(bin, "pytorch_model.bin"), whole.subarray(0, whole.length - 5000));
    r = ner(["model", "info", bin]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /check +1 problem\(s\):\n {2}- .*pytorch_model\.bin: .*(truncated|end-of-central-directory)/,
    );
    assert.match(r.stderr, /1 problem\(s\) found/);
  },
);

test("model info: classifier size vs id2label and label2id vs id2label are checked", () => {
  const dir = tinyBertCopy();
  const cfgFile = path.join(dir, "config.json");
  const cfg = JSON.parse(fs.readFileSync(cfgFile, "utf8"));
  const five = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
  cfg.id2label = Object.fromEntries(five.map((l, i) => [String(i), l]));
  cfg.label2id = { ...Object.fromEntries(five.map((l, i) => [l, i])), "I-PER": 4, "B-MISC": 5 };
  cfg.num_labels = 9;
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));
  const r = ner(["model", "info", dir, "--json"]);
  assert.equal(r.code, 1);
  const problems: string[] = JSON.parse(r.stdout).problems;
  const has = (re: RegExp) =>
    assert.ok(
      problems.some((p) => re.test(p)),
      `${re} in ${JSON.stringify(problems)}`,
    );
  has(/label2id\["I-PER"\] is 4, but id2label\[2\] is "I-PER"/);
  has(/label2id has labels that id2label lacks: "B-MISC"/);
  has(/num_labels is 9, but id2label has 5 labels/);
  has(/^classifier\.weight has shape \[9,32\]: 9 labels, but .*config\.json has 5 \(id2label\)$/);
  has(/^classifier\.bias has shape \[9\]: 9 labels/);
});

test("model info: a config.json that is null or not JSON is a one-line error naming the file", () => {
  for (const text of ["null", "{oops"]) {
    const dir = tinyBertCopy();
    fs.writeFileSync(path.join(dir, "config.json"), text);
    const r = ner(["model", "info", dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.includes(path.join(dir, "config.json") + ": model config "), r.stderr);
  }
});

test(
  "model convert writes model.safetensors (same dtypes and bytes) next to a .bin-only checkpoint, " +
    "single or sharded",
  () => {
    for (const [from, files] of [
      ["bert.fp16.bin", { "pytorch_model.bin": torchFixture("bert.fp16.bin") }],
      [
        "bert.sharded",
        Object.fromEntries(
          fs.readdirSync(torchFixture("bert.sharded")).map((f) => [f, path.join(torchFixture("bert.sharded"), f)]),
        ),
      ],
    ] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-convert-"));
      fs.copyFileSync(torchFixture("bert.config.json"), path.join(dir, "config.json"));
      for (const [to, src] of Object.entries(files)) fs.copyFileSync(src, path.join(dir, to));
      const r = ner(["model", "convert", dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /wrote .*model\.safetensors \(\d+ tensors/);
      assert.deepEqual(
        fs.readdirSync(dir).filter((f) => f.includes(".tmp")),
        [],
        "no temp file left",
      );
      const reference = torchFixture(
        from === "bert.fp16.bin" ? "bert.fp16.reference.safetensors" : "bert.reference.safetensors",
      );
      const want = readSafetensors(reference).tensors;
      const got = readSafetensors(path.join(dir, "model.safetensors")).tensors;
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
      for (const [k, t] of want) {
        assert.equal(got.get(k)!.dtype, t.dtype, k);
        assert.deepEqual(Buffer.from(got.get(k)!.bytes), Buffer.from(t.bytes), k);
      }
      const again = ner(["model", "convert", dir]);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /already has model\.safetensors; nothing to convert/);
    }
    const r = ner(["model", "convert", fs.mkdtempSync(path.join(os.tmpdir(), "ner-convert-"))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no pytorch_model\.bin or pytorch_model\.bin\.index\.json to convert/);
  },
);
