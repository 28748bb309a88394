/**
 * `pipeline("token-classification" | "ner", …)`: Hugging Face's TokenClassificationPipeline on a
 * TensorFlow.js model, loaded by directory or hub name when given one. The pipeline itself (no
 * file system, no Node binding) is ./classifier, shared with the exported web page.
 */
import {
  createTokenClassifier,
  type PipelineModel,
  type PipelineTokenizer,
  type TokenClassificationOptions,
  type TokenClassifier,
} from "./classifier";

export { parseAggregationStrategy, createTokenClassifier } from "./classifier";
export type {
  CallOptions,
  ClassifierOptions,
  PipelineModel,
  PipelineTokenizer,
  TokenClassificationOptions,
  TokenClassifier,
  TruncationInfo,
} from "./classifier";

async function loadModel(name: string): Promise<PipelineModel> {
  // require, not import(): lazy, and resolvable under tsx's CommonJS hook (bin/ner.js) and tslab.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: importing the pipeline loads no model code
  const { AutoModelForTokenClassification } = require("../models/auto") as typeof import("../models/auto");
  // Inference: a checkpoint without encoder weights would predict from random weights; refuse it.
  const model: PipelineModel = await AutoModelForTokenClassification.fromPretrained(name, {
    requireEncoderWeights: true,
  });
  return model;
}

async function loadTokenizer(name: string): Promise<PipelineTokenizer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: importing the pipeline loads no tokenizer
  const { NerTokenizer } = require("../tokenization/index") as typeof import("../tokenization");
  const tokenizer: PipelineTokenizer = await NerTokenizer.fromPretrained(name);
  return tokenizer;
}

/**
 * Build a token-classification pipeline (Hugging Face `pipeline("ner", …)`).
 *
 * @example
 * const ner = await pipeline("ner", { model: "out/conll-distilbert", aggregationStrategy: "simple" });
 * await ner("My name is Wolfgang and I live in Berlin");
 * // [{entity_group: "PER", score: 0.99, word: "wolfgang", start: 11, end: 19}, …]
 */
export async function pipeline(
  task: "token-classification" | "ner",
  opts: TokenClassificationOptions,
): Promise<TokenClassifier> {
  if (task !== "token-classification" && task !== "ner") {
    throw new Error(
      `Unsupported task ${JSON.stringify(task)}: this library provides "token-classification" (alias "ner")`,
    );
  }
  const ownsModel = typeof opts.model === "string";
  const tokenizerSource = opts.tokenizer ?? (typeof opts.model === "string" ? opts.model : undefined);
  if (tokenizerSource === undefined) throw new Error("pipeline: pass a tokenizer when the model is an instance");
  const tokenizer = typeof tokenizerSource === "string" ? await loadTokenizer(tokenizerSource) : tokenizerSource;
  const model = typeof opts.model === "string" ? await loadModel(opts.model) : opts.model;
  return createTokenClassifier(model, tokenizer, opts, ownsModel);
}
