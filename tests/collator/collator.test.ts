/**
 * DataCollatorForTokenClassification and length-grouped batching: padded batches equal the
 * golden (Python-padded) batches, int32 tensors without leaks, pad-to-multiple, and the
 * sampler's HF properties (a permutation, longest example first, sorted mega-batches, seeded).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NerTokenizer } from "../../src/tokenization";
import { tokenizeAndAlignLabels } from "../../src/alignment";
import {
  DataCollatorForTokenClassification,
  LengthGroupedBatchSampler,
  disposeBatch,
  lengthGroupedIndices,
  padFeatures,
  paddingStats,
  randomBatches,
  toRows,
  defaultMegaBatchMult,
} from "../../src/collator";
import { Rng } from "../../src/util/random";
import { fixturePath } from "../helpers/fixtures";
import { goldenBatches, goldenRows } from "../helpers/golden-batches";

test("collated golden batches equal Python's padded input_ids, attention_mask, token_type_ids, labels", async () => {
  for (const model of ["tiny-bert", "tiny-distilbert"]) {
    const tok = NerTokenizer.fromDirectory(fixturePath(model));
    const collator = DataCollatorForTokenClassification.forTokenizer(tok);
    for (const [name, b] of Object.entries(goldenBatches(model))) {
      const rows = goldenRows(b);
      const feats = await tokenizeAndAlignLabels(tok, rows, { maxLength: b.max_length ?? undefined });
      const before = tf.memory().numTensors;
      const batch = collator.collate(feats);
      assert.equal(batch.inputIds.dtype, "int32");
      assert.deepEqual(batch.inputIds.shape, [b.input_ids.length, b.input_ids[0].length]);
      assert.deepEqual(await batch.inputIds.array(), b.input_ids, `${model} ${name} input_ids`);
      assert.deepEqual(await batch.attentionMask.array(), b.attention_mask, `${model} ${name} attention_mask`);
      assert.deepEqual(await batch.labels!.array(), b.labels, `${model} ${name} labels`);
      if (b.token_type_ids) assert.deepEqual(await batch.tokenTypeIds.array(), b.token_type_ids);
      for (const t of [batch.attentionMask, batch.tokenTypeIds, batch.labels!]) assert.equal(t.dtype, "int32");
      assert.equal(tf.memory().numTensors, before + 4);
      disposeBatch(batch);
      assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    }
  }
});

test("padFeatures: -100 label padding, pad token, multiple-of rounding, inference without labels", () => {
  const feats = [
    { inputIds: [101, 5, 6, 102], attentionMask: [1, 1, 1, 1], tokenTypeIds: [0, 0, 0, 0], labels: [-100, 3, 4, -100] },
    { inputIds: [101, 7, 102], attentionMask: [1, 1, 1], tokenTypeIds: [0, 0, 0], labels: [-100, 1, -100] },
  ];
  const p = padFeatures(feats, { padTokenId: 0 });
  assert.equal(p.seqLength, 4);
  assert.deepEqual(toRows(p.inputIds, 4), [
    [101, 5, 6, 102],
    [101, 7, 102, 0],
  ]);
  assert.deepEqual(toRows(p.attentionMask, 4), [
    [1, 1, 1, 1],
    [1, 1, 1, 0],
  ]);
  assert.deepEqual(toRows(p.labels!, 4), [
    [-100, 3, 4, -100],
    [-100, 1, -100, -100],
  ]);
  const c = new DataCollatorForTokenClassification({ padTokenId: 9, padToMultipleOf: 8, labelPadTokenId: -1 });
  const q = c.padFeatures(feats);
  assert.equal(q.seqLength, 8);
  assert.deepEqual(toRows(q.inputIds, 8)[1], [101, 7, 102, 9, 9, 9, 9, 9]);
  assert.deepEqual(toRows(q.labels!, 8)[1], [-100, 1, -100, -1, -1, -1, -1, -1]);
  const inference = c.collate(feats.map(({ inputIds }) => ({ inputIds })));
  assert.equal(inference.labels, undefined);
  assert.deepEqual(inference.attentionMask.arraySync(), [
    [1, 1, 1, 1, 0, 0, 0, 0],
    [1, 1, 1, 0, 0, 0, 0, 0],
  ]);
  disposeBatch(inference);
  assert.throws(() => padFeatures([], { padTokenId: 0 }), /empty batch/);
  assert.throws(() => padFeatures([{ inputIds: [1, 2], labels: [1] }], { padTokenId: 0 }), /2 inputIds but 1 labels/);
  assert.throws(() => padFeatures([feats[0], { inputIds: [1] }], { padTokenId: 0 }), /some features have labels/);
});

test("length-grouped indices: a seeded permutation, longest first, each mega-batch sorted", () => {
  const rng = new Rng(3);
  const lengths = Array.from({ length: 1000 }, () => 1 + rng.int(120));
  const order = lengthGroupedIndices(lengths, 8, new Rng(42));
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    lengths.map((_, i) => i),
  );
  assert.equal(lengths[order[0]], Math.max(...lengths));
  const mult = defaultMegaBatchMult(1000, 8);
  assert.equal(mult, 31);
  const mega = mult * 8;
  for (let s = 0; s < order.length; s += mega) {
    const part = order.slice(s, s + mega).map((i) => lengths[i]);
    // Sorted longest first; only position 0 may differ (HF swaps the global longest into batch 0).
    for (let k = 2; k < part.length; k++) assert.ok(part[k] <= part[k - 1], `mega-batch at ${s} sorted`);
  }
  assert.deepEqual(lengthGroupedIndices(lengths, 8, new Rng(42)), order, "same seed, same order");
  assert.notDeepEqual(lengthGroupedIndices(lengths, 8, new Rng(43)), order);
});

test("sampler epochs continue the seeded stream and cut padding compared with random batches", () => {
  const rng = new Rng(7);
  const lengths = Array.from({ length: 2000 }, () => 3 + Math.floor(rng.next() ** 2 * 150));
  const sampler = new LengthGroupedBatchSampler(lengths, 16, 123);
  const e1 = sampler.epoch();
  const saved = sampler.rng.state();
  const e2 = sampler.epoch();
  assert.notDeepEqual(e1, e2);
  assert.deepEqual(
    new LengthGroupedBatchSampler(lengths, 16, Rng.fromState(saved)).epoch(),
    e2,
    "resumes from saved state",
  );
  assert.equal(e1.length, sampler.numBatches);
  assert.ok(e1.every((b, i) => b.length === 16 || i === e1.length - 1));
  const grouped = paddingStats(lengths, e1);
  const random = paddingStats(lengths, randomBatches(lengths.length, 16, new Rng(123)));
  assert.equal(grouped.realTokens, random.realTokens);
  assert.ok(
    grouped.paddingFraction < random.paddingFraction / 3,
    `${grouped.paddingFraction} vs ${random.paddingFraction}`,
  );
  assert.deepEqual(paddingStats([2, 4, 3], [[0, 1], [2]]), { realTokens: 9, paddedTokens: 2, paddingFraction: 2 / 11 });
  assert.equal(paddingStats([2, 4, 3], [[0, 1], [2]], 8).paddedTokens, 16 + 8 - 9);
});
