/**
 * Label alignment: parity with the labels/word_ids Python stored in the tiny-* golden
 * batches, the tutorial's MIT example, label_all_tokens with and without run_ner.py's
 * B→I mapping, reporting of words without sub-tokens, and the inverse word predictions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NerTokenizer } from "../../src/tokenization";
import {
  IGNORE_INDEX,
  alignLabels,
  alignmentNotice,
  bToILabelMap,
  dropIgnored,
  summarizeAlignment,
  tokenizeAndAlignLabels,
  wordPredictions,
} from "../../src/alignment";
import { fixturePath, modelDir } from "../helpers/fixtures";
import { goldenBatches, goldenRows } from "../helpers/golden-batches";
import { CONLL_LABELS } from "../tokenization/corpora";

for (const model of ["tiny-distilbert", "tiny-bert"]) {
  test(`${model}: aligned labels and word_ids equal the golden batches (incl. truncation at 16)`, async () => {
    const tok = NerTokenizer.fromDirectory(fixturePath(model));
    for (const [name, b] of Object.entries(goldenBatches(model))) {
      const rows = goldenRows(b);
      const feats = await tokenizeAndAlignLabels(tok, rows, { maxLength: b.max_length ?? undefined });
      feats.forEach((f, i) => {
        const n = f.inputIds.length;
        // Golden rows are padded; the unpadded prefix is what alignment produces.
        assert.deepEqual(f.inputIds, b.input_ids[i].slice(0, n), `${name}[${i}] input_ids`);
        assert.ok(
          b.attention_mask[i].slice(n).every((m) => m === 0),
          `${name}[${i}] length`,
        );
        assert.deepEqual(f.wordIds, b.word_ids[i].slice(0, n), `${name}[${i}] word_ids`);
        assert.deepEqual(f.labels, b.labels[i].slice(0, n), `${name}[${i}] labels`);
        if (b.token_type_ids) assert.deepEqual(f.tokenTypeIds, b.token_type_ids[i].slice(0, n));
      });
      if (b.max_length !== null)
        assert.ok(
          feats.some((f) => f.truncatedWords > 0),
          `${name} truncates`,
        );
    }
  });
}

test("MIT example: '5 star resturants in my town' aligns to the first sub-word", async () => {
  const tok = NerTokenizer.fromDirectory(modelDir("distilbert-base-uncased"));
  const labels = ["O", "B-Rating", "I-Rating", "B-Location", "I-Location"];
  const tags = ["B-Rating", "I-Rating", "O", "B-Location", "I-Location", "I-Location"];
  const row = { tokens: "5 star resturants in my town".split(" "), ner_tags: tags.map((t) => labels.indexOf(t)) };
  const [f] = await tokenizeAndAlignLabels(tok, [row]);
  const names = f.labels.map((l) => (l === IGNORE_INDEX ? -100 : labels[l]));
  assert.deepEqual(names, [
    -100,
    "B-Rating",
    "I-Rating",
    "O",
    -100,
    -100,
    "B-Location",
    "I-Location",
    "I-Location",
    -100,
  ]);
  const all = await tokenizeAndAlignLabels(tok, [row], { labelAllTokens: true });
  assert.deepEqual(all[0].labels, [-100, 1, 2, 0, 0, 0, 3, 4, 4, -100]);
});

test("labelAllTokens: plain (tutorial) repeats B-X; run_ner.py's bToI maps later pieces to I-X", async () => {
  const tok = NerTokenizer.fromDirectory(modelDir("bert-base-cased"));
  const row = { tokens: ["Kamo", "lamb"], ner_tags: [CONLL_LABELS.indexOf("B-PER"), CONLL_LABELS.indexOf("B-MISC")] };
  const [plain] = await tokenizeAndAlignLabels(tok, [row], { labelAllTokens: true });
  const [mapped] = await tokenizeAndAlignLabels(tok, [row], {
    labelAllTokens: true,
    bToI: true,
    labelList: CONLL_LABELS,
  });
  const [first] = await tokenizeAndAlignLabels(tok, [row]);
  assert.deepEqual(first.wordIds, [null, 0, 0, 1, 1, null]);
  assert.deepEqual(first.labels, [-100, 1, -100, 7, -100, -100]);
  assert.deepEqual(plain.labels, [-100, 1, 1, 7, 7, -100]);
  assert.deepEqual(mapped.labels, [-100, 1, 2, 7, 8, -100]);
  assert.deepEqual(bToILabelMap(CONLL_LABELS), [0, 2, 2, 4, 4, 6, 6, 8, 8]);
  assert.deepEqual(bToILabelMap(["B-X", "O", "B-Y", "I-Y"]), [0, 1, 3, 3]);
  await assert.rejects(tokenizeAndAlignLabels(tok, [row], { bToI: true }), /labelList/);
  await assert.rejects(
    tokenizeAndAlignLabels(tok, [{ tokens: ["a"], ner_tags: [] }]),
    /row 0: 1 tokens but 0 ner_tags/,
  );
});

test("words without sub-tokens (lone U+FE0F, uncased) are reported, not silently lost", async () => {
  const tok = NerTokenizer.fromDirectory(modelDir("bert-base-uncased"));
  const rows = [
    { tokens: ["so", "happy", "\uFE0F", "Paris"], ner_tags: [0, 0, 0, 5] },
    { tokens: ["fine"], ner_tags: [0] },
  ];
  const feats = await tokenizeAndAlignLabels(tok, rows);
  assert.deepEqual(feats[0].emptyWords, [2]);
  assert.deepEqual(feats[0].wordIds, [null, 0, 1, 3, null]);
  assert.deepEqual(feats[0].labels, [-100, 0, 0, 5, -100]);
  const s = summarizeAlignment(feats, rows);
  assert.equal(s.emptyWordCount, 1);
  assert.deepEqual(s.emptyWords, [{ sentence: 0, word: 2, text: "\uFE0F" }]);
  assert.equal(s.truncatedSentences, 0);
  const trunc = await tokenizeAndAlignLabels(tok, rows, { maxLength: 4 });
  assert.equal(trunc[0].truncatedWords, 1, "Paris is cut; the empty word is not counted as truncated");
  assert.equal(summarizeAlignment(trunc).truncatedWordCount, 1);
  assert.equal(
    alignmentNotice(s, "x.jsonl"),
    'x.jsonl: 1 word(s) produced no sub-token (their labels are lost): sentence 1 word 2 "\uFE0F"',
  );
  assert.equal(
    alignmentNotice(summarizeAlignment(trunc, rows), "x.jsonl", { maxLength: 4, where: (i) => `x.jsonl:${i + 1}` }),
    "x.jsonl: 1 sentence(s) truncated to 4 tokens (of 2), 1 word(s) cut: their labels are not " +
      "trained on or evaluated; raise --max-length to keep them; " +
      '1 word(s) produced no sub-token (their labels are lost): x.jsonl:1 word 2 "\uFE0F"',
  );
  assert.equal(alignmentNotice(summarizeAlignment(await tokenizeAndAlignLabels(tok, [rows[1]])), "x.jsonl"), null);
});

test("alignLabels is the HF loop; wordPredictions inverts it (first sub-token per word)", () => {
  const wordIds = [null, 0, 1, 1, 1, 3, null, null];
  assert.deepEqual(alignLabels(wordIds, [5, 6, 0, 7]), [-100, 5, 6, -100, -100, 7, -100, -100]);
  assert.throws(() => alignLabels([null, 2], [0]), /word 2 has no label/);
  const preds = ["x", "A", "B", "b2", "b3", "D", "pad", "pad"];
  assert.deepEqual(wordPredictions(wordIds, preds), ["A", "B", null, "D"]);
  assert.deepEqual(wordPredictions(wordIds, preds, 5, "O"), ["A", "B", "O", "D", "O"]);
  assert.throws(() => wordPredictions(wordIds, preds.slice(0, 3)), /3 predictions for 8 tokens/);
  const labels = alignLabels(wordIds, [5, 6, 0, 7]);
  assert.deepEqual(dropIgnored(preds, labels), { predictions: ["A", "B", "D"], labels: [5, 6, 7] });
});
