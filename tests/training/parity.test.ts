// The Trainer's update step (loss → gradients → clip 1.0 → AdamW with HF grouping → linear
// warmup schedule) against three steps of the same recipe run with torch on the tiny BERT.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { AutoModelForTokenClassification, tokenClassificationLoss } from "../../src/models";
import { AdamW } from "../../src/training/adamw";
import { linearScheduleWithWarmup } from "../../src/training/schedule";
import { trainingStep } from "../../src/training/step";
import type { Batch } from "../../src/training/types";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";
import { initBackend } from "../../src/backend";
import { parityTiers } from "../backend/tiers";

interface GoldenBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  labels: number[][];
}
interface Golden {
  batches: Record<string, GoldenBatch>;
  adamw_step: { lr: number; weight_decay: number };
  three_steps_trainer_like: {
    steps: { batch: string; loss: number; grad_norm_before_clip: number; lr_used: number }[];
    final_losses: Record<string, number>;
    classifier_after: Record<string, number[] | number[][]>;
  };
}

function toBatch(b: GoldenBatch): Batch {
  const t = (x: number[][]) => tf.tensor2d(x, undefined, "int32");
  return {
    inputIds: t(b.input_ids),
    attentionMask: t(b.attention_mask),
    ...(b.token_type_ids ? { tokenTypeIds: t(b.token_type_ids) } : {}),
    labels: t(b.labels),
  };
}

const relClose = (got: number, want: number, rel: number) => Math.abs(got - want) <= rel * Math.abs(want);

// On every CPU tier (plain wasm also checks that in-place AdamW updates reach XNNPACK's packed weights).
for (const tier of parityTiers()) {
  test(
    `three update steps match the torch Trainer recipe on tiny-bert (loss, grad norm, lr, final ` +
      `weights) on ${tier.name}`,
    { skip: tier.skip },
    async () => {
      await initBackend(tier.name, { quiet: true });
      const g = readFixtureJson<Golden>("tiny-bert", "golden.json");
      const model = await AutoModelForTokenClassification.fromPretrained(fixturePath("tiny-bert"), { log: null });
      const optimizer = new AdamW(model.namedWeights(), {
        lr: g.adamw_step.lr,
        weightDecay: g.adamw_step.weight_decay,
      });
      const schedule = linearScheduleWithWarmup(g.adamw_step.lr, 2, 10);
      g.three_steps_trainer_like.steps.forEach((s, i) => assert.equal(schedule.lrAt(i), s.lr_used));
      for (const [i, s] of g.three_steps_trainer_like.steps.entries()) {
        const batch = toBatch(g.batches[s.batch]);
        const r = await trainingStep({
          model,
          batches: [batch],
          optimizer,
          lr: schedule.lrAt(i),
          maxGradNorm: 1.0,
          lossFn: tokenClassificationLoss,
          training: false,
        });
        tf.dispose(Object.values(batch));
        assert.ok(relClose(r.loss, s.loss, 1e-5), `step ${i} loss ${r.loss} vs ${s.loss}`);
        assert.ok(
          relClose(r.gradNorm, s.grad_norm_before_clip, 1e-3),
          `step ${i} grad norm ${r.gradNorm} vs ${s.grad_norm_before_clip}`,
        );
      }
      for (const [name, want] of Object.entries(g.three_steps_trainer_like.final_losses)) {
        const batch = toBatch(g.batches[name]);
        const loss = tf.tidy(
          () => tokenClassificationLoss(model.forward(batch, { training: false }), batch.labels!).dataSync()[0],
        );
        tf.dispose(Object.values(batch));
        assert.ok(relClose(loss, want, 1e-4), `final loss on ${name}: ${loss} vs ${want}`);
      }
      const weights = model.namedWeights();
      const bias = Array.from(weights.get("classifier.bias")!.dataSync());
      const wantBias = g.three_steps_trainer_like.classifier_after["classifier.bias"] as number[];
      bias.forEach((b, k) =>
        assert.ok(Math.abs(b - wantBias[k]) < 1e-5, `classifier.bias[${k}] ${b} vs ${wantBias[k]}`),
      );
      // The model keeps linear weights as [in, out]; torch's are [out, in].
      const w = (await weights.get("classifier.weight")!.transpose().array()) as number[][];
      const wantW = g.three_steps_trainer_like.classifier_after["classifier.weight"] as number[][];
      let worst = 0;
      wantW.forEach((row, o) => row.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - w[o][k])))));
      assert.ok(worst < 1e-5, `classifier.weight max abs diff ${worst}`);
      optimizer.dispose();
      model.dispose();
    },
  );
}
