/**
 * The main job behind `ner train` and `ner evaluate` (and `npm start`), a flat script in the
 * spirit of transformers' `run_ner.py`: data → tokenizer → model → Trainer → evaluate → save.
 * A run leaves, in one save whose completion marker save_complete.json comes last (Trainer.saveModel;
 * nothing in <outputDir> the run did not write is touched, see checkpoint.ts):
 *
 *   <outputDir>/config.json, model.safetensors, tokenizer files   the model, in Hugging Face layout
 *   <outputDir>/metrics.json                                       train/eval metrics and the log history
 *   <outputDir>/run_card.json                                      options, data sha256, backend, seed,
 *                                                                  wall time, tokens/s
 *   <outputDir>/classification_report.txt, epochs.txt             seqeval report on the evaluation split, epoch table
 *   <outputDir>/checkpoint-<step>/                                 the last checkpoint (for resumeFromCheckpoint)
 *
 * Options are TrainingArguments (Hugging Face's names, camelCased) plus the job's own data and
 * model arguments ({@link JobArguments}), as run_ner.py has TrainingArguments beside its
 * ModelArguments and DataTrainingArguments.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { alignmentNotice, summarizeAlignment, tokenizeAndAlignLabels, wordPredictions } from "../alignment/index";
import { backendInfo, initBackend } from "../backend/index";
import { nativeTierHint } from "../backend/native";
import { DataCollatorForTokenClassification } from "../collator/index";
import {
  getCorpus,
  labelListFromTags,
  labelMaps,
  labelsFromOption,
  readCorpusSplits,
  readJsonl,
  readJsonlSplits,
} from "../data/index";
import type { Sentence } from "../data/index";
import { computeMetrics, formatReportDict } from "../metrics/seqeval/index";
import type { ComputedMetrics, ReportDict } from "../metrics/seqeval/index";
import {
  AutoModelForTokenClassification,
  configFromHf,
  readHfConfigFile,
  configToHf,
  defaultHfConfig,
  randomInit,
  tokenClassificationLoss,
  type EncoderForTokenClassification,
} from "../models/index";
import { checkModelFits } from "../models/config";
import { allFinite, NON_FINITE_LOGITS_WARNING } from "../util/finite";
import { argmax } from "../util/argmax";
import { NerTokenizer } from "../tokenization/index";
import { writeFileAtomic } from "../util/atomic";
import { sha256OfFile } from "../util/files";
import type { TrainingArguments } from "./arguments";
import { EVALUATE_OPTIONS, isFromScratch, JOB_OPTIONS, resolveJobDefaults, withDefaults } from "./options";
import type { EvaluateJobOptions, TrainJobOptions } from "./options";
import { assertCompleteSave, checkOutputDir, latestCheckpoint, lockOutputDir, resumeCheckpointFor } from "./checkpoint";
import { formatEpochTable } from "./progress";
import { Trainer } from "./trainer";
import type { TrainingFeature } from "./types";

export type { EvaluateJobOptions, JobArguments, TrainJobOptions } from "./options";

/** Result of a training job. */
export interface TrainJobResult {
  outputDir: string;
  metrics: Record<string, number>;
  /** seqeval's classification report on the evaluation split: the dictionary, and the text (digits 4). */
  report: ReportDict | null;
  reportText: string;
  runCard: Record<string, unknown>;
}

/** A tagged sentence of the job, with where it came from (`file:line`) when known. */
type JobSentence = Sentence & { source?: string };

/** Train/eval sentences and the label list of `data` (a corpus spec or JSONL files); sha256 of every file read. */
export async function loadJobData(
  data: string,
  opts: { labels?: string; evalSplit?: string; log?: (s: string) => void } = {},
): Promise<{
  train: JobSentence[];
  eval: JobSentence[];
  evalName: string;
  labelList: string[];
  sha256: Record<string, string>;
}> {
  const explicitLabels = opts.labels ? labelsFromOption(opts.labels) : undefined;
  const files = data
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (files.every((f) => /\.jsonl$/i.test(f))) {
    const { splits, labelList } = readJsonlSplits(files, { labels: explicitLabels, onWarning: opts.log });
    return {
      train: splits[0].sentences,
      eval: splits[1]?.sentences ?? [],
      evalName: files[1] ?? "(none)",
      labelList,
      sha256: Object.fromEntries(files.map((f) => [path.basename(f), sha256OfFile(f)])),
    };
  }
  const colon = data.lastIndexOf(":");
  const name = colon > 0 ? data.slice(0, colon) : data;
  const splits = await readCorpusSplits(name, { onWarning: () => undefined });
  const evalSplit =
    colon > 0
      ? data.slice(colon + 1)
      : (opts.evalSplit ?? (splits.some((s) => s.split === "validation") ? "validation" : "test"));
  const evalData = splits.find((s) => s.split === evalSplit);
  if (!evalData)
    throw new Error(
      `corpus ${name} has no split ${JSON.stringify(evalSplit)} (splits: ${splits.map((s) => s.split).join(", ")})`,
    );
  const corpusLabels =
    getCorpus(name).labelList ?? labelListFromTags(splits.flatMap((s) => s.sentences.flatMap((x) => x.tags)));
  return {
    train: splits.find((s) => s.split === "train")?.sentences ?? [],
    eval: evalData.sentences,
    evalName: `${name}:${evalSplit}`,
    labelList: explicitLabels ?? [...corpusLabels],
    sha256: Object.fromEntries(splits.map((s) => [`${name}/${path.basename(s.file.path)}`, sha256OfFile(s.file.path)])),
  };
}

