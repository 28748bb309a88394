// The notebooks write the tutorials' central code out in cells (tokenizeAndAlignLabels, computeMetrics,
// the model call, 02's alignPredictions / predictSentence, 04's tokenizeAdjustLabels) so learners can
// read and change it. This test takes that code
// from notebooks/sources/*.md, runs it, and checks it behaves exactly like the tested library (and the
// Python goldens) on the golden sentences, so the cells cannot drift from what the library does.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as ts from "typescript";
import { longCodeLines, parseNotebookSource } from "../../scripts/build-notebooks";
import { repoRoot, fixturePath, readFixtureJson } from "../helpers/fixtures";
import { goldenBatches, goldenRows } from "../helpers/golden-batches";
import { CONLL_LABELS } from "../tokenization/corpora";
import { NerTokenizer } from "../../src/tokenization/index";
import { tokenizeAndAlignLabels as libraryAlign, wordPredictions } from "../../src/alignment/index";
import { AutoModelForTokenClassification } from "../../src/models/auto";
import { tagSequences } from "../../src/notebook/training";
import { computeMetrics as libraryComputeMetrics } from "../../src/metrics/seqeval/index";
import { notebookSettings, TUTORIAL_IDS } from "../../src/notebook/profile";
import { WarningNotes } from "../../src/display/index";
import { Rng } from "../../src/util/random";

const SOURCES = path.join(repoRoot, "notebooks", "sources");
const NOTEBOOKS = fs
  .readdirSync(SOURCES)
  .filter((f) => f.endsWith(".md"))
  .sort();
