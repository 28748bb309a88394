// The one label-list parser (JSON array, id2label object, one per line, comma list) and the one
// rule that builds a label list from tags.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { labelListFromTags, labelsFromOption, parseLabelList, readLabelFile } from "../../src/data";

const MIT = ["O", "B-Amenity", "I-Amenity", "B-Cuisine", "I-Cuisine"];

test("parseLabelList: the four formats give the same list", () => {
  assert.deepEqual(parseLabelList(JSON.stringify(MIT), "l.json"), MIT);
  const id2label = Object.fromEntries([...MIT.entries()].reverse().map(([i, l]) => [String(i), l]));
  assert.deepEqual(parseLabelList(JSON.stringify(id2label), "l.json"), MIT, "ordered by id, not by key order");
  assert.deepEqual(
    parseLabelList(JSON.stringify({ architectures: ["BertForTokenClassification"], id2label }), "config.json"),
    MIT,
  );
  assert.deepEqual(parseLabelList(MIT.join("\r\n") + "\n\n", "l.txt"), MIT);
  assert.deepEqual(parseLabelList("\uFEFF" + MIT.join("\n"), "l.txt"), MIT, "BOM accepted");
  assert.deepEqual(parseLabelList(MIT.join(", "), "--labels"), MIT);
  assert.deepEqual(parseLabelList("O", "--labels"), ["O"]);
});

test("parseLabelList: bad lists name the file and the problem", () => {
  assert.throws(() => parseLabelList("", "l.txt"), /^Error: l\.txt: no labels$/);
  assert.throws(() => parseLabelList("O,B-PER,O", "l.txt"), /l\.txt: label "O" is listed twice \(positions 0 and 2\)/);
  assert.throws(() => parseLabelList("O,,B-PER", "--labels"), /--labels: label 2 of the comma list is empty/);
  assert.throws(() => parseLabelList('["O", 3]', "l.json"), /l\.json: label 1 of the JSON array is not a string/);
  assert.throws(
    () => parseLabelList('{"0": "O", "2": "B-PER"}', "l.json"),
    new RegExp('l\\.json: id2label key "2" is not one of the ids 0\\.\\.1'),
  );
  assert.throws(() => parseLabelList('{"0": "O", "x": "B-PER"}', "l.json"), /id2label key "x"/);
  assert.throws(() => parseLabelList('["O", ', "l.json"), /^Error: l\.json: invalid JSON \(/);
  assert.throws(() => parseLabelList("O\nB-PER,I-PER\n", "l.txt"), /l\.txt:2: "B-PER,I-PER" holds a comma/);
});

test("readLabelFile and labelsFromOption: files, comma lists, missing files and directories", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-labels-"));
  try {
    const json = path.join(dir, "labels.json");
    fs.writeFileSync(json, JSON.stringify(MIT));
    assert.deepEqual(readLabelFile(json), MIT);
    assert.deepEqual(labelsFromOption(json), MIT);
    assert.deepEqual(labelsFromOption("O,B-PER,I-PER"), ["O", "B-PER", "I-PER"]);
    assert.throws(() => labelsFromOption(path.join(dir, "missing.json")), /--labels .*missing\.json: no such file/);
    assert.throws(() => labelsFromOption(dir), /--labels .*: is a directory, not a label file/);
    const bad = path.join(dir, "bad.txt");
    fs.writeFileSync(bad, Buffer.from("O\nB-P\xffR\n", "latin1"));
    assert.throws(() => readLabelFile(bad), /bad\.txt:2: invalid UTF-8 \(byte 0xff/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("labelListFromTags: O first, types in code-point order, B and I for each; bad prefixes refused", () => {
  assert.deepEqual(labelListFromTags(["I-b", "O", "B-a", "B-B"]), ["O", "B-B", "I-B", "B-a", "I-a", "B-b", "I-b"]);
  assert.deepEqual(labelListFromTags([]), ["O"]);
  assert.throws(() => labelListFromTags(["O", "X-PER"]), /tag "X-PER" is not O, B-<type> or I-<type>/);
});