/** Tokenize and align word labels (ids of `labelList`); logs what truncation and empty words dropped. */
async function featurize(
  tokenizer: NerTokenizer,
  sentences: JobSentence[],
  labelList: readonly string[],
  opts: { maxLength: number; labelAllTokens?: boolean; what: string; log: (s: string) => void },
): Promise<(TrainingFeature & { wordIds: (number | null)[] })[]> {
  const index = new Map(labelList.map((l, i) => [l, i]));
  const rows = sentences.map((s, i) => ({
    tokens: s.tokens,
    ner_tags: s.tags.map((t) => {
      const id = index.get(t);
      if (id === undefined)
        throw new Error(
          `${s.source ?? `${opts.what} sentence ${i + 1}`}: tag ${JSON.stringify(t)} is not in the ` +
            `label list (${labelList.join(",")})`,
        );
      return id;
    }),
  }));
  const features = await tokenizeAndAlignLabels(tokenizer, rows, {
    maxLength: opts.maxLength,
    truncation: true,
    labelAllTokens: opts.labelAllTokens,
  });
  const notice = alignmentNotice(summarizeAlignment(features, rows), opts.what, {
    maxLength: opts.maxLength,
    where: (i) => sentences[i].source ?? `${opts.what} sentence ${i + 1}`,
  });
  if (notice) opts.log(`[ner] ${notice}`);
  return features;
}

/**
 * A model of the job's `model` argument with the label list's head: loaded, from a config.json, or the scratch BERT.
 */
async function buildModel(
  opts: TrainJobOptions,
  labelList: string[],
  vocabSize: number,
): Promise<{ model: EncoderForTokenClassification; kind: string }> {
  const { id2label, label2id } = labelMaps(labelList);
  const seed = opts.seed;
  if (!isFromScratch(opts.model)) {
    const model = await AutoModelForTokenClassification.fromPretrained(opts.model, {
      id2label,
      label2id,
      seed,
      ignoreMismatchedSizes: true,
    });
    try {
      // gradients and AdamW's moments are still to come
      checkModelFits(model.config, tf.getBackend(), opts.model, "training");
    } catch (err) {
      model.dispose();
      throw err;
    }
    return { model, kind: `${model.config.modelType} fine-tuned from ${opts.model}` };
  }
  const raw =
    opts.model === "scratch"
      ? defaultHfConfig("bert", {
          vocab_size: vocabSize,
          hidden_size: opts.hiddenSize,
          num_hidden_layers: opts.numLayers,
          num_attention_heads: opts.numHeads,
          intermediate_size: opts.intermediateSize,
          max_position_embeddings: Math.max(64, opts.maxLength),
        })
      : readHfConfigFile(opts.model);
  const config = configFromHf(raw, { id2label, label2id }, opts.model);
  if (config.vocabSize < vocabSize) {
    throw new Error(`${opts.model}: vocab_size ${config.vocabSize} is smaller than the tokenizer's ${vocabSize}`);
  }
  checkModelFits(config, tf.getBackend(), opts.model, "training");
  return { model: randomInit(config, seed), kind: `${config.modelType} from scratch` };
}

/** The job's options: every default of the option table filled (HF's, the main job's or fine-tuning's, derived). */
export function resolveTrainJobOptions(given: Partial<TrainJobOptions> & { outputDir: string }): TrainJobOptions {
  return resolveJobDefaults(given) as TrainJobOptions;
}

/** Run the training job end to end; returns metrics, the seqeval report and the run card. */
export async function runTrainJob(
  given: Partial<TrainJobOptions> & { outputDir: string },
  log: (s: string) => void = (s) => process.stderr.write(s + "\n"),
): Promise<TrainJobResult> {
  const opts = resolveTrainJobOptions(given);
  const started = performance.now();
  // Refuse an output the run must not write into (checkpoint.ts), then hold it for the whole job:
  // one writer per output.
  const inputs = [
    { flag: "--model", path: opts.model },
    { flag: "--tokenizer", path: String(opts.tokenizer ?? "") },
  ];
  checkOutputDir(opts.outputDir, { overwrite: opts.overwriteOutputDir, inputs });
  assertCompleteSave(opts.model);
  const release = lockOutputDir(opts.outputDir);
  try {
    return await trainJob(opts, started, log);
  } finally {
    release();
  }
}