/** The notebooks whose tutorials create the model with num_labels only (02, 03, 04). */
const NUM_LABELS_ONLY = NOTEBOOKS.filter((f) => /^0[234]_/.test(f));
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...a: unknown[]) => Promise<unknown>;

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
async function runCell(
  code: string,
  scope: Record<string, unknown>,
  names: string[],
): Promise<Record<string, unknown>> {
  const src = code.replace(/from "\.\/src\//g, `from "${path.join(repoRoot, "src").split(path.sep).join("/")}/`);
  const js = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  // Earlier cells' variables the cell declares itself (e.g. 04's numLabels) are not passed in.
  const given = Object.entries(scope).filter(([name]) => !new RegExp(`\\b(const|let|function) ${name}\\b`).test(code));
  const fn = new AsyncFunction(
    "require",
    "exports",
    ...given.map(([k]) => k),
    `${js}\nreturn { ${names.join(", ")} };`,
  );
  return (await fn(require, {}, ...given.map(([, v]) => v))) as Record<string, unknown>;
}

type CellAligner = (
  examples: { tokens: string[][]; ner_tags: number[][] },
  labelAllTokens?: boolean,
) => Promise<{
  inputIds: number[][];
  labels: number[][];
  wordIds(i?: number): (number | null)[];
}>;

async function aligner(
  file: string,
  tokenizer: NerTokenizer,
  settings: { labelAllTokens: boolean; maxLength: number },
): Promise<CellAligner> {
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
    if (NUM_LABELS_ONLY.includes(file)) {
      // As their tutorials do: num_labels only; the names come afterwards (our improvement, or 03's repair).
      assert.doesNotMatch(model, /id2label: id2label/, `${file}: the tutorial passes num_labels only`);
    } else {
      assert.match(model, /id2label: id2label, label2id: label2id/);
    }
    const training = cell(file, /new Trainer\(/);
    assert.match(training, /const trainingArgs: Partial<TrainingArguments> = \{/);
    assert.match(training, /computeMetrics: computeMetrics/);
    // The values in use are shown next to the tutorial's (the comments give the tutorial's only).
    assert.match(training, /showTable\(trainingArgsRows\(settings, trainingArgs\)/);
    assert.doesNotMatch(
      training,
      /,\s*\/\/ (\d|")/,
      `${file}: a training-cell comment shows a bare value; say whose it is`,
    );
    assert.match(cell(file, /new DataCollatorForTokenClassification\(tokenizer\)/), /dataCollator/);
    assert.match(cell(file, /AutoTokenizer\.fromPretrained\(settings\.model\)/), /isSplitIntoWords: true/);
    const pipelineCell = cell(
      file,
      /pipeline\("ner", \{\s*model: saveDir, aggregationStrategy: settings\.pipelineAggregation,?\s*\}\)/,
    );
    // 03 saves with model.savePretrained (the tutorial's save_pretrained) in an earlier cell.
    if (!/^03_/.test(file)) assert.match(pipelineCell, /saveModel\(saveDir\)/);
    // The per-type report is shown once, as a table.
    assert.doesNotMatch(fs.readFileSync(path.join(SOURCES, file), "utf8"), /console\.log\(classificationReport\(/);
  }
  assert.match(cell("03_conll2003_bert_cased.md", /model\.savePretrained\(saveDir\)/), /tokenizer\.save\(saveDir\)/);
});

test("no notebook code line is longer than 100 characters (it would run off the cell)", () => {
  for (const file of NOTEBOOKS) {
    assert.deepEqual(longCodeLines(fs.readFileSync(path.join(SOURCES, file), "utf8"), file), []);
  }
  assert.deepEqual(longCodeLines("```ts\nx = 1;\n```\n" + "y".repeat(200) + "\n", "a.md", 10), []);
  assert.deepEqual(longCodeLines("text\n```ts\n" + "x".repeat(11) + "\n```\n", "a.md", 10), [
    "a.md:3: code line of 11 characters (at most 10)",
  ]);
});

test(
  "the tokenizeAndAlignLabels cells = Python's labels on the golden batches, and = the library on 412 " +
    "golden sentences × 2 vocabularies × both labelling rules",
  async () => {
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
            assert.ok(
              b.attention_mask[i].slice(n).every((m) => m === 0),
              `${where}: only padding after the cell's tokens`,
            );
          });
        }
      }
      // The tokenizer goldens: CoNLL-2003 and MIT Restaurant test sentences plus tricky ones, against the library.
      type GoldenSentence = { words: string[]; input_ids: number[]; word_ids: (number | null)[] };
      const golden =
        readFixtureJson<Record<string, Record<string, GoldenSentence[]>>>("tokenizer-golden.json")[goldenKey];
      const sentences = [...golden.conll2003_test, ...golden.mit_restaurant_test];
      const rng = new Rng(7);
      const rows = sentences.map((s) => ({ tokens: s.words, ner_tags: s.words.map(() => Math.floor(rng.next() * 9)) }));
      for (const labelAllTokens of [false, true]) {
        const fromLibrary = await libraryAlign(tokenizer, rows, { labelAllTokens, maxLength: 512 });
        for (const file of NOTEBOOKS) {
          const align = await aligner(file, tokenizer, { labelAllTokens, maxLength: 512 });
          const got = await align({ tokens: rows.map((r) => r.tokens), ner_tags: rows.map((r) => r.ner_tags) });
          assert.deepEqual(
            got.labels,
            fromLibrary.map((f) => f.labels),
            `${file} ${fixture} labelAllTokens=${labelAllTokens}`,
          );
          assert.deepEqual(
            got.inputIds,
            sentences.map((s) => s.input_ids),
            `${file} ${fixture}: input ids = Python's`,
          );
          sentences.forEach((s, i) =>
            assert.deepEqual(got.wordIds(i), s.word_ids, `${file} ${fixture} sentence ${i}: word ids = Python's`),
          );
          // The default comes from the notebook's settings.
          const byDefault = await align({
            tokens: rows.slice(0, 5).map((r) => r.tokens),
            ner_tags: rows.slice(0, 5).map((r) => r.ner_tags),
          });
          assert.deepEqual(
            byDefault.labels,
            fromLibrary.slice(0, 5).map((f) => f.labels),
          );
        }
      }
    }
  },
);

