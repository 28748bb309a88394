import { test } from "node:test";
import assert from "node:assert/strict";
import { ClassLabel, Dataset, DatasetDict, Sequence, Value, range, sentencesToDataset } from "../../src/data";
import { inspect } from "util";

const sentences = [
  { tokens: ["EU", "rejects", "German", "call"], tags: ["B-ORG", "O", "B-MISC", "O"] },
  { tokens: ["Peter", "Blackburn"], tags: ["B-PER", "I-PER"] },
  { tokens: ["BRUSSELS", "1996-08-22"], tags: ["B-LOC", "O"] },
  { tokens: ["The", "European", "Commission"], tags: ["O", "B-ORG", "I-ORG"] },
];
const LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

function small() {
  return sentencesToDataset(sentences, { labelList: LABELS, split: "train" });
}

test("sentencesToDataset: HF columns, ClassLabel ids and names", () => {
  const ds = small();
  assert.equal(ds.numRows, 4);
  assert.deepEqual(ds.columnNames, ["id", "tokens", "ner_tags"]);
  assert.deepEqual(ds.at(0), { id: "0", tokens: ["EU", "rejects", "German", "call"], ner_tags: [3, 0, 7, 0] });
  assert.deepEqual(ds.at(-1).id, "3");
  assert.deepEqual([...ds.features.ner_tags.names], LABELS);
  assert.deepEqual([...ds.features.ner_tags.feature.names], LABELS);
  assert.equal(ds.features.ner_tags.feature.int2str(7), "B-MISC");
  assert.equal(ds.features.ner_tags.feature.str2int("I-ORG"), 4);
  assert.throws(() => ds.features.ner_tags.feature.str2int("B-FOO"), /unknown label "B-FOO"/);
  assert.deepEqual(ds.column("id"), ["0", "1", "2", "3"]);
  assert.throws(() => ds.column("nope" as never), /no column "nope"/);
  assert.throws(
    () => sentencesToDataset([{ tokens: ["x"], tags: ["B-FOO"] }], { labelList: LABELS }),
    /unknown label "B-FOO"/,
  );
});

test("toString prints like the Hugging Face repr", () => {
  const ds = small();
  assert.equal(ds.toString(), "Dataset({\n    features: ['id', 'tokens', 'ner_tags'],\n    num_rows: 4\n})");
  const dict = new DatasetDict({ train: ds, test: ds.select([0]) });
  assert.equal(
    dict.toString(),
    "DatasetDict({\n" +
      "    train: Dataset({\n        features: ['id', 'tokens', 'ner_tags'],\n        num_rows: 4\n    })\n" +
      "    test: Dataset({\n        features: ['id', 'tokens', 'ner_tags'],\n        num_rows: 1\n    })\n" +
      "})",
  );
  // console.log / tslab use util.inspect
  assert.equal(inspect(dict), dict.toString());
  assert.equal(
    String(ds.features.ner_tags),
    `Sequence(feature=ClassLabel(names=['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', ` +
      `'B-MISC', 'I-MISC'], id=None), length=-1, id=None)`,
  );
});

test("DatasetDict: splits, labelList, id2label, label2id", () => {
  const ds = small();
  const dict = new DatasetDict({ train: ds, validation: ds.take(2), test: ds.take(1) });
  assert.deepEqual(dict.keys(), ["train", "validation", "test"]);
  assert.deepEqual(dict.numRows, { train: 4, validation: 2, test: 1 });
  assert.deepEqual(dict.labelList, LABELS);
  assert.equal(dict.id2label[5], "B-LOC");
  assert.equal(dict.label2id["I-MISC"], 8);
  assert.equal(new DatasetDict({ train: ds, test: ds }).validation, undefined);
  assert.throws(() => new DatasetDict({ train: ds }).test, /no split "test" \(splits: train\)/);
  const mapped = dict.map((r) => ({ n: r.tokens.length }));
  assert.deepEqual(mapped.validation!.column("n"), [4, 2]);
  assert.deepEqual(dict.filter((r) => r.tokens.length > 2).numRows, { train: 2, validation: 1, test: 1 });
});

test("map per row merges, removes columns and keeps ClassLabel features of same-shaped columns", () => {
  const ds = small();
  const m = ds.map((r, i) => ({ length: r.tokens.length, idx: i, ner_tags: r.ner_tags.map(() => 0) }));
  assert.deepEqual(m.columnNames, ["id", "tokens", "ner_tags", "length", "idx"]);
  assert.deepEqual(m.column("length"), [4, 2, 2, 3]);
  assert.ok(m.features.ner_tags instanceof Sequence && m.features.ner_tags.feature instanceof ClassLabel);
  assert.equal(String(m.features.length), "Value(dtype='int64', id=None)");
  const r = ds.map((row) => ({ text: row.tokens.join(" ") }), { removeColumns: ["tokens", "ner_tags"] });
  assert.deepEqual(r.columnNames, ["id", "text"]);
  assert.deepEqual(r.at(1), { id: "1", text: "Peter Blackburn" });
  assert.equal(String(r.features.text), "Value(dtype='string', id=None)");
  // the source dataset is untouched
  assert.deepEqual(ds.columnNames, ["id", "tokens", "ner_tags"]);
  assert.equal((ds.at(1) as unknown as Record<string, unknown>).text, undefined);
});

