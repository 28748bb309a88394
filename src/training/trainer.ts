/**
 * The Trainer the tutorials use (`Trainer(model, args, train_dataset, eval_dataset,
 * data_collator, compute_metrics).train()`), written as one plain loop you can read top to
 * bottom in `train()`, one optimizer update per iteration:
 *
 *   at the start of each epoch: shuffle the training examples (seeded)
 *   take the next `gradientAccumulationSteps` batches of the epoch:
 *     forward → masked cross-entropy → gradients (summed over the group)
 *     clip gradients to `maxGradNorm` (global norm)
 *     AdamW update with the learning rate of the linear warmup/decay schedule
 *   log every `loggingSteps`; evaluate / checkpoint every `evalSteps` / `saveSteps` or at the epoch's end
 *   load the best model (optional)
 *
 * What the loop carries between updates is one small `LoopState` (position in the data, running
 * totals, the two random streams); its position and totals are what a checkpoint saves for resuming.
 * Numbers follow the Hugging Face Trainer: the optimizer, its parameter groups, the schedule,
 * clipping and the `log_history` keys (loss, grad_norm, learning_rate, epoch, step, eval_*).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/random";
import { writeFileSynced } from "../util/atomic";
import { peakMemoryMb, resetPeakMemory } from "../backend/memory";
import { AdamW } from "./adamw";
import { TrainingArguments, bestMetricKey, greaterIsBetter, resolveTrainingArguments } from "./arguments";
import { disposeBatch } from "../collator/collator";
import { asCollateFn, countTokens, featuresOf } from "./batching";
import { tokenClassificationLoss } from "../models/loss";
import {
  TrainerStateFile,
  checkResumable,
  checkpointName,
  fingerprintFeatures,
  labelNames,
  latestCheckpoint,
  loadModelWeights,
  loadOptimizerState,
  lockOutputDir,
  readRngState,
  readTrainerState,
  resumeCheckpointFor,
  rotateCheckpoints,
  saveCheckpoint,
  saveIntoOutputDir,
  type RunShape,
} from "./checkpoint";
import { createProgressCallback } from "./progress";
import { trainingStep } from "./step";
import { LrSchedule, constantSchedule, linearScheduleWithWarmup, warmupStepsFor } from "./schedule";
import type {
  ModelBatch,
  ResumeFrom,
  Collator,
  ComputeMetrics,
  EpochRow,
  FeatureSource,
  LogEntry,
  LoopPosition,
  LoopTotals,
  LossFn,
  PredictionOutput,
  ResumeState,
  StepInfo,
  TrainableModel,
  TrainerCallback,
  TrainerState,
  TrainingFeature,
  TrainOutput,
} from "./types";

export type { EpochRow, PredictionOutput, StepInfo, TrainerCallback, TrainerState, TrainOutput };

/** Raised when the loss or the gradient norm stops being finite. */
export class NonFiniteLossError extends Error {
  constructor(
    message: string,
    readonly step: number,
    readonly lastCheckpoint: string | null,
  ) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

export interface TrainerOptions {
  model: TrainableModel;
  args?: Partial<TrainingArguments>;
  trainDataset?: FeatureSource;
  evalDataset?: FeatureSource;
  /** Pads features into tensors; default pads to the longest with pad id 0 and labels -100. */
  dataCollator?: Collator;
  computeMetrics?: ComputeMetrics;
  /** Default: mean cross-entropy over labels != -100. */
  lossFn?: LossFn;
  callbacks?: TrainerCallback[];
  /** Saved beside the model by `saveModel` (e.g. the NerTokenizer). */
  tokenizer?: { save(dir: string): void | Promise<void> };
}

/** Hugging Face-style Trainer for token classification. */
export class Trainer {
  readonly model: TrainableModel;
  readonly args: TrainingArguments;
  readonly callbacks: TrainerCallback[];
  trainDataset?: FeatureSource;
  evalDataset?: FeatureSource;
  /** Live state of the current (or last) run. */
  state: TrainerState;
  /** Non-numeric outputs of the last evaluation's computeMetrics (e.g. seqeval's report). */
  lastEvalExtras: Record<string, unknown> = {};

