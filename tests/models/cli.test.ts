/** `ner model info` and `ner model logits` end to end (spawned like a user would). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot, readSharedJson, sharedPath } from "../helpers/shared";
import type { Golden } from "./parity-helper";

function ner(args: string[]) {
  const res = spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], { encoding: "utf8", env: { ...process.env, NER_BACKEND: "wasm" } });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test("model info --json reports architecture, parameter count, labels and backend", () => {
  const r = ner(["model", "info", sharedPath("fixtures", "tiny-bert"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.architecture, "BertForTokenClassification");
  assert.equal(info.backend, "wasm");
  assert.equal(info.numLabels, 9);
  assert.equal(info.weights.tensors, 5 + 2 * 16 + 2);
  assert.deepEqual(info.weights.missing, []);
  // embeddings (7173 + 512 + 2) × 32 + LayerNorm 64 + 2 layers × (4·(32·32+32) + 32·64+64 + 64·32+32 + 2 LayerNorms·64) + classifier 32·9+9
  const layer = 4 * (32 * 32 + 32) + (32 * 64 + 64) + (64 * 32 + 32) + 2 * 64;
  assert.equal(info.parameters, (7173 + 512 + 2) * 32 + 64 + 2 * layer + 32 * 9 + 9);
});

test("model logits reproduces transformers' logits from input_ids, tokens and text lines", () => {
  const golden = readSharedJson<Golden>("fixtures", "tiny-bert", "golden.json").batches.b4_padded as Golden["batches"][string] & { words: string[][] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-logits-"));
  const input = path.join(dir, "in.jsonl");
  const lines = golden.input_ids.map((ids, k) => {
    const n = golden.attention_mask[k].reduce((a, b) => a + b, 0);
    return JSON.stringify({ input_ids: ids.slice(0, n), attention_mask: golden.attention_mask[k].slice(0, n) });
  });
  lines.push(JSON.stringify({ tokens: golden.words[1] }), JSON.stringify({ text: golden.words[1].join(" ") }));
  fs.writeFileSync(input, lines.join("\n") + "\n");
  const r = ner(["model", "logits", "--model", sharedPath("fixtures", "tiny-bert"), "--input", input, "--json", "--batch-size", "3"]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { input_ids: number[]; logits: number[][] });
  assert.equal(out.length, 6);
  golden.input_ids.forEach((_, k) => {
    const n = out[k].input_ids.length;
    const expected = golden.logits[k].slice(0, n).flat();
    const got = out[k].logits.flat();
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-4, `line ${k + 1}: ${v} vs ${expected[i]}`));
  });
  const n1 = golden.attention_mask[1].reduce((a, b) => a + b, 0);
  assert.deepEqual(out[4].input_ids, golden.input_ids[1].slice(0, n1), "words are tokenized with the model's tokenizer");
  assert.deepEqual(out[5].input_ids, out[4].input_ids);
});

test("model logits: bad input names file and line, exits non-zero", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-logits-"));
  const input = path.join(dir, "bad.jsonl");
  fs.writeFileSync(input, '{"input_ids": [101, 102]}\n{"input_ids": [101, 102], "attention_mask": [1]}\n');
  const r = ner(["model", "logits", "--model", sharedPath("fixtures", "tiny-bert"), "--input", input, "--json"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bad\.jsonl:2: "attention_mask" must be an array of 2 integers/);
});
