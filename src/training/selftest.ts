/**
 * The installation self-test behind `ner env --check`: a few seconds on the active backend. The
 * bundled tiny checkpoint's logits and loss against stored values (data/env-check, made by
 * scripts/make-env-check.ts on the cpu backend and verified there against Hugging Face's goldens),
 * one AdamW training step and the loss after it, tokens/s, and no tensor left behind.
 * (It lives in training/ rather than backend/: it loads a model and steps AdamW, and backend/ sits
 * below both, so a backend/ home would make the folders import each other.)
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { AutoModelForTokenClassification, tokenClassificationLoss } from "../models/index";
import { AdamW } from "./adamw";
import { trainingStep } from "./step";

/** The bundled self-test checkpoint: config.json, model.safetensors, expected.json. */
export const DEFAULT_REFERENCE = path.join(__dirname, "..", "..", "data", "env-check");

/** data/env-check/expected.json */
export interface SelfTestReference {
  source: string;
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  labels: number[][];
  /** Eval-mode logits [batch, seq, labels] and mean loss. */
  logits: number[][][];
  loss: number;
  /** One AdamW step (eval mode, no clipping), then the eval-mode loss again. */
  train_step: { lr: number; weight_decay: number; loss_after: number };
}

export interface SelfTestCheck {
  name: string;
  value: number;
  limit: number;
  pass: boolean;
}

export interface SelfTestResult {
  pass: boolean;
  reference: string;
  checks: SelfTestCheck[];
  /** One training step (forward + backward + AdamW) on the reference batch, median of 3. */
  train_ms_per_step: number;
  train_tokens_per_s: number;
  seconds: number;
}

export function readSelfTestReference(dir: string): SelfTestReference {
  const file = path.join(dir, "expected.json");
  let ref: SelfTestReference;
  try {
    ref = JSON.parse(fs.readFileSync(file, "utf8")) as SelfTestReference;
  } catch (err) {
    throw new Error(`${file}: cannot read the self-test reference (${(err as Error).message.split("\n")[0]})`);
  }
  if (
    !ref ||
    !Array.isArray(ref.input_ids) ||
    !Array.isArray(ref.logits) ||
    typeof ref.loss !== "number" ||
    typeof ref.train_step?.loss_after !== "number"
  ) {
    throw new Error(`${file}: expected input_ids, attention_mask, labels, logits, loss and train_step.loss_after`);
  }
  return ref;
}

/**
 * Load the reference checkpoint on the active backend, compare logits (max |diff| ≤ tolerance) and
 * loss, take one AdamW step and compare the loss after it, time 3 more steps, and check that no
 * tensor outlives the test.
 */
export async function runSelfTest(dir: string, tolerance: number): Promise<SelfTestResult> {
  const t0 = performance.now();
  const ref = readSelfTestReference(dir);
  const tensorsBefore = tf.memory().numTensors;
  const model = await AutoModelForTokenClassification.fromPretrained(dir, { log: null });
  const batch = {
    inputIds: tf.tensor2d(ref.input_ids, undefined, "int32"),
    attentionMask: tf.tensor2d(ref.attention_mask, undefined, "int32"),
    tokenTypeIds: ref.token_type_ids ? tf.tensor2d(ref.token_type_ids, undefined, "int32") : undefined,
    labels: tf.tensor2d(ref.labels, undefined, "int32"),
  };
  const evalLoss = () =>
    tf.tidy(() => tokenClassificationLoss(model.forward(batch, { training: false }), batch.labels).dataSync()[0]);
  const checks: SelfTestCheck[] = [];
  const check = (name: string, value: number, limit: number) =>
    checks.push({ name, value, limit, pass: value <= limit });
  let optimizer: AdamW | undefined;
  const times: number[] = [];
  try {
    const logits = tf.tidy(() => model.forward(batch, { training: false }));
    const got = logits.dataSync();
    logits.dispose();
    const want = ref.logits.flat(2);
    let diff = got.length === want.length ? 0 : Infinity;
    for (let i = 0; i < want.length && diff !== Infinity; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
    if (Number.isNaN(diff)) diff = Infinity;
    check("logits max |diff|", diff, tolerance);
    check("loss |diff|", Math.abs(evalLoss() - ref.loss) || 0, tolerance);
    optimizer = new AdamW(model.namedWeights(), { lr: ref.train_step.lr, weightDecay: ref.train_step.weight_decay });
    const step = () =>
      trainingStep({
        model,
        batches: [batch],
        optimizer: optimizer!,
        lr: ref.train_step.lr,
        maxGradNorm: 0,
        lossFn: tokenClassificationLoss,
        training: false,
      });
    await step();
    const after = evalLoss();
    check(
      "loss after one AdamW step |diff|",
      Number.isFinite(after) ? Math.abs(after - ref.train_step.loss_after) : Infinity,
      tolerance,
    );
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      await step();
      times.push(performance.now() - s);
    }
  } finally {
    optimizer?.dispose();
    model.dispose();
    tf.dispose([
      batch.inputIds,
      batch.attentionMask,
      batch.labels,
      ...(batch.tokenTypeIds ? [batch.tokenTypeIds] : []),
    ]);
  }
  check("tensors left behind", tf.memory().numTensors - tensorsBefore, 0);
  const ms = [...times].sort((a, b) => a - b)[1];
  const tokens = ref.input_ids.length * ref.input_ids[0].length;
  return {
    pass: checks.every((c) => c.pass),
    reference: dir,
    checks,
    train_ms_per_step: ms,
    train_tokens_per_s: (tokens * 1000) / ms,
    seconds: (performance.now() - t0) / 1000,
  };
}

export function formatSelfTest(r: SelfTestResult, backend: string): string {
  const lines = [`self-test on ${backend} (${r.reference})`];
  for (const c of r.checks) {
    const value = Number.isInteger(c.value) ? String(c.value) : c.value.toExponential(2);
    const limit = c.limit === 0 ? "0" : c.limit.toExponential(0);
    lines.push(`  ${c.pass ? "ok  " : "FAIL"} ${c.name.padEnd(34)} ${value} (limit ${limit})`);
  }
  const tokensPerS = Math.round(r.train_tokens_per_s).toLocaleString("en-US");
  lines.push(`  training step: ${r.train_ms_per_step.toFixed(1)} ms, ${tokensPerS} tokens/s`);
  lines.push(`${r.pass ? "PASS" : "FAIL"} (${r.seconds.toFixed(1)} s)`);
  return lines.join("\n") + "\n";
}
