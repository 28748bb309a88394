// The Trainer takes src/models' TokenClassificationModel and seqeval's computeMetrics result as
// they are: this file compiles without casts (tsc checks tests/) and runs one evaluation.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { AutoModelForTokenClassification, type TokenClassificationModel } from "../../src/models";
import { computeMetrics, type ComputedMetrics } from "../../src/metrics/seqeval";
import { Trainer } from "../../src/training/trainer";
import type { TrainingFeature } from "../../src/training/types";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";

interface GoldenBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  labels: number[][];
}

test("Trainer.evaluate with a TokenClassificationModel and seqeval's computeMetrics (no adapters)", async () => {
  await tf.setBackend("cpu");
  const batches = readFixtureJson<{ batches: Record<string, GoldenBatch> }>("tiny-bert", "golden.json").batches;
  const features: TrainingFeature[] = Object.values(batches).flatMap((b) =>
    b.input_ids.map((ids, i) => {
      const n = b.attention_mask[i].reduce((a, x) => a + x, 0); // drop padding: the collator re-pads
      return {
        inputIds: ids.slice(0, n),
        attentionMask: b.attention_mask[i].slice(0, n),
        labels: b.labels[i].slice(0, n),
      };
    }),
  );
  const model: TokenClassificationModel = await AutoModelForTokenClassification.fromPretrained(
    fixturePath("tiny-bert"),
    { log: null },
  );
  const id2label = model.config.id2label;
  let seen: ComputedMetrics | null = null;
  const trainer = new Trainer({
    model,
    args: { progress: "none", perDeviceEvalBatchSize: 4 },
    computeMetrics: (p, l) => (seen = computeMetrics(p, l, id2label)),
  });
  const metrics = await trainer.evaluate(features);
  assert.ok(seen !== null);
  const m = seen as ComputedMetrics;
  for (const k of ["precision", "recall", "f1", "accuracy"] as const) assert.equal(metrics[`eval_${k}`], m[k], k);
  assert.ok(m.accuracy > 0 && m.accuracy <= 1);
  assert.deepEqual(trainer.lastEvalExtras.report, m.report, "the report is kept as an extra, not a metric");
  assert.equal(metrics.eval_report, undefined);
  trainer.dispose();
  model.dispose();
});
