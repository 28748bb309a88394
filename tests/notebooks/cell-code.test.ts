// The notebooks write the tutorials' central code out in cells (tokenizeAndAlignLabels, computeMetrics,
// the model call with id2label/label2id) so learners can read and change it. This test takes that code
// from notebooks/sources/*.md, runs it, and checks it behaves exactly like the tested library (and the
// Python goldens) on the golden sentences, so the cells cannot drift from what the library does.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as ts from "typescript";
import { parseNotebookSource } from "../../scripts/build-notebooks";
import { repoRoot, fixturePath, readFixtureJson } from "../helpers/fixtures";
import { goldenBatches, goldenRows } from "../helpers/golden-batches";
import { CONLL_LABELS } from "../tokenization/corpora";
import { NerTokenizer } from "../../src/tokenization/index";
import { tokenizeAndAlignLabels as libraryAlign } from "../../src/alignment/index";
import { computeMetrics as libraryComputeMetrics } from "../../src/metrics/seqeval/index";
import { notebookSettings, TUTORIAL_IDS } from "../../src/notebook/profile";
import { WarningNotes } from "../../src/display/index";
import { Rng } from "../../src/util/random";

const SOURCES = path.join(repoRoot, "notebooks", "sources");
const NOTEBOOKS = fs.readdirSync(SOURCES).filter((f) => f.endsWith(".md")).sort();
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

/** The one code cell of `file` that matches `marker`. */
function cell(file: string, marker: RegExp): string {
  const cells = parseNotebookSource(fs.readFileSync(path.join(SOURCES, file), "utf8"), file)
    .filter((c) => c.cell_type === "code")
    .map((c) => c.source.join(""))
    .filter((src) => marker.test(src));
  assert.equal(cells.length, 1, `${file}: expected one code cell matching ${marker}, found ${cells.length}`);
  return cells[0];
}

/**
 * Run a cell's code as the kernel would (TypeScript → CommonJS, top-level await allowed), with the
 * earlier cells' variables it uses given in `scope`; returns the variables named in `names`.
 */