test(
  "the computeMetrics cells = seqeval's computeMetrics on golden logits, " + "on label ids and on corrupted gold tags",
  async () => {
    const labelList = CONLL_LABELS;
    const cases: { name: string; predictions: (number[] | number[][])[]; labels: number[][] }[] = [];
    for (const fixture of ["tiny-distilbert", "tiny-bert"]) {
      for (const [name, b] of Object.entries(
        goldenBatches(fixture) as Record<string, { labels: number[][]; logits?: number[][][] }>,
      )) {
        if (!b.logits) continue;
        cases.push({ name: `${fixture} ${name} logits`, predictions: b.logits, labels: b.labels });
      }
    }
    // Non-trivial scores: gold tags with a tenth of the labelled positions changed, as ids and as one-hot logits.
    const rng = new Rng(3);
    const gold = goldenBatches("tiny-bert").b8_padded.labels;
    const ids = gold.map((row) => row.map((l) => (l === -100 ? 0 : rng.next() < 0.1 ? Math.floor(rng.next() * 9) : l)));
    cases.push({ name: "corrupted ids", predictions: ids, labels: gold });
    cases.push({
      name: "corrupted one-hot logits",
      predictions: ids.map((row) => row.map((id) => labelList.map((_, k) => (k === id ? 1 : 0)))),
      labels: gold,
    });
    assert.ok(libraryComputeMetrics(ids, gold, labelList).f1 > 0.5, "the corrupted case scores entities");

    for (const file of NOTEBOOKS) {
      // WarningNotes comes from the notebook's first cell: seqeval's expected warnings become one note.
      const out = await runCell(cell(file, /function computeMetrics\(/), { labelList, WarningNotes }, [
        "computeMetrics",
      ]);
      const computeMetrics = out.computeMetrics as (
        p: (number[] | number[][])[],
        l: number[][],
      ) => ReturnType<typeof libraryComputeMetrics>;
      for (const c of cases) {
        const expected = libraryComputeMetrics(c.predictions as number[][][], c.labels, labelList);
        assert.deepEqual(computeMetrics(c.predictions, c.labels), expected, `${file}: ${c.name}`);
      }
    }
  },
);

test(
  "the model cells: id2label / label2id (01, 05) or num_labels only with LABEL_n, then the names (02, " +
    "04): pretrained (full) and scaled-down random (smoke), no leaked tensors",
  async () => {
    const labelList = CONLL_LABELS;
    const id2label = Object.fromEntries(labelList.map((l, i) => [i, l]));
    const label2id = Object.fromEntries(labelList.map((l, i) => [l, i]));
    // The tiny fixture stands in for the hub model (same layout, loads offline), with a config.json that
    // has no label names, like the hub's distilbert-base-uncased.
    const hubLike = fs.mkdtempSync(path.join(os.tmpdir(), "hub-like-"));
    for (const f of fs.readdirSync(fixturePath("tiny-distilbert")))
      fs.copyFileSync(fixturePath("tiny-distilbert", f), path.join(hubLike, f));
    const hubConfig = JSON.parse(fs.readFileSync(path.join(hubLike, "config.json"), "utf8"));
    delete hubConfig.id2label;
    delete hubConfig.label2id;
    fs.writeFileSync(path.join(hubLike, "config.json"), JSON.stringify(hubConfig));
    const before = tf.memory().numTensors;
    for (const file of NOTEBOOKS) {
      const code = cell(file, /AutoModelForTokenClassification\.fromPretrained\(settings\.model/);
      for (const profile of ["full", "smoke"] as const) {
        const settings = { ...notebookSettings("conll2003_distilbert", profile), model: hubLike };
        const log = console.log;
        console.log = () => undefined;
        let model: {
          config: {
            numLabels: number;
            id2label: Record<number, string>;
            label2id: Record<string, number>;
            hiddenSize: number;
          };
          dispose(): void;
        };
        try {
          model = (await runCell(code, { settings, labelList, labelNames: labelList, numLabels: 9 }, ["model"]))
            .model as typeof model;
          assert.equal(model.config.numLabels, 9, `${file} ${profile}`);
          if (NUM_LABELS_ONLY.includes(file)) {
            // What num_labels alone gives: HF's generic names, which the next step fixes.
            assert.deepEqual(
              model.config.id2label,
              Object.fromEntries(labelList.map((_, i) => [i, `LABEL_${i}`])),
              `${file} ${profile}`,
            );
            if (!/^03_/.test(file)) {
              const names = cell(file, /^model\.config\.id2label = id2label;/m);
              await runCell(names, { model, id2label, label2id, labelList }, []);
            }
          }
        } finally {
          console.log = log;
        }
        if (/^03_/.test(file)) {
          model.dispose();
          // 03's names reach the saved config.json (the tutorial's repair), checked in the pipeline cells' run
          continue;
        }
        assert.deepEqual(model.config.id2label, id2label, `${file} ${profile}`);
        assert.deepEqual(model.config.label2id, label2id, `${file} ${profile}`);
        assert.equal(
          model.config.hiddenSize,
          profile === "smoke" ? settings.smokeModel!.hiddenSize : 32,
          `${file} ${profile}: hidden size`,
        );
        model.dispose();
      }
    }
    assert.equal(tf.memory().numTensors, before, "every model the cells built was disposed");
    fs.rmSync(hubLike, { recursive: true, force: true });
  },
);

test(
  "tokenizer.call behaves like transformers' tokenizer(...): raw text, padding, truncation off by " +
    "default, clear errors",
  async () => {
    for (const [fixture, goldenKey] of TOKENIZERS) {
      const tokenizer = NerTokenizer.fromDirectory(fixturePath(fixture));
      type Sentence = { words: string[]; input_ids: number[]; text_input_ids: number[] };
      const golden = readFixtureJson<Record<string, Record<string, Sentence[]>>>("tokenizer-golden.json")[goldenKey];
      const sentences = [...golden.conll2003_test, ...golden.mit_restaurant_test];
      // Raw text (the words joined by spaces): Python's ids for `tokenizer(text)`.
      const texts = await tokenizer.call(sentences.map((s) => s.words.join(" ")));
      assert.deepEqual(
        texts.inputIds,
        sentences.map((s) => s.text_input_ids),
        `${fixture}: raw-text ids`,
      );
      const single = await tokenizer.call(sentences[0].words, { isSplitIntoWords: true });
      assert.equal(single.length, 1);
      assert.deepEqual(single.inputIds[0], sentences[0].input_ids);
      // Truncation is off unless asked (transformers' default), on with maxLength when asked.
      const long = sentences.reduce((a, b) => (b.input_ids.length > a.input_ids.length ? b : a));
      const untruncated = await tokenizer.call([long.words], { isSplitIntoWords: true, maxLength: 8 });
      assert.equal(untruncated.inputIds[0].length, long.input_ids.length);
      const truncated = await tokenizer.call([long.words], { isSplitIntoWords: true, maxLength: 8, truncation: true });
      assert.deepEqual(truncated.inputIds[0], [
        ...long.input_ids.slice(0, 7),
        long.input_ids[long.input_ids.length - 1],
      ]);
      // padding="max_length": every row as long as maxLength, mask 0 and word id null on padding.
      const padded = await tokenizer.call([["a", "b"], long.words.slice(0, 3)], {
        isSplitIntoWords: true,
        padding: "max_length",
        maxLength: 24,
        truncation: true,
      });
      for (let i = 0; i < 2; i++) {
        assert.equal(padded.inputIds[i].length, 24);
        const real = padded.attentionMask[i].filter((m) => m === 1).length;
        assert.ok(
          padded
            .wordIds(i)
            .slice(real)
            .every((w) => w === null),
        );
        assert.ok(padded.inputIds[i].slice(real).every((id) => id === tokenizer.padTokenId));
      }
    }
    const tokenizer = NerTokenizer.fromDirectory(fixturePath("tiny-bert"));
    const enc = await tokenizer.call([["EU", "rejects"]], { isSplitIntoWords: true });
    assert.throws(() => enc.rows, /no labels yet/);
    enc.labels = [[-100, 3, 0, -100]];
    assert.deepEqual(enc.rows, [
      {
        inputIds: enc.inputIds[0],
        attentionMask: enc.attentionMask[0],
        tokenTypeIds: enc.tokenTypeIds[0],
        labels: [-100, 3, 0, -100],
      },
    ]);
    assert.throws(() => enc.wordIds(1), /batch index 1 out of range for 1 sequences/);
    await assert.rejects(
      tokenizer.call("EU rejects", { isSplitIntoWords: true }),
      /isSplitIntoWords needs a list of words/,
    );
    await assert.rejects(tokenizer.call([["EU"]] as unknown as string[]), /needs \{ isSplitIntoWords: true \}/);
  },
);

test(
  "02's alignPredictions cell = the library's tag extraction " + "(tagSequences) on golden and random logits",
  async () => {
    const labelList = CONLL_LABELS;
    const code = cell("02_conll2003_distilbert.md", /function alignPredictions\(/);
    assert.match(code, /!== -100/);
    const { alignPredictions } = (await runCell(code, { labelList }, ["alignPredictions"])) as {
      alignPredictions: (p: number[][][], l: number[][]) => [string[][], string[][]];
    };
    const cases: { name: string; logits: number[][][]; labels: number[][] }[] = [];
    for (const fixture of ["tiny-distilbert", "tiny-bert"]) {
      for (const [name, b] of Object.entries(
        goldenBatches(fixture) as Record<string, { labels: number[][]; logits?: number[][][] }>,
      )) {
        if (b.logits) cases.push({ name: `${fixture} ${name}`, logits: b.logits, labels: b.labels });
      }
    }
    // Ragged rows, as trainer.predict returns them, with random logits and -100 in random places.
    const rng = new Rng(11);
    const labels = Array.from({ length: 20 }, (_, i) =>
      Array.from({ length: 3 + (i % 7) }, () => (rng.next() < 0.3 ? -100 : Math.floor(rng.next() * 9))),
    );
    cases.push({
      name: "random ragged",
      labels,
      logits: labels.map((row) => row.map(() => labelList.map(() => rng.next()))),
    });
    assert.ok(cases.length >= 2);
    for (const c of cases) {
      const [preds, trueLabels] = alignPredictions(c.logits, c.labels);
      const expected = tagSequences(c.logits, c.labels, labelList);
      assert.deepEqual(trueLabels, expected.gold, c.name);
      assert.deepEqual(preds, expected.pred, c.name);
    }
  },
);

test(
  "02's predictSentence cell = the model's arg-max at each word's first sub-word (library " +
    "wordPredictions), on 60 golden sentences × 2 models",
  async () => {
    await tf.setBackend("cpu");
    const labelList = CONLL_LABELS;
    const code = cell("02_conll2003_distilbert.md", /async function predictSentence\(/);
    for (const part of [/wordIds\(\)/, /model\.forward\(/, /argMax\(2\)/, /previousWordIdx/]) assert.match(code, part);
    type Sentence = { words: string[] };
    for (const [fixture, goldenKey] of TOKENIZERS) {
      const tokenizer = NerTokenizer.fromDirectory(fixturePath(fixture));
      const model = await AutoModelForTokenClassification.fromPretrained(fixturePath(fixture));
      const before = tf.memory().numTensors;
      const settings = { maxLength: 512 };
      const { predictSentence } = (await runCell(code, { tokenizer, model, labelList, settings }, [
        "predictSentence",
      ])) as {
        predictSentence: (tokens: string[]) => Promise<[string, string][]>;
      };
      const golden = readFixtureJson<Record<string, Record<string, Sentence[]>>>("tokenizer-golden.json")[goldenKey];
      const sentences = [...golden.conll2003_test.slice(0, 30), ...golden.mit_restaurant_test.slice(0, 30)];
      for (const [k, s] of sentences.entries()) {
        const got = await predictSentence(s.words);
        // The library's path: encode, forward, arg-max, one prediction per word from its first sub-word.
        const [feature] = await libraryAlign(tokenizer, [{ tokens: s.words, ner_tags: s.words.map(() => 0) }], {
          maxLength: 512,
        });
        const ids = tf.tidy(() => {
          const inputIds = tf.tensor2d([feature.inputIds], undefined, "int32");
          const attentionMask = tf.tensor2d([feature.attentionMask], undefined, "int32");
          return model.forward({ inputIds, attentionMask }, { training: false }).argMax(2);
        });
        const tokenIds = ((await ids.array()) as number[][])[0];
        ids.dispose();
        const perWord = wordPredictions(feature.wordIds, tokenIds, s.words.length);
        const expected = s.words
          .map((w, i) => [w, perWord[i] === null ? undefined : labelList[perWord[i]!]] as const)
          .filter(([, tag]) => tag !== undefined);
        assert.deepEqual(got, expected, `${fixture} sentence ${k}`);
      }
      assert.equal(tf.memory().numTensors, before, `${fixture}: predictSentence leaks no tensors`);
      model.dispose();
    }
  },
);

test(
  "04's tokenizeAdjustLabels cell (the article's counter and prev_wid = -1) = the shared " +
    "tokenizeAndAlignLabels and the library (every sub-word labelled) on 412 golden sentences × 2 " +
    "vocabularies",
  async () => {
    const code = cell("04_wikiann_distilbert.md", /async function tokenizeAdjustLabels\(/);
    for (const part of [/let prevWid: number \| null = -1/, /let i = -1/, /i = i \+ 1/, /prevWid = wordIdx/, /-100/])
      assert.match(code, part);
    type GoldenSentence = { words: string[]; input_ids: number[] };
    for (const [fixture, goldenKey] of TOKENIZERS) {
      const tokenizer = NerTokenizer.fromDirectory(fixturePath(fixture));
      const settings = { labelAllTokens: true, maxLength: 512 };
      const { tokenizeAdjustLabels } = (await runCell(code, { tokenizer, settings, labelNames: CONLL_LABELS }, [
        "tokenizeAdjustLabels",
      ])) as {
        tokenizeAdjustLabels: (s: {
          tokens: string[][];
          ner_tags: number[][];
        }) => Promise<{ inputIds: number[][]; labels: number[][] }>;
      };
      const golden =
        readFixtureJson<Record<string, Record<string, GoldenSentence[]>>>("tokenizer-golden.json")[goldenKey];
      const sentences = [...golden.conll2003_test, ...golden.mit_restaurant_test];
      const rng = new Rng(5);
      const rows = sentences.map((s) => ({ tokens: s.words, ner_tags: s.words.map(() => Math.floor(rng.next() * 9)) }));
      const got = await tokenizeAdjustLabels({
        tokens: rows.map((r) => r.tokens),
        ner_tags: rows.map((r) => r.ner_tags),
      });
      const fromLibrary = await libraryAlign(tokenizer, rows, { labelAllTokens: true, maxLength: 512 });
      assert.deepEqual(
        got.labels,
        fromLibrary.map((f) => f.labels),
        `${fixture}: labels = the library's`,
      );
      assert.deepEqual(
        got.inputIds,
        sentences.map((s) => s.input_ids),
        `${fixture}: input ids = Python's`,
      );
      const ours = await aligner("04_wikiann_distilbert.md", tokenizer, settings);
      const shared = await ours({ tokens: rows.map((r) => r.tokens), ner_tags: rows.map((r) => r.ner_tags) });
      assert.deepEqual(got.labels, shared.labels, `${fixture}: labels = the notebook's tokenizeAndAlignLabels`);
    }
  },
);
