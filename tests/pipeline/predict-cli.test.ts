import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatEntitiesTable, readTextsFile } from "../../src/cli/commands/predict";
import { repoRoot, fixturePath } from "../helpers/fixtures";

function ner(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, NER_OFFLINE: "1" },
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

test("readTextsFile: one text per line, blank lines skipped, CRLF and BOM handled, errors name file and line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-predict-"));
  try {
    const file = path.join(dir, "in.txt");
    fs.writeFileSync(file, "\uFEFFfirst text\r\n\n  \nsecond 😀\n");
    assert.deepEqual(readTextsFile(file), [
      { text: "first text", line: 1 },
      { text: "second 😀", line: 4 },
    ]);
    const bad = path.join(dir, "bad.txt");
    fs.writeFileSync(bad, Buffer.concat([Buffer.from("ok\n"), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from("\n")]));
    assert.throws(
      () => readTextsFile(bad),
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: invalid UTF-8`),
    );
    const blank = path.join(dir, "blank.txt");
    fs.writeFileSync(blank, "\n \n");
    assert.throws(() => readTextsFile(blank), /no texts/);
    assert.throws(() => readTextsFile(path.join(dir, "missing.txt")), /missing\.txt: no such file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("formatEntitiesTable lists label, score, offsets and word", () => {
  const table = formatEntitiesTable("I love Paris", [
    { entity_group: "LOC", score: 0.91234, word: "paris", start: 7, end: 12 },
  ]);
  assert.equal(table, 'I love Paris\n  LOC              0.9123     7-12   "paris"');
  assert.equal(formatEntitiesTable("x", []), "x\n  (no entities)");
});

test("ner predict: JSON lines from --input, an HTML page, and clear errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-predict-"));
  try {
    const model = fixturePath("tiny-bert");
    const input = path.join(dir, "texts.txt");
    fs.writeFileSync(input, "AL-AIN , United Arab Emirates 1996-12-06\n\n<script>alert(1)</script> Igor\n");
    const html = path.join(dir, "out", "entities.html");
    const res = ner(["predict", "--model", model, "--aggregation", "simple", "--input", input, "--html", html]);
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { line: number; text: string; entities: Record<string, unknown>[] });
    assert.deepEqual(
      lines.map((l) => l.line),
      [1, 3],
    );
    // the same entities as transformers (golden.json, text 1, "simple")
    assert.deepEqual(
      lines[0].entities.map((e) => [e.entity_group, e.word, e.start, e.end]),
      [
        ["ORG", "-", 2, 3],
        ["ORG", "##IN, United", 4, 15],
        ["PER", "Arab", 16, 20],
        ["PER", "Emi", 21, 24],
        ["LOC", "##rates", 24, 29],
        ["ORG", "1996 - 12 - 06", 30, 40],
      ],
    );
    const page = fs.readFileSync(html, "utf8");
    assert.ok(page.startsWith("<!DOCTYPE html>"));
    assert.ok(!/<script|<\/script/i.test(page), "input text cannot inject markup");
    assert.ok(page.includes("&lt;"));
    assert.equal(fs.readdirSync(path.dirname(html)).length, 1, "no temporary files left next to the page");

    const none = ner(["predict", "--model", model, "--aggregation", "none", "--json", "Igor"]);
    assert.equal(none.status, 0, none.stderr);
    const row = JSON.parse(none.stdout) as { text: string; entities: Record<string, unknown>[] };
    assert.equal(row.text, "Igor");
    assert.deepEqual(
      row.entities.map((e) => [e.entity, e.index, e.word, e.start, e.end]),
      [
        ["I-ORG", 1, "I", 0, 1],
        ["I-ORG", 2, "##go", 1, 3],
        ["I-ORG", 3, "##r", 3, 4],
      ],
    );

    const bad = ner(["predict", "--model", model, "--aggregation", "longest", "x"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /Unknown aggregation strategy "longest"/);
    const missing = ner(["predict", "--model", model, "--input", path.join(dir, "nope.txt")]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /nope\.txt: no such file/);
    const both = ner(["predict", "--model", model, "--input", input, "extra"]);
    assert.notEqual(both.status, 0);
    assert.match(both.stderr, /either as arguments or with --input/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "ner predict: --html is checked before the model loads; a text cut at the model's length says so and " +
    "points to --stride",
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-predict-"));
    try {
      const model = fixturePath("tiny-bert");
      const toDir = ner(["predict", "--model", path.join(dir, "no-model-here"), "--html", dir, "Igor"]);
      assert.notEqual(toDir.status, 0);
      assert.match(toDir.stderr, /--html .* is a directory, not a file/);
      const badIgnore = ner(["predict", "--model", model, "--ignore-labels", "O,,I-ORG", "Igor"]);
      assert.match(badIgnore.stderr, /--ignore-labels: label 2 of the comma list is empty/);
      const ignoreFile = path.join(dir, "ignore.json");
      fs.writeFileSync(ignoreFile, '["O", "I-ORG"]');
      const ignored = ner([
        "predict",
        "--model",
        model,
        "--aggregation",
        "none",
        "--ignore-labels",
        ignoreFile,
        "--json",
        "Igor",
      ]);
      assert.equal(ignored.status, 0, ignored.stderr);
      assert.deepEqual(JSON.parse(ignored.stdout).entities, [], "the three I-ORG tokens of 'Igor' are left out");
      const long = Array.from({ length: 600 }, (_, i) => (i % 2 ? "Igor" : "lives")).join(" ");
      const res = ner(["predict", "--model", model, "--aggregation", "simple", "--json", long]);
      assert.equal(res.status, 0, res.stderr);
      assert.match(
        res.stderr,
        new RegExp(
          "text 1: \\d+ tokens, more than the model's 512; only the first \\d+ " +
            "characters were classified\\. Pass --stride <n>",
        ),
      );
      const strided = ner(["predict", "--model", model, "--aggregation", "simple", "--stride", "64", "--json", long]);
      assert.equal(strided.status, 0, strided.stderr);
      assert.doesNotMatch(strided.stderr, /--stride/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
