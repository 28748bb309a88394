/**
 * Makes data/env-check/, the reference of `ner env --check`: the tiny-bert checkpoint of
 * tests/fixtures (hidden 32, 2 layers, 9 labels, Hugging Face layout) with expected.json holding
 * one golden batch, its eval-mode logits and loss computed by OUR cpu backend, and the loss after one
 * AdamW step. Before writing, it verifies those numbers against the goldens Python transformers/torch
 * produced (logits ≤ 1e-4, loss ≤ 1e-5 rel., the AdamW step's weights ≤ 1e-6 where the golden
 * gradient is ≥ 1e-6), so the library never needs the test fixtures at run time.
 *
 *   npx tsx scripts/make-env-check.ts
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/backend";
import { AutoModelForTokenClassification, readSafetensors, tokenClassificationLoss } from "../src/models";
import { AdamW } from "../src/training/adamw";
import { trainingStep } from "../src/training/step";
import { writeDirAtomic } from "../src/util/atomic";
import type { SelfTestReference } from "../src/training/selftest";

const ROOT = path.resolve(__dirname, "..");
const FIXTURE = path.join(ROOT, "tests", "fixtures", "tiny-bert");
const OUT = path.join(ROOT, "data", "env-check");
const BATCH = "b4_padded";

/** A golden batch of tests/fixtures/<model>/golden.json: the inputs and outputs the reference keeps. */
type GoldenBatch = Omit<SelfTestReference, "source" | "train_step">;

function fail(msg: string): never {
  throw new Error(`make-env-check: ${msg}; nothing written`);
}

async function main(): Promise<void> {
  await initBackend("cpu", { quiet: true });
  const golden = JSON.parse(fs.readFileSync(path.join(FIXTURE, "golden.json"), "utf8")) as {
    batches: Record<string, GoldenBatch>;
    adamw_step: { lr: number; weight_decay: number };
  };
  const b = golden.batches[BATCH];
  const model = await AutoModelForTokenClassification.fromPretrained(FIXTURE, { log: null });
  const batch = {
    inputIds: tf.tensor2d(b.input_ids, undefined, "int32"),
    attentionMask: tf.tensor2d(b.attention_mask, undefined, "int32"),
    tokenTypeIds: b.token_type_ids ? tf.tensor2d(b.token_type_ids, undefined, "int32") : undefined,
    labels: tf.tensor2d(b.labels, undefined, "int32"),
  };
  const logits = model.forward(batch, { training: false });
  const ours = logits.arraySync() as number[][][];
  const diff = Math.max(...ours.flat(2).map((v, i) => Math.abs(v - b.logits.flat(2)[i])));
  if (!(diff <= 1e-4)) fail(`cpu logits differ from transformers' by ${diff}`);
  const loss = tf.tidy(() => tokenClassificationLoss(logits, batch.labels).dataSync()[0]);
  if (!(Math.abs(loss - b.loss) <= 1e-5 * b.loss)) fail(`cpu loss ${loss} vs transformers' ${b.loss}`);

  // The golden AdamW step: lr 1e-3, weight decay 0.01 on HF's decay set, no clipping, on this batch.
  const { lr, weight_decay } = golden.adamw_step;
  const optimizer = new AdamW(model.namedWeights(), { lr, weightDecay: weight_decay });
  await trainingStep({
    model,
    batches: [batch],
    optimizer,
    lr,
    maxGradNorm: 0,
    lossFn: tokenClassificationLoss,
    training: false,
  });
  const after = readSafetensors(path.join(FIXTURE, "after_adamw_step.safetensors")).tensors;
  const grads = readSafetensors(path.join(FIXTURE, "golden_grads.safetensors")).tensors;
  let worst = 0;
  let compared = 0;
  for (const [name, v] of model.namedWeights()) {
    const want = after.get(name);
    const g = grads.get(name);
    if (!want || !g) fail(`no golden for ${name}`);
    // Golden tensors are in torch layout; our Linear weights are transposed.
    const got = tf.tidy(() => (v.rank === 2 && !/embeddings/.test(name) ? v.transpose() : v).dataSync());
    const wantData = want.toFloat32();
    const gData = g.toFloat32();
    for (let i = 0; i < got.length; i++) {
      if (Math.abs(gData[i]) < 1e-6) continue; // ill-conditioned first Adam update (fixtures/README.md)
      worst = Math.max(worst, Math.abs(got[i] - wantData[i]));
      compared++;
    }
  }
  if (!(worst <= 1e-6) || compared < 1000)
    fail(`weights after the AdamW step differ from torch's by ${worst} (${compared} compared)`);
  const lossAfter = tf.tidy(
    () => tokenClassificationLoss(model.forward(batch, { training: false }), batch.labels).dataSync()[0],
  );

  const ref: SelfTestReference = {
    source:
      `tiny-bert (tests/fixtures, Hugging Face layout), batch ${BATCH}; logits and losses by the cpu backend, ` +
      `verified against transformers/torch: logits within ${diff.toExponential(1)}, AdamW-step ` +
      `weights within ${worst.toExponential(1)}`,
    input_ids: b.input_ids,
    attention_mask: b.attention_mask,
    ...(b.token_type_ids ? { token_type_ids: b.token_type_ids } : {}),
    labels: b.labels,
    logits: ours,
    loss,
    train_step: { lr, weight_decay, loss_after: lossAfter },
  };
  writeDirAtomic(OUT, (dir) => {
    for (const f of ["config.json", "model.safetensors"]) {
      fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
      fs.chmodSync(path.join(dir, f), 0o644); // the source may be read-only; the copy must not be
    }
    fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(ref) + "\n");
  });
  console.log(
    `wrote ${OUT}: logits vs transformers ${diff.toExponential(2)}, loss ${loss} → ${lossAfter} ` +
      `after one step; AdamW weights vs torch ${worst.toExponential(2)} (${compared} elements)`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
