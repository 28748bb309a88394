/**
 * The benchmark's model configurations and inputs, shared by bench/main.ts (`npm run bench`),
 * bench/model.ts and bench/train.ts, and mirrored by the PyTorch peer (bench/torch_peer.py).
 */
import * as tf from "@tensorflow/tfjs";
import { configFromHf, defaultHfConfig, type TokenClassificationConfig } from "../src/models";
import { JOB_OPTIONS, defaultsOf } from "../src/training/options";

/** The main job's scratch model shape (`ner train`'s defaults). */
const DEFAULT_TRAIN_JOB = defaultsOf(JOB_OPTIONS);

export const BENCH_MODELS = ["distilbert-base", "bert-base", "main-job"] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];

/** CoNLL-2003's 9 labels: the head size of the tutorials' base models. */
export const NUM_LABELS = 9;

/** Head size: MIT Restaurant's 17 tags (8 types in IOB2 + O) for the main job, else CoNLL's 9. */
export function numLabelsOf(model: BenchModel): number {
  return model === "main-job" ? 17 : NUM_LABELS;
}

/** Hugging Face config.json of each benchmark model (random weights; sizes are what matter). */
export function hfConfigOf(model: BenchModel): Record<string, unknown> {
  switch (model) {
    case "distilbert-base":
      return defaultHfConfig("distilbert"); // distilbert-base-uncased
    case "bert-base":
      return defaultHfConfig("bert", { vocab_size: 28996 }); // bert-base-cased (notebook 3)
    case "main-job":
      // The small from-scratch BERT of `npm start` over the bert-base-uncased vocabulary.
      return defaultHfConfig("bert", {
        hidden_size: DEFAULT_TRAIN_JOB.hiddenSize,
        num_hidden_layers: DEFAULT_TRAIN_JOB.numLayers,
        num_attention_heads: DEFAULT_TRAIN_JOB.numHeads,
        intermediate_size: DEFAULT_TRAIN_JOB.intermediateSize,
      });
  }
}

export function benchConfig(model: BenchModel): TokenClassificationConfig {
  return configFromHf(hfConfigOf(model), { numLabels: numLabelsOf(model) });
}

/** Matmul FLOPs of one forward pass (linear layers + attention products + classifier). */
export function forwardFlops(c: TokenClassificationConfig, batch: number, seq: number): number {
  const n = batch * seq;
  const h = c.hiddenSize;
  const perLayer = 2 * n * (4 * h * h + 2 * h * c.intermediateSize) + 2 * 2 * batch * seq * seq * h;
  return c.numLayers * perLayer + 2 * n * h * c.numLabels;
}

/**
 * A deterministic full batch (no padding, so tokens = batch × seq, as in the PyTorch peer):
 * ids from a fixed formula in [1000, 21000), every position labelled.
 */
export function fullBatch(batch: number, seq: number, numLabels = NUM_LABELS) {
  const ids: number[][] = [];
  const labels: number[][] = [];
  for (let b = 0; b < batch; b++) {
    ids.push(Array.from({ length: seq }, (_, s) => 1000 + ((b * 31 + s * 17) % 20000)));
    labels.push(Array.from({ length: seq }, (_, s) => (b + s) % numLabels));
  }
  return {
    inputIds: tf.tensor2d(ids, undefined, "int32"),
    attentionMask: tf.ones([batch, seq], "int32") as tf.Tensor2D,
    labels: tf.tensor2d(labels, undefined, "int32"),
  };
}

/** A padded batch like a real one (rows shortened by 0, 1/8, 2/8, 3/8 of seq; labels -100 on specials and padding). */
export function paddedBatch(c: TokenClassificationConfig, batch: number, seq: number) {
  const ids: number[][] = [];
  const mask: number[][] = [];
  const labels: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const len = seq - (b % 4) * Math.floor(seq / 8);
    ids.push(Array.from({ length: seq }, (_, s) => (s < len ? 1000 + ((b * 31 + s * 17) % 20000) : c.padTokenId)));
    mask.push(Array.from({ length: seq }, (_, s) => (s < len ? 1 : 0)));
    labels.push(Array.from({ length: seq }, (_, s) => (s > 0 && s < len - 1 ? (b + s) % c.numLabels : -100)));
  }
  return {
    inputIds: tf.tensor2d(ids, undefined, "int32"),
    attentionMask: tf.tensor2d(mask, undefined, "int32"),
    labels: tf.tensor2d(labels, undefined, "int32"),
  };
}
