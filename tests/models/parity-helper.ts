/**
 * Shared body of the parity tests: the tiny HF checkpoints in tests/fixtures against the
 * logits, losses and gradients Python transformers/torch computed for the same batches.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";
import { AutoModelForTokenClassification, computeLossAndGrads, tokenClassificationLoss } from "../../src/models";
import type { LoadedModel } from "../../src/models";
import { disposeBatch } from "../../src/collator";

export interface GoldenBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  labels: number[][];
  logits: number[][][];
  loss: number;
  grad_norms: Record<string, number>;
  grads_small: Record<string, number[] | number[][]>;
}
export interface Golden {
  batches: Record<string, GoldenBatch>;
}

export const FIXTURES = ["tiny-distilbert", "tiny-bert"] as const;

export async function loadFixture(name: string): Promise<{ model: LoadedModel; golden: Golden }> {
  const model = await AutoModelForTokenClassification.fromPretrained(fixturePath(name), { log: null });
  const golden = readFixtureJson<Golden>(name, "golden.json");
  return { model, golden };
}

export function batchTensors(b: GoldenBatch) {
  return {
    inputIds: tf.tensor2d(b.input_ids, undefined, "int32"),
    attentionMask: tf.tensor2d(b.attention_mask, undefined, "int32"),
    tokenTypeIds: b.token_type_ids ? tf.tensor2d(b.token_type_ids, undefined, "int32") : undefined,
    labels: tf.tensor2d(b.labels, undefined, "int32"),
  };
}

/** Free a batch's tensors (the library's one disposeBatch). */
export { disposeBatch };

/** Largest |a - b| over nested arrays of equal shape. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Check eval-mode logits and loss of every golden batch. */
export function checkLogitsAndLoss(model: LoadedModel, golden: Golden): void {
  for (const [name, b] of Object.entries(golden.batches)) {
    const t = batchTensors(b);
    const logits = model.forward(t);
    const loss = tokenClassificationLoss(logits, t.labels);
    const diff = maxAbsDiff(logits.dataSync(), b.logits.flat(2));
    assert.ok(diff <= 1e-4, `${name}: logits differ by ${diff}`);
    const l = loss.dataSync()[0];
    assert.ok(Math.abs(l - b.loss) <= 1e-5 * Math.abs(b.loss), `${name}: loss ${l} vs golden ${b.loss}`);
    logits.dispose();
    loss.dispose();
    disposeBatch(t);
  }
}

/** Check the gradient norm of every parameter and the classifier gradients element-wise. */
export function checkGradients(model: LoadedModel, golden: Golden, batchNames?: string[]): void {
  for (const [name, b] of Object.entries(golden.batches)) {
    if (batchNames && !batchNames.includes(name)) continue;
    const t = batchTensors(b);
    const before = tf.memory().numTensors;
    const { loss, grads } = computeLossAndGrads(model, t, { training: false });
    assert.equal(tf.memory().numTensors, before + grads.size, `${name}: only the gradients may survive`);
    assert.ok(Math.abs(loss - b.loss) <= 1e-5 * Math.abs(b.loss), `${name}: loss ${loss} vs ${b.loss}`);
    assert.deepEqual(new Set(grads.keys()), new Set(Object.keys(b.grad_norms)), `${name}: gradient names`);
    for (const [param, expected] of Object.entries(b.grad_norms)) {
      const g = grads.get(param)!;
      const norm = Math.sqrt(g.square().sum().dataSync()[0]);
      if (expected >= 1e-5)
        assert.ok(Math.abs(norm - expected) <= 1e-3 * expected, `${name} ${param}: grad norm ${norm} vs ${expected}`);
      else assert.ok(Math.abs(norm - expected) <= 1e-6, `${name} ${param}: grad norm ${norm} vs ${expected} (abs)`);
    }
    for (const [param, expected] of Object.entries(b.grads_small)) {
      const g = grads.get(param)!;
      // Golden values are in torch layout; Linear weights are transposed in ours.
      const ours = g.rank === 2 ? g.transpose() : g;
      const diff = maxAbsDiff(ours.dataSync(), (expected as number[]).flat());
      assert.ok(diff <= 1e-5, `${name} ${param}: gradient differs by ${diff}`);
      if (ours !== g) ours.dispose();
    }
    for (const g of grads.values()) g.dispose();
    disposeBatch(t);
  }
}