test("batched map sees column batches and may change the row count when inputs are removed", () => {
  const ds = small();
  const seen: number[][] = [];
  const m = ds.map(
    (batch, idx) => {
      seen.push(idx);
      return { n: batch.tokens.map((t) => t.length) };
    },
    { batched: true, batchSize: 3 },
  );
  assert.deepEqual(seen, [[0, 1, 2], [3]]);
  assert.deepEqual(m.column("n"), [4, 2, 2, 3]);
  const words = ds.map((batch) => ({ word: batch.tokens.flat() }), {
    batched: true,
    removeColumns: ["id", "tokens", "ner_tags"],
  });
  assert.equal(words.numRows, 11);
  assert.deepEqual(words.columnNames, ["word"]);
  assert.throws(
    () => ds.map((batch) => ({ word: batch.tokens.flat() }), { batched: true }),
    /changed the batch size from 4 to 11/,
  );
});

test("filter, select, take, range", () => {
  const ds = small();
  assert.deepEqual(ds.filter((r) => r.ner_tags.includes(3)).column("id"), ["0", "3"]);
  assert.deepEqual(ds.select([3, 0, 0]).column("id"), ["3", "0", "0"]);
  assert.deepEqual(ds.select(range(2)).column("id"), ["0", "1"]);
  assert.deepEqual(range(1, 3), [1, 2]);
  assert.throws(() => ds.select([4]), /index 4 out of range for 4 rows/);
  assert.equal(ds.take(10).numRows, 4);
});

test("shuffle is a deterministic permutation per seed", () => {
  const big = new Dataset(range(200).map((i) => ({ i })));
  const a = big.shuffle(42).column("i");
  assert.deepEqual(big.shuffle({ seed: 42 }).column("i"), a);
  assert.notDeepEqual(big.shuffle(43).column("i"), a);
  assert.notDeepEqual(a, range(200));
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    range(200),
  );
  assert.equal(String(big.features.i), "Value(dtype='int64', id=None)");
});

test("trainTestSplit follows HF size rules and is seeded", () => {
  const big = new Dataset(range(101).map((i) => ({ i })));
  const s = big.trainTestSplit({ testSize: 0.1, seed: 7 });
  assert.equal(s.test.numRows, 11); // ceil(0.1 * 101)
  assert.equal(s.train.numRows, 90);
  const all = [...s.train.column("i"), ...s.test.column("i")].sort((x, y) => x - y);
  assert.deepEqual(all, range(101));
  assert.deepEqual(big.trainTestSplit({ testSize: 0.1, seed: 7 }).test.column("i"), s.test.column("i"));
  const fixed = big.trainTestSplit({ testSize: 20, trainSize: 30, shuffle: false });
  assert.deepEqual(fixed.train.column("i"), range(30));
  assert.deepEqual(fixed.test.column("i"), range(30, 50));
  assert.equal(big.trainTestSplit({ trainSize: 0.5, seed: 1 }).train.numRows, 50); // floor(0.5 * 101)
  assert.equal(big.trainTestSplit({ seed: 1 }).test.numRows, 26); // default testSize 0.25
  assert.throws(() => big.trainTestSplit({ testSize: 1.5 }), /must be a fraction/);
  assert.throws(() => big.trainTestSplit({ testSize: 60, trainSize: 60 }), /exceeds/);
});

test("renameColumn and removeColumns", () => {
  const ds = small();
  const r = ds.renameColumn("ner_tags", "labels");
  assert.deepEqual(r.columnNames, ["id", "tokens", "labels"]);
  assert.deepEqual(r.at(0).labels, [3, 0, 7, 0]);
  assert.deepEqual(ds.removeColumns(["id"]).columnNames, ["tokens", "ner_tags"]);
  assert.ok(new Value("string") instanceof Value);
});

test("features print like HF when inspected", () => {
  const text = inspect(small().features, { breakLength: Infinity });
  assert.match(text, /id: Value\(dtype='string', id=None\)/);
  assert.match(text, /tokens: Sequence\(feature=Value\(dtype='string', id=None\), length=-1, id=None\)/);
  assert.match(text, /ner_tags: Sequence\(feature=ClassLabel\(names=\['O', 'B-PER'/);
});
