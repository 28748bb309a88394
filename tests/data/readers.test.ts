import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DataFormatError, loadCorpusFile, parseCorpusText, readCorpusFile } from "../../src/data";

const fx = (name: string): string => path.join(__dirname, "fixtures", name);

test("mit reader: tag first, no final newline", () => {
  const r = readCorpusFile(fx("mit_small.bio"), "mit");
  assert.equal(r.sentences.length, 3);
  assert.deepEqual(r.sentences[0].tokens, ["5", "star", "restaurants", "in", "my", "town"]);
  assert.deepEqual(r.sentences[0].tags, ["B-Rating", "I-Rating", "O", "O", "B-Location", "I-Location"]);
  // The last sentence has no trailing newline and must still be read whole.
  assert.deepEqual(r.sentences[2], { tokens: ["open", "now"], tags: ["B-Hours", "I-Hours"] });
  assert.equal(r.schemeViolations, 0);
  assert.equal(r.scheme, "IOB2");
});

test("conll2003 reader keeps POS and chunk columns", () => {
  const r = readCorpusFile(fx("conll_small.txt"), "conll2003");
  assert.equal(r.sentences.length, 3);
  assert.deepEqual(r.sentences[0], {
    tokens: ["EU", "rejects", "German", "call", "."],
    tags: ["B-ORG", "O", "B-MISC", "O", "O"],
    pos: ["NNP", "VBZ", "JJ", "NN", "."],
    chunk: ["B-NP", "B-VP", "B-NP", "I-NP", "O"],
  });
  assert.deepEqual(r.sentences[2].tokens, ["BRUSSELS", "1996-08-22"]);
});

test("wnut reader: BOM stripped, TAB-only separators, zero-width characters kept in tokens", () => {
  const r = readCorpusFile(fx("wnut_small.conll"), "wnut");
  assert.equal(r.sentences.length, 3);
  assert.equal(r.sentences[0].tokens[0], "@paulwalk"); // leading BOM removed from the file, not kept in the token
  assert.deepEqual(r.sentences[0].tags, ["O", "O", "O", "O", "B-location", "I-location"]);
  assert.deepEqual(r.sentences[1].tokens, ["Dubbz\uFEFF", "watched\u200Bwas", "\uFE0F"]);
  assert.deepEqual(r.sentences[1].tags, ["B-person", "O", "O"]);
  assert.deepEqual(r.sentences[2].tokens, ["Apple", "rocks"]);
});

test("wikiann reader strips only the 3-character en: prefix", () => {
  const r = readCorpusFile(fx("wikiann_small"), "wikiann");
  assert.equal(r.sentences.length, 3);
  assert.deepEqual(r.sentences[1].tokens, [":", "Star", "Trek:", "en:x"]);
  assert.deepEqual(r.sentences[1].tags, ["O", "B-ORG", "I-ORG", "O"]);
  assert.throws(
    () => parseCorpusText("fr:Paris\tB-LOC\n", "wikiann", { fileName: "w" }),
    new RegExp('w:1: .*lacks the language prefix "en:"'),
  );
  assert.deepEqual(parseCorpusText("fr:Paris\tB-LOC\n", "wikiann", { langPrefix: "fr:" }).sentences[0].tokens, [
    "Paris",
  ]);
});

test("iob1 reader skips -DOCSTART- and converts to IOB2 only on request", () => {
  const raw = readCorpusFile(fx("eng_iob1.train"), "iob1");
  assert.equal(raw.scheme, "IOB1");
  assert.equal(raw.sentences.length, 3);
  assert.deepEqual(raw.sentences[0].tags, ["I-ORG", "O", "I-MISC", "O", "O"]);
  assert.equal(raw.schemeViolations, 0, "B-MISC after I-MISC is valid IOB1");

  const conv = readCorpusFile(fx("eng_iob1.train"), "iob1", { toIob2: true });
  assert.equal(conv.scheme, "IOB2");
  assert.deepEqual(conv.sentences[0].tags, ["B-ORG", "O", "B-MISC", "O", "O"]);
  assert.deepEqual(conv.sentences[1].tags, ["B-PER", "I-PER"]);
  assert.deepEqual(conv.sentences[2].tags, ["B-MISC", "B-MISC", "O"]);
  assert.deepEqual(conv.sentences[0].chunk, ["B-NP", "B-VP", "B-NP", "I-NP", "O"]);
  assert.deepEqual(conv.sentences[2].chunk, ["B-NP", "B-NP", "I-NP"]);
});

test("CRLF line ends and whitespace-only separator lines", () => {
  const r = parseCorpusText("a\tO\r\nb\tB-X\r\n \t \r\nc\tI-Y\r\n", "wnut", { fileName: "crlf" });
  assert.equal(r.sentences.length, 2);
  assert.deepEqual(r.sentences[0].tags, ["O", "B-X"]);
  // I-Y opening a sentence is a counted warning, not an error, unless strict.
  assert.equal(r.schemeViolations, 1);
  assert.deepEqual(
    { line: r.issues[0].line, sentence: r.issues[0].sentence, token: r.issues[0].token },
    { line: 4, sentence: 1, token: 0 },
  );
});