async function runCell(code: string, scope: Record<string, unknown>, names: string[]): Promise<Record<string, unknown>> {
  const src = code.replace(/from "\.\/src\//g, `from "${path.join(repoRoot, "src").split(path.sep).join("/")}/`);
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const fn = new AsyncFunction("require", "exports", ...Object.keys(scope), `${js}\nreturn { ${names.join(", ")} };`);
  return (await fn(require, {}, ...Object.values(scope))) as Record<string, unknown>;
}

type CellAligner = (examples: { tokens: string[][]; ner_tags: number[][] }, labelAllTokens?: boolean) => Promise<{
  inputIds: number[][];
  labels: number[][];
  wordIds(i?: number): (number | null)[];
}>;

async function aligner(file: string, tokenizer: NerTokenizer, settings: { labelAllTokens: boolean; maxLength: number }): Promise<CellAligner> {
  const code = cell(file, /async function tokenizeAndAlignLabels\(/);
  // The central lesson must stay visible: word ids, previous-word tracking, -100 and the labelAllTokens switch.
  for (const part of [/\.wordIds\(i\)/, /previousWordIdx/, /-100/, /labelAllTokens \?/, /isSplitIntoWords: true/]) {
    assert.match(code, part, `${file}: the tokenizeAndAlignLabels cell lost ${part}`);
  }
  const out = await runCell(code, { tokenizer, settings }, ["tokenizeAndAlignLabels"]);
  return out.tokenizeAndAlignLabels as CellAligner;
}

const TOKENIZERS: [string, string][] = [
  ["tiny-distilbert", "bert-base-uncased (tiny-distilbert/vocab.txt, do_lower_case=True)"],
  ["tiny-bert", "tiny-bert cased vocab (tiny-bert/vocab.txt, do_lower_case=False)"],
];

test("every notebook writes out the alignment, metrics and model cells", () => {
  assert.equal(NOTEBOOKS.length, TUTORIAL_IDS.length);
  for (const file of NOTEBOOKS) {
    cell(file, /async function tokenizeAndAlignLabels\(/);
    cell(file, /function computeMetrics\(/);
    const model = cell(file, /AutoModelForTokenClassification\.fromPretrained\(settings\.model/);
    assert.match(model, /id2label: id2label, label2id: label2id/);
    const training = cell(file, /new Trainer\(/);
    assert.match(training, /const trainingArgs: Partial<TrainingArguments> = \{/);
    assert.match(training, /computeMetrics: computeMetrics/);
    assert.match(cell(file, /new DataCollatorForTokenClassification\(tokenizer\)/), /dataCollator/);
    assert.match(cell(file, /AutoTokenizer\.fromPretrained\(settings\.model\)/), /isSplitIntoWords: true/);
    assert.match(cell(file, /await pipeline\("ner", \{ model: saveDir, aggregationStrategy: settings\.pipelineAggregation \}\)/), /saveModel\(saveDir\)/);
  }
});

test("the tokenizeAndAlignLabels cells = Python's labels on the golden batches, and = the library on 412 golden sentences × 2 vocabularies × both labelling rules", async () => {
  for (const [fixture, goldenKey] of TOKENIZERS) {
    const tokenizer = NerTokenizer.fromDirectory(fixturePath(fixture));
    // Python transformers' padded batches (first sub-word labelled, -100 elsewhere), one truncated to 16 tokens.
    for (const [name, b] of Object.entries(goldenBatches(fixture))) {
      const rows = goldenRows(b);
      const maxLength = b.max_length ?? 512;
      for (const file of NOTEBOOKS) {
        const align = await aligner(file, tokenizer, { labelAllTokens: false, maxLength });
        const got = await align({ tokens: rows.map((r) => r.tokens), ner_tags: rows.map((r) => r.ner_tags) });
        rows.forEach((_, i) => {
          const n = got.inputIds[i].length;
          const where = `${file} ${fixture} ${name}[${i}]`;
          assert.deepEqual(got.inputIds[i], b.input_ids[i].slice(0, n), where);
          assert.deepEqual(got.wordIds(i), b.word_ids[i].slice(0, n), where);
          assert.deepEqual(got.labels[i], b.labels[i].slice(0, n), where);
          assert.ok(b.attention_mask[i].slice(n).every((m) => m === 0), `${where}: only padding after the cell's tokens`);
        });
      }
    }
    // The tokenizer goldens: CoNLL-2003 and MIT Restaurant test sentences plus tricky ones, against the library.
    type GoldenSentence = { words: string[]; input_ids: number[]; word_ids: (number | null)[] };
    const golden = readFixtureJson<Record<string, Record<string, GoldenSentence[]>>>("tokenizer-golden.json")[goldenKey];
    const sentences = [...golden.conll2003_test, ...golden.mit_restaurant_test];
    const rng = new Rng(7);
    const rows = sentences.map((s) => ({ tokens: s.words, ner_tags: s.words.map(() => Math.floor(rng.next() * 9)) }));
    for (const labelAllTokens of [false, true]) {
      const fromLibrary = await libraryAlign(tokenizer, rows, { labelAllTokens, maxLength: 512 });
      for (const file of NOTEBOOKS) {
        const align = await aligner(file, tokenizer, { labelAllTokens, maxLength: 512 });
        const got = await align({ tokens: rows.map((r) => r.tokens), ner_tags: rows.map((r) => r.ner_tags) });
        assert.deepEqual(got.labels, fromLibrary.map((f) => f.labels), `${file} ${fixture} labelAllTokens=${labelAllTokens}`);
        assert.deepEqual(got.inputIds, sentences.map((s) => s.input_ids), `${file} ${fixture}: input ids = Python's`);
        sentences.forEach((s, i) => assert.deepEqual(got.wordIds(i), s.word_ids, `${file} ${fixture} sentence ${i}: word ids = Python's`));
        // The default comes from the notebook's settings.
        const byDefault = await align({ tokens: rows.slice(0, 5).map((r) => r.tokens), ner_tags: rows.slice(0, 5).map((r) => r.ner_tags) });
        assert.deepEqual(byDefault.labels, fromLibrary.slice(0, 5).map((f) => f.labels));
      }
    }
  }
});

