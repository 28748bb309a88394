// The one validated JSONL reader: strict UTF-8 with file:line, BOM, null/non-object lines, the
// tag-prefix and IOB2 checks of `ner data stats`, ids through a label list, and the job's split reader.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DataFormatError, parseJsonl, readJsonl, readJsonlSplits, sentencesToJsonl } from "../../src/data";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-jsonl-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

test("readJsonl: round trip of the writer, CRLF and a BOM accepted, blank lines skipped", () => {
  const sentences = [
    { tokens: ["EU", "rejects", "German"], tags: ["B-ORG", "O", "B-MISC"] },
    { tokens: ["Peter", "Blackburn"], tags: ["B-PER", "I-PER"] },
  ];
  const p = file("ok.jsonl", "\uFEFF" + sentencesToJsonl(sentences).replace(/\n/g, "\r\n") + "\r\n\r\n");
  const r = readJsonl(p);
  assert.deepEqual(
    r.sentences.map((s) => ({ tokens: s.tokens, tags: s.tags })),
    sentences,
  );
  assert.deepEqual(
    r.sentences.map((s) => s.source),
    [`${p}:1`, `${p}:2`],
  );
  assert.equal(r.schemeViolations, 0);
});

test("readJsonl: invalid UTF-8 is an error with file:line, never a silently dropped character", () => {
  const p = file(
    "latin1.jsonl",
    Buffer.concat([
      Buffer.from('{"tokens": ["a"], "tags": ["O"]}\n{"tokens": ["E'),
      Buffer.from([0xff]),
      Buffer.from('U"], "tags": ["B-ORG"]}\n'),
    ]),
  );
  assert.throws(
    () => readJsonl(p),
    (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: invalid UTF-8 \\(byte 0xff at byte column 15\\)`),
      );
      return true;
    },
  );
});

test("readJsonl: null, arrays, numbers, missing fields and bad JSON name the line", () => {
  const cases: [string, RegExp][] = [
    ["null", /x\.jsonl:2: expected a JSON object .* found null/],
    ["[1, 2]", /x\.jsonl:2: expected a JSON object .* found an array/],
    ["42", /x\.jsonl:2: expected a JSON object .* found number/],
    ['{"tags": ["O"]}', /x\.jsonl:2: no "tokens" field/],
    ['{"tokens": ["a"]}', /x\.jsonl:2: needs "tags"/],
    ['{"tokens": ["a"], "tags": [null]}', /x\.jsonl:2: "tags" must be an array of strings or of integer ids/],
    ['{"tokens": ["a", "b"], "tags": ["O"]}', /x\.jsonl:2: 2 tokens but 1 tags/],
    ['{"tokens": ["a"], "tags": ["O"]', /x\.jsonl:2: invalid JSON \(/],
  ];
  for (const [line, want] of cases) {
    assert.throws(
      () => parseJsonl(`{"tokens": ["a"], "tags": ["O"]}\n${line}\n`, "x.jsonl"),
      (err: Error) => {
        assert.ok(err instanceof DataFormatError, line);
        assert.match(err.message, want, line);
        return true;
      },
    );
  }
  assert.throws(() => parseJsonl("\n\n", "x.jsonl"), /x\.jsonl:1: empty file: no sentences found/);
});

test("readJsonl: binary garbage in a bad line is capped and escaped in the message", () => {
  const garbage = "\u0000\u0001\u200b\ufffd".repeat(500);
  assert.throws(
    () => parseJsonl(garbage + "\n", "g.jsonl"),
    (err: Error) => {
      assert.ok(err.message.length < 400, `message is ${err.message.length} characters`);
      assert.ok(!/[\u0000-\u001f\u200b\ufffd]/.test(err.message), err.message);
      assert.match(err.message, /g\.jsonl:1: invalid JSON .*\\u0000\\u0001\\u200b\\ufffd.*more characters/);
      return true;
    },
  );
});

test("readJsonl: X-PER is not a label; scheme violations are counted, or errors with strict", () => {
  assert.throws(
    () => parseJsonl('{"tokens": ["a", "b"], "tags": ["O", "X-PER"]}\n', "t.jsonl"),
    new RegExp('t\\.jsonl:1: unknown tag prefix in "X-PER" \\(word 1'),
  );
  const text = '{"tokens": ["a"], "tags": ["O"]}\n{"tokens": ["a", "b"], "tags": ["O", "I-PER"]}\n';
  const r = parseJsonl(text, "s.jsonl");
  assert.equal(r.schemeViolations, 1);
  assert.deepEqual(r.issues[0], {
    file: "s.jsonl",
    line: 2,
    sentence: 1,
    token: 1,
    problem: "I-PER cannot follow O in IOB2 (expected B-PER)",
  });
  assert.throws(
    () => parseJsonl(text, "s.jsonl", { strict: true }),
    new RegExp("s\\.jsonl:2: invalid IOB2 tag sequence: I-PER cannot follow O"),
  );
});

test("readJsonl: ids (tags or ner_tags) need a label list and must be inside it; tags outside it are refused", () => {
  const text = '{"tokens": ["EU", "x"], "ner_tags": [3, 0]}\n';
  assert.throws(() => parseJsonl(text, "i.jsonl"), /i\.jsonl:1: tags are ids; pass the label list/);
  const labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"];
  assert.deepEqual(parseJsonl(text, "i.jsonl", { labels }).sentences[0].tags, ["B-ORG", "O"]);
  assert.throws(
    () => parseJsonl('{"tokens": ["a"], "tags": [7]}\n', "i.jsonl", { labels }),
    new RegExp("i\\.jsonl:1: tag id 7 \\(word 0\\) is outside the 5 labels"),
  );
  assert.throws(
    () => parseJsonl('{"tokens": ["a"], "tags": ["B-LOC"]}\n', "i.jsonl", { labels }),
    new RegExp('i\\.jsonl:1: unknown tag "B-LOC" \\(word 0\\)'),
  );
});

test("readJsonl: a directory or a missing file is reported as such", () => {
  assert.throws(
    () => readJsonl(dir),
    new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: is a directory, not a file`),
  );
  assert.throws(() => readJsonl(path.join(dir, "nope.jsonl")), /nope\.jsonl: no such file/);
});

test("readJsonlSplits: one label list by the one rule over every file, scheme warnings per file", () => {
  const train = file("train.jsonl", '{"tokens": ["a", "b"], "tags": ["B-PER", "I-PER"]}\n');
  const dev = file("dev.jsonl", '{"tokens": ["a", "b"], "tags": ["O", "I-LOC"]}\n');
  const warnings: string[] = [];
  const { splits, labelList } = readJsonlSplits([train, dev], { onWarning: (m) => warnings.push(m) });
  assert.deepEqual(labelList, ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]);
  assert.equal(splits.length, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /dev\.jsonl: 1 IOB2 violation\(s\), first at line 1: I-LOC cannot follow O .*--strict/);
  assert.throws(() => readJsonlSplits([train, dev], { strict: true }), /dev\.jsonl:1: invalid IOB2/);
  assert.deepEqual(readJsonlSplits([train], { labels: ["O", "B-PER", "I-PER", "B-X", "I-X"] }).labelList, [
    "O",
    "B-PER",
    "I-PER",
    "B-X",
    "I-X",
  ]);
});
