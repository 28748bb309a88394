// The process the fault-injection suite kills: a tiny Trainer run that checkpoints often, rotates
// checkpoints and ends with a final model save, resuming with "auto" whatever state it finds.
// Usage: node --import tsx fault-child.ts <outputDir>
// Env (the concurrency tests): FAULT_SAVE_STEPS=<n> checkpoints every n updates; FAULT_HOLD_MS=<ms>
// sleeps after each update, so the run holds its output directory for a while.
// stdout: "start" before the Trainer is made, "ready" when the loop starts, "saving" before the
// final save, then one JSON line {tensorsBefore, tensorsAfter, step} at the end. On failure: exit 1
// with the error's message on the first line of stderr (its stack after).
import { createHash } from "crypto";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Trainer } from "../../src/training/trainer";
import { ToyModel, toyFeatures } from "../training/toy-model";

/** The run every test process repeats: 2 epochs of 12 updates, a checkpoint every 2, the newest 2 kept. */
export const FAULT_RUN = {
  progress: "none" as const,
  learningRate: 0.02,
  perDeviceTrainBatchSize: 4,
  numTrainEpochs: 2,
  weightDecay: 0.01,
  warmupRatio: 0.1,
  loggingSteps: 3,
  saveStrategy: "steps" as const,
  saveSteps: 2,
  saveTotalLimit: 2,
};

/** sha256 of the model's weights as savePretrained writes them (ties the run card to the weights beside it). */
export function weightsDigest(model: ToyModel): string {
  const h = createHash("sha256");
  for (const [name, v] of [...model.namedWeights()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(name);
    h.update(Buffer.from((v.dataSync() as Float32Array).buffer));
  }
  return h.digest("hex");
}

/** The run itself; `mark` hears "ready" (the loop starts) and "saving" (the final save starts). */
export async function faultRun(
  outputDir: string,
  mark: (phase: "ready" | "saving") => void,
  opts: { saveSteps?: number; holdMs?: number } = {},
): Promise<{ step: number }> {
  const model = new ToyModel(5);
  const hold = opts.holdMs ?? 0;
  const trainer = new Trainer({
    model,
    args: { ...FAULT_RUN, saveSteps: opts.saveSteps ?? FAULT_RUN.saveSteps, outputDir, resumeFromCheckpoint: "auto" },
    trainDataset: toyFeatures(48),
    callbacks: [
      { onTrainBegin: () => mark("ready") },
      ...(hold > 0 ? [{ onStepEnd: () => new Promise<void>((r) => setTimeout(r, hold)) }] : []),
    ],
  });
  try {
    const out = await trainer.train();
    mark("saving");
    await trainer.saveModel(outputDir, { files: { "weights_sha256.txt": weightsDigest(model) } });
    return { step: out.globalStep };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

async function main(outputDir: string): Promise<void> {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  process.stdout.write("start\n");
  const env = {
    saveSteps: Number(process.env.FAULT_SAVE_STEPS) || undefined,
    holdMs: Number(process.env.FAULT_HOLD_MS) || 0,
  };
  const { step } = await faultRun(outputDir, (phase) => void process.stdout.write(phase + "\n"), env);
  process.stdout.write(JSON.stringify({ tensorsBefore: before, tensorsAfter: tf.memory().numTensors, step }) + "\n");
}

if (require.main === module) {
  main(path.resolve(process.argv[2])).catch((err) => {
    process.stderr.write(`${(err as Error).message}\n${(err as Error).stack ?? err}\n`);
    process.exitCode = 1; // not process.exit(): stderr to a pipe must be flushed first
  });
}
