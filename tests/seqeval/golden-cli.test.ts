/**
 * All golden cases (every mode and zero_division) through `ner seqeval --json` in one
 * process, as a JSON array; plus the CLI's text, conll and bad-input paths.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../helpers/fixtures";
import { MODES, ZDS, assertClose, assertReport, isGoldenError, loadGoldenCases } from "./golden";

const cli = path.join(repoRoot, "bin", "ner.js");

function runCli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [cli, "seqeval", ...args], {
    encoding: "utf8",
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function tmpFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seqeval-cli-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

test("every golden case, mode and zero_division through one `ner seqeval --json` call", () => {
  const cases = loadGoldenCases();
  const inputs: unknown[] = [];
  const expected: { where: string; golden: unknown; accuracy: unknown }[] = [];
  for (const c of cases) {
    for (const mode of MODES) {
      for (const [zdKey, zd] of ZDS) {
        const input: Record<string, unknown> = { y_true: c.y_true, y_pred: c.y_pred, zero_division: zd };
        if (mode !== "default") Object.assign(input, { mode: "strict", scheme: mode.slice("strict_".length) });
        if (c.kwargs?.suffix) input.suffix = true;
        inputs.push(input);
        const g = c.results[mode];
        expected.push({
          where: `${c.id} ${mode} ${zdKey}`,
          golden: isGoldenError(g) ? g : g[zdKey],
          accuracy: c.accuracy_score,
        });
      }
    }
  }
  const file = tmpFile("cases.json", JSON.stringify(inputs));
  const res = runCli(["--input", file, "--json"]);
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as Record<string, any>[];
  assert.equal(out.length, inputs.length);
  out.forEach((r, k) => {
    const { where, golden, accuracy } = expected[k];
    if (isGoldenError(golden)) {
      assert.deepEqual(r, golden, where);
      return;
    }
    assert.deepEqual(Object.keys(r), ["classification_report", "accuracy"], where);
    assertReport(r.classification_report, (golden as { report: any }).report, where);
    if (isGoldenError(accuracy)) assert.deepEqual(r.accuracy, accuracy, `${where} accuracy`);
    else assertClose(r.accuracy, accuracy as number, `${where} accuracy`);
  });
});

test("single object input gives a single result; text report without --json", () => {
  const readme = {
    y_true: [
      ["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"],
      ["B-PER", "I-PER", "O"],
    ],
    y_pred: [
      ["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"],
      ["B-PER", "I-PER", "O"],
    ],
  };
  const file = tmpFile("one.json", JSON.stringify(readme));
  const json = runCli(["--input", file, "--json"]);
  assert.equal(json.status, 0, json.stderr);
  const r = JSON.parse(json.stdout);
  assert.equal(r.accuracy, 0.8);
  assert.equal(r.classification_report["micro avg"]["f1-score"], 0.5);

  const text = runCli(["--input", file]);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(
    text.stdout,
    "              precision    recall  f1-score   support\n\n" +
      "        MISC       0.00      0.00      0.00         1\n" +
      "         PER       1.00      1.00      1.00         1\n\n" +
      "   micro avg       0.50      0.50      0.50         2\n" +
      "   macro avg       0.50      0.50      0.50         2\n" +
      "weighted avg       0.50      0.50      0.50         2\n\n",
  );
});

test("--format conll reads token/gold/pred columns with blank lines between sentences", () => {
  const file = tmpFile(
    "preds.conll",
    "-DOCSTART- -X- O O\n\nJohn B-PER B-PER\nlives O O\n\nin O O\nParis B-LOC B-ORG\n",
  );
  const res = runCli(["--input", file, "--format", "conll", "--json"]);
  assert.equal(res.status, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.deepEqual(Object.keys(r.classification_report), [
    "LOC",
    "ORG",
    "PER",
    "micro avg",
    "macro avg",
    "weighted avg",
  ]);
  assert.equal(r.classification_report.PER.precision, 1);
  assert.equal(r.classification_report.LOC.recall, 0);
  assert.equal(r.classification_report["micro avg"].precision, 0.5);
  assert.equal(r.accuracy, 0.75);
});

test("bad input names the file and line and exits non-zero", () => {
  const badJson = tmpFile("bad.json", '{"y_true": [["O"]],\n "y_pred": [["O"]\n}');
  const a = runCli(["--input", badJson, "--json"]);
  assert.notEqual(a.status, 0);
  assert.match(a.stderr, /bad\.json:3:1: invalid JSON/);

  const badConll = tmpFile("bad.conll", "John B-PER B-PER\nlives\n");
  const b = runCli(["--input", badConll, "--format", "conll"]);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /bad\.conll:2: expected "token gold pred" columns/);

  const badCase = tmpFile("case.json", JSON.stringify([{ y_true: [["O"]], y_pred: [["O"]] }, { y_true: [["O"]] }]));
  const c = runCli(["--input", badCase, "--json"]);
  assert.notEqual(c.status, 0);
  assert.match(c.stderr, /case\.json: case #1: "y_pred" must be an array/);
});

test("--warnings lists each case's warnings in the JSON", () => {
  const file = tmpFile("w.json", JSON.stringify({ y_true: [["B-PER", "O"]], y_pred: [["O", "O"]] }));
  const res = runCli(["--input", file, "--json", "--warnings"]);
  assert.equal(res.status, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.deepEqual(r.warnings, [
    "Precision and F-score are ill-defined and being set to 0.0 due to no predicted samples. Use " +
      "`zero_division` parameter to control this behavior.",
    "Precision is ill-defined and being set to 0.0 due to no predicted samples. Use `zero_division` " +
      "parameter to control this behavior.",
  ]);
});