test("the computeMetrics cells = seqeval's computeMetrics on golden logits, on label ids and on corrupted gold tags", async () => {
  const labelList = CONLL_LABELS;
  const cases: { name: string; predictions: (number[] | number[][])[]; labels: number[][] }[] = [];
  for (const fixture of ["tiny-distilbert", "tiny-bert"]) {
    for (const [name, b] of Object.entries(goldenBatches(fixture) as Record<string, { labels: number[][]; logits?: number[][][] }>)) {
      if (!b.logits) continue;
      cases.push({ name: `${fixture} ${name} logits`, predictions: b.logits, labels: b.labels });
    }
  }
  // Non-trivial scores: gold tags with a tenth of the labelled positions changed, as ids and as one-hot logits.
  const rng = new Rng(3);
  const gold = goldenBatches("tiny-bert").b8_padded.labels;
  const ids = gold.map((row) => row.map((l) => (l === -100 ? 0 : rng.next() < 0.1 ? Math.floor(rng.next() * 9) : l)));
  cases.push({ name: "corrupted ids", predictions: ids, labels: gold });
  cases.push({ name: "corrupted one-hot logits", predictions: ids.map((row) => row.map((id) => labelList.map((_, k) => (k === id ? 1 : 0)))), labels: gold });
  assert.ok(libraryComputeMetrics(ids, gold, labelList).f1 > 0.5, "the corrupted case scores entities");

  for (const file of NOTEBOOKS) {
    // WarningNotes comes from the notebook's first cell: seqeval's expected warnings become one note.
    const out = await runCell(cell(file, /function computeMetrics\(/), { labelList, WarningNotes }, ["computeMetrics"]);
    const computeMetrics = out.computeMetrics as (p: (number[] | number[][])[], l: number[][]) => ReturnType<typeof libraryComputeMetrics>;
    for (const c of cases) {
      const expected = libraryComputeMetrics(c.predictions as number[][][], c.labels, labelList);
      assert.deepEqual(computeMetrics(c.predictions, c.labels), expected, `${file}: ${c.name}`);
    }
  }
});

test("the model cells build the model with id2label / label2id: pretrained (full) and scaled-down random (smoke), no leaked tensors", async () => {
  const labelList = CONLL_LABELS;
  const before = tf.memory().numTensors;
  for (const file of NOTEBOOKS) {
    const code = cell(file, /AutoModelForTokenClassification\.fromPretrained\(settings\.model/);
    for (const profile of ["full", "smoke"] as const) {
      // The tiny fixture stands in for the hub model (same layout, 9 CoNLL labels, loads offline).
      const settings = { ...notebookSettings("conll2003_distilbert", profile), model: fixturePath("tiny-distilbert") };
      const log = console.log;
      console.log = () => undefined;
      let model: { config: { numLabels: number; id2label: Record<number, string>; label2id: Record<string, number>; hiddenSize: number }; dispose(): void };
      try {
        model = (await runCell(code, { settings, labelList }, ["model"])).model as typeof model;
      } finally {
        console.log = log;
      }
      assert.equal(model.config.numLabels, 9, `${file} ${profile}`);
      assert.deepEqual(model.config.id2label, Object.fromEntries(labelList.map((l, i) => [i, l])));
      assert.deepEqual(model.config.label2id, Object.fromEntries(labelList.map((l, i) => [l, i])));
      assert.equal(model.config.hiddenSize, profile === "smoke" ? settings.smokeModel!.hiddenSize : 32, `${file} ${profile}: hidden size`);
      model.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, before, "every model the cells built was disposed");
});

test("tokenizer.call behaves like transformers' tokenizer(...): raw text, padding, truncation off by default, clear errors", async () => {
  for (const [fixture, goldenKey] of TOKENIZERS) {
    const tokenizer = NerTokenizer.fromDirectory(fixturePath(fixture));
    type Sentence = { words: string[]; input_ids: number[]; text_input_ids: number[] };
    const golden = readFixtureJson<Record<string, Record<string, Sentence[]>>>("tokenizer-golden.json")[goldenKey];
    const sentences = [...golden.conll2003_test, ...golden.mit_restaurant_test];
    // Raw text (the words joined by spaces): Python's ids for `tokenizer(text)`.
    const texts = await tokenizer.call(sentences.map((s) => s.words.join(" ")));
    assert.deepEqual(texts.inputIds, sentences.map((s) => s.text_input_ids), `${fixture}: raw-text ids`);
    const single = await tokenizer.call(sentences[0].words, { isSplitIntoWords: true });
    assert.equal(single.length, 1);
    assert.deepEqual(single.inputIds[0], sentences[0].input_ids);
    // Truncation is off unless asked (transformers' default), on with maxLength when asked.
    const long = sentences.reduce((a, b) => (b.input_ids.length > a.input_ids.length ? b : a));
    const untruncated = await tokenizer.call([long.words], { isSplitIntoWords: true, maxLength: 8 });
    assert.equal(untruncated.inputIds[0].length, long.input_ids.length);
    const truncated = await tokenizer.call([long.words], { isSplitIntoWords: true, maxLength: 8, truncation: true });
    assert.deepEqual(truncated.inputIds[0], [...long.input_ids.slice(0, 7), long.input_ids[long.input_ids.length - 1]]);
    // padding="max_length": every row as long as maxLength, mask 0 and word id null on padding.
    const padded = await tokenizer.call([["a", "b"], long.words.slice(0, 3)], { isSplitIntoWords: true, padding: "max_length", maxLength: 24, truncation: true });
    for (let i = 0; i < 2; i++) {
      assert.equal(padded.inputIds[i].length, 24);
      const real = padded.attentionMask[i].filter((m) => m === 1).length;
      assert.ok(padded.wordIds(i).slice(real).every((w) => w === null));
      assert.ok(padded.inputIds[i].slice(real).every((id) => id === tokenizer.padTokenId));
    }
  }
  const tokenizer = NerTokenizer.fromDirectory(fixturePath("tiny-bert"));
  const enc = await tokenizer.call([["EU", "rejects"]], { isSplitIntoWords: true });
  assert.throws(() => enc.rows, /no labels yet/);
  enc.labels = [[-100, 3, 0, -100]];
  assert.deepEqual(enc.rows, [{ inputIds: enc.inputIds[0], attentionMask: enc.attentionMask[0], tokenTypeIds: enc.tokenTypeIds[0], labels: [-100, 3, 0, -100] }]);
  assert.throws(() => enc.wordIds(1), /batch index 1 out of range for 1 sequences/);
  await assert.rejects(tokenizer.call("EU rejects", { isSplitIntoWords: true }), /isSplitIntoWords needs a list of words/);
  await assert.rejects(tokenizer.call([["EU"]] as unknown as string[]), /needs \{ isSplitIntoWords: true \}/);
});