async function trainJob(opts: TrainJobOptions, started: number, log: (s: string) => void): Promise<TrainJobResult> {
  // A resume with nothing to resume fails before data and model are loaded (Trainer.train checks it again).
  if (opts.resumeFromCheckpoint) resumeCheckpointFor(opts.resumeFromCheckpoint, opts.outputDir);
  const backend = await initBackend(opts.backend);
  const hint = nativeTierHint(backend); // once: plain wasm only because the native addon is missing
  if (hint) log(hint);

  // ---- data
  const data = await loadJobData(opts.data, { labels: opts.labels, log });
  if (data.train.length === 0) throw new Error(`${opts.data}: no training split`);
  const trainSentences = opts.maxTrainSamples ? data.train.slice(0, opts.maxTrainSamples) : data.train;
  const evalSentences = opts.maxEvalSamples ? data.eval.slice(0, opts.maxEvalSamples) : data.eval;

  // ---- tokenizer and model
  const tokenizerName = opts.tokenizer as string; // resolved: the model's, or bert-base-uncased from scratch
  const tokenizer = await NerTokenizer.fromPretrained(tokenizerName);
  const { model, kind } = await buildModel(opts, data.labelList, tokenizer.vocabSize);
  const maxLength = Math.min(opts.maxLength, model.config.maxPositionEmbeddings);
  const align = { maxLength, labelAllTokens: opts.labelAllTokens, log };
  const trainFeatures = await featurize(tokenizer, trainSentences, data.labelList, { ...align, what: "train" });
  const evalFeatures = evalSentences.length
    ? await featurize(tokenizer, evalSentences, data.labelList, { ...align, what: data.evalName })
    : [];
  log(
    `[ner] ${kind}: ${model.numParameters().toLocaleString("en-US")} parameters; ` +
      `${trainFeatures.length} train / ${evalFeatures.length} eval sentences (${data.evalName}); backend ${backend}`,
  );

  // ---- Trainer
  const trainer = new Trainer({
    model,
    // Without evaluation data there is nothing to evaluate, whatever the strategy.
    args: { ...trainingArgumentsOf(opts), evalStrategy: evalFeatures.length ? opts.evalStrategy : "no" },
    trainDataset: trainFeatures,
    evalDataset: evalFeatures,
    dataCollator: DataCollatorForTokenClassification.forTokenizer(tokenizer),
    lossFn: tokenClassificationLoss,
    computeMetrics: (preds, labels) => computeMetrics(preds, labels, data.labelList),
    tokenizer,
  });

  try {
    const trainOut = await trainer.train();

    // ---- evaluate: seqeval's report, computed once
    const evalMetrics = evalFeatures.length ? await trainer.evaluate(evalFeatures) : {};
    const report = evalFeatures.length ? (trainer.lastEvalExtras.report as ReportDict) : null;
    const reportText = report ? formatReportDict(report) : "";

    // ---- save: model, tokenizer, metrics and run card in one save (completion marker last)
    const metrics = { ...trainOut.metrics, ...evalMetrics };
    const runCard = {
      command: "ner train",
      created: new Date().toISOString(),
      model: { source: opts.model, kind, parameters: model.numParameters(), config: configToHf(model.config) },
      tokenizer: tokenizerName,
      data: {
        spec: opts.data,
        eval: data.evalName,
        train_sentences: trainFeatures.length,
        eval_sentences: evalFeatures.length,
        sha256: data.sha256,
        labels: data.labelList,
      },
      options: opts,
      backend: backendInfo()?.label ?? backend, // which tier ran, e.g. "wasm+openblas (2 threads)"
      seed: trainer.args.seed,
      wall_time_seconds: Math.round(((performance.now() - started) / 1000) * 10) / 10,
      train_runtime_seconds: trainOut.metrics.train_runtime,
      train_tokens_per_second: trainOut.metrics.train_tokens_per_second,
      peak_memory_mb: trainOut.metrics.peak_mb, // tensor bytes high-water mark of the training run
      eval_f1: evalMetrics.eval_f1 ?? null,
      versions: {
        node: process.version,
        tfjs: tf.version.tfjs,
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.cpus().length,
      },
    };
    const files: Record<string, string> = {
      "metrics.json": JSON.stringify({ ...metrics, log_history: trainer.state.logHistory }, null, 2) + "\n",
      "run_card.json": JSON.stringify(runCard, null, 2) + "\n",
    };
    if (reportText) files["classification_report.txt"] = reportText + "\n";
    if (trainer.state.epochRows.length) files["epochs.txt"] = formatEpochTable(trainer.state.epochRows) + "\n";
    await trainer.saveModel(opts.outputDir, { files });
    return { outputDir: opts.outputDir, metrics, report, reportText, runCard };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** The TrainingArguments among the job's options. */
function trainingArgumentsOf(opts: TrainJobOptions): Partial<TrainingArguments> {
  const jobKeys: ReadonlySet<string> = new Set(Object.keys(JOB_OPTIONS));
  return Object.fromEntries(Object.entries(opts).filter(([k]) => !jobKeys.has(k)));
}

// ---------------------------------------------------------------- evaluate

/** A training output directory whose run never reached its final save holds checkpoints but no model: say so. */
function refuseRunWithoutModel(dir: string): void {
  assertCompleteSave(dir); // a save that was cut short, or whose files changed since, is named
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory() || fs.existsSync(path.join(dir, "config.json"))) return;
  const latest = latestCheckpoint(dir);
  if (latest) {
    throw new Error(
      `${dir}: no saved model (the run stopped before its final save); evaluate ${latest}, or finish ` +
        `the run with ner train --resume`,
    );
  }
}

export interface EvaluateJobResult {
  metrics: Record<string, number>;
  /** seqeval's classification report: the dictionary (Python's output_dict=True) and the text (digits 4). */
  report: ReportDict;
  reportText: string;
  predictionsFile: string | null;
  sentences: number;
}

/** Evaluate a trained model on a corpus split or JSONL file; writes CoNLL predictions. */
export async function runEvaluateJob(
  given: Partial<EvaluateJobOptions> & Pick<EvaluateJobOptions, "model" | "data">,
): Promise<EvaluateJobResult> {
  const opts = withDefaults(EVALUATE_OPTIONS, given);
  refuseRunWithoutModel(opts.model);
  await initBackend(opts.backend);
  // Inference: a checkpoint without encoder weights would be scored on random weights; refuse it.
  const model = await AutoModelForTokenClassification.fromPretrained(opts.model, {
    log: null,
    requireEncoderWeights: true,
  });
  try {
    const tokenizer = await NerTokenizer.fromPretrained(opts.model);
    const id2label = model.config.id2label;
    const labelList = Object.keys(id2label)
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => id2label[i]);

    // A JSONL file is evaluated whole; its tags must be labels of the model (ids named by --labels).
    const sentences: JobSentence[] = /\.jsonl$/i.test(opts.data)
      ? readJsonl(opts.data, { labels: opts.labels ? labelsFromOption(opts.labels) : labelList }).sentences
      : (await loadJobData(opts.data, { evalSplit: "test" })).eval;
    const maxLength = Math.min(opts.maxLength, model.config.maxPositionEmbeddings);
    const features = await featurize(tokenizer, sentences, labelList, {
      maxLength,
      what: opts.data,
      log: (s) => process.stderr.write(s + "\n"),
    });

    const trainer = new Trainer({
      model,
      args: { perDeviceEvalBatchSize: opts.perDeviceEvalBatchSize, progress: "none" },
      dataCollator: DataCollatorForTokenClassification.forTokenizer(tokenizer),
      lossFn: tokenClassificationLoss,
      computeMetrics: (p, l) => computeMetrics(p, l, labelList),
    });
    const pred = await trainer.predict(features, "eval");
    if (!pred.predictions.every((rows) => rows.every((row) => allFinite(row)))) {
      process.stderr.write(NON_FINITE_LOGITS_WARNING + "\n"); // once: broken weights, meaningless scores
    }
    trainer.dispose();
    const report = (pred.extras as Partial<ComputedMetrics>).report!;

    // Word-level predictions (first sub-token of each word) for error analysis.
    const lines: string[] = [];
    features.forEach((f, i) => {
      const tokenPreds = pred.predictions[i].map((row) => labelList[argmax(row)]);
      const words = wordPredictions(f.wordIds, tokenPreds, sentences[i].tokens.length, "O");
      sentences[i].tokens.forEach((w, k) => lines.push(`${w} ${sentences[i].tags[k]} ${words[k] ?? "O"}`));
      lines.push("");
    });
    const split = opts.data.replace(/[^A-Za-z0-9_.-]+/g, "_");
    const isDir = fs.existsSync(opts.model) && fs.statSync(opts.model).isDirectory();
    const out = opts.predictions ?? (isDir ? path.join(opts.model, `predictions-${split}.conll`) : null);
    if (out) writeFileAtomic(out, lines.join("\n"));
    return {
      metrics: pred.metrics,
      report,
      reportText: formatReportDict(report),
      predictionsFile: out,
      sentences: features.length,
    };
  } finally {
    model.dispose();
  }
}
