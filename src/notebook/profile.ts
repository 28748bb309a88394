/**
 * What each notebook runs in each profile.
 *
 * - `full` (default): the tutorial's own hub model and hyperparameters, all data.
 * - `smoke` (NER_PROFILE=smoke): the same cells on a tiny randomly initialised model (the tutorial
 *   model's config scaled down, its real vocabulary) and small data subsets, so a notebook runs in
 *   about a minute on CPU. Nothing is downloaded: the smoke model has no pretrained weights.
 * - `workshop` (NER_PROFILE=workshop): a small pretrained BERT from the hub of the notebook's
 *   casing, the tutorial's data (whole or a large subset) and small-model hyperparameters, for
 *   about 10 minutes per notebook on a 4-core laptop CPU (see WORKSHOP below).
 */
import { profile as envProfile, Profile } from "../env";
import { DEFAULT_TRAINING_ARGUMENTS, type TrainingArguments } from "../training/options";

/** The five notebooks, one per tutorial. */
export type TutorialId = "mit_restaurant" | "conll2003_distilbert" | "conll2003_bert_cased" | "wikiann" | "wnut17";

export const TUTORIAL_IDS: readonly TutorialId[] = [
  "mit_restaurant",
  "conll2003_distilbert",
  "conll2003_bert_cased",
  "wikiann",
  "wnut17",
];

/** Sizes of the tiny encoder used in the smoke profile. */
export interface SmokeModelSize {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  /** Dropout everywhere in the encoder and before the classifier (default: the config's own). */
  dropout?: number;
}

/** The TrainingArguments a notebook sets (one vocabulary with the CLI and the Trainer: src/training/options.ts). */
export const NOTEBOOK_TRAINING_KEYS = [
  "learningRate",
  "perDeviceTrainBatchSize",
  "perDeviceEvalBatchSize",
  "numTrainEpochs",
  "weightDecay",
  "evalStrategy",
  "saveStrategy",
  "saveSteps",
  "loadBestModelAtEnd",
  "metricForBestModel",
  "loggingSteps",
  "seed",
] as const satisfies readonly (keyof TrainingArguments)[];

/** Training hyperparameters: the TrainingArguments a notebook sets. */
export type NotebookTraining = Pick<TrainingArguments, (typeof NOTEBOOK_TRAINING_KEYS)[number]>;

/** A metric the tutorial reports, to compare with in the full profile. */
export interface TutorialResult {
  split: "validation" | "test";
  f1: number;
  accuracy?: number;
}

/**
 * Where a full-profile training setting comes from: the tutorial's own code, Hugging Face's
 * TrainingArguments default (the tutorial sets nothing), our addition to the tutorial, or "lost": the
 * capture of the tutorial lost the code that set it (04's TrainingArguments), so HF's default stands in.
 */
export type SettingSource = "tutorial" | "HF default" | "ours" | "lost";

/** Everything a notebook needs to know about its run. */
export interface NotebookSettings {
  tutorial: TutorialId;
  title: string;
  profile: Profile;
  corpus: "mit_restaurant" | "conll2003" | "wnut17" | "wikiann_en";
  /** Hub id of the tutorial's model; also where the tokenizer (and, in smoke, the config) come from. */
  model: string;
  /** Smoke profile: build a random model of `smokeModel` size instead of loading weights. */
  randomInit: boolean;
  smokeModel?: SmokeModelSize;
  /** Seed of the random initialisation. */
  initSeed: number;
  /** Rows taken from each split (first N after a seeded shuffle); undefined = the whole split. */
  subset: { train?: number; validation?: number; test?: number };
  /** Label every sub-word of a word (true) or only its first one (false, others -100). */
  labelAllTokens: boolean;
  /** Truncate encodings to this many tokens (HF tokenizer default is the model max, 512). */
  maxLength: number;
  training: NotebookTraining;
  /** The split the Trainer evaluates on after each epoch (its `eval_dataset`). */
  evalSplit: "validation" | "test";
  /**
   * The pipeline's aggregation: "simple" where the tutorial groups entities, "none" where it shows per-token output.
   */
  pipelineAggregation: "simple" | "none";
  /** Full profile: where each training setting comes from (absent = the tutorial's). */
  trainingSources: Partial<Record<keyof NotebookTraining, SettingSource>>;
  /** What the Python tutorial reached (full profile); null when it prints no score. */
  tutorialResult: TutorialResult | null;
  /** Wall time of the whole notebook: measured (smoke) or a rough, unmeasured estimate (full). */
  expectedTime: string;
}

