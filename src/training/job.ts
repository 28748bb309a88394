/**
 * The main job behind `ner train` and `ner evaluate` (and `npm start`): load a corpus or JSONL
 * files, tokenize and align labels, build or load a model, train it with the Trainer, evaluate
 * with seqeval, and write everything a run should leave behind:
 *
 *   <output>/config.json, model.safetensors, tokenizer files      the model, in Hugging Face layout
 *   <output>/metrics.json                                          train/eval metrics and the log history
 *   <output>/run_card.json                                         config, data sha256, backend, seed, wall time, tokens/s
 *   <output>/classification_report.txt                             seqeval report on the evaluation split
 *   <output>/checkpoint-<step>/                                    the last checkpoint (for --resume)
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../util/atomic";
import type { TrainingArguments } from "./arguments";
import { Trainer } from "./trainer";
import { formatEpochTable } from "./progress";
import type { TrainingFeature } from "./types";

/** A labelled sentence: words and tag names. */
export interface TaggedSentence {
  tokens: string[];
  tags: string[];
  /** Where the sentence came from (`file:line`), for error messages. */
  source?: string;
}

/** Everything `ner train` accepts (CLI flags, or keys of `--config train.json`). */
export interface TrainJobOptions {
  /** A corpus name (`mit_restaurant`, optionally `:split`), or `train.jsonl[,valid.jsonl]`. */
  data: string;
  /** Hub name or directory of a checkpoint, a config.json (random init), or "scratch" (small BERT). */
  model: string;
  /** Tokenizer name or directory (default: the model's; for scratch/config: bert-base-uncased). */
  tokenizer?: string;
  output: string;
  epochs: number;
  lr: number;
  batchSize: number;
  evalBatchSize?: number;
  weightDecay: number;
  /** Warmup as a ratio of all steps. */
  warmup: number;
  warmupSteps: number;
  maxSteps: number;
  seed: number;
  maxGradNorm: number;
  gradAccum: number;
  shuffle: boolean;
  /** Truncation length in tokens (the main job's small model uses a short cap). */
  maxLength?: number;
  /** Labels for JSONL data (comma-separated list, or a file with one per line). */
  labels?: string;
  evalStrategy: "epoch" | "steps" | "no";
  evalSteps?: number;
  loggingSteps: number;
  /** Resume from the latest checkpoint in `output` (true) or a checkpoint directory. */
  resume?: string | boolean;
  /** Keep only the first N training sentences (quick runs). */
  maxTrainSamples?: number;
  maxEvalSamples?: number;
  /** Small-model shape for "scratch". */
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize?: number;
  backend?: string;
  progress?: TrainingArguments["progress"];
  /** Also label non-first sub-tokens. */
  labelAllTokens?: boolean;
}

/** The main job's defaults: a small BERT from scratch on MIT Restaurant, sized for ~10 min on 2 CPU cores. */
export const DEFAULT_TRAIN_JOB: Omit<TrainJobOptions, "output"> = {
  data: "mit_restaurant",
  model: "scratch",
  epochs: 4,
  lr: 1e-3,
  batchSize: 16,
  weightDecay: 0.01,
  warmup: 0.1,
  warmupSteps: 0,
  maxSteps: -1,
  seed: 42,
  maxGradNorm: 1.0,
  gradAccum: 1,
  shuffle: true,
  maxLength: 32,
  evalStrategy: "epoch",
  loggingSteps: 50,
  hiddenSize: 128,
  layers: 2,
  heads: 2,
  intermediateSize: 512,
};

/** Defaults when fine-tuning a pretrained checkpoint: the tutorials' recipe (HF: no warmup, no length cap). */
export const FINE_TUNE_DEFAULTS: Partial<TrainJobOptions> = {
  epochs: 3,
  lr: 2e-5,
  warmup: 0,
  maxLength: 512,
};

/** Result of a training job. */
export interface TrainJobResult {
  output: string;
  metrics: Record<string, number>;
  report: string;
  runCard: Record<string, unknown>;
}

