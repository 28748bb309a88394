/**
 * One normalised configuration for every supported encoder, read from (and written back to)
 * Hugging Face `config.json` files. DistilBERT and BERT name the same quantities differently
 * (`dim` vs `hidden_size`, `n_layers` vs `num_hidden_layers`, …); the models only see this shape.
 */

import * as os from "os";
import { describeJsonValue, READ_LIMITS, readJsonFileBounded } from "../util/files";

export type ModelType = "distilbert" | "bert";
export type Activation = "gelu" | "gelu_new" | "relu";

/** Normalised configuration of a token-classification model. */
export interface TokenClassificationConfig {
  modelType: ModelType;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  /** BERT's segment vocabulary (2); 0 for DistilBERT, which has no token-type embeddings. */
  typeVocabSize: number;
  activation: Activation;
  /** Dropout after embeddings, attention output and feed-forward. */
  hiddenDropout: number;
  /** Dropout on attention probabilities. */
  attentionDropout: number;
  /** Dropout before the classifier (DistilBERT: `dropout`; BERT: `classifier_dropout ?? hidden_dropout_prob`). */
  classifierDropout: number;
  layerNormEps: number;
  initializerRange: number;
  padTokenId: number;
  numLabels: number;
  id2label: Record<number, string>;
  label2id: Record<string, number>;
  /** The raw HF config.json object (kept so savePretrained writes every field back). */
  hf: Record<string, unknown>;
}

/** Label options accepted wherever a config is built. */
export interface LabelOptions {
  numLabels?: number;
  id2label?: Record<number | string, string>;
  label2id?: Record<string, number>;
}

/**
 * Read a Hugging Face config.json: one-line errors naming the file when it is not JSON or not an
 * object. Old configs (e.g. Google's BERT miniatures) have no `model_type`; like transformers'
 * AutoConfig, it is then taken from the model's name (the longest known type it contains).
 */
export function readHfConfigFile(file: string, nameOrDir?: string): Record<string, unknown> {
  const raw = readJsonFileBounded(file, "model config", READ_LIMITS.json);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error(
      `${file}: model config must be a JSON object, got ` +
        `${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}`,
    );
  }
  const config = raw as Record<string, unknown>;
  if (config.model_type === undefined && nameOrDir !== undefined) {
    const inferred = (["distilbert", "bert"] as const).find((t) => nameOrDir.includes(t));
    if (inferred) return { ...config, model_type: inferred };
  }
  return config;
}

const ARCHITECTURE: Record<ModelType, string> = {
  distilbert: "DistilBertForTokenClassification",
  bert: "BertForTokenClassification",
};