function formatError(fn: () => unknown): DataFormatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${e}`);
    return e;
  }
  assert.fail("expected an error");
}

test("wrong number of columns names file and line", () => {
  const e = formatError(() => parseCorpusText("a\tO\nb\tO\textra\n", "wnut", { fileName: "bad.conll" }));
  assert.equal(e.file, "bad.conll");
  assert.equal(e.line, 2);
  assert.match(e.message, /^bad\.conll:2: expected 2 TAB-separated columns \(token<TAB>tag\), found 3$/);
  const c = formatError(() => parseCorpusText("EU NNP B-NP B-ORG\n\nx NN O\n", "conll2003", { fileName: "c.txt" }));
  assert.match(c.message, /^c\.txt:3: expected 4 space-separated columns/);
});

test("unknown tag prefix is an error naming the line", () => {
  const e = formatError(() => parseCorpusText("O\tgood\nE-Dish\tpizza\n", "mit", { fileName: "m.bio" }));
  assert.equal(e.line, 2);
  assert.match(e.message, /unknown tag prefix in "E-Dish"/);
  // A token/tag swap shows up the same way (MIT is tag-first).
  assert.throws(
    () => parseCorpusText("pizza\tB-Dish\n", "mit", { fileName: "m.bio" }),
    new RegExp('m\\.bio:1: unknown tag prefix in "pizza"'),
  );
});

test("strict IOB2: invalid I- continuation is an error; otherwise counted", () => {
  const text = "a\tB-PER\nb\tI-ORG\n\nc\tO\nd\tI-LOC\n";
  const lax = parseCorpusText(text, "wnut", { fileName: "s" });
  assert.equal(lax.schemeViolations, 2);
  assert.deepEqual(
    lax.issues.map((i) => i.line),
    [2, 5],
  );
  assert.match(lax.issues[0].problem, /I-ORG cannot follow B-PER/);
  assert.match(lax.issues[1].problem, /I-LOC cannot follow O/);
  const e = formatError(() => parseCorpusText(text, "wnut", { fileName: "s", strict: true }));
  assert.equal(e.line, 2);
  assert.match(e.message, /invalid IOB2 tag sequence: I-ORG cannot follow B-PER/);
});

test("empty file (or only blank lines) is an error", () => {
  assert.throws(
    () => parseCorpusText("", "mit", { fileName: "empty.bio" }),
    new RegExp("^DataFormatError: empty\\.bio:1: empty file"),
  );
  assert.throws(() => parseCorpusText("\n\t\n  \n", "wnut", { fileName: "blank" }), /blank:1: empty file/);
});

test("vocab restricts labels with a line number", () => {
  const e = formatError(() =>
    parseCorpusText("EU NNP B-NP B-ORG\nx NN B-NP B-FOO\n", "conll2003", {
      fileName: "v",
      vocab: { tags: ["O", "B-ORG", "I-ORG"] },
    }),
  );
  assert.equal(e.line, 2);
  assert.match(e.message, /unknown label "B-FOO"/);
});

test("loadCorpusFile builds a Dataset with labels from the data (or a given list)", () => {
  const mit = loadCorpusFile(fx("mit_small.bio"), "mit");
  assert.deepEqual(
    [...mit.features.ner_tags.names],
    ["O", "B-Cuisine", "I-Cuisine", "B-Hours", "I-Hours", "B-Location", "I-Location", "B-Rating", "I-Rating"],
  );
  assert.deepEqual(mit.at(2), { id: "2", tokens: ["open", "now"], ner_tags: [3, 4] });

  const wiki = loadCorpusFile(fx("wikiann_small"), "wikiann", {
    labelList: ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"],
  });
  assert.deepEqual(wiki.columnNames, ["id", "tokens", "ner_tags", "langs", "spans"]);
  assert.deepEqual(wiki.at(1).spans, ["ORG: Star Trek:"]);
  assert.deepEqual(wiki.at(2).langs, ["en", "en"]);
  // a label outside the given list is reported with its line
  assert.throws(
    () => loadCorpusFile(fx("wikiann_small"), "wikiann", { labelList: ["O", "B-LOC", "I-LOC"] }),
    new RegExp('wikiann_small:6: unknown label "B-ORG"'),
  );

  const conll = loadCorpusFile(fx("eng_iob1.train"), "iob1", { toIob2: true });
  assert.deepEqual(conll.columnNames, ["id", "tokens", "pos_tags", "chunk_tags", "ner_tags"]);
  assert.deepEqual(
    conll.at(0).ner_tags.map((i) => conll.features.ner_tags.feature.int2str(i)),
    ["B-ORG", "O", "B-MISC", "O", "O"],
  );
});

test("readCorpusFile: invalid UTF-8 is an error with file:line (E\\xffU must not become EU); a BOM is accepted", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-readers-"));
  try {
    const bad = path.join(dir, "bad.txt");
    fs.writeFileSync(
      bad,
      Buffer.concat([Buffer.from("-DOCSTART- -X- -X- O\n\nE"), Buffer.from([0xff]), Buffer.from("U NNP B-NP B-ORG\n")]),
    );
    assert.throws(() => readCorpusFile(bad, "conll2003"), /bad\.txt:3: invalid UTF-8 \(byte 0xff at byte column 2\)/);
    const bom = path.join(dir, "bom.txt");
    fs.writeFileSync(bom, "\uFEFFEU NNP B-NP B-ORG\n");
    assert.deepEqual(readCorpusFile(bom, "conll2003").sentences[0].tokens, ["EU"]);
    assert.throws(() => readCorpusFile(dir, "conll2003"), /: is a directory, not a file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