/**
 * The smoke model: big enough to learn visibly from scratch in a few hundred steps, small enough
 * for CPU. No dropout: a random model learning from ~50 batches per epoch needs every step.
 */
const SMOKE_MODEL: SmokeModelSize = { hiddenSize: 64, numLayers: 2, numHeads: 2, intermediateSize: 128, dropout: 0 };
/**
 * Smoke subsets. The random model needs about 144 optimizer updates at batch 16 to leave the
 * "everything is O" plateau, so the training subset gives that many sentences' worth within the
 * tutorial's epochs: 768 rows for 3 epochs, 1152 for 2 (at MIT's batch 8: 288 smaller updates).
 * Evaluation stays small.
 */
const SMOKE_TRAIN_STEPS = 144;
const SMOKE_REFERENCE_BATCH = 16;
const SMOKE_EVAL_ROWS = 64;
/** Smoke learning rate: a random model learns nothing visible at the tutorials' 2e-5. */
const SMOKE_LEARNING_RATE = 5e-3;
/** Smoke length cap (tokens): covers nearly every sentence of the four corpora, keeps batches short. */
const SMOKE_MAX_LENGTH = 48;

/**
 * Smoke training: the tutorial's epochs and switches, the smoke learning rate, a loss point every 4
 * steps, and batches of at least 16 (at lr 5e-3 and MIT's batch 8 the random model stalled: loss
 * 2.29 → 2.29, F1 0.015 after 3 epochs in a smoke run; at batch 16 it learns).
 */
function smokeTraining(training: NotebookTraining): NotebookTraining {
  return {
    ...training,
    learningRate: SMOKE_LEARNING_RATE,
    loggingSteps: 4,
    perDeviceTrainBatchSize: Math.max(training.perDeviceTrainBatchSize, SMOKE_REFERENCE_BATCH),
    perDeviceEvalBatchSize: Math.max(training.perDeviceEvalBatchSize, SMOKE_REFERENCE_BATCH),
  };
}

interface TutorialSpec {
  title: string;
  corpus: NotebookSettings["corpus"];
  model: string;
  labelAllTokens: boolean;
  evalSplit: NotebookSettings["evalSplit"];
  pipelineAggregation: NotebookSettings["pipelineAggregation"];
  /** Every training setting that differs from Hugging Face's default (HF_DEFAULT_TRAINING). */
  training: Partial<NotebookTraining>;
  /** Settings that are not the tutorial's own: HF defaults it relies on, and our additions. */
  sources: Partial<Record<keyof NotebookTraining, SettingSource>>;
  tutorialResult: TutorialResult | null;
  fullTime: string;
}

/** Hugging Face TrainingArguments defaults for the fields notebooks use (from the option table). */
const HF_DEFAULT_TRAINING: NotebookTraining = Object.fromEntries(
  NOTEBOOK_TRAINING_KEYS.map((k) => [k, DEFAULT_TRAINING_ARGUMENTS[k]]),
) as NotebookTraining;

/** WikiANN English train split size; the article logs every len(train) // batch size steps. */
const WIKIANN_TRAIN_ROWS = 20000;

