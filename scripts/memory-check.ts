/**
 * Peak memory of full training steps (forward + backward + clip + AdamW) at a given model size
 * and batch shape, on the active backend (wasm by default): the full-size check of issue #11.
 *
 *   npx tsx scripts/memory-check.ts --model bert-base-cased --batch 16 --seq 173 --steps 2
 *
 * (173 tokens: CoNLL-2003's longest training sentence under bert-base-cased's tokenizer; length-
 * grouped batching puts it in a batch of 16 padded to that length.) --checkpointing auto|true|false
 * sets the model's layer checkpointing (default auto), --override a JSON of config.json changes.
 * --warm-optimizer first creates the AdamW moments with an lr-0 update (no forward/backward), so
 * `--steps 1` already measures the steady state of later steps at half the compute.
 *
 * --model is a directory with config.json (e.g. tests/fixtures/models/bert-base-cased) or one of the
 * names there; the weights are random (HF init), the size and layout are the real ones.
 * Prints one JSON line: peak tensor MiB (tf.memory().numBytes high-water), wasm heap MiB, ms/step.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/backend";
import { heapMemoryMb, peakMemoryMb, resetPeakMemory } from "../src/backend/memory";
import { configFromHf, randomInit, tokenClassificationLoss } from "../src/models";
import { AdamW } from "../src/training/adamw";
import { trainingStep } from "../src/training/step";
import { labelMaps } from "../src/data/labels";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const backend = await initBackend(arg("backend", "wasm"), { quiet: true });
  const modelArg = arg("model", "bert-base-cased");
  const dir = fs.existsSync(path.join(modelArg, "config.json"))
    ? modelArg
    : path.join(__dirname, "..", "tests", "fixtures", "models", modelArg);
  const raw = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>;
  const overrides = JSON.parse(arg("override", "{}")) as Record<string, unknown>;
  const labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
  const config = configFromHf({ ...raw, ...overrides }, labelMaps(labels));
  const batch = Number(arg("batch", "16"));
  const seq = Number(arg("seq", "173"));
  const steps = Number(arg("steps", "2"));
  resetPeakMemory();
  const model = randomInit(config, 42);
  const mode = arg("checkpointing", "auto");
  model.gradientCheckpointing = mode === "auto" ? "auto" : mode === "true";
  const optimizer = new AdamW(model.namedWeights(), { lr: 2e-5, weightDecay: 0.01 });
  const ids = Array.from({ length: batch }, (_, b) =>
    Array.from({ length: seq }, (_, s) => (s === 0 ? 101 : 1000 + ((b * 31 + s * 7) % 20000))),
  );
  const labelIds = ids.map((row) => row.map((_, s) => (s === 0 ? -100 : s % 9)));
  const inputs = {
    inputIds: tf.tensor2d(ids, undefined, "int32"),
    attentionMask: tf.ones([batch, seq], "int32") as tf.Tensor2D,
    labels: tf.tensor2d(labelIds, undefined, "int32"),
  };
  if (process.argv.includes("--warm-optimizer")) {
    const zeros = new Map([...model.namedWeights()].map(([name, v]) => [name, tf.zerosLike(v)] as [string, tf.Tensor]));
    optimizer.step(zeros, 0, { disposeGrads: true });
  }
  const times: number[] = [];
  let loss = NaN;
  for (let i = 0; i < steps; i++) {
    const t0 = Date.now();
    const r = await trainingStep({
      model,
      batches: [inputs],
      optimizer,
      lr: 2e-5,
      maxGradNorm: 1,
      lossFn: tokenClassificationLoss,
      dropoutSeeds: [i + 1],
    });
    times.push(Date.now() - t0);
    loss = r.loss;
    if (process.env.DEBUG_LOSS) console.error("step", i, r.loss, r.gradNorm);
  }
  const params = model.numParameters();
  console.log(
    JSON.stringify({
      model: path.basename(dir),
      backend,
      batch,
      seq,
      steps,
      checkpointing: mode,
      params,
      loss,
      weights_mb: Math.round((params * 4) / 2 ** 20),
      peak_mb: peakMemoryMb(),
      heap_mb: heapMemoryMb() ?? null,
      ms_per_step: times,
    }),
  );
  tf.dispose(Object.values(inputs));
  optimizer.dispose();
  model.dispose();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
