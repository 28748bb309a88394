/**
 * One normalised configuration for every supported encoder, read from (and written back to)
 * Hugging Face `config.json` files. DistilBERT and BERT name the same quantities differently
 * (`dim` vs `hidden_size`, `n_layers` vs `num_hidden_layers`, …); the models only see this shape.
 */

import * as fs from "fs";

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
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read model config (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: model config is not valid JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error(`${file}: model config must be a JSON object, got ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}`);
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
export function configFromHf(raw: Record<string, unknown>, labels: LabelOptions = {}, source = "config.json"): TokenClassificationConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${source}: model config must be a JSON object, got ${JSON.stringify(raw)}`);
  const modelType = raw.model_type;
  const num = (key: string, fallback?: number): number => {
    const v = raw[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${source}: missing numeric field "${key}" for model_type ${String(modelType)}`);
    }
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${source}: field "${key}" must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const act = (key: string): Activation => {
    const v = raw[key] ?? "gelu";
    if (v === "gelu" || v === "gelu_new" || v === "relu") return v;
    throw new Error(`${source}: unsupported activation ${JSON.stringify(v)} in "${key}" (supported: gelu, gelu_new, relu)`);
  };
  let base: Omit<TokenClassificationConfig, "numLabels" | "id2label" | "label2id" | "hf">;
  if (modelType === "distilbert") {
    if (raw.sinusoidal_pos_embds === true) throw new Error(`${source}: sinusoidal_pos_embds=true is not supported`);
    const dropout = num("dropout", 0.1);
    base = {
      modelType,
      vocabSize: num("vocab_size"),
      hiddenSize: num("dim"),
      numLayers: num("n_layers"),
      numHeads: num("n_heads"),
      intermediateSize: num("hidden_dim"),
      maxPositionEmbeddings: num("max_position_embeddings", 512),
      typeVocabSize: 0,
      activation: act("activation"),
      hiddenDropout: dropout,
      attentionDropout: num("attention_dropout", 0.1),
      classifierDropout: dropout, // DistilBertForTokenClassification uses config.dropout
      layerNormEps: 1e-12, // hard-coded in HF's DistilBERT
      initializerRange: num("initializer_range", 0.02),
      padTokenId: num("pad_token_id", 0),
    };
  } else if (modelType === "bert") {
    const hidden = num("hidden_dropout_prob", 0.1);
    const cls = raw.classifier_dropout;
    base = {
      modelType,
      vocabSize: num("vocab_size"),
      hiddenSize: num("hidden_size"),
      numLayers: num("num_hidden_layers"),
      numHeads: num("num_attention_heads"),
      intermediateSize: num("intermediate_size"),
      maxPositionEmbeddings: num("max_position_embeddings", 512),
      typeVocabSize: num("type_vocab_size", 2),
      activation: act("hidden_act"),
      hiddenDropout: hidden,
      attentionDropout: num("attention_probs_dropout_prob", 0.1),
      classifierDropout: typeof cls === "number" ? cls : hidden,
      layerNormEps: num("layer_norm_eps", 1e-12),
      initializerRange: num("initializer_range", 0.02),
      padTokenId: num("pad_token_id", 0),
    };
    const pos = raw.position_embedding_type ?? "absolute";
    if (pos !== "absolute") throw new Error(`${source}: position_embedding_type ${JSON.stringify(pos)} is not supported (only "absolute")`);
  } else {
    if (modelType === undefined) throw new Error(`${source}: no "model_type" field (supported: distilbert, bert); add one to the config`);
    throw new Error(`${source}: unsupported model_type ${JSON.stringify(modelType)} (supported: distilbert, bert)`);
  }
  if (base.hiddenSize % base.numHeads !== 0) {
    throw new Error(`${source}: hidden size ${base.hiddenSize} is not a multiple of the number of heads ${base.numHeads}`);
  }
  const lab = resolveLabels(raw, labels, source);
  return { ...base, ...lab, hf: { ...raw } };
}

/**
 * Labels as HF resolves them: explicit id2label/label2id win, then numLabels (LABEL_i names),
 * then the checkpoint's own id2label, else 2 labels.
 */
function resolveLabels(raw: Record<string, unknown>, opts: LabelOptions, source: string): Pick<TokenClassificationConfig, "numLabels" | "id2label" | "label2id"> {
  let id2label: Record<number, string> | undefined;
  if (opts.id2label) id2label = normaliseId2Label(opts.id2label, "id2label option");
  else if (opts.label2id) id2label = invert(opts.label2id);
  const fromRaw = raw.id2label ? normaliseId2Label(raw.id2label as Record<string, string>, `${source} id2label`) : undefined;
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
    if (id2label[i] === undefined) throw new Error(`id2label must map every id 0..${numLabels - 1}; id ${i} is missing`);
  }
  const label2id = opts.label2id ? { ...opts.label2id } : invert(id2label);
  return { numLabels, id2label, label2id };
}

function normaliseId2Label(m: Record<number | string, string>, what: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(m)) {
    const id = Number(k);
    if (!Number.isInteger(id) || id < 0) throw new Error(`${what}: key ${JSON.stringify(k)} is not a label id`);
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
      classifier_dropout: config.classifierDropout === config.hiddenDropout ? (config.hf.classifier_dropout ?? null) : config.classifierDropout,
      layer_norm_eps: config.layerNormEps,
    });
  }
  // A num_labels field, if present, must not contradict id2label (HF reads id2label first).
  delete out.num_labels;
  delete out._num_labels;
  return out;
}

/** Default HF config objects for the two architectures at their base sizes (override fields as needed). */
export function defaultHfConfig(modelType: ModelType, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> =
    modelType === "distilbert"
      ? { model_type: "distilbert", vocab_size: 30522, dim: 768, n_layers: 6, n_heads: 12, hidden_dim: 3072, max_position_embeddings: 512,
          activation: "gelu", dropout: 0.1, attention_dropout: 0.1, seq_classif_dropout: 0.2, qa_dropout: 0.1, initializer_range: 0.02,
          pad_token_id: 0, sinusoidal_pos_embds: false, tie_weights_: true }
      : { model_type: "bert", vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
          max_position_embeddings: 512, type_vocab_size: 2, hidden_act: "gelu", hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1,
          classifier_dropout: null, layer_norm_eps: 1e-12, initializer_range: 0.02, pad_token_id: 0, position_embedding_type: "absolute" };
  return { ...base, ...overrides };
}