/** The tutorials' own settings (full profile); docs/notebooks.md lists each tutorial's steps. */
const TUTORIALS: Record<TutorialId, TutorialSpec> = {
  mit_restaurant: {
    title: "MIT Restaurant queries with distilbert-base-uncased",
    corpus: "mit_restaurant",
    model: "distilbert-base-uncased",
    labelAllTokens: false,
    evalSplit: "test",
    pipelineAggregation: "simple",
    training: {
      learningRate: 2e-5,
      numTrainEpochs: 3,
      weightDecay: 0.01,
      evalStrategy: "epoch",
      saveStrategy: "epoch",
    },
    sources: {
      perDeviceTrainBatchSize: "HF default",
      perDeviceEvalBatchSize: "HF default",
      loggingSteps: "HF default",
    },
    tutorialResult: { split: "test", f1: 0.79, accuracy: 0.92 },
    fullTime: "about 10 minutes on a GPU with tfjs-node-gpu; hours on CPU",
  },
  conll2003_distilbert: {
    title: "CoNLL-2003 with distilbert-base-uncased",
    corpus: "conll2003",
    model: "distilbert-base-uncased",
    labelAllTokens: true,
    evalSplit: "validation",
    pipelineAggregation: "simple",
    training: {
      learningRate: 2e-5,
      perDeviceTrainBatchSize: 16,
      perDeviceEvalBatchSize: 16,
      numTrainEpochs: 3,
      weightDecay: 0.01,
      evalStrategy: "epoch",
      loggingSteps: 100,
      metricForBestModel: "f1",
    },
    // metric_for_best_model="f1" without load_best_model_at_end or evaluation: it selects nothing in the tutorial.
    sources: { evalStrategy: "ours", saveStrategy: "HF default", saveSteps: "HF default" },
    tutorialResult: { split: "test", f1: 0.893 },
    fullTime: "about 20 minutes on a GPU with tfjs-node-gpu; many hours on CPU",
  },
  conll2003_bert_cased: {
    title: "CoNLL-2003 with bert-base-cased",
    corpus: "conll2003",
    model: "bert-base-cased",
    // The tutorial's is_all_labels=True: every sub-word repeats its word's own label.
    labelAllTokens: true,
    evalSplit: "validation",
    pipelineAggregation: "none",
    training: {
      learningRate: 2e-5,
      perDeviceTrainBatchSize: 16,
      perDeviceEvalBatchSize: 16,
      numTrainEpochs: 3,
      weightDecay: 0.01,
      evalStrategy: "epoch",
    },
    sources: { loggingSteps: "HF default", saveStrategy: "HF default", saveSteps: "HF default" },
    tutorialResult: { split: "validation", f1: 0.945 },
    fullTime: "about 40 minutes on a GPU with tfjs-node-gpu; many hours on CPU",
  },
  wikiann: {
    title: "WikiANN English with distilbert-base-uncased",
    corpus: "wikiann_en",
    model: "distilbert-base-uncased",
    labelAllTokens: true,
    evalSplit: "validation",
    pipelineAggregation: "simple",
    training: {
      perDeviceTrainBatchSize: 16,
      perDeviceEvalBatchSize: 16,
      numTrainEpochs: 2,
      evalStrategy: "epoch",
      loggingSteps: Math.floor(WIKIANN_TRAIN_ROWS / 16),
    },
    // The capture lost the TrainingArguments body: batch size, epochs and logging_steps are the article's
    // variables; the rest is HF's default, except per-epoch evaluation (ours: it draws the epoch table).
    sources: {
      learningRate: "lost",
      weightDecay: "lost",
      evalStrategy: "ours",
      saveStrategy: "lost",
      saveSteps: "lost",
    },
    tutorialResult: { split: "test", f1: 0.83 },
    fullTime: "about 20 minutes on a GPU with tfjs-node-gpu; many hours on CPU",
  },
  wnut17: {
    title: "WNUT-17 with distilbert-base-uncased (the Transformers token-classification guide)",
    corpus: "wnut17",
    model: "distilbert-base-uncased",
    labelAllTokens: false,
    // The guide passes tokenized_wnut["test"] as eval_dataset.
    evalSplit: "test",
    pipelineAggregation: "none",
    training: {
      learningRate: 2e-5,
      perDeviceTrainBatchSize: 16,
      perDeviceEvalBatchSize: 16,
      numTrainEpochs: 2,
      weightDecay: 0.01,
      evalStrategy: "epoch",
      saveStrategy: "epoch",
      loadBestModelAtEnd: true,
    },
    // load_best_model_at_end without metric_for_best_model: HF keeps the checkpoint with the lowest eval loss.
    sources: { metricForBestModel: "HF default", loggingSteps: "HF default" },
    // The guide prints no score.
    tutorialResult: null,
    fullTime: "about 5 minutes on a GPU with tfjs-node-gpu; an hour or more on CPU",
  },
};