// ---------------------------------------------------------------- data

/** Read `{"tokens": [...], "tags": [...]}` (or `ner_tags` ids with `labels`) lines; errors name file and line. */
export function readJsonl(file: string, labels?: readonly string[]): TaggedSentence[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read (${(err as Error).message})`);
  }
  const out: TaggedSentence[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let obj: { tokens?: unknown; tags?: unknown; ner_tags?: unknown };
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw new Error(`${where}: invalid JSON (${(err as Error).message})`);
    }
    const tokens = obj.tokens;
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "string")) {
      throw new Error(`${where}: "tokens" must be an array of strings`);
    }
    let tags: string[];
    if (Array.isArray(obj.tags) && obj.tags.every((t) => typeof t === "string")) {
      tags = obj.tags as string[];
    } else if (Array.isArray(obj.ner_tags) && obj.ner_tags.every((t) => Number.isInteger(t))) {
      if (!labels) throw new Error(`${where}: "ner_tags" are ids; pass --labels to name them`);
      tags = (obj.ner_tags as number[]).map((id) => {
        const name = labels[id];
        if (name === undefined) throw new Error(`${where}: tag id ${id} is outside --labels (${labels.length} labels)`);
        return name;
      });
    } else {
      throw new Error(`${where}: needs "tags" (strings) or "ner_tags" (ids)`);
    }
    if (tags.length !== tokens.length) throw new Error(`${where}: ${tokens.length} tokens but ${tags.length} tags`);
    out.push({ tokens: tokens as string[], tags, source: where });
  });
  if (out.length === 0) throw new Error(`${file}: no sentences`);
  return out;
}

/** Labels from `--labels`: a comma-separated list or a file with one label per line. */
export function parseLabels(spec: string): string[] {
  const list = fs.existsSync(spec)
    ? fs.readFileSync(spec, "utf8").split(/\r?\n/).map((s) => s.trim()).filter(Boolean)
    : spec.split(",").map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error(`--labels ${JSON.stringify(spec)}: no labels`);
  return list;
}

/** Train/eval sentences and the label list of `--data`. */
export async function loadJobData(
  data: string,
  opts: { labels?: string; evalSplit?: string } = {},
): Promise<{ train?: TaggedSentence[]; eval: TaggedSentence[]; evalName: string; labelList: string[]; sha256: Record<string, string> }> {
  const explicitLabels = opts.labels ? parseLabels(opts.labels) : undefined;
  const files = data.split(",").map((s) => s.trim()).filter(Boolean);
  if (files.every((f) => /\.jsonl$/i.test(f))) {
    const [trainFile, evalFile] = files;
    const train = readJsonl(trainFile, explicitLabels);
    const evalSet = evalFile ? readJsonl(evalFile, explicitLabels) : [];
    const labelList = explicitLabels ?? labelsFromTags([...train, ...evalSet].flatMap((s) => s.tags));
    checkTags(train, labelList, trainFile);
    checkTags(evalSet, labelList, evalFile ?? "");
    return {
      train,
      eval: evalSet,
      evalName: evalFile ?? "(none)",
      labelList,
      sha256: Object.fromEntries(files.map((f) => [path.basename(f), sha256OfFile(f)])),
    };
  }
  const { loadCorpus, readCorpusSplits } = (require("../data") as typeof import("../data"));
  const colon = data.lastIndexOf(":");
  const name = colon > 0 ? data.slice(0, colon) : data;
  const wantedSplit = colon > 0 ? data.slice(colon + 1) : opts.evalSplit;
  const dict = await loadCorpus(name, { onWarning: () => undefined });
  const labelList = explicitLabels ?? dict.labelList;
  const toSentences = (ds: { rows: readonly { tokens: string[]; ner_tags: number[] }[] }) =>
    ds.rows.map((r) => ({ tokens: r.tokens, tags: r.ner_tags.map((id) => dict.labelList[id]) }));
  const evalName = wantedSplit ?? (dict.validation ? "validation" : "test");
  const evalDs = evalName === "validation" ? dict.validation : evalName === "test" ? dict.test : evalName === "train" ? dict.train : undefined;
  if (!evalDs) {
    throw new Error(`corpus ${name} has no split ${JSON.stringify(evalName)} (splits: ${dict.keys().join(", ")})`);
  }
  const splits = await readCorpusSplits(name, { onWarning: () => undefined });
  return {
    train: toSentences(dict.train),
    eval: toSentences(evalDs),
    evalName: `${name}:${evalName}`,
    labelList,
    sha256: Object.fromEntries(splits.map((s) => [`${name}/${path.basename(s.file.path)}`, sha256OfFile(s.file.path)])),
  };
}

function labelsFromTags(tags: string[]): string[] {
  // "O" first, then entity types in sorted order, B- before I- (a stable, readable order).
  const types = [...new Set(tags.filter((t) => t !== "O").map((t) => t.replace(/^[BIES]-/, "")))].sort();
  const present = new Set(tags);
  const out = ["O"];
  for (const ty of types) for (const p of ["B", "I", "E", "S"]) if (present.has(`${p}-${ty}`)) out.push(`${p}-${ty}`);
  for (const t of present) if (!out.includes(t)) out.push(t);
  return out;
}

function checkTags(sentences: TaggedSentence[], labelList: readonly string[], file: string): void {
  const known = new Set(labelList);
  sentences.forEach((s, i) =>
    s.tags.forEach((t) => {
      if (!known.has(t)) {
        const where = s.source ?? `${file}: sentence ${i + 1}`;
        throw new Error(`${where}: tag ${JSON.stringify(t)} is not in the label list (${labelList.join(",")})`);
      }
    }),
  );
}

function sha256OfFile(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

// ---------------------------------------------------------------- model + tokenizer

type Tokenizer = import("../tokenization").NerTokenizer;
type Model = import("../models").EncoderForTokenClassification;

async function buildModel(opts: TrainJobOptions, labelList: string[], vocabSize: number): Promise<{ model: Model; kind: string }> {
  const models = (require("../models") as typeof import("../models"));
  const id2label = Object.fromEntries(labelList.map((l, i) => [i, l]));
  const label2id = Object.fromEntries(labelList.map((l, i) => [l, i]));
  if (opts.model === "scratch" || /\.json$/i.test(opts.model)) {
    const raw =
      opts.model === "scratch"
        ? models.defaultHfConfig("bert", {
            vocab_size: vocabSize,
            hidden_size: opts.hiddenSize,
            num_hidden_layers: opts.layers,
            num_attention_heads: opts.heads,
            intermediate_size: opts.intermediateSize ?? 4 * opts.hiddenSize,
            max_position_embeddings: Math.max(64, opts.maxLength ?? 512),
          })
        : (JSON.parse(fs.readFileSync(opts.model, "utf8")) as Record<string, unknown>);
    const config = models.configFromHf(raw, { id2label, label2id }, opts.model);
    if (config.vocabSize < vocabSize) {
      throw new Error(`${opts.model}: vocab_size ${config.vocabSize} is smaller than the tokenizer's ${vocabSize}`);
    }
    return { model: models.randomInit(config, opts.seed), kind: `${config.modelType} from scratch` };
  }
  const model = await models.AutoModelForTokenClassification.fromPretrained(opts.model, {
    id2label,
    label2id,
    seed: opts.seed,
    ignoreMismatchedSizes: true,
  });
  return { model, kind: `${model.config.modelType} fine-tuned from ${opts.model}` };
}