  private readonly collate: (f: readonly TrainingFeature[]) => ModelBatch;
  private readonly computeMetrics?: ComputeMetrics;
  private readonly lossFn: LossFn;
  private readonly tokenizer?: TrainerOptions["tokenizer"];
  private optimizer?: AdamW;
  private schedule?: LrSchedule;
  private progress: TrainerCallback | null = null;

  constructor(opts: TrainerOptions) {
    this.model = opts.model;
    this.args = resolveTrainingArguments(opts.args);
    this.trainDataset = opts.trainDataset;
    this.evalDataset = opts.evalDataset;
    this.collate = asCollateFn(opts.dataCollator);
    this.computeMetrics = opts.computeMetrics;
    this.lossFn = opts.lossFn ?? tokenClassificationLoss;
    this.callbacks = [...(opts.callbacks ?? [])];
    this.tokenizer = opts.tokenizer;
    this.state = emptyState(this.args);
  }

  /** Add a callback (e.g. a live chart) before calling `train()`. */
  addCallback(cb: TrainerCallback): void {
    this.callbacks.push(cb);
  }

  /** Number of optimizer updates the run will make, and how many batches one epoch has. */
  plan(): { batchesPerEpoch: number; updatesPerEpoch: number; maxSteps: number; numEpochs: number } {
    const n = this.requireTrain().length;
    const batchesPerEpoch = Math.ceil(n / this.args.perDeviceTrainBatchSize);
    const updatesPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / this.args.gradientAccumulationSteps));
    const maxSteps =
      this.args.maxSteps > 0 ? this.args.maxSteps : Math.ceil(this.args.numTrainEpochs * updatesPerEpoch);
    const numEpochs = Math.ceil(maxSteps / updatesPerEpoch);
    return { batchesPerEpoch, updatesPerEpoch, maxSteps, numEpochs };
  }

  /**
   * Run training. `resumeFromCheckpoint` (here or in the arguments): `true` resumes from the latest
   * checkpoint in `outputDir` and fails when there is none (as Hugging Face's Trainer); `"auto"`
   * resumes when there is one and starts fresh otherwise; a path resumes from that checkpoint.
   */
  async train(opts: { resumeFromCheckpoint?: ResumeFrom } = {}): Promise<TrainOutput> {
    const train = this.requireTrain();
    // One writer per output directory: a second run fails here at once, naming the holder.
    const release = this.args.outputDir ? lockOutputDir(this.args.outputDir) : null;
    try {
      return await this.trainLocked(train, opts.resumeFromCheckpoint ?? this.args.resumeFromCheckpoint);
    } finally {
      release?.();
    }
  }

  private async trainLocked(
    train: readonly TrainingFeature[],
    resumeFrom: ResumeFrom | undefined,
  ): Promise<TrainOutput> {
    const args = this.args;
    const { batchesPerEpoch, updatesPerEpoch, maxSteps, numEpochs } = this.plan();
    const weights = this.model.namedWeights();
    resetPeakMemory(); // peak_mb in the final log is this run's

    this.optimizer?.dispose();
    const optimizer = (this.optimizer = new AdamW(weights, {
      lr: args.learningRate,
      betas: [args.adamBeta1, args.adamBeta2],
      eps: args.adamEpsilon,
      weightDecay: args.weightDecay,
    }));
    const schedule = (this.schedule =
      args.lrSchedulerType === "constant"
        ? constantSchedule(args.learningRate, maxSteps)
        : linearScheduleWithWarmup(args.learningRate, warmupStepsFor(maxSteps, args), maxSteps));

    const state = (this.state = emptyState(args));
    state.maxSteps = maxSteps;
    state.batchesPerEpoch = batchesPerEpoch;
    const run: RunShape = {
      maxSteps,
      batchSize: args.perDeviceTrainBatchSize,
      gradientAccumulationSteps: args.gradientAccumulationSteps,
      batchesPerEpoch,
      updatesPerEpoch,
      numEpochs,
      trainExamples: train.length,
      trainDataSha256: fingerprintFeatures(train),
      labels: labelNames(this.model.config.id2label ?? {}),
    };
    const loop = this.startLoop(state, run, resumeCheckpointFor(resumeFrom, args.outputDir));
    const { position: pos, totals } = loop;
    this.progress = createProgressCallback(args.progress);
    try {
      await this.emit("onTrainBegin", state, args);
      let stop = state.globalStep >= maxSteps;

      while (!stop && pos.epochIndex < numEpochs) {
        if (pos.stepInEpoch === 0) {
          pos.epochOrder = args.shuffle ? loop.dataRng.permutation(train.length) : train.map((_, i) => i);
          totals.epochLossSum = 0;
          totals.epochLossCount = 0;
        }

        // ---- one optimizer update over up to `gradientAccumulationSteps` batches
        const micro = Math.min(args.gradientAccumulationSteps, batchesPerEpoch - pos.stepInEpoch);
        const batches: ModelBatch[] = [];
        const seeds: number[] = [];
        let tokens = 0;
        let samples = 0;
        for (let k = 0; k < micro; k++) {
          const start = (pos.stepInEpoch + k) * args.perDeviceTrainBatchSize;
          const features = pos.epochOrder.slice(start, start + args.perDeviceTrainBatchSize).map((i) => train[i]);
          tokens += countTokens(features);
          samples += features.length;
          batches.push(this.collate(features));
          seeds.push(loop.dropoutRng.seed());
        }
        const lr = schedule.lrAt(state.globalStep);
        let result;
        try {
          result = await trainingStep({
            model: this.model,
            batches,
            optimizer,
            lr,
            maxGradNorm: args.maxGradNorm,
            lossFn: this.lossFn,
            dropoutSeeds: seeds,
          });
        } finally {
          batches.forEach(disposeBatch);
        }
        if (!result.applied) {
          const what = Number.isFinite(result.loss) ? `gradient norm is ${result.gradNorm}` : `loss is ${result.loss}`;
          throw this.nonFinite(what, state, loop.lastCheckpoint);
        }

        // ---- bookkeeping
        pos.stepInEpoch += micro;
        state.globalStep += 1;
        state.epoch = pos.epochIndex + pos.stepInEpoch / batchesPerEpoch;
        totals.trLossSum += result.loss;
        totals.trLossCount += 1;
        totals.epochLossSum += result.loss;
        totals.epochLossCount += 1;
        totals.trainedTokens += tokens;
        totals.trainedSamples += samples;
        state.trainedTokens = totals.trainedTokens;
        state.elapsedSeconds = loop.elapsed();
        await this.emit("onStepEnd", state, { loss: result.loss, gradNorm: result.gradNorm, learningRate: lr, tokens });
        await yieldToEventLoop();

        // ---- log, evaluate, save
        if (args.loggingSteps > 0 && state.globalStep % args.loggingSteps === 0)
          await this.logTraining(state, totals, result.gradNorm);
        if (state.globalStep >= maxSteps || state.shouldTrainingStop) stop = true;
        const epochEnds = pos.stepInEpoch >= batchesPerEpoch;
        const evalNow =
          (args.evalStrategy === "steps" && state.globalStep % args.evalSteps === 0) ||
          (args.evalStrategy === "epoch" && epochEnds);
        const saveNow =
          (args.saveStrategy === "steps" && state.globalStep % args.saveSteps === 0) ||
          (args.saveStrategy === "epoch" && epochEnds);

        let metrics: LogEntry | null = null;
        let improved = false;
        if (evalNow && this.evalDataset) {
          metrics = await this.evaluate();
          improved = this.updateBest(state, metrics);
          if (args.earlyStoppingPatience > 0) {
            totals.earlyStoppingCounter = improved ? 0 : totals.earlyStoppingCounter + 1;
            if (totals.earlyStoppingCounter >= args.earlyStoppingPatience) stop = true;
          }
        }
        if (epochEnds || (stop && totals.epochLossCount > 0)) {
          const row = epochRow(state, totals, metrics);
          state.epochRows.push(row);
          await this.emit("onEpochEnd", state, row);
        }
        // At an epoch's end the position moves to the start of the next one (and so does a checkpoint saved now).
        if (epochEnds) {
          pos.epochIndex += 1;
          pos.stepInEpoch = 0;
        }
        if (saveNow && args.outputDir) {
          const dir = path.join(args.outputDir, checkpointName(state.globalStep));
          if (improved) state.bestModelCheckpoint = dir;
          totals.elapsedSeconds = loop.elapsed();
          loop.clockStart = performance.now();
          await saveCheckpoint(dir, {
            model: this.model,
            tokenizer: this.tokenizer,
            optimizer,
            state: toStateFile(state, args, loop, run),
            rng: { data: loop.dataRng.state(), dropout: loop.dropoutRng.state() },
            trainingArgs: args,
          });
          loop.lastCheckpoint = dir;
          rotateCheckpoints(args.outputDir, args.saveTotalLimit, state.bestModelCheckpoint);
          await this.emit("onSave", state, dir);
        } else if (improved && args.loadBestModelAtEnd) {
          loop.bestSnapshot = snapshotWeights(weights);
        }
      }

      if (args.loadBestModelAtEnd) loadBest(this.model, state, loop, weights);
      totals.elapsedSeconds = loop.elapsed();
      state.elapsedSeconds = totals.elapsedSeconds;
      const trainLoss = meanTrainLoss(state.logHistory, totals);
      const per = (n: number) => round3(n / Math.max(totals.elapsedSeconds, 1e-9));
      const final: LogEntry = {
        train_runtime: round4(totals.elapsedSeconds),
        train_samples_per_second: per(totals.trainedSamples),
        train_steps_per_second: per(state.globalStep),
        train_tokens_per_second: per(totals.trainedTokens),
        train_loss: trainLoss,
        peak_mb: peakMemoryMb(), // tensor bytes high-water mark (src/backend/memory.ts)
        epoch: state.epoch,
        step: state.globalStep,
      };
      state.logHistory.push(final);
      await this.emit("onLog", state, final);
      const output: TrainOutput = { globalStep: state.globalStep, trainingLoss: trainLoss, metrics: final };
      await this.emit("onTrainEnd", state, output);
      return output;
    } finally {
      this.progress = null;
    }
  }

  /**
   * The loop state of a fresh run, or of the run saved in checkpoint `dir` (also restoring model, optimizer and
   * `state`).
   */
  private startLoop(state: TrainerState, run: RunShape, dir: string | null): LoopState {
    const seed = this.args.seed;
    if (!dir) {
      return newLoopState(
        freshResume(),
        new Rng(seed),
        new Rng(seed ^ 0x5bd1e995),
        this.args.outputDir ? latestCheckpoint(this.args.outputDir) : null,
      );
    }
    const saved = readTrainerState(dir);
    checkResumable(dir, saved, run);
    const rng = readRngState(dir);
    loadModelWeights(this.model, dir);
    loadOptimizerState(this.optimizer!, dir);
    Object.assign(state, {
      globalStep: saved.global_step,
      epoch: saved.epoch,
      logHistory: saved.log_history,
      epochRows: rebuildEpochRows(saved.log_history),
      bestMetric: saved.best_metric,
      bestModelCheckpoint: saved.best_model_checkpoint,
      elapsedSeconds: saved.resume.totals.elapsedSeconds,
      trainedTokens: saved.resume.totals.trainedTokens,
    });
    const lastCheckpoint = this.args.outputDir ? latestCheckpoint(this.args.outputDir) : null;
    return newLoopState(saved.resume, Rng.fromState(rng.data), Rng.fromState(rng.dropout), lastCheckpoint);
  }

  /** Evaluate on `dataset` (default: the eval dataset); logs and returns `eval_*` metrics. */
  async evaluate(dataset?: FeatureSource, metricKeyPrefix = "eval"): Promise<LogEntry> {
    const source = dataset ?? this.evalDataset;
    if (!source) throw new Error("Trainer.evaluate: no evaluation dataset given");
    const out = await this.predictionLoop(source, metricKeyPrefix, false);
    const metrics: LogEntry = { ...out.metrics, epoch: this.state.epoch, step: this.state.globalStep };
    this.lastEvalExtras = out.extras;
    this.state.logHistory.push(metrics);
    await this.emit("onLog", this.state, metrics);
    await this.emit("onEvaluate", this.state, metrics);
    return metrics;
  }

  /** Logits, label ids and `test_*` metrics for `dataset`, like `trainer.predict`. */
  async predict(dataset: FeatureSource, metricKeyPrefix = "test"): Promise<PredictionOutput> {
    return this.predictionLoop(dataset, metricKeyPrefix, true);
  }

  /**
   * Save the model (and tokenizer, if given) in HF layout into `dir`, with `training_args.json`
   * and any extra `files` (name → text): each file is staged, then renamed into `dir` one by one,
   * and the completion marker `save_complete.json` (listing them) last (see checkpoint.ts's
   * `saveIntoOutputDir`). `dir` itself is never renamed or replaced, and nothing in it the save
   * does not write is touched (checkpoints, predictions, dotfiles, a user's files, its mode).
   */
  async saveModel(dir: string, opts: { files?: Record<string, string> } = {}): Promise<void> {
    await saveIntoOutputDir(dir, async (staging) => {
      await this.model.savePretrained(staging);
      if (this.tokenizer) await this.tokenizer.save(staging);
      for (const [name, text] of Object.entries(opts.files ?? {})) {
        if (name !== path.basename(name) || name.startsWith("."))
          throw new Error(`saveModel: file name ${JSON.stringify(name)} must be a plain name`);
        writeFileSynced(path.join(staging, name), text);
      }
      writeFileSynced(path.join(staging, "training_args.json"), JSON.stringify(this.args, null, 2));
    });
  }

  /** Free the optimizer state (the model belongs to the caller). */
  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = undefined;
  }

  /** The learning-rate schedule of the current run (after `train()` started). */
  get lrSchedule(): LrSchedule | undefined {
    return this.schedule;
  }

  // ------------------------------------------------------------------ internals

  private async predictionLoop(source: FeatureSource, prefix: string, keepLogits: boolean): Promise<PredictionOutput> {
    const features = featuresOf(source);
    const bs = this.args.perDeviceEvalBatchSize;
    const start = performance.now();
    let lossSum = 0;
    let lossCount = 0;
    const preds: number[][] = [];
    const labelIds: number[][] = [];
    const logitsOut: number[][][] = [];
    let batches = 0;
    for (let i = 0; i < features.length; i += bs) {
      const chunk = features.slice(i, i + bs) as TrainingFeature[];
      const batch = this.collate(chunk);
      const labels = batch.labels;
      if (!labels) throw new Error("Trainer: evaluation features need labels");
      const kept = tf.tidy(() => {
        const lg = this.model.forward(batch, { training: false });
        const out: tf.Tensor[] = [this.lossFn(lg, labels), lg.argMax(-1)];
        if (keepLogits) out.push(lg);
        return out;
      });
      const [loss, argmax] = kept;
      const logits = kept[2] ?? null;
      disposeBatch(batch);
      const lossV = (await loss.data())[0];
      const am = (await argmax.array()) as number[][];
      const lg = logits ? ((await logits.array()) as number[][][]) : null;
      tf.dispose([loss, argmax, ...(logits ? [logits] : [])]);
      lossSum += lossV * chunk.length;
      lossCount += chunk.length;
      batches++;
      chunk.forEach((f, j) => {
        const n = f.labels.length;
        preds.push(am[j].slice(0, n));
        labelIds.push([...f.labels]);
        if (lg) logitsOut.push(lg[j].slice(0, n));
      });
      await yieldToEventLoop();
    }
    const metrics: LogEntry = { [`${prefix}_loss`]: lossCount ? lossSum / lossCount : NaN };
    const extras: Record<string, unknown> = {};
    if (this.computeMetrics) {
      for (const [k, v] of Object.entries(this.computeMetrics(preds, labelIds))) {
        if (typeof v === "number") metrics[`${prefix}_${k}`] = v;
        else extras[k] = v;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    metrics[`${prefix}_runtime`] = round4(seconds);
    metrics[`${prefix}_samples_per_second`] = round3(features.length / Math.max(seconds, 1e-9));
    metrics[`${prefix}_steps_per_second`] = round3(batches / Math.max(seconds, 1e-9));
    return { predictions: logitsOut, labelIds, metrics, extras };
  }

  private async logTraining(state: TrainerState, totals: LoopTotals, gradNorm: number): Promise<void> {
    const logs: LogEntry = {
      loss: totals.trLossSum / totals.trLossCount,
      ...(Number.isFinite(gradNorm) ? { grad_norm: gradNorm } : {}),
      // The rate this step used, as HF transformers ≥ 4.5x / 5.x logs it (read before the scheduler advances).
      learning_rate: this.schedule!.lrAt(state.globalStep - 1),
      epoch: state.epoch,
      step: state.globalStep,
    };
    totals.trLossSum = 0;
    totals.trLossCount = 0;
    state.logHistory.push(logs);
    await this.emit("onLog", state, logs);
  }

  private updateBest(state: TrainerState, metrics: LogEntry): boolean {
    const key = bestMetricKey(this.args);
    const value = metrics[key];
    if (value === undefined) {
      if (this.args.loadBestModelAtEnd || this.args.earlyStoppingPatience > 0) {
        throw new Error(
          `metricForBestModel "${this.args.metricForBestModel}": evaluation has no "${key}" (has ` +
            `${Object.keys(metrics).join(", ")})`,
        );
      }
      return false;
    }
    const best = state.bestMetric;
    const greater = greaterIsBetter(this.args);
    const better = best === null || (greater ? value > best : value < best);
    const enough = best === null || Math.abs(value - best) > this.args.earlyStoppingThreshold;
    if (better) state.bestMetric = value;
    return better && enough;
  }

  private nonFinite(what: string, state: TrainerState, lastCheckpoint: string | null): NonFiniteLossError {
    const where = `at step ${state.globalStep + 1} (epoch ${state.epoch.toFixed(2)})`;
    const keep = lastCheckpoint ? `the last good checkpoint is ${lastCheckpoint}` : "no checkpoint was written yet";
    return new NonFiniteLossError(
      `Training stopped: ${what} ${where}; the update was not applied and ${keep}. ` +
        `Try a lower learning rate or check the data.`,
      state.globalStep + 1,
      lastCheckpoint,
    );
  }

  private requireTrain(): readonly TrainingFeature[] {
    if (!this.trainDataset) throw new Error("Trainer: no training dataset given");
    const f = featuresOf(this.trainDataset);
    if (f.length === 0) throw new Error("Trainer: the training dataset is empty");
    return f;
  }

  private async emit<K extends keyof TrainerCallback>(
    hook: K,
    ...params: Parameters<NonNullable<TrainerCallback[K]>>
  ): Promise<void> {
    for (const cb of this.progress ? [...this.callbacks, this.progress] : this.callbacks) {
      const fn = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn) await fn.apply(cb, params);
    }
  }
}