/**
 * The hub checkpoints of the workshop profile: their config.json as the hub serves it (Google's
 * miniatures have no model_type, which is read from the name as AutoConfig does) and the weight
 * files their repositories hold on main. Tests load random checkpoints of exactly these layouts.
 */
export const WORKSHOP_MODELS: Record<
  string,
  { cased: boolean; weightFiles: string[]; config: Record<string, unknown> }
> = {
  "google/bert_uncased_L-4_H-256_A-4": {
    cased: false,
    weightFiles: ["pytorch_model.bin"],
    config: {
      hidden_size: 256,
      hidden_act: "gelu",
      initializer_range: 0.02,
      vocab_size: 30522,
      hidden_dropout_prob: 0.1,
      num_attention_heads: 4,
      type_vocab_size: 2,
      max_position_embeddings: 512,
      num_hidden_layers: 4,
      intermediate_size: 1024,
      attention_probs_dropout_prob: 0.1,
    },
  },
  "distilbert-base-cased": {
    cased: true,
    weightFiles: ["model.safetensors", "pytorch_model.bin"],
    config: {
      activation: "gelu",
      architectures: ["DistilBertForMaskedLM"],
      attention_dropout: 0.1,
      dim: 768,
      dropout: 0.1,
      hidden_dim: 3072,
      initializer_range: 0.02,
      max_position_embeddings: 512,
      model_type: "distilbert",
      n_heads: 12,
      n_layers: 6,
      output_past: true,
      pad_token_id: 0,
      qa_dropout: 0.1,
      seq_classif_dropout: 0.2,
      sinusoidal_pos_embds: false,
      tie_weights_: true,
      vocab_size: 28996,
    },
  },
};

interface WorkshopSpec {
  model: keyof typeof WORKSHOP_MODELS & string;
  subset: NotebookSettings["subset"];
  maxLength: number;
  training: Partial<NotebookTraining>;
  time: string;
}

/**
 * Workshop settings. Uncased notebooks: BERT-Mini (google/bert_uncased_L-4_H-256_A-4, 11M
 * parameters, of Google's BERT miniatures, Turc et al. 2019), fine-tuned with the paper's
 * small-model range (lr 3e-4, batch 32); BERT-Small (L-4_H-512_A-8) costs about twice as much per
 * step, which 10 minutes cannot afford on a laptop CPU. No cased miniature exists on the hub, so the
 * cased CoNLL notebook uses distilbert-base-cased (66M, the cased model of the DistilBERT family the
 * tutorials use) on a subset. Times: CPU time per step measured by scripts/workshop-speed.ts, the
 * notebook total estimated from it (see docs/notebooks.md, "Workshop profile").
 */
const WORKSHOP_TRAINING: Partial<NotebookTraining> = {
  learningRate: 3e-4,
  perDeviceTrainBatchSize: 32,
  perDeviceEvalBatchSize: 64,
  weightDecay: 0.01,
};
const WORKSHOP: Record<TutorialId, WorkshopSpec> = {
  mit_restaurant: {
    model: "google/bert_uncased_L-4_H-256_A-4",
    subset: {},
    maxLength: 64,
    training: { ...WORKSHOP_TRAINING, numTrainEpochs: 2, loggingSteps: 20 },
    time:
      "about 10 minutes on a 4-core laptop CPU with the native tier (estimated from 2.3 s of CPU per " +
      "training step measured on one thread; 480 steps)",
  },
  conll2003_distilbert: {
    model: "google/bert_uncased_L-4_H-256_A-4",
    subset: {},
    maxLength: 128,
    training: { ...WORKSHOP_TRAINING, numTrainEpochs: 1, loggingSteps: 25 },
    time:
      "about 9 minutes on a 4-core laptop CPU with the native tier (estimated from 2.1–2.2 s of CPU " +
      "per training step measured on one thread; 439 steps)",
  },
  conll2003_bert_cased: {
    model: "distilbert-base-cased",
    subset: { train: 1600, validation: 500, test: 500 },
    maxLength: 128,
    training: {
      ...WORKSHOP_TRAINING,
      learningRate: 5e-5,
      perDeviceTrainBatchSize: 16,
      numTrainEpochs: 1,
      loggingSteps: 10,
    },
    time:
      "about 10 minutes on a 4-core laptop CPU with the native tier (estimated from 10.2–12.0 s of CPU " +
      "per training step measured on one thread; 100 steps)",
  },
  wikiann: {
    model: "google/bert_uncased_L-4_H-256_A-4",
    subset: { train: 15000, validation: 2000, test: 2000 },
    maxLength: 64,
    training: { ...WORKSHOP_TRAINING, numTrainEpochs: 1, loggingSteps: 25 },
    time:
      "about 10 minutes on a 4-core laptop CPU with the native tier (estimated from 2.3 s of CPU per " +
      "training step measured on one thread; 469 steps)",
  },
  wnut17: {
    model: "google/bert_uncased_L-4_H-256_A-4",
    subset: {},
    maxLength: 128,
    training: { ...WORKSHOP_TRAINING, numTrainEpochs: 4, loggingSteps: 20 },
    time:
      "about 9 minutes on a 4-core laptop CPU with the native tier (estimated from 2.1–2.2 s of CPU " +
      "per training step measured on one thread; 428 steps)",
  },
};

