import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot, corpusPath, corpusMirrorFor } from "../helpers/fixtures";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-data-cli-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ner(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, NER_OFFLINE: "1", NER_CACHE_DIR: path.join(tmp, "cache"), NER_DATA_DIR: "", ...env },
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test("ner data stats conll2003:test --json on the local mirror", async () => {
  const r = ner(["data", "stats", "conll2003:test", "--json"], {
    NER_DATA_DIR: await corpusMirrorFor("conll2003", "test.txt"),
  });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.sentences, 3453);
  assert.deepEqual(s.entities, { LOC: 1668, MISC: 702, ORG: 1661, PER: 1617 });
  assert.equal(s.longestSentence.tokens, 124);
  assert.deepEqual(s.scheme, { name: "IOB2", valid: true, violations: 0, examples: [] });
  assert.equal(s.source, "mirror");
});

test("ner data stats on a file with --format, text and --strict", () => {
  const file = path.join(tmp, "loose.conll");
  fs.writeFileSync(file, "New\tI-location\nYork\tI-location\n\nhi\tO\n");
  const r = ner(["data", "stats", file, "--format", "wnut"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sentences +2\n/);
  assert.match(r.stdout, /entities +1: location 1/);
  assert.match(r.stdout, /IOB2: 1 violation\(s\)/);
  const strict = ner(["data", "stats", file, "--format", "wnut", "--strict"]);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /loose\.conll:1: invalid IOB2 tag sequence: I-location cannot open a sentence/);
  const noFormat = ner(["data", "stats", file]);
  assert.equal(noFormat.code, 1);
  assert.match(noFormat.stderr, /--format is required/);
});

test("ner data convert writes JSONL (IOB1 → IOB2 on request) and reports bad input with file and line", () => {
  const out = path.join(tmp, "out", "eng.jsonl");
  const input = path.join(__dirname, "fixtures", "eng_iob1.train");
  const r = ner(["data", "convert", input, "--format", "iob1", "--to-iob2", "--output", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).sentences, 3);
  const lines = fs
    .readFileSync(out, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], {
    tokens: ["EU", "rejects", "German", "call", "."],
    tags: ["B-ORG", "O", "B-MISC", "O", "O"],
  });
  assert.deepEqual(lines[2].tags, ["B-MISC", "B-MISC", "O"]);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["eng.jsonl"], "no temporary file left behind");

  const bad = path.join(tmp, "bad.bio");
  fs.writeFileSync(bad, "O\tgood\nB-Dish\n");
  const e = ner(["data", "convert", bad, "--format", "mit", "--output", path.join(tmp, "bad.jsonl")]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /bad\.bio:2: expected 2 TAB-separated columns \(TAG<TAB>token\), found 1/);
  assert.equal(fs.existsSync(path.join(tmp, "bad.jsonl")), false);

  const embedded = ner(["data", "convert", "mit_restaurant:test", "-o", path.join(tmp, "mit.jsonl")]);
  assert.equal(embedded.code, 0, embedded.stderr);
  assert.equal(fs.readFileSync(path.join(tmp, "mit.jsonl"), "utf8").split("\n").length - 1, 1521);
});

test("offline with no mirror: the error names NER_DATA_DIR", () => {
  const r = ner(["data", "stats", "wikiann_en:test"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /wikiann_en\/test is not available offline \(NER_OFFLINE=1\)\. Set NER_DATA_DIR/);
});

test(
  "ner data: a cut mirror file fails, directories are reported as " + "directories, --output is checked before reading",
  async () => {
    const mirror = path.join(tmp, "cut-mirror");
    fs.mkdirSync(path.join(mirror, "conll2003"), { recursive: true });
    const full = fs.readFileSync(await corpusPath("conll2003", "test.txt"));
    const cut = full.indexOf("\n\n", 5000) + 2; // a sentence boundary: the file still parses
    fs.writeFileSync(path.join(mirror, "conll2003", "test.txt"), full.subarray(0, cut));
    const stats = ner(["data", "stats", "conll2003:test"], { NER_DATA_DIR: mirror });
    assert.notEqual(stats.code, 0);
    assert.match(
      stats.stderr,
      new RegExp(
        `test\\.txt \\(conll2003/test\\.txt, local mirror .*\\) is ${cut} bytes but the published file is ` +
          `743011 bytes: it is cut short`,
      ),
    );

    const dirAsFile = ner(["data", "stats", tmp, "--format", "conll2003"]);
    assert.notEqual(dirAsFile.code, 0);
    assert.match(dirAsFile.stderr, /: is a directory, not a file/);

    const toDir = ner(["data", "convert", "conll2003:test", "--output", tmp], { NER_DATA_DIR: mirror });
    assert.notEqual(toDir.code, 0);
    assert.match(toDir.stderr, /--output .* is a directory, not a file/, "checked before the (bad) input is read");
  },
);