function emptyState(args: TrainingArguments): TrainerState {
  return {
    globalStep: 0,
    maxSteps: 0,
    epoch: 0,
    numTrainEpochs: args.numTrainEpochs,
    batchesPerEpoch: 0,
    logHistory: [],
    epochRows: [],
    bestMetric: null,
    bestModelCheckpoint: null,
    elapsedSeconds: 0,
    trainedTokens: 0,
    shouldTrainingStop: false,
  };
}

export type { ResumeFrom };

/** Everything the loop carries from one update to the next, beside the public `TrainerState`. */
interface LoopState {
  position: LoopPosition;
  totals: LoopTotals;
  /** Data order and dropout masks: two seeded streams, both saved in checkpoints. */
  dataRng: Rng;
  dropoutRng: Rng;
  lastCheckpoint: string | null;
  /** When the current timing segment began (training time excludes checkpoint writing). */
  clockStart: number;
  /** Seconds trained so far: saved totals plus the current segment. */
  elapsed(): number;
  /** The best weights so far when they were not saved in a checkpoint (loadBestModelAtEnd). */
  bestSnapshot: Map<string, Float32Array> | null;
}

function newLoopState(resume: ResumeState, dataRng: Rng, dropoutRng: Rng, lastCheckpoint: string | null): LoopState {
  const loop: LoopState = {
    position: resume.position,
    totals: resume.totals,
    dataRng,
    dropoutRng,
    lastCheckpoint,
    clockStart: performance.now(),
    bestSnapshot: null,
    elapsed: () => loop.totals.elapsedSeconds + (performance.now() - loop.clockStart) / 1000,
  };
  return loop;
}

