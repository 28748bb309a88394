/**
 * The Trainer the tutorials use (`Trainer(model, args, train_dataset, eval_dataset,
 * data_collator, compute_metrics).train()`), written as a plain loop you can read top to bottom:
 *
 *   for each epoch:
 *     shuffle the training examples (seeded)
 *     for each group of `gradientAccumulationSteps` batches:
 *       forward → masked cross-entropy → gradients (summed over the group)
 *       clip gradients to `maxGradNorm` (global norm)
 *       AdamW update with the learning rate of the linear warmup/decay schedule
 *       log every `loggingSteps`; evaluate / checkpoint every `evalSteps` / `saveSteps`
 *     evaluate and checkpoint at the end of the epoch ("epoch" strategies)
 *   load the best model (optional)
 *
 * Numbers follow the Hugging Face Trainer: the optimizer, its parameter groups, the schedule,
 * clipping and the `log_history` keys (loss, grad_norm, learning_rate, epoch, step, eval_*).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/random";
import { AdamW } from "./adamw";
import {
  TrainingArguments,
  bestMetricKey,
  greaterIsBetter,
  resolveTrainingArguments,
} from "./arguments";
import { asCollateFn, countTokens, disposeBatch, featuresOf } from "./batching";
import { tokenClassificationLoss } from "../models/loss";
import {
  LogEntry,
  ResumeState,
  TrainerStateFile,
  checkpointName,
  latestCheckpoint,
  loadModelWeights,
  loadOptimizerState,
  readRngState,
  readTrainerState,
  removeStaleTemporaries,
  rotateCheckpoints,
  saveCheckpoint,
} from "./checkpoint";
import { createProgressCallback } from "./progress";
import { trainingStep } from "./step";
import { LrSchedule, constantSchedule, linearScheduleWithWarmup, warmupStepsFor } from "./schedule";
import type { Batch, Collator, ComputeMetrics, FeatureSource, LossFn, TrainableModel, TrainingFeature } from "./types";

/** One row of the per-epoch table the tutorials show. */
export interface EpochRow {
  epoch: number;
  trainingLoss: number | null;
  validationLoss: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
}

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

  private readonly collate: (f: readonly TrainingFeature[]) => Batch;
  private readonly computeMetrics?: ComputeMetrics;
  private readonly lossFn: LossFn;
  private readonly tokenizer?: TrainerOptions["tokenizer"];
  private optimizer?: AdamW;
  private schedule?: LrSchedule;
  private bestSnapshot: Map<string, Float32Array> | null = null;
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
    const maxSteps = this.args.maxSteps > 0 ? this.args.maxSteps : Math.ceil(this.args.numTrainEpochs * updatesPerEpoch);
    const numEpochs = Math.ceil(maxSteps / updatesPerEpoch);
    return { batchesPerEpoch, updatesPerEpoch, maxSteps, numEpochs };
  }

  /** Run training; resumes when `resumeFromCheckpoint` is given (here or in the arguments). */
  async train(opts: { resumeFromCheckpoint?: string | boolean } = {}): Promise<TrainOutput> {
    const args = this.args;
    const train = this.requireTrain();
    const { batchesPerEpoch, maxSteps, numEpochs } = this.plan();
    const weights = this.model.namedWeights();

    this.optimizer?.dispose();
    this.optimizer = new AdamW(weights, {
      lr: args.learningRate,
      betas: [args.adamBeta1, args.adamBeta2],
      eps: args.adamEpsilon,
      weightDecay: args.weightDecay,
    });
    this.schedule =
      args.lrSchedulerType === "constant"
        ? constantSchedule(args.learningRate, maxSteps)
        : linearScheduleWithWarmup(args.learningRate, warmupStepsFor(maxSteps, args), maxSteps);
    const optimizer = this.optimizer;
    const schedule = this.schedule;

    // Random streams: one for the data order, one for dropout masks (both saved in checkpoints).
    let dataRng = new Rng(args.seed);
    let dropoutRng = new Rng(args.seed ^ 0x5bd1e995);
    const state = emptyState(args);
    state.maxSteps = maxSteps;
    state.batchesPerEpoch = batchesPerEpoch;
    let r: ResumeState = freshResume();

    const resumeFrom = opts.resumeFromCheckpoint ?? args.resumeFromCheckpoint;
    if (args.outputDir) removeStaleTemporaries(args.outputDir);
    if (resumeFrom) {
      const dir = this.resolveResumeDir(resumeFrom);
      if (dir) {
        const saved = readTrainerState(dir);
        if (saved.max_steps !== maxSteps || saved.train_batch_size !== args.perDeviceTrainBatchSize) {
          throw new Error(
            `${dir}: cannot resume: checkpoint was made for ${saved.max_steps} steps at batch size ${saved.train_batch_size}, ` +
              `this run has ${maxSteps} steps at batch size ${args.perDeviceTrainBatchSize}`,
          );
        }
        loadModelWeights(this.model, dir);
        loadOptimizerState(optimizer, dir);
        const rng = readRngState(dir);
        dataRng = Rng.fromState(rng.data);
        dropoutRng = Rng.fromState(rng.dropout);
        r = saved.resume;
        Object.assign(state, {
          globalStep: saved.global_step,
          epoch: saved.epoch,
          logHistory: saved.log_history,
          bestMetric: saved.best_metric,
          bestModelCheckpoint: saved.best_model_checkpoint,
          elapsedSeconds: r.elapsedSeconds,
          trainedTokens: r.trainedTokens,
        });
        state.epochRows = rebuildEpochRows(saved.log_history);
      }
    }
    this.state = state;
    this.bestSnapshot = null;
    this.progress = createProgressCallback(args.progress);
    try {
      return await this.runLoop(state, r, dataRng, dropoutRng, weights);
    } finally {
      this.progress = null;
    }
  }

  /** The loop itself (state set up by `train`). */
  private async runLoop(
    state: TrainerState,
    r: ResumeState,
    dataRng: Rng,
    dropoutRng: Rng,
    weights: Map<string, tf.Variable>,
  ): Promise<TrainOutput> {
    const args = this.args;
    const train = this.requireTrain();
    const { batchesPerEpoch, maxSteps, numEpochs } = this.plan();
    const optimizer = this.optimizer!;
    const schedule = this.schedule!;
    await this.emit("onTrainBegin", state, args);

    let lastGradNorm = 0;
    let lastCheckpoint: string | null = args.outputDir ? latestCheckpoint(args.outputDir) : null;
    let stop = state.globalStep >= maxSteps;
    let segmentStart = performance.now();
    const elapsed = () => r.elapsedSeconds + (performance.now() - segmentStart) / 1000;

    for (let epoch = r.epochIndex; epoch < numEpochs && !stop; epoch++) {
      r.epochIndex = epoch;
      if (r.stepInEpoch === 0) {
        r.epochOrder = args.shuffle ? dataRng.permutation(train.length) : train.map((_, i) => i);
        r.epochLossSum = 0;
        r.epochLossCount = 0;
      }

      while (r.stepInEpoch < batchesPerEpoch && !stop) {
        // ---- one optimizer update over up to `gradientAccumulationSteps` batches
        const micro = Math.min(args.gradientAccumulationSteps, batchesPerEpoch - r.stepInEpoch);
        const batches: Batch[] = [];
        const seeds: number[] = [];
        let tokens = 0;
        let samples = 0;
        for (let k = 0; k < micro; k++) {
          const start = (r.stepInEpoch + k) * args.perDeviceTrainBatchSize;
          const features = r.epochOrder.slice(start, start + args.perDeviceTrainBatchSize).map((i) => train[i]);
          tokens += countTokens(features);
          samples += features.length;
          batches.push(this.collate(features));
          seeds.push(dropoutRng.seed());
        }
        const lr = schedule.lrAt(state.globalStep);
        let result;
        try {
          result = await trainingStep({
            model: this.model, batches, optimizer, lr, maxGradNorm: args.maxGradNorm, lossFn: this.lossFn, dropoutSeeds: seeds,
          });
        } finally {
          batches.forEach(disposeBatch);
        }
        if (!result.applied) {
          const what = Number.isFinite(result.loss) ? `gradient norm is ${result.gradNorm}` : `loss is ${result.loss}`;
          throw this.nonFinite(what, state, lastCheckpoint);
        }
        const lossValue = result.loss;
        const gradNorm = result.gradNorm;

        // ---- bookkeeping
        r.stepInEpoch += micro;
        state.globalStep += 1;
        state.epoch = epoch + r.stepInEpoch / batchesPerEpoch;
        r.trLossSum += lossValue;
        r.trLossCount += 1;
        r.epochLossSum += lossValue;
        r.epochLossCount += 1;
        r.trainedTokens += tokens;
        r.trainedSamples += samples;
        state.trainedTokens = r.trainedTokens;
        state.elapsedSeconds = elapsed();
        lastGradNorm = gradNorm;
        await this.emit("onStepEnd", state, { loss: lossValue, gradNorm, learningRate: lr, tokens });
        await yieldToEventLoop();

        if (args.loggingSteps > 0 && state.globalStep % args.loggingSteps === 0) {
          await this.logTraining(state, r, lastGradNorm);
        }
        if (state.globalStep >= maxSteps || state.shouldTrainingStop) stop = true;
        const epochEnds = r.stepInEpoch >= batchesPerEpoch;
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
            r.earlyStoppingCounter = improved ? 0 : r.earlyStoppingCounter + 1;
            if (r.earlyStoppingCounter >= args.earlyStoppingPatience) stop = true;
          }
        }
        if (epochEnds || (stop && r.epochLossCount > 0)) {
          const row = this.epochRow(state, r, metrics);
          state.epochRows.push(row);
          await this.emit("onEpochEnd", state, row);
        }
        if (saveNow && args.outputDir) {
          r.elapsedSeconds = elapsed();
          segmentStart = performance.now();
          const dir = path.join(args.outputDir, checkpointName(state.globalStep));
          if (improved) state.bestModelCheckpoint = dir;
          await saveCheckpoint(dir, {
            model: this.model,
            optimizer,
            // At an epoch's end the checkpoint resumes at the start of the next epoch.
            state: toStateFile(state, args, epochEnds ? { ...r, epochIndex: epoch + 1, stepInEpoch: 0 } : r),
            rng: { data: dataRng.state(), dropout: dropoutRng.state() },
            trainingArgs: args,
          });
          lastCheckpoint = dir;
          rotateCheckpoints(args.outputDir, args.saveTotalLimit, state.bestModelCheckpoint);
          await this.emit("onSave", state, dir);
        } else if (improved && args.loadBestModelAtEnd) {
          this.bestSnapshot = snapshotWeights(weights);
        }
      }
      if (r.stepInEpoch >= batchesPerEpoch) {
        r.epochIndex = epoch + 1;
        r.stepInEpoch = 0;
      }
    }

    if (args.loadBestModelAtEnd) this.loadBest(state, weights);

    r.elapsedSeconds = elapsed();
    state.elapsedSeconds = r.elapsedSeconds;
    const trainLoss = meanTrainLoss(state.logHistory, r);
    const final: LogEntry = {
      train_runtime: round4(r.elapsedSeconds),
      train_samples_per_second: round3(r.trainedSamples / Math.max(r.elapsedSeconds, 1e-9)),
      train_steps_per_second: round3(state.globalStep / Math.max(r.elapsedSeconds, 1e-9)),
      train_tokens_per_second: round3(r.trainedTokens / Math.max(r.elapsedSeconds, 1e-9)),
      train_loss: trainLoss,
      epoch: state.epoch,
      step: state.globalStep,
    };
    state.logHistory.push(final);
    await this.emit("onLog", state, final);
    const output: TrainOutput = { globalStep: state.globalStep, trainingLoss: trainLoss, metrics: final };
    await this.emit("onTrainEnd", state, output);
    return output;
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
   * Save the model (and tokenizer, if given) in HF layout into `dir`. Files are written in a
   * temporary directory and renamed one by one, so other contents of `dir` (checkpoints) stay.
   */
  async saveModel(dir: string): Promise<void> {
    const target = path.resolve(dir);
    fs.mkdirSync(target, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(target, ".save-"));
    try {
      await this.model.savePretrained(tmp);
      if (this.tokenizer) await this.tokenizer.save(tmp);
      fs.writeFileSync(path.join(tmp, "training_args.json"), JSON.stringify(this.args, null, 2));
      // config.json last: a directory whose config.json is new has matching weights.
      const names = fs.readdirSync(tmp).sort((a, b) => Number(a === "config.json") - Number(b === "config.json"));
      for (const name of names) fs.renameSync(path.join(tmp, name), path.join(target, name));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
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

  private async logTraining(state: TrainerState, r: ResumeState, gradNorm: number): Promise<void> {
    const logs: LogEntry = {
      loss: r.trLossSum / r.trLossCount,
      ...(Number.isFinite(gradNorm) ? { grad_norm: gradNorm } : {}),
      // The rate this step used, as HF transformers ≥ 4.5x / 5.x logs it (read before the scheduler advances).
      learning_rate: this.schedule!.lrAt(state.globalStep - 1),
      epoch: state.epoch,
      step: state.globalStep,
    };
    r.trLossSum = 0;
    r.trLossCount = 0;
    state.logHistory.push(logs);
    await this.emit("onLog", state, logs);
  }

  private updateBest(state: TrainerState, metrics: LogEntry): boolean {
    const key = bestMetricKey(this.args);
    const value = metrics[key];
    if (value === undefined) {
      if (this.args.loadBestModelAtEnd || this.args.earlyStoppingPatience > 0) {
        throw new Error(`metricForBestModel "${this.args.metricForBestModel}": evaluation has no "${key}" (has ${Object.keys(metrics).join(", ")})`);
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

  private loadBest(state: TrainerState, weights: Map<string, tf.Variable>): void {
    if (this.bestSnapshot) {
      for (const [name, v] of weights) v.assign(tf.tensor(this.bestSnapshot.get(name)!, v.shape, v.dtype));
      this.bestSnapshot = null;
    } else if (state.bestModelCheckpoint && fs.existsSync(state.bestModelCheckpoint)) {
      loadModelWeights(this.model, state.bestModelCheckpoint);
    }
  }

  private epochRow(state: TrainerState, r: ResumeState, metrics: LogEntry | null): EpochRow {
    const m = (k: string) => (metrics && typeof metrics[`eval_${k}`] === "number" ? metrics[`eval_${k}`] : null);
    return {
      epoch: state.epoch,
      trainingLoss: r.epochLossCount ? r.epochLossSum / r.epochLossCount : null,
      validationLoss: m("loss"),
      precision: m("precision"),
      recall: m("recall"),
      f1: m("f1"),
      accuracy: m("accuracy"),
    };
  }

  private nonFinite(what: string, state: TrainerState, lastCheckpoint: string | null): NonFiniteLossError {
    const where = `at step ${state.globalStep + 1} (epoch ${state.epoch.toFixed(2)})`;
    const keep = lastCheckpoint
      ? `the last good checkpoint is ${lastCheckpoint}`
      : "no checkpoint was written yet";
    return new NonFiniteLossError(
      `Training stopped: ${what} ${where}; the update was not applied and ${keep}. ` +
        `Try a lower learning rate or check the data.`,
      state.globalStep + 1,
      lastCheckpoint,
    );
  }

  private resolveResumeDir(resume: string | boolean): string | null {
    if (typeof resume === "string") {
      if (!fs.existsSync(path.join(resume, "trainer_state.json"))) {
        throw new Error(`${resume}: not a checkpoint directory (no trainer_state.json)`);
      }
      return resume;
    }
    if (!this.args.outputDir) throw new Error("resumeFromCheckpoint=true needs outputDir");
    return latestCheckpoint(this.args.outputDir);
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

function freshResume(): ResumeState {
  return {
    epochIndex: 0,
    stepInEpoch: 0,
    epochOrder: [],
    trLossSum: 0,
    trLossCount: 0,
    epochLossSum: 0,
    epochLossCount: 0,
    earlyStoppingCounter: 0,
    trainedTokens: 0,
    trainedSamples: 0,
    elapsedSeconds: 0,
  };
}

function toStateFile(state: TrainerState, args: TrainingArguments, r: ResumeState): TrainerStateFile {
  return {
    global_step: state.globalStep,
    epoch: state.epoch,
    max_steps: state.maxSteps,
    num_train_epochs: args.numTrainEpochs,
    train_batch_size: args.perDeviceTrainBatchSize,
    log_history: state.logHistory,
    best_metric: state.bestMetric,
    best_model_checkpoint: state.bestModelCheckpoint,
    resume: { ...r, epochOrder: [...r.epochOrder] },
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

function snapshotWeights(weights: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...weights].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
}

function meanTrainLoss(history: LogEntry[], r: ResumeState): number {
  // Average over every update: logged windows (weighted by their length) plus the unlogged rest.
  let sum = r.trLossSum;
  let count = r.trLossCount;
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