/**
 * Settings of one notebook in a profile (default: NER_PROFILE). In smoke the tutorial's epochs,
 * batch size and switches stay; the model shrinks, the data is subset, the learning rate rises
 * (a random model learns nothing visible at 2e-5 in a few steps) and every step is logged.
 */
export function notebookSettings(tutorial: TutorialId, profile: Profile = envProfile()): NotebookSettings {
  const spec = TUTORIALS[tutorial];
  if (!spec) throw new Error(`unknown tutorial ${JSON.stringify(tutorial)} (known: ${TUTORIAL_IDS.join(", ")})`);
  const training: NotebookTraining = { ...HF_DEFAULT_TRAINING, ...spec.training };
  const smoke = profile === "smoke";
  const workshop = profile === "workshop" ? WORKSHOP[tutorial] : undefined;
  return {
    tutorial,
    title: spec.title,
    profile,
    corpus: spec.corpus,
    model: workshop?.model ?? spec.model,
    randomInit: smoke,
    smokeModel: smoke ? { ...SMOKE_MODEL } : undefined,
    initSeed: 42,
    subset: smoke
      ? {
          train: Math.round((SMOKE_TRAIN_STEPS * SMOKE_REFERENCE_BATCH) / training.numTrainEpochs),
          validation: SMOKE_EVAL_ROWS,
          test: SMOKE_EVAL_ROWS,
        }
      : { ...workshop?.subset },
    labelAllTokens: spec.labelAllTokens,
    evalSplit: spec.evalSplit,
    pipelineAggregation: spec.pipelineAggregation,
    trainingSources: { ...spec.sources },
    maxLength: smoke ? SMOKE_MAX_LENGTH : (workshop?.maxLength ?? 512),
    training: smoke ? smokeTraining(training) : { ...training, ...workshop?.training },
    tutorialResult: spec.tutorialResult,
    expectedTime: smoke ? "35–70 s on 2 CPU cores (measured, wasm backend)" : (workshop?.time ?? spec.fullTime),
  };
}

/**
 * A Hugging Face config.json object scaled down to `size` (vocabulary, positions and everything
 * else kept): DistilBERT's dim/n_layers/n_heads/hidden_dim, BERT's hidden_size/num_hidden_layers/
 * num_attention_heads/intermediate_size.
 */
export function scaleDownHfConfig(
  hf: Readonly<Record<string, unknown>>,
  size: SmokeModelSize,
): Record<string, unknown> {
  if (size.hiddenSize % size.numHeads !== 0) {
    throw new Error(`hiddenSize ${size.hiddenSize} is not a multiple of numHeads ${size.numHeads}`);
  }
  const out: Record<string, unknown> = { ...hf };
  if (hf.model_type === "distilbert") {
    Object.assign(out, {
      dim: size.hiddenSize,
      n_layers: size.numLayers,
      n_heads: size.numHeads,
      hidden_dim: size.intermediateSize,
    });
    if (size.dropout !== undefined) Object.assign(out, { dropout: size.dropout, attention_dropout: size.dropout });
  } else if (hf.model_type === "bert") {
    Object.assign(out, {
      hidden_size: size.hiddenSize,
      num_hidden_layers: size.numLayers,
      num_attention_heads: size.numHeads,
      intermediate_size: size.intermediateSize,
    });
    if (size.dropout !== undefined) {
      Object.assign(out, {
        hidden_dropout_prob: size.dropout,
        attention_probs_dropout_prob: size.dropout,
        classifier_dropout: null,
      });
    }
  } else {
    throw new Error(`cannot scale down model_type ${JSON.stringify(hf.model_type)} (supported: distilbert, bert)`);
  }
  return out;
}

