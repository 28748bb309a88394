/**
 * The shapes the Trainer works with: model, features and batches; the Trainer's state, callbacks
 * and results; and what a checkpoint keeps of the training loop. The model side is the project's shared
 * `TokenClassificationModel` contract (src/models), restated structurally here so the
 * training loop can be read (and tested) on its own; a `TokenClassificationModel` is a
 * `TrainableModel` as it is (tests/training/contracts.test.ts checks this, without casts).
 */
import type * as tf from "@tensorflow/tfjs";
import type { EpochTableRow } from "../display/epochTable";
import type { TrainingArguments } from "./arguments";

/** Model inputs of one batch (int32, [batch, seq]). */
export interface ModelInputs {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
}

/** What the Trainer needs from a model: logits, its variables by HF name, and saving. */
export interface TrainableModel {
  readonly config: { readonly numLabels: number; readonly id2label: Record<number, string> };
  forward(inputs: ModelInputs, opts?: { training?: boolean; dropoutSeed?: number }): tf.Tensor3D;
  namedWeights(): Map<string, tf.Variable>;
  savePretrained(dir: string): Promise<void>;
}

/** One tokenized, label-aligned example (labels are -100 where ignored). */
export interface TrainingFeature {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds?: number[];
  labels: number[];
}

/**
 * A collated batch of tensors: model inputs plus int32 labels [batch, seq] (required for training
 * and evaluation). Named apart from src/data's `Batch` (a slice of a Dataset's columns).
 */
export interface ModelBatch extends ModelInputs {
  labels?: tf.Tensor2D;
}

/** @deprecated The earlier name of {@link ModelBatch}, kept until src/training/step.ts and its parity test switch. */
export type Batch = ModelBatch;

/** A collator: a function, or an object with `collate` / `call` (e.g. DataCollatorForTokenClassification). */
export type Collator =
  | ((features: readonly TrainingFeature[]) => ModelBatch)
  | { collate(features: readonly TrainingFeature[]): ModelBatch }
  | { call(features: readonly TrainingFeature[]): ModelBatch };

/** Anything holding features: an array, or a Dataset with `rows`. */
export type FeatureSource = readonly TrainingFeature[] | { readonly rows: readonly TrainingFeature[] };

/** Loss of logits against labels (mean cross-entropy over labels != -100). */
export type LossFn = (logits: tf.Tensor3D, labels: tf.Tensor2D) => tf.Scalar;

/**
 * Metrics from predictions and labels, e.g. `(p, l) => computeMetrics(p, l, labelList)` with
 * seqeval's `computeMetrics`. Numeric fields become `<prefix>_<name>` metrics; the others
 * (seqeval's `report`) are kept as the evaluation's extras. Typed as `object` so result
 * interfaces without an index signature (seqeval's `ComputedMetrics`) fit as they are.
 */
export type ComputeMetrics = (predictions: number[][], labels: number[][]) => object;

// ---------------------------------------------------------------- Trainer state and callbacks

/** One entry of `log_history` (loss, learning_rate, epoch, step, eval_* metrics, ...). */
export type LogEntry = Record<string, number>;

/** One row of the per-epoch table the tutorials show (its one home is src/display, which renders it). */
export type EpochRow = EpochTableRow;

/** Live view of a run, passed to callbacks. */
export interface TrainerState {
  globalStep: number;
  maxSteps: number;
  /** Fractional epoch (1.5 = half-way through the second epoch). */
  epoch: number;
  numTrainEpochs: number;
  batchesPerEpoch: number;
  logHistory: LogEntry[];
  epochRows: EpochRow[];
  bestMetric: number | null;
  bestModelCheckpoint: string | null;
  /** Seconds of training so far (across resumes). */
  elapsedSeconds: number;
  trainedTokens: number;
  /** Set to true from a callback to end training after the current step (HF's control.should_training_stop). */
  shouldTrainingStop: boolean;
}

/** What a step reports to `onStepEnd`. */
export interface StepInfo {
  loss: number;
  gradNorm: number;
  learningRate: number;
  tokens: number;
}

/** Result of `train()` (HF TrainOutput). */
export interface TrainOutput {
  globalStep: number;
  trainingLoss: number;
  metrics: LogEntry;
}

/** Result of `predict()` (HF PredictionOutput); arrays are per example, unpadded. */
export interface PredictionOutput {
  /** Logits [example][token][label]. */
  predictions: number[][][];
  labelIds: number[][];
  metrics: LogEntry;
  /** Non-numeric outputs of computeMetrics (e.g. the seqeval report). */
  extras: Record<string, unknown>;
}

/**
 * Hooks for progress displays and live charts. All are optional; they may be async.
 * `onLog` gets every `log_history` entry (training logs and evaluations).
 */
export interface TrainerCallback {
  onTrainBegin?(state: TrainerState, args: TrainingArguments): void | Promise<void>;
  onStepEnd?(state: TrainerState, step: StepInfo): void | Promise<void>;
  onLog?(state: TrainerState, logs: LogEntry): void | Promise<void>;
  onEvaluate?(state: TrainerState, metrics: LogEntry): void | Promise<void>;
  onEpochEnd?(state: TrainerState, row: EpochRow): void | Promise<void>;
  onSave?(state: TrainerState, checkpointDir: string): void | Promise<void>;
  onTrainEnd?(state: TrainerState, output: TrainOutput): void | Promise<void>;
}

/**
 * Where `resumeFromCheckpoint` points: a checkpoint directory; `true`, the latest checkpoint in
 * `outputDir` (an error when there is none); `"auto"`, the latest one if any, else a fresh start.
 */
export type ResumeFrom = string | boolean;

// ---------------------------------------------------------------- what a checkpoint keeps of the loop

/** Where the run is in its data (saved in `trainer_state.json#resume.position`). */
export interface LoopPosition {
  epochIndex: number;
  /** Micro-batches of `epochOrder` already consumed in this epoch. */
  stepInEpoch: number;
  /** The shuffled example order of the current epoch. */
  epochOrder: number[];
}

/** Running sums of the run (saved in `trainer_state.json#resume.totals`). */
export interface LoopTotals {
  /** Loss of the updates since the last training log. */
  trLossSum: number;
  trLossCount: number;
  /** Loss of the updates of the current epoch (the epoch table's Training Loss). */
  epochLossSum: number;
  epochLossCount: number;
  earlyStoppingCounter: number;
  trainedTokens: number;
  trainedSamples: number;
  elapsedSeconds: number;
}

/** What resuming a run needs beyond model, optimizer and RNG states. */
export interface ResumeState {
  position: LoopPosition;
  totals: LoopTotals;
}