function freshResume(): ResumeState {
  return {
    position: { epochIndex: 0, stepInEpoch: 0, epochOrder: [] },
    totals: {
      trLossSum: 0,
      trLossCount: 0,
      epochLossSum: 0,
      epochLossCount: 0,
      earlyStoppingCounter: 0,
      trainedTokens: 0,
      trainedSamples: 0,
      elapsedSeconds: 0,
    },
  };
}

function toStateFile(state: TrainerState, args: TrainingArguments, loop: LoopState, run: RunShape): TrainerStateFile {
  return {
    global_step: state.globalStep,
    epoch: state.epoch,
    max_steps: state.maxSteps,
    num_train_epochs: args.numTrainEpochs,
    train_batch_size: args.perDeviceTrainBatchSize,
    log_history: state.logHistory,
    best_metric: state.bestMetric,
    best_model_checkpoint: state.bestModelCheckpoint,
    train_examples: run.trainExamples,
    train_data_sha256: run.trainDataSha256,
    labels: run.labels,
    resume: { position: { ...loop.position, epochOrder: [...loop.position.epochOrder] }, totals: { ...loop.totals } },
  };
}

function epochRow(state: TrainerState, totals: LoopTotals, metrics: LogEntry | null): EpochRow {
  const m = (k: string) => (metrics && typeof metrics[`eval_${k}`] === "number" ? metrics[`eval_${k}`] : null);
  return {
    epoch: state.epoch,
    trainingLoss: totals.epochLossCount ? totals.epochLossSum / totals.epochLossCount : null,
    validationLoss: m("loss"),
    precision: m("precision"),
    recall: m("recall"),
    f1: m("f1"),
    accuracy: m("accuracy"),
  };
}

