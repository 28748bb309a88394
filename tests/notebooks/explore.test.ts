import { test } from "node:test";
import assert from "node:assert/strict";
import {
  entityFrame,
  entityRecords,
  entityTypeSummaryFrame,
  frameRows,
  frameTable,
  showFrame,
  histogram,
  lengthSummary,
  sentenceFrame,
  sentenceRecords,
  tagCounts,
  tagFrequencyFrame,
  tagIdCounterRepr,
  toTagged,
} from "../../src/explore";
import { setDisplaySink, type MimeBundle } from "../../src/display/index";

const labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
const rows = [
  { tokens: ["John", "Smith", "lives", "in", "New", "York"], ner_tags: [1, 2, 0, 0, 3, 4] },
  { tokens: ["Paris", "!"], ner_tags: [3, 0] },
  { tokens: ["ok"], ner_tags: [0] },
];
const sents = toTagged(rows, labels);

test("toTagged decodes ids and names a bad id", () => {
  assert.deepEqual(sents[1].tags, ["B-LOC", "O"]);
  assert.throws(
    () => toTagged([{ tokens: ["a"], ner_tags: [9] }], labels),
    /row 0: tag id 9 is outside the label list \(5 labels\)/,
  );
});

test("sentence and entity records", () => {
  const s = sentenceRecords(sents, { maxText: 10 });
  assert.deepEqual(s[0], { sentence: 0, tokens: 6, entities: 2, types: "PER,LOC", text: "John Smit…" });
  assert.equal(s[2].entities, 0);
  const e = entityRecords(sents);
  assert.deepEqual(e, [
    { sentence: 0, type: "PER", text: "John Smith", length: 2, start: 0 },
    { sentence: 0, type: "LOC", text: "New York", length: 2, start: 4 },
    { sentence: 1, type: "LOC", text: "Paris", length: 1, start: 0 },
  ]);
});

test("tag counts in label order or by frequency, and the Counter repr", () => {
  const byLabel = tagCounts(sents, labels);
  assert.deepEqual(
    byLabel.map((c) => [c.tag, c.count]),
    [
      ["O", 4],
      ["B-PER", 1],
      ["I-PER", 1],
      ["B-LOC", 2],
      ["I-LOC", 1],
    ],
  );
  assert.equal(byLabel[0].share, 4 / 9);
  const byFreq = tagCounts(sents);
  assert.deepEqual(
    byFreq.map((c) => c.tag),
    ["O", "B-LOC", "B-PER", "I-LOC", "I-PER"],
  );
  // Counter order: most common first, ties in first-seen order (1 before 2 before 4).
  assert.equal(tagIdCounterRepr(rows), "Counter({0: 4, 3: 2, 1: 1, 2: 1, 4: 1})");
});

test("histogram and length summary", () => {
  assert.deepEqual(histogram([3, 1, 3, 2]), [
    { value: 1, count: 1 },
    { value: 2, count: 1 },
    { value: 3, count: 2 },
  ]);
  const s = lengthSummary([6, 2, 1, 10]);
  assert.deepEqual(s, { count: 4, min: 1, max: 10, mean: 4.75, median: 2, p95: 10 });
  assert.equal(lengthSummary([]).count, 0);
});

test("danfojs views: sentence, entity, tag frequency and per-type summary frames", () => {
  const sf = sentenceFrame(sents);
  assert.deepEqual(sf.shape, [3, 5]);
  assert.deepEqual(sf.columns, ["sentence", "tokens", "entities", "types", "text"]);
  const ef = entityFrame(sents);
  assert.deepEqual(frameRows(ef)[1], { sentence: 0, type: "LOC", text: "New York", length: 2, start: 4 });
  const tf = tagFrequencyFrame(sents, labels);
  assert.deepEqual(tf.column("count").values, [4, 1, 1, 2, 1]);
  const summary = frameRows(entityTypeSummaryFrame(sents));
  assert.deepEqual(summary, [
    { type: "LOC", length_count: 2, length_mean: 1.5, length_max: 2 },
    { type: "PER", length_count: 1, length_mean: 2, length_max: 2 },
  ]);
  assert.deepEqual(entityFrame(toTagged([{ tokens: ["a"], ner_tags: [0] }], labels)).shape, [0, 5]);
});

test("showFrame: an HTML table with rounded numbers, whole text, every row or a visible '… N more rows'", () => {
  const sent: MimeBundle[] = [];
  setDisplaySink((bundle) => sent.push(bundle));
  try {
    const longSentence = {
      tokens: Array.from({ length: 40 }, (_, i) => `word${i}`),
      tags: Array.from({ length: 40 }, () => "O"),
    };
    showFrame(sentenceFrame([...sents, longSentence]));
    const html = sent[0]["text/html"] as string;
    assert.ok(html.includes(longSentence.tokens.join(" ")), "text is not cut");
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 4, "header + every row");
    assert.ok(!html.includes("more row"));
    // 17 tags (as in CoNLL's BIO set + extras): all shown, share rounded to 3 digits.
    const many = Array.from({ length: 17 }, (_, i) => `B-T${i}`);
    showFrame(tagFrequencyFrame(toTagged([{ tokens: many, ner_tags: many.map((_, i) => i) }], many), many));
    const tags = sent[1]["text/html"] as string;
    assert.equal((tags.match(/<tr>/g) ?? []).length, 1 + 17);
    assert.ok(tags.includes(">0.059<"), "1/17 rounded");
    showFrame(tagFrequencyFrame(toTagged([{ tokens: many, ner_tags: many.map((_, i) => i) }], many), many), {
      maxRows: 10,
      caption: "tags",
    });
    assert.match(sent[2]["text/html"] as string, /… 7 more rows/);
    assert.match(sent[2]["text/plain"] as string, /^tags\n[\s\S]*… 7 more rows$/);
  } finally {
    setDisplaySink(null);
  }
});

test("frameTable: the index is shown only when it is not 0, 1, 2, …; the type summary is numbered in order", () => {
  const summary = entityTypeSummaryFrame(sents);
  assert.deepEqual(summary.index, [0, 1]);
  assert.deepEqual(
    frameTable(summary).columns.map((c) => c.key),
    ["type", "length_count", "length_mean", "length_max"],
  );
  const shuffled = sentenceFrame(sents).sortValues("tokens") as typeof summary;
  const t = frameTable(shuffled);
  assert.equal(t.columns[0].key, "");
  assert.deepEqual(
    t.rows.map((r) => r[""]),
    [2, 1, 0],
  );
});
