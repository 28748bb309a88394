/** The training loop and its parts: Trainer, AdamW, schedule, clipping, checkpoints, progress, CLI jobs. */
export { Trainer, NonFiniteLossError } from "./trainer";
export type { TrainerOptions } from "./trainer";
export type {
  TrainerState,
  TrainerCallback,
  EpochRow,
  StepInfo,
  TrainOutput,
  PredictionOutput,
  LogEntry,
  ResumeFrom,
} from "./types";
export { AdamW, isDecayParameter, decayParameterNames } from "./adamw";
export type { AdamWOptions, AdamWState } from "./adamw";
export { linearScheduleWithWarmup, constantSchedule, warmupStepsFor, linearWarmupFactor } from "./schedule";
export type { LrSchedule } from "./schedule";
export { clipGradNorm, globalNorm } from "./clip";
export { trainingStep } from "./step";
export type { StepOptions, StepResult } from "./step";
export { resolveTrainingArguments, DEFAULT_TRAINING_ARGUMENTS } from "./arguments";
export type { TrainingArguments, IntervalStrategy, ProgressMode } from "./arguments";
export {
  saveCheckpoint,
  latestCheckpoint,
  listCheckpoints,
  loadModelWeights,
  assertCompleteCheckpoint,
  removeStaleTemporaries,
  resumeCheckpointFor,
} from "./checkpoint";
export { createProgressCallback, formatEpochTable } from "./progress";
export { runTrainJob, runEvaluateJob, resolveTrainJobOptions } from "./job";
export type { TrainJobResult, EvaluateJobResult } from "./job";
export { TRAINING_OPTIONS, JOB_OPTIONS, EVALUATE_OPTIONS, PREDICT_OPTIONS, resolveJobDefaults } from "./options";
export type { OptionSpec, JobArguments, TrainJobOptions, EvaluateJobOptions, PredictOptions } from "./options";