/** Parse an HF config.json object (plus optional label overrides) into the normalised config. */
export function configFromHf(
  raw: Record<string, unknown>,
  labels: LabelOptions = {},
  source = "config.json",
): TokenClassificationConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new Error(`${source}: model config must be a JSON object, got ${describeJsonValue(raw)}`);
  const modelType = raw.model_type;
  // Each field as transformers' strict config classes type it (int sizes, float dropouts), with the
  // ranges torch's modules enforce when they are built (nn.Dropout: p in [0, 1]; here [0, 1) since
  // p = 1 divides by zero in inverted dropout).
  const num = (key: string, fallback: number | undefined, rule: FieldRule): number => {
    const v = raw[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${source}: missing numeric field "${key}" for model_type ${String(modelType)}`);
    }
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new Error(`${source}: field "${key}" must be a number, got ${describeJsonValue(v)}`);
    const problem = FIELD_RULES[rule](v);
    if (problem) throw new Error(`${source}: field "${key}" must be ${problem}, got ${v}`);
    return v;
  };
  const act = (key: string): Activation => {
    const v = raw[key] ?? "gelu";
    if (v === "gelu" || v === "gelu_new" || v === "relu") return v;
    throw new Error(
      `${source}: unsupported activation ${describeJsonValue(v)} in "${key}" (supported: gelu, gelu_new, relu)`,
    );
  };
  let base: Omit<TokenClassificationConfig, "numLabels" | "id2label" | "label2id" | "hf">;
  if (modelType === "distilbert") {
    if (raw.sinusoidal_pos_embds === true) throw new Error(`${source}: sinusoidal_pos_embds=true is not supported`);
    const dropout = num("dropout", 0.1, "probability");
    base = {
      modelType,
      vocabSize: num("vocab_size", undefined, "size"),
      hiddenSize: num("dim", undefined, "size"),
      numLayers: num("n_layers", undefined, "size"),
      numHeads: num("n_heads", undefined, "size"),
      intermediateSize: num("hidden_dim", undefined, "size"),
      maxPositionEmbeddings: num("max_position_embeddings", 512, "size"),
      typeVocabSize: 0,
      activation: act("activation"),
      hiddenDropout: dropout,
      attentionDropout: num("attention_dropout", 0.1, "probability"),
      classifierDropout: dropout, // DistilBertForTokenClassification uses config.dropout
      layerNormEps: 1e-12, // hard-coded in HF's DistilBERT
      initializerRange: num("initializer_range", 0.02, "nonNegative"),
      padTokenId: num("pad_token_id", 0, "index"),
    };
  } else if (modelType === "bert") {
    const hidden = num("hidden_dropout_prob", 0.1, "probability");
    const cls =
      raw.classifier_dropout === undefined || raw.classifier_dropout === null
        ? undefined
        : num("classifier_dropout", undefined, "probability");
    base = {
      modelType,
      vocabSize: num("vocab_size", undefined, "size"),
      hiddenSize: num("hidden_size", undefined, "size"),
      numLayers: num("num_hidden_layers", undefined, "size"),
      numHeads: num("num_attention_heads", undefined, "size"),
      intermediateSize: num("intermediate_size", undefined, "size"),
      maxPositionEmbeddings: num("max_position_embeddings", 512, "size"),
      typeVocabSize: num("type_vocab_size", 2, "size"),
      activation: act("hidden_act"),
      hiddenDropout: hidden,
      attentionDropout: num("attention_probs_dropout_prob", 0.1, "probability"),
      classifierDropout: typeof cls === "number" ? cls : hidden,
      layerNormEps: num("layer_norm_eps", 1e-12, "nonNegative"),
      initializerRange: num("initializer_range", 0.02, "nonNegative"),
      padTokenId: num("pad_token_id", 0, "index"),
    };
    const pos = raw.position_embedding_type ?? "absolute";
    if (pos !== "absolute")
      throw new Error(
        `${source}: position_embedding_type ${describeJsonValue(pos)} is not supported (only "absolute")`,
      );
  } else {
    if (modelType === undefined)
      throw new Error(`${source}: no "model_type" field (supported: distilbert, bert); add one to the config`);
    throw new Error(`${source}: unsupported model_type ${describeJsonValue(modelType)} (supported: distilbert, bert)`);
  }
  const names =
    modelType === "distilbert"
      ? { hidden: "dim", heads: "n_heads" }
      : { hidden: "hidden_size", heads: "num_attention_heads" };
  if (base.hiddenSize % base.numHeads !== 0) {
    throw new Error(
      `${source}: ${names.hidden} ${base.hiddenSize} is not a multiple of ${names.heads} ${base.numHeads}`,
    );
  }
  if (base.numLayers > MAX_LAYERS) {
    // Each layer is 16 named variables and a tidy scope: a million layers is a hang, not a model.
    throw new Error(
      `${source}: field "${modelType === "distilbert" ? "n_layers" : "num_hidden_layers"}" must be ` +
        `at most ${MAX_LAYERS}, got ${base.numLayers}`,
    );
  }
  if (base.padTokenId >= base.vocabSize) {
    // torch's nn.Embedding(vocab_size, hidden, padding_idx=pad_token_id) refuses it when the model is built.
    throw new Error(
      `${source}: field "pad_token_id" must be within the vocabulary [0, ${base.vocabSize}), got ${base.padTokenId}`,
    );
  }
  const lab = resolveLabels(raw, labels, source);
  const config = { ...base, ...lab, hf: { ...raw } };
  // Sizes are checked here, before anything allocates (model info lists every parameter's spec).
  checkModelFits(config, null, source);
  return config;
}

/** Far above any BERT-family model (the deepest have 48 layers). */
const MAX_LAYERS = 1024;

type FieldRule = "size" | "index" | "probability" | "nonNegative";

/** What a field of each rule must be, in words, or "" when `v` is fine. */
const FIELD_RULES: Record<FieldRule, (v: number) => string> = {
  size: (v) => (Number.isInteger(v) && v > 0 ? "" : "a positive integer"),
  index: (v) => (Number.isInteger(v) && v >= 0 ? "" : "a non-negative integer"),
  probability: (v) => (v >= 0 && v < 1 ? "" : "a probability in [0, 1)"),
  nonNegative: (v) => (v >= 0 ? "" : "non-negative"),
};

// ---------------------------------------------------------------- memory estimate

const GIB = 1024 ** 3;
/** The wasm backend's heap is a 32-bit WebAssembly memory. */
export const WASM_HEAP_BYTES = 4 * GIB;
/** tfjs and V8 typed arrays hold at most this many float32 elements in one tensor on every backend. */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** What a model of `config` needs in memory, float32 throughout. */
export interface ModelMemoryEstimate {
  parameters: number;
  /** The weights alone. */
  weightBytes: number;
  /** Weights plus one forward pass over one sequence of max_position_embeddings tokens. */
  inferenceBytes: number;
  /** Weights, gradients and AdamW's two moments (4×), plus the inference activations. */
  trainingBytes: number;
  /** The largest single tensor (elements). */
  largestTensor: number;
}

/** Parameter count and memory of a model of `config`, computed from the sizes alone (nothing allocated). */
export function estimateModelMemory(
  c: Pick<
    TokenClassificationConfig,
    | "vocabSize"
    | "hiddenSize"
    | "numLayers"
    | "numHeads"
    | "intermediateSize"
    | "maxPositionEmbeddings"
    | "typeVocabSize"
    | "numLabels"
  >,
): ModelMemoryEstimate {
  const h = c.hiddenSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * h + 2 * h;
  const perLayer = 4 * (h * h + h) + 2 * h * c.intermediateSize + c.intermediateSize + h + 4 * h;
  const parameters = embeddings + c.numLayers * perLayer + h * c.numLabels + c.numLabels;
  const seq = c.maxPositionEmbeddings;
  // One layer's live activations for batch 1: q, k, v, context, attention scores and probabilities, the FFN.
  const activations = 6 * seq * h + 2 * c.numHeads * seq * seq + 2 * seq * c.intermediateSize;
  const weightBytes = parameters * 4;
  return {
    parameters,
    weightBytes,
    inferenceBytes: weightBytes + activations * 4,
    trainingBytes: 4 * weightBytes + activations * 4,
    largestTensor: Math.max(c.vocabSize * h, h * c.intermediateSize, c.numHeads * seq * seq),
  };
}

/** How much memory a backend can give tensors: wasm's heap, else the machine's memory. */
export function backendMemoryLimit(backend: string | null): { bytes: number; what: string } {
  if (backend === "wasm") return { bytes: WASM_HEAP_BYTES, what: "the wasm backend's 4 GiB heap" };
  return { bytes: os.totalmem(), what: `this machine's ${formatBytes(os.totalmem())} of memory` };
}

/**
 * Refuse a config whose model cannot be built on `backend` (null: any backend, against the
 * machine's memory), with the estimate in the one-line message.
 */
export function checkModelFits(
  config: TokenClassificationConfig,
  backend: string | null,
  source: string,
  mode: "inference" | "training" = "inference",
): void {
  const est = estimateModelMemory(config);
  if (est.largestTensor > MAX_TENSOR_ELEMENTS) {
    throw new Error(
      `${source}: a tensor of this config would hold ${est.largestTensor.toExponential(2)} elements, ` +
        `more than the 2^31 - 1 a tensor can hold (vocab_size × hidden size, hidden × intermediate, or ` +
        `heads × positions²)`,
    );
  }
  const need = mode === "training" ? est.trainingBytes : est.inferenceBytes;
  const limit = backendMemoryLimit(backend);
  if (need > limit.bytes) {
    throw new Error(
      `${source}: this config needs about ${formatBytes(need)} for ${mode} ` +
        `(${est.parameters.toExponential(2)} parameters, ` +
        `${formatBytes(est.weightBytes)} of float32 weights), more than ${limit.what}`,
    );
  }
}

/** Bytes in words (GiB / MiB). */
export function formatBytes(n: number): string {
  return n >= GIB ? `${(n / GIB).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * Labels as HF resolves them: explicit id2label/label2id win, then numLabels (LABEL_i names),
 * then the checkpoint's own id2label, else 2 labels.
 */
function resolveLabels(
  raw: Record<string, unknown>,
  opts: LabelOptions,
  source: string,
): Pick<TokenClassificationConfig, "numLabels" | "id2label" | "label2id"> {
  let id2label: Record<number, string> | undefined;
  if (opts.id2label) id2label = normaliseId2Label(opts.id2label, "id2label option");
  else if (opts.label2id) id2label = invert(opts.label2id);
  const fromRaw = raw.id2label
    ? normaliseId2Label(raw.id2label as Record<string, string>, `${source} id2label`)
    : undefined;
  if (!id2label) {
    if (opts.numLabels !== undefined && (!fromRaw || Object.keys(fromRaw).length !== opts.numLabels)) {
      id2label = Object.fromEntries(Array.from({ length: opts.numLabels }, (_, i) => [i, `LABEL_${i}`]));
    } else {
      id2label = fromRaw ?? { 0: "LABEL_0", 1: "LABEL_1" };
    }
  }
  const numLabels = Object.keys(id2label).length;
  if (opts.numLabels !== undefined && opts.numLabels !== numLabels) {
    throw new Error(`numLabels=${opts.numLabels} disagrees with the ${numLabels} labels of id2label`);
  }
  for (let i = 0; i < numLabels; i++) {
    if (id2label[i] === undefined)
      throw new Error(`id2label must map every id 0..${numLabels - 1}; id ${i} is missing`);
  }
  const label2id = opts.label2id ? { ...opts.label2id } : invert(id2label);
  return { numLabels, id2label, label2id };
}

function normaliseId2Label(m: Record<number | string, string>, what: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(m)) {
    const id = Number(k);
    if (!Number.isInteger(id) || id < 0) throw new Error(`${what}: key ${describeJsonValue(k)} is not a label id`);
    out[id] = String(v);
  }
  return out;
}

function invert(m: Record<string | number, string | number>): Record<never, never> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(m)) out[String(v)] = /^\d+$/.test(k) ? Number(k) : k;
  return out as Record<never, never>;
}

/** The HF config.json object for `config` (raw fields kept, labels and architecture updated). */
export function configToHf(config: TokenClassificationConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config.hf };
  const common = {
    architectures: [ARCHITECTURE[config.modelType]],
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.maxPositionEmbeddings,
    initializer_range: config.initializerRange,
    pad_token_id: config.padTokenId,
    id2label: Object.fromEntries(Object.entries(config.id2label).map(([k, v]) => [String(k), v])),
    label2id: { ...config.label2id },
  };
  if (config.modelType === "distilbert") {
    Object.assign(out, common, {
      dim: config.hiddenSize,
      n_layers: config.numLayers,
      n_heads: config.numHeads,
      hidden_dim: config.intermediateSize,
      activation: config.activation,
      dropout: config.hiddenDropout,
      attention_dropout: config.attentionDropout,
    });
  } else {
    Object.assign(out, common, {
      hidden_size: config.hiddenSize,
      num_hidden_layers: config.numLayers,
      num_attention_heads: config.numHeads,
      intermediate_size: config.intermediateSize,
      type_vocab_size: config.typeVocabSize,
      hidden_act: config.activation,
      hidden_dropout_prob: config.hiddenDropout,
      attention_probs_dropout_prob: config.attentionDropout,
      classifier_dropout:
        config.classifierDropout === config.hiddenDropout
          ? (config.hf.classifier_dropout ?? null)
          : config.classifierDropout,
      layer_norm_eps: config.layerNormEps,
    });
  }
  // A num_labels field, if present, must not contradict id2label (HF reads id2label first).
  delete out.num_labels;
  delete out._num_labels;
  return out;
}

/** Default HF config objects for the two architectures at their base sizes (override fields as needed). */
export function defaultHfConfig(
  modelType: ModelType,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const base: Record<string, unknown> =
    modelType === "distilbert"
      ? {
          model_type: "distilbert",
          vocab_size: 30522,
          dim: 768,
          n_layers: 6,
          n_heads: 12,
          hidden_dim: 3072,
          max_position_embeddings: 512,
          activation: "gelu",
          dropout: 0.1,
          attention_dropout: 0.1,
          seq_classif_dropout: 0.2,
          qa_dropout: 0.1,
          initializer_range: 0.02,
          pad_token_id: 0,
          sinusoidal_pos_embds: false,
          tie_weights_: true,
        }
      : {
          model_type: "bert",
          vocab_size: 30522,
          hidden_size: 768,
          num_hidden_layers: 12,
          num_attention_heads: 12,
          intermediate_size: 3072,
          max_position_embeddings: 512,
          type_vocab_size: 2,
          hidden_act: "gelu",
          hidden_dropout_prob: 0.1,
          attention_probs_dropout_prob: 0.1,
          classifier_dropout: null,
          layer_norm_eps: 1e-12,
          initializer_range: 0.02,
          pad_token_id: 0,
          position_embedding_type: "absolute",
        };
  return { ...base, ...overrides };
}
