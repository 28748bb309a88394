/**
 * Training arguments: the Hugging Face `TrainingArguments` the tutorials set, in camelCase,
 * with HF's defaults. `resolveTrainingArguments` fills defaults and checks values.
 */

export type IntervalStrategy = "no" | "steps" | "epoch";

/** What the progress display should be: `auto` picks a bar in a terminal, in-place output in tslab, lines otherwise. */
export type ProgressMode = "auto" | "bar" | "notebook" | "lines" | "none";

export interface TrainingArguments {
  /** Where checkpoints (`checkpoint-<step>/`) go; without it nothing is written to disk. */
  outputDir?: string;
  learningRate: number;
  perDeviceTrainBatchSize: number;
  perDeviceEvalBatchSize: number;
  numTrainEpochs: number;
  /** If > 0, the number of optimizer updates to run (overrides `numTrainEpochs`). */
  maxSteps: number;
  weightDecay: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  /** Global-norm gradient clipping (0 disables). */
  maxGradNorm: number;
  warmupSteps: number;
  warmupRatio: number;
  lrSchedulerType: "linear" | "constant";
  gradientAccumulationSteps: number;
  /** Seed for shuffling and dropout (model initialisation takes its own seed). */
  seed: number;
  /** Shuffle the training set each epoch (HF always does; off is useful for debugging). */
  shuffle: boolean;
  evalStrategy: IntervalStrategy;
  evalSteps: number;
  saveStrategy: IntervalStrategy;
  saveSteps: number;
  /** Keep at most this many checkpoints (the best one is never deleted); 0 = keep all. */
  saveTotalLimit: number;
  /** Log the mean training loss every this many optimizer updates. */
  loggingSteps: number;
  loadBestModelAtEnd: boolean;
  /** Metric name with or without the `eval_` prefix, e.g. "f1" or "loss". */
  metricForBestModel: string;
  /** Defaults to true unless the metric is a loss. */
  greaterIsBetter?: boolean;
  /** Stop after this many evaluations without improvement (0 = never). */
  earlyStoppingPatience: number;
  earlyStoppingThreshold: number;
  /** Resume: a checkpoint directory, or true for the latest one in `outputDir`. */
  resumeFromCheckpoint?: string | boolean;
  progress: ProgressMode;
}

/** HF TrainingArguments defaults (learning rate 5e-5, batch 8, 3 epochs, clip 1.0, ...). */
export const DEFAULT_TRAINING_ARGUMENTS: TrainingArguments = {
  learningRate: 5e-5,
  perDeviceTrainBatchSize: 8,
  perDeviceEvalBatchSize: 8,
  numTrainEpochs: 3,
  maxSteps: -1,
  weightDecay: 0,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  maxGradNorm: 1.0,
  warmupSteps: 0,
  warmupRatio: 0,
  lrSchedulerType: "linear",
  gradientAccumulationSteps: 1,
  seed: 42,
  shuffle: true,
  evalStrategy: "no",
  evalSteps: 500,
  saveStrategy: "epoch",
  saveSteps: 500,
  saveTotalLimit: 0,
  loggingSteps: 500,
  loadBestModelAtEnd: false,
  metricForBestModel: "loss",
  earlyStoppingPatience: 0,
  earlyStoppingThreshold: 0,
  progress: "auto",
};

/** Fill defaults and validate; throws a RangeError naming the bad argument. */
export function resolveTrainingArguments(partial: Partial<TrainingArguments> = {}): TrainingArguments {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const args: TrainingArguments = { ...DEFAULT_TRAINING_ARGUMENTS, ...defined };
  const positive = ["learningRate", "perDeviceTrainBatchSize", "perDeviceEvalBatchSize", "gradientAccumulationSteps"] as const;
  for (const k of positive) {
    if (!(typeof args[k] === "number" && args[k] > 0)) throw new RangeError(`${k} must be > 0, got ${args[k]}`);
  }
  const ints = ["perDeviceTrainBatchSize", "perDeviceEvalBatchSize", "gradientAccumulationSteps", "maxSteps", "warmupSteps", "evalSteps", "saveSteps", "loggingSteps", "saveTotalLimit", "earlyStoppingPatience", "seed"] as const;
  for (const k of ints) {
    if (!Number.isInteger(args[k])) throw new RangeError(`${k} must be an integer, got ${args[k]}`);
  }
  if (!(args.numTrainEpochs > 0) && !(args.maxSteps > 0)) {
    throw new RangeError(`numTrainEpochs must be > 0 (or set maxSteps), got ${args.numTrainEpochs}`);
  }
  for (const k of ["weightDecay", "maxGradNorm", "warmupSteps", "adamEpsilon"] as const) {
    if (!(args[k] >= 0)) throw new RangeError(`${k} must be >= 0, got ${args[k]}`);
  }
  if (!(args.warmupRatio >= 0 && args.warmupRatio <= 1)) throw new RangeError(`warmupRatio must be in [0, 1], got ${args.warmupRatio}`);
  for (const k of ["evalStrategy", "saveStrategy"] as const) {
    if (!["no", "steps", "epoch"].includes(args[k])) throw new RangeError(`${k} must be "no", "steps" or "epoch", got ${args[k]}`);
  }
  if (!["linear", "constant"].includes(args.lrSchedulerType)) {
    throw new RangeError(`lrSchedulerType must be "linear" or "constant", got ${args.lrSchedulerType}`);
  }
  if (args.loadBestModelAtEnd && args.evalStrategy === "no") {
    throw new RangeError(`loadBestModelAtEnd needs an evaluation strategy ("epoch" or "steps")`);
  }
  if (args.earlyStoppingPatience > 0 && args.evalStrategy === "no") {
    throw new RangeError(`earlyStoppingPatience needs an evaluation strategy ("epoch" or "steps")`);
  }
  if (!["auto", "bar", "notebook", "lines", "none"].includes(args.progress)) {
    throw new RangeError(`progress must be auto|bar|notebook|lines|none, got ${args.progress}`);
  }
  return args;
}

/** The metric key as it appears in evaluation results ("f1" → "eval_f1"). */
export function bestMetricKey(args: TrainingArguments): string {
  return args.metricForBestModel.startsWith("eval_") ? args.metricForBestModel : `eval_${args.metricForBestModel}`;
}

/** Whether a larger value of the best-model metric is better. */
export function greaterIsBetter(args: TrainingArguments): boolean {
  return args.greaterIsBetter ?? !/loss$/.test(args.metricForBestModel);
}
