// Full-corpus checks against the published files, found as a user's run finds them (NER_DATA_DIR mirror →
// cache → download); counts from the corpora's manifest and the Hugging Face dataset cards.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import {
  CONLL2003_NER,
  CORPUS_NAMES,
  MIT_RESTAURANT_NER,
  WIKIANN_NER,
  WNUT17_NER,
  corpusStats,
  getCorpus,
  loadCorpus,
  readCorpusSplits,
  sha256OfFile,
} from "../../src/data";
import { corpusPath, fixturePath } from "../helpers/fixtures";

const opts = () => ({ strict: true });

test("the registry's sha256 sums are those of the published files, and the files found have them", async () => {
  // tests/fixtures/corpora.sha256: the published files' sums (sha256sum format, see tests/fixtures/README.md).
  const sums = new Map(
    fs
      .readFileSync(fixturePath("corpora.sha256"), "utf8")
      .trim()
      .split("\n")
      .map((l) => {
        const [sum, file] = l.split(/\s+/);
        return [file, sum] as const;
      }),
  );
  for (const name of CORPUS_NAMES) {
    for (const f of getCorpus(name).files) {
      assert.equal(f.sha256, sums.get(`data/${name}/${f.file}`), `${name}/${f.file}`);
      assert.equal(sha256OfFile(await corpusPath(name, f.file)), f.sha256, `${name}/${f.file} as resolved`);
    }
  }
});

const EXPECTED = {
  mit_restaurant: {
    sizes: { train: 7660, test: 1521 },
    labels: MIT_RESTAURANT_NER,
    test: {
      Amenity: 533,
      Cuisine: 532,
      Dish: 288,
      Hours: 212,
      Location: 812,
      Price: 171,
      Rating: 201,
      Restaurant_Name: 402,
    },
  },
  conll2003: {
    sizes: { train: 14041, validation: 3250, test: 3453 },
    labels: CONLL2003_NER,
    test: { LOC: 1668, MISC: 702, ORG: 1661, PER: 1617 },
  },
  wnut17: {
    sizes: { train: 3394, validation: 1009, test: 1287 },
    labels: WNUT17_NER,
    test: { corporation: 66, "creative-work": 142, group: 165, location: 150, person: 429, product: 127 },
  },
  wikiann_en: {
    sizes: { train: 20000, validation: 10000, test: 10000 },
    labels: WIKIANN_NER,
    test: { LOC: 4657, ORG: 4745, PER: 4556 },
  },
} as const;

for (const name of CORPUS_NAMES) {
  test(`${name}: HF split sizes, label list, test entity totals, valid IOB2`, async () => {
    const exp = EXPECTED[name];
    const ds = await loadCorpus(name, opts());
    assert.deepEqual(ds.numRows, exp.sizes);
    assert.deepEqual(ds.labelList, [...exp.labels]);
    const test = (await readCorpusSplits(name, { ...opts(), splits: ["test"] }))[0];
    const stats = corpusStats(test);
    assert.deepEqual(stats.entities, exp.test);
    assert.equal(stats.scheme.violations, 0);
  });
}

test("conll2003 row 0 equals the Hugging Face row (ids of POS, chunk and NER)", async () => {
  const ds = await loadCorpus("conll2003", { ...opts(), splits: ["train"] });
  assert.deepEqual(ds.train.columnNames, ["id", "tokens", "pos_tags", "chunk_tags", "ner_tags"]);
  assert.deepEqual(ds.train.at(0), {
    id: "0",
    tokens: ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
    pos_tags: [22, 42, 16, 21, 35, 37, 16, 21, 7],
    chunk_tags: [11, 21, 11, 12, 21, 22, 11, 12, 0],
    ner_tags: [3, 0, 7, 0, 0, 0, 7, 0, 0],
  });
});

test("longest sentences and trap tokens from the manifest", async () => {
  const conll = (await readCorpusSplits("conll2003", { ...opts(), splits: ["test"] }))[0];
  assert.equal(corpusStats(conll).longestSentence.tokens, 124);
  const wnut = await readCorpusSplits("wnut17", opts());
  assert.equal(corpusStats(wnut[2]).longestSentence.tokens, 105);
  const tokens = new Set(wnut.flatMap((s) => s.sentences.flatMap((x) => x.tokens)));
  for (const t of ["Dubbz\uFEFF", "watched\u200Bwas", "\uFE0F"]) assert.ok(tokens.has(t), JSON.stringify(t));
  assert.ok(![...tokens].includes(""), "no empty tokens from TAB-only separator lines");
  const wiki = (await readCorpusSplits("wikiann_en", { ...opts(), splits: ["train"] }))[0];
  assert.equal(corpusStats(wiki).longestSentence.tokens, 439);
  assert.ok(
    wiki.sentences.some((s) => s.tokens.includes(":")),
    "en:: keeps ':' as the token",
  );
});