async function loadTokenizer(name: string): Promise<Tokenizer> {
  const { NerTokenizer } = (require("../tokenization") as typeof import("../tokenization"));
  return NerTokenizer.fromPretrained(name);
}

async function featurize(tokenizer: Tokenizer, sentences: TaggedSentence[], labelList: string[], maxLength?: number, labelAllTokens?: boolean): Promise<(TrainingFeature & { wordIds: (number | null)[] })[]> {
  const { tokenizeAndAlignLabels } = (require("../alignment") as typeof import("../alignment"));
  const index = new Map(labelList.map((l, i) => [l, i]));
  const rows = sentences.map((s) => ({ tokens: s.tokens, ner_tags: s.tags.map((t) => index.get(t)!) }));
  return tokenizeAndAlignLabels(tokenizer, rows, { maxLength, truncation: true, labelAllTokens });
}

// ---------------------------------------------------------------- train

/** Run the training job end to end; returns metrics, the report text and the run card. */
export async function runTrainJob(partial: Partial<TrainJobOptions> & { output: string }, log: (s: string) => void = (s) => process.stderr.write(s + "\n")): Promise<TrainJobResult> {
  const given = stripUndefined(partial);
  const pretrained = given.model !== undefined && given.model !== "scratch" && !/\.json$/i.test(given.model);
  // An explicit warmup in steps (even 0) replaces the default ratio, as in HF where the ratio defaults to 0.
  if (given.warmupSteps !== undefined && given.warmup === undefined) given.warmup = 0;
  const opts: TrainJobOptions = { ...DEFAULT_TRAIN_JOB, ...(pretrained ? FINE_TUNE_DEFAULTS : {}), ...given } as TrainJobOptions;
  const started = performance.now();
  const { backendInfo, initBackend } = (require("../backend") as typeof import("../backend"));
  const backend = await initBackend(opts.backend);
  const data = await loadJobData(opts.data, { labels: opts.labels });
  if (!data.train) throw new Error(`${opts.data}: no training split`);
  let trainSentences = data.train;
  if (opts.maxTrainSamples && opts.maxTrainSamples > 0) trainSentences = trainSentences.slice(0, opts.maxTrainSamples);
  let evalSentences = data.eval;
  if (opts.maxEvalSamples && opts.maxEvalSamples > 0) evalSentences = evalSentences.slice(0, opts.maxEvalSamples);

  const fromScratch = opts.model === "scratch" || /\.json$/i.test(opts.model);
  const tokenizerName = opts.tokenizer ?? (fromScratch ? "bert-base-uncased" : opts.model);
  const tokenizer = await loadTokenizer(tokenizerName);
  const { model, kind } = await buildModel(opts, data.labelList, tokenizer.vocabSize);
  const maxLength = Math.min(opts.maxLength ?? 512, model.config.maxPositionEmbeddings);
  const trainFeatures = await featurize(tokenizer, trainSentences, data.labelList, maxLength, opts.labelAllTokens);
  const evalFeatures = evalSentences.length ? await featurize(tokenizer, evalSentences, data.labelList, maxLength, opts.labelAllTokens) : [];
  log(
    `[ner] ${kind}: ${model.numParameters().toLocaleString("en-US")} parameters; ` +
      `${trainFeatures.length} train / ${evalFeatures.length} eval sentences (${data.evalName}); backend ${backend}`,
  );

  const { DataCollatorForTokenClassification } = (require("../collator") as typeof import("../collator"));
  const { computeMetrics } = (require("../metrics/seqeval") as typeof import("../metrics/seqeval"));
  const { tokenClassificationLoss, configToHf } = (require("../models") as typeof import("../models"));
  const trainer = new Trainer({
    model,
    args: {
      outputDir: opts.output,
      learningRate: opts.lr,
      perDeviceTrainBatchSize: opts.batchSize,
      perDeviceEvalBatchSize: opts.evalBatchSize ?? opts.batchSize * 2,
      numTrainEpochs: opts.epochs,
      maxSteps: opts.maxSteps,
      weightDecay: opts.weightDecay,
      warmupRatio: opts.warmup,
      warmupSteps: opts.warmupSteps,
      maxGradNorm: opts.maxGradNorm,
      gradientAccumulationSteps: opts.gradAccum,
      seed: opts.seed,
      shuffle: opts.shuffle,
      evalStrategy: evalFeatures.length ? opts.evalStrategy : "no",
      evalSteps: opts.evalSteps ?? 500,
      saveStrategy: opts.evalStrategy === "steps" ? "steps" : "epoch",
      saveSteps: opts.evalSteps ?? 500,
      saveTotalLimit: 1,
      loggingSteps: opts.loggingSteps,
      metricForBestModel: "f1",
      progress: opts.progress ?? "auto",
    },
    trainDataset: trainFeatures,
    evalDataset: evalFeatures,
    dataCollator: DataCollatorForTokenClassification.forTokenizer(tokenizer),
    lossFn: tokenClassificationLoss,
    computeMetrics: (preds, labels) => computeMetrics(preds, labels, data.labelList),
    tokenizer,
  });

  let trainOut;
  try {
    trainOut = await trainer.train({ resumeFromCheckpoint: opts.resume });
  } catch (err) {
    trainer.dispose();
    model.dispose();
    throw err;
  }
  const evalMetrics = evalFeatures.length ? await trainer.evaluate(evalFeatures) : {};
  const report = evalFeatures.length ? reportText(trainer.lastEvalExtras.report, evalFeatures, data.labelList, await trainer.predict(evalFeatures)) : "";

  await trainer.saveModel(opts.output);
  const wall = (performance.now() - started) / 1000;
  const metrics = { ...trainOut.metrics, ...evalMetrics };
  const runCard = {
    command: "ner train",
    created: new Date().toISOString(),
    model: { source: opts.model, kind, parameters: model.numParameters(), config: configToHf(model.config) },
    tokenizer: tokenizerName,
    data: { spec: opts.data, eval: data.evalName, train_sentences: trainFeatures.length, eval_sentences: evalFeatures.length, sha256: data.sha256, labels: data.labelList },
    options: opts,
    backend: backendInfo()?.label ?? backend, // which tier ran, e.g. "wasm+openblas (2 threads)"
    seed: opts.seed,
    wall_time_seconds: Math.round(wall * 10) / 10,
    train_runtime_seconds: trainOut.metrics.train_runtime,
    train_tokens_per_second: trainOut.metrics.train_tokens_per_second,
    eval_f1: evalMetrics.eval_f1 ?? null,
    versions: { node: process.version, tfjs: tf.version.tfjs, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length },
  };
  writeFileAtomic(path.join(opts.output, "metrics.json"), JSON.stringify({ ...metrics, log_history: trainer.state.logHistory }, null, 2) + "\n");
  writeFileAtomic(path.join(opts.output, "run_card.json"), JSON.stringify(runCard, null, 2) + "\n");
  if (report) writeFileAtomic(path.join(opts.output, "classification_report.txt"), report + "\n");
  if (trainer.state.epochRows.length) writeFileAtomic(path.join(opts.output, "epochs.txt"), formatEpochTable(trainer.state.epochRows) + "\n");
  trainer.dispose();
  model.dispose();
  return { output: opts.output, metrics, report, runCard };
}