/** Per-epoch rows recovered from a resumed log history (eval entries at whole epochs). */
function rebuildEpochRows(history: LogEntry[]): EpochRow[] {
  return history
    .filter((e) => e.eval_loss !== undefined)
    .map((e) => ({
      epoch: e.epoch,
      trainingLoss: null,
      validationLoss: e.eval_loss ?? null,
      precision: e.eval_precision ?? null,
      recall: e.eval_recall ?? null,
      f1: e.eval_f1 ?? null,
      accuracy: e.eval_accuracy ?? null,
    }));
}

/** End with the best model: from the in-memory snapshot, or from the best checkpoint. */
function loadBest(
  model: TrainableModel,
  state: TrainerState,
  loop: LoopState,
  weights: Map<string, tf.Variable>,
): void {
  if (loop.bestSnapshot) {
    for (const [name, v] of weights) {
      const best = tf.tensor(loop.bestSnapshot.get(name)!, v.shape, v.dtype);
      v.assign(best);
      best.dispose();
    }
    loop.bestSnapshot = null;
  } else if (state.bestModelCheckpoint && fs.existsSync(state.bestModelCheckpoint)) {
    loadModelWeights(model, state.bestModelCheckpoint);
  }
}

function snapshotWeights(weights: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...weights].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
}

function meanTrainLoss(history: LogEntry[], totals: LoopTotals): number {
  // Average over every update: logged windows (weighted by their length) plus the unlogged rest.
  let sum = totals.trLossSum;
  let count = totals.trLossCount;
  let prevStep = 0;
  for (const e of history) {
    if (e.loss !== undefined && e.step !== undefined) {
      const n = e.step - prevStep;
      sum += e.loss * n;
      count += n;
      prevStep = e.step;
    }
  }
  return count ? sum / count : NaN;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function round3(x: number): number {
  return Math.round(x * 1e3) / 1e3;
}
