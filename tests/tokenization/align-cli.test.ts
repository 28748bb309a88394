/** `ner align`: JSON lines out, label orders, reporting of empty words, clear input errors. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot, modelsMirror } from "../helpers/fixtures";

function ner(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, NER_MODELS_DIR: modelsMirror, NER_OFFLINE: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-align-cli-"));
const input = path.join(dir, "in.jsonl");
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(
  input,
  [
    JSON.stringify({
      tokens: "EU rejects German call to boycott British lamb .".split(" "),
      tags: ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"],
    }),
    "",
    JSON.stringify({ tokens: ["Peter", "Blackburn"], tags: [1, 2] }),
  ].join("\n"),
);

test("ner align --json writes one aligned line per sentence (CoNLL label order)", () => {
  const out = path.join(dir, "out.jsonl");
  const r = ner([
    "align",
    "--tokenizer",
    "bert-base-cased",
    "--input",
    input,
    "--corpus",
    "conll2003",
    "--json",
    "--output",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = fs
    .readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[0]), ["input_ids", "attention_mask", "word_ids", "labels"]);
  assert.deepEqual(lines[0].input_ids, [101, 7270, 22961, 1528, 1840, 1106, 21423, 1418, 2495, 12913, 119, 102]);
  assert.deepEqual(lines[0].word_ids, [null, 0, 1, 2, 3, 4, 5, 6, 7, 7, 8, null]);
  assert.deepEqual(lines[0].labels, [-100, 3, 0, 7, 0, 0, 0, 7, 0, -100, 0, -100]);
  assert.deepEqual(
    lines[1].labels.filter((l: number) => l !== -100),
    [1, 2],
  );
  assert.match(r.stderr, /2 sentences aligned/);
});

test("ner align: --label-all-tokens --b-to-i and --max-length", () => {
  const r = ner([
    "align",
    "--tokenizer",
    "bert-base-cased",
    "--input",
    input,
    "--corpus",
    "conll2003",
    "--label-all-tokens",
    "--b-to-i",
    "--max-length",
    "10",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const first = JSON.parse(r.stdout.split("\n")[0]);
  assert.equal(first.input_ids.length, 10);
  assert.deepEqual(first.labels, [-100, 3, 0, 7, 0, 0, 0, 7, 0, -100]);
  assert.match(r.stderr, /1 sentence\(s\) truncated/);
});

test("ner align: bad input names file and line, exits non-zero", () => {
  const bad = path.join(dir, "bad.jsonl");
  fs.writeFileSync(bad, '{"tokens": ["a"], "tags": ["O"]}\n{"tokens": ["a", "b"], "tags": ["O"]}\n');
  const r = ner(["align", "--tokenizer", "bert-base-cased", "--input", bad, "--json"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: 2 tokens but 1 tags`));
  const unknown = ner([
    "align",
    "--tokenizer",
    "bert-base-cased",
    "--input",
    input,
    "--labels",
    "O,B-PER,I-PER",
    "--json",
  ]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /in\.jsonl:1: unknown tag "B-ORG"/);
});

test("ner align: every --labels format gives the same ids; null lines and bad outputs are clear errors", () => {
  const conll = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
  const files: Record<string, string> = {
    "labels.json": JSON.stringify(conll),
    "config.json": JSON.stringify({
      model_type: "bert",
      id2label: Object.fromEntries(conll.map((l, i) => [String(i), l])),
    }),
    "labels.txt": conll.join("\n") + "\n",
  };
  const outputs = [conll.join(","), ...Object.keys(files)].map((spec) => {
    const value = files[spec] ? path.join(dir, spec) : spec;
    if (files[spec]) fs.writeFileSync(value, files[spec]);
    const r = ner(["align", "--tokenizer", "bert-base-cased", "--input", input, "--labels", value, "--json"]);
    assert.equal(r.code, 0, `${spec}: ${r.stderr}`);
    return r.stdout;
  });
  for (const o of outputs.slice(1)) assert.equal(o, outputs[0]);

  const withNull = path.join(dir, "null.jsonl");
  fs.writeFileSync(withNull, '{"tokens": ["a"], "tags": ["O"]}\nnull\n');
  const nul = ner(["align", "--tokenizer", "bert-base-cased", "--input", withNull, "--json"]);
  assert.notEqual(nul.code, 0);
  assert.match(nul.stderr, /null\.jsonl:2: expected a JSON object .* found null/);
  assert.doesNotMatch(nul.stderr, /Cannot read properties/);

  const toDir = ner(["align", "--tokenizer", "bert-base-cased", "--input", withNull, "--output", dir]);
  assert.notEqual(toDir.code, 0);
  assert.match(
    toDir.stderr,
    /--output .* is a directory, not a file/,
    "the output is checked before the input is read",
  );
  const asInput = ner(["align", "--tokenizer", "bert-base-cased", "--input", dir]);
  assert.match(asInput.stderr, /: is a directory, not a file/);
});