/** seqeval's text report (digits 4) for a prediction run. */
function reportText(_dict: unknown, features: TrainingFeature[], labelList: string[], pred: { predictions: number[][][]; labelIds: number[][] }): string {
  const { yTrue, yPred } = tagSequences(features, labelList, pred.predictions);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { classificationReport } = require("../metrics/seqeval") as typeof import("../metrics/seqeval");
  return String(classificationReport(yTrue, yPred, { digits: 4 }));
}

/** Gold and predicted tag sequences over the labelled positions (first sub-tokens). */
function tagSequences(features: TrainingFeature[], labelList: string[], logits: number[][][]): { yTrue: string[][]; yPred: string[][] } {
  const yTrue: string[][] = [];
  const yPred: string[][] = [];
  features.forEach((f, i) => {
    const t: string[] = [];
    const p: string[] = [];
    f.labels.forEach((l, k) => {
      if (l === -100) return;
      t.push(labelList[l]);
      p.push(labelList[argmax(logits[i][k])]);
    });
    yTrue.push(t);
    yPred.push(p);
  });
  return { yTrue, yPred };
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let k = 1; k < xs.length; k++) if (xs[k] > xs[best]) best = k;
  return best;
}

// ---------------------------------------------------------------- evaluate

export interface EvaluateJobOptions {
  model: string;
  data: string;
  batchSize?: number;
  maxLength?: number;
  /** Where to write `token gold pred` lines (default: <model>/predictions-<split>.conll when the model is a directory). */
  predictionsOut?: string;
  backend?: string;
  labels?: string;
}

