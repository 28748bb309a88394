import { test } from "node:test";
import assert from "node:assert/strict";
import { iob1ToIob2, iob1Violation, iob2Violation, labelListFromTags, parseTag } from "../../src/data";
import { tagSpans } from "../../src/data/tags";
import { getEntities } from "../../src/metrics/seqeval";

test("parseTag accepts O, B-x, I-x (types may contain '-' and '_')", () => {
  assert.deepEqual(parseTag("O"), { prefix: "O", type: "" });
  assert.deepEqual(parseTag("B-creative-work"), { prefix: "B", type: "creative-work" });
  assert.deepEqual(parseTag("I-Restaurant_Name"), { prefix: "I", type: "Restaurant_Name" });
  for (const bad of ["E-PER", "S-LOC", "B-", "PER", "o", "B_PER", ""]) assert.equal(parseTag(bad), null, bad);
});

test("IOB2 and IOB1 transition rules", () => {
  assert.equal(iob2Violation(null, "B-PER"), null);
  assert.equal(iob2Violation("B-PER", "I-PER"), null);
  assert.equal(iob2Violation("I-PER", "I-PER"), null);
  assert.match(iob2Violation(null, "I-PER")!, /open a sentence/);
  assert.match(iob2Violation("O", "I-PER")!, /follow O/);
  assert.match(iob2Violation("B-ORG", "I-PER")!, /cannot follow B-ORG/);
  assert.equal(iob1Violation("I-PER", "B-PER"), null);
  assert.match(iob1Violation("O", "B-PER")!, /must directly follow another PER entity/);
});

test("IOB1 → IOB2 conversion", () => {
  assert.deepEqual(iob1ToIob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "I-ORG"]), [
    "B-PER",
    "I-PER",
    "O",
    "B-LOC",
    "B-LOC",
    "I-LOC",
    "B-ORG",
  ]);
  const iob2 = ["B-PER", "I-PER", "B-PER", "O", "B-MISC"];
  assert.deepEqual(iob1ToIob2(iob2), iob2, "valid IOB2 is left unchanged");
});

test("tagSpans cuts entities like conlleval (I- after O starts one)", () => {
  assert.deepEqual(tagSpans(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG", "I-ORG"]), [
    { type: "PER", start: 0, end: 2 },
    { type: "LOC", start: 3, end: 4 },
    { type: "LOC", start: 4, end: 5 },
    { type: "ORG", start: 5, end: 7 },
  ]);
  assert.deepEqual(tagSpans(["O", "I-MISC"]), [{ type: "MISC", start: 1, end: 2 }]);
  assert.deepEqual(tagSpans([]), []);
});

test("tagSpans is seqeval's getEntities with end-exclusive spans (IOBES tags too)", () => {
  assert.deepEqual(tagSpans(["S-PER", "B-LOC", "E-LOC", "O"]), [
    { type: "PER", start: 0, end: 1 },
    { type: "LOC", start: 1, end: 3 },
  ]);
  const alphabet = ["O", "B-A", "I-A", "B-B", "I-B", "E-A", "S-B"];
  const check = (seq: string[]): void => {
    const want = getEntities(seq, false, () => {}).map(([type, start, end]) => ({ type, start, end: end + 1 }));
    assert.deepEqual(tagSpans(seq), want, seq.join(" "));
    if (seq.length < 4) for (const t of alphabet) check([...seq, t]);
  };
  check([]);
});

test("labelListFromTags: O first, types in code-point order, B and I for each", () => {
  assert.deepEqual(labelListFromTags(["I-b", "O", "B-a", "B-B"]), ["O", "B-B", "I-B", "B-a", "I-a", "B-b", "I-b"]);
  assert.deepEqual(labelListFromTags([]), ["O"]);
});
