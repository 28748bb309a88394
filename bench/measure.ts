/**
 * Timing and memory of one training update and one inference pass on the active tfjs backend,
 * shared by `npm run bench` (bench/main.ts) and bench/train.ts. "train" is the library's real
 * update (src/training/step.ts `trainingStep`: forward + backward + clip 1.0 + AdamW), "infer" an
 * eval-mode forward whose logits are read back to JS.
 */
import * as tf from "@tensorflow/tfjs";
import { randomInit, tokenClassificationLoss, type TokenClassificationConfig } from "../src/models";
import { AdamW } from "../src/training/adamw";
import { trainingStep } from "../src/training/step";
import { fullBatch } from "./configs";

export type BenchKind = "train" | "infer";

export interface Measurement {
  /** Median over the timed repetitions. */
  msPerStep: number;
  minMs: number;
  reps: number;
  /** Peak tensor memory during the (untimed) warm-up step, weights and optimizer state included. */
  peakMb: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The step function of one benchmark, with what it owns. */
function makeStep(kind: BenchKind, config: TokenClassificationConfig, batchSize: number, seq: number) {
  const model = randomInit(config, 1);
  const batch = fullBatch(batchSize, seq, config.numLabels);
  const optimizer = kind === "train" ? new AdamW(model.namedWeights(), { lr: 2e-5, weightDecay: 0.01 }) : undefined;
  const step = optimizer
    ? async () => {
        await trainingStep({
          model,
          batches: [batch],
          optimizer,
          lr: 2e-5,
          maxGradNorm: 1,
          lossFn: tokenClassificationLoss,
          dropoutSeeds: [1],
        });
      }
    : async () => {
        const logits = tf.tidy(() => model.forward(batch, { training: false }));
        await logits.data();
        logits.dispose();
      };
  const dispose = () => {
    optimizer?.dispose();
    model.dispose();
    tf.dispose(Object.values(batch));
  };
  return { step, dispose };
}

/** Warm-up once (profiled for peak memory), then time `reps` steps one by one. */
export async function measure(
  kind: BenchKind,
  config: TokenClassificationConfig,
  batchSize: number,
  seq: number,
  reps: number,
): Promise<Measurement> {
  const { step, dispose } = makeStep(kind, config, batchSize, seq);
  try {
    const info = await tf.profile(async () => {
      await step();
      return [] as tf.Tensor[];
    });
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    return { msPerStep: median(times), minMs: Math.min(...times), reps, peakMb: info.peakBytes / 2 ** 20 };
  } finally {
    dispose();
  }
}

/**
 * Kernel time by kernel name over one step (tf.profile's per-kernel times; matmuls split into
 * batched/attention and linear), plus the step's wall time: where the time goes.
 */
export async function kernelProfile(
  kind: BenchKind,
  config: TokenClassificationConfig,
  batchSize: number,
  seq: number,
): Promise<Record<string, number>> {
  const { step, dispose } = makeStep(kind, config, batchSize, seq);
  try {
    await step(); // warm-up
    return await kernelBreakdown(step);
  } finally {
    dispose();
  }
}

export async function kernelBreakdown(f: () => unknown): Promise<Record<string, number>> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await f();
    return [] as tf.Tensor[];
  });
  const total = performance.now() - t0;
  const cat: Record<string, number> = {};
  let kernelSum = 0;
  for (const k of info.kernels) {
    if (k.name === "unnamed scope") continue; // customGrad wrappers: their kernels are listed on their own
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    const batched = (k.inputShapes?.[0]?.length ?? 0) > 2 && (k.inputShapes?.[0]?.[0] ?? 1) > 1;
    const name = /MatMul/.test(k.name) ? `matmul ${batched ? "(batched, attention)" : "(linear)"}` : k.name;
    cat[name] = (cat[name] ?? 0) + ms;
    kernelSum += ms;
  }
  cat["(total wall incl. JS/tape overhead)"] = total;
  cat["(sum of kernel times)"] = kernelSum;
  return cat;
}