export interface EvaluateJobResult {
  metrics: Record<string, number>;
  report: string;
  predictionsFile: string | null;
  sentences: number;
}

/** Evaluate a trained model on a corpus split or JSONL file; writes CoNLL predictions. */
export async function runEvaluateJob(opts: EvaluateJobOptions): Promise<EvaluateJobResult> {
  const { initBackend } = (require("../backend") as typeof import("../backend"));
  await initBackend(opts.backend);
  const models = (require("../models") as typeof import("../models"));
  const model = await models.AutoModelForTokenClassification.fromPretrained(opts.model, { log: null });
  const tokenizer = await loadTokenizer(opts.model);
  const labelList = Object.keys(model.config.id2label)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => model.config.id2label[i]);
  const data = await loadJobData(opts.data, { labels: opts.labels, evalSplit: "test" });
  const sentences = /\.jsonl$/i.test(opts.data) ? data.train ?? [] : data.eval;
  const known = new Set(labelList);
  for (const s of sentences) {
    for (const t of s.tags) {
      if (!known.has(t)) throw new Error(`${opts.data}: tag ${JSON.stringify(t)} is not a label of the model (${labelList.join(",")})`);
    }
  }
  const maxLength = Math.min(opts.maxLength ?? 512, model.config.maxPositionEmbeddings);
  const features = await featurize(tokenizer, sentences, labelList, maxLength);
  const { DataCollatorForTokenClassification } = (require("../collator") as typeof import("../collator"));
  const { computeMetrics } = (require("../metrics/seqeval") as typeof import("../metrics/seqeval"));
  const trainer = new Trainer({
    model,
    args: { perDeviceEvalBatchSize: opts.batchSize ?? 32, progress: "none" },
    dataCollator: DataCollatorForTokenClassification.forTokenizer(tokenizer),
    lossFn: models.tokenClassificationLoss,
    computeMetrics: (p, l) => {
      const m = computeMetrics(p, l, labelList);
      return { precision: m.precision, recall: m.recall, f1: m.f1, accuracy: m.accuracy };
    },
  });
  const pred = await trainer.predict(features, "eval");
  const report = reportText(null, features, labelList, pred);

  // Word-level predictions (first sub-token of each word) for error analysis.
  const { wordPredictions } = (require("../alignment") as typeof import("../alignment"));
  const lines: string[] = [];
  features.forEach((f, i) => {
    const tokenPreds = pred.predictions[i].map((row) => labelList[argmax(row)]);
    const words = wordPredictions(f.wordIds, tokenPreds, sentences[i].tokens.length, "O");
    sentences[i].tokens.forEach((w, k) => lines.push(`${w} ${sentences[i].tags[k]} ${words[k] ?? "O"}`));
    lines.push("");
  });
  const split = opts.data.replace(/[^A-Za-z0-9_.-]+/g, "_");
  const out = opts.predictionsOut ?? (fs.existsSync(opts.model) && fs.statSync(opts.model).isDirectory() ? path.join(opts.model, `predictions-${split}.conll`) : null);
  if (out) writeFileAtomic(out, lines.join("\n"));
  trainer.dispose();
  model.dispose();
  return { metrics: pred.metrics, report, predictionsFile: out, sentences: features.length };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
