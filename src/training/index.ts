/** The training loop and its parts: Trainer, AdamW, schedule, clipping, checkpoints, progress, CLI jobs. */
export { Trainer, NonFiniteLossError } from "./trainer";
export type { TrainerOptions, TrainerState, TrainerCallback, EpochRow, StepInfo, TrainOutput, PredictionOutput } from "./trainer";
export { AdamW, isDecayParameter, decayParameterNames } from "./adamw";
export type { AdamWOptions, AdamWState } from "./adamw";
export { linearScheduleWithWarmup, constantSchedule, warmupStepsFor, linearWarmupFactor } from "./schedule";
export type { LrSchedule } from "./schedule";
export { clipGradNorm, globalNorm } from "./clip";
export { trainingStep } from "./step";
export type { StepOptions, StepResult } from "./step";
export { resolveTrainingArguments, DEFAULT_TRAINING_ARGUMENTS } from "./arguments";
export type { TrainingArguments, IntervalStrategy, ProgressMode } from "./arguments";
export { saveCheckpoint, latestCheckpoint, listCheckpoints, loadModelWeights } from "./checkpoint";
export { createProgressCallback, formatEpochTable } from "./progress";
export { runTrainJob, runEvaluateJob, readJsonl, DEFAULT_TRAIN_JOB, FINE_TUNE_DEFAULTS } from "./job";
export type { TrainJobOptions, TrainJobResult, EvaluateJobOptions, EvaluateJobResult } from "./job";