/** When the Trainer saves checkpoints: "none", "every epoch" or "every 500 steps". */
function checkpoints(t: NotebookTraining): string {
  if (t.saveStrategy === "no") return "none";
  return t.saveStrategy === "steps" ? `every ${t.saveSteps} steps` : `every ${t.saveStrategy}`;
}

/** The settings as rows (name, value) for a table at the top of a notebook. */
export function settingsRows(s: NotebookSettings): { setting: string; value: string }[] {
  const t = s.training;
  const sub = (n?: number) => (n === undefined ? "all" : String(n));
  const model =
    s.randomInit && s.smokeModel
      ? `${s.model} config scaled to ${s.smokeModel.numLayers} layers × ${s.smokeModel.hiddenSize} ` +
        `dims, random init (seed ${s.initSeed})`
      : `${s.model} (pretrained)`;
  // In full, say where a value comes from when it is not the tutorial's own; smoke changes some on purpose.
  const from = (key: keyof NotebookTraining, value: unknown): string => {
    const source = s.trainingSources[key];
    if (s.profile === "full" && source === "HF default") return `${value} (HF default; the tutorial sets none)`;
    if (s.profile === "full" && source === "ours") return `${value} (our addition)`;
    if (s.profile === "full" && source === "lost")
      return `${value} (HF default; the capture lost the tutorial's TrainingArguments)`;
    return String(value);
  };
  const smokeNote = (key: keyof NotebookTraining, value: unknown, why: string): string =>
    s.randomInit ? `${value} (smoke: ${why})` : from(key, value);
  return [
    { setting: "profile", value: s.profile },
    { setting: "corpus", value: s.corpus },
    { setting: "model", value: model },
    {
      setting: "rows used (train / validation / test)",
      value: `${sub(s.subset.train)} / ${sub(s.subset.validation)} / ${sub(s.subset.test)}`,
    },
    {
      setting: "sub-word labels",
      value: s.labelAllTokens ? "every sub-word (repeats the word's label)" : "first sub-word only (-100 elsewhere)",
    },
    { setting: "max length", value: String(s.maxLength) },
    { setting: "epochs", value: from("numTrainEpochs", t.numTrainEpochs) },
    { setting: "learning rate", value: smokeNote("learningRate", t.learningRate, "a random model needs a larger one") },
    {
      setting: "batch size (train / eval)",
      value: smokeNote(
        "perDeviceTrainBatchSize",
        `${t.perDeviceTrainBatchSize} / ${t.perDeviceEvalBatchSize}`,
        "at least 16",
      ),
    },
    { setting: "weight decay", value: from("weightDecay", t.weightDecay) },
    {
      setting: "evaluation",
      value: from(
        "evalStrategy",
        t.evalStrategy === "no" ? "none during training" : `every ${t.evalStrategy} on ${s.evalSplit}`,
      ),
    },
    { setting: "checkpoints", value: from("saveStrategy", checkpoints(t)) },
    {
      setting: "best model at end",
      value: t.loadBestModelAtEnd ? from("metricForBestModel", `yes, by eval ${t.metricForBestModel}`) : "no",
    },
    { setting: "logging steps", value: smokeNote("loggingSteps", t.loggingSteps, "a loss point every 4 steps") },
    { setting: "seed", value: String(t.seed) },
    { setting: "pipeline aggregation", value: s.pipelineAggregation },
    {
      setting: s.randomInit
        ? "expected time"
        : s.profile === "workshop"
          ? "expected time (step times measured, total estimated)"
          : "expected time (rough estimate, not measured)",
      value: s.expectedTime,
    },
  ];
}
