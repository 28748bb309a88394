/**
 * What each notebook runs in each profile.
 *
 * - `full` (default): the tutorial's own hub model and hyperparameters, all data.
 * - `smoke` (NER_PROFILE=smoke): the same cells on a tiny randomly initialised model (the tutorial
 *   model's config scaled down, its real vocabulary) and small data subsets, so a notebook runs in
 *   about a minute on CPU. Nothing is downloaded: the smoke model has no pretrained weights.
 */
import { profile as envProfile, Profile } from "../env";

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

/** Training hyperparameters, named like src/training's TrainingArguments (a subset of them). */
export interface NotebookTraining {
  learningRate: number;
  perDeviceTrainBatchSize: number;
  perDeviceEvalBatchSize: number;
  numTrainEpochs: number;
  weightDecay: number;
  evalStrategy: "no" | "epoch";
  saveStrategy: "no" | "epoch";
  loadBestModelAtEnd: boolean;
  metricForBestModel: string;
  loggingSteps: number;
  seed: number;
}

/** A metric the tutorial reports, to compare with in the full profile. */
export interface TutorialResult {
  split: "validation" | "test";
  f1: number;
  accuracy?: number;
}

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
  /** What the Python tutorial reached (full profile). */
  tutorialResult: TutorialResult;
  /** Wall time of the whole notebook: measured (smoke) or a rough, unmeasured estimate (full). */
  expectedTime: string;
}

/**
 * The smoke model: big enough to learn visibly from scratch in a few hundred steps, small enough
 * for CPU. No dropout: a random model learning from ~50 batches per epoch needs every step.
 */
const SMOKE_MODEL: SmokeModelSize = { hiddenSize: 64, numLayers: 2, numHeads: 2, intermediateSize: 128, dropout: 0 };
/**
 * Smoke subsets. The random model needs about 144 optimizer updates (at batch 16) to leave the
 * "everything is O" plateau, so the training subset gives that many within the tutorial's epochs:
 * 768 rows for 3 epochs, 1152 for 2. Evaluation stays small.
 */
const SMOKE_TRAIN_STEPS = 144;
const SMOKE_EVAL_ROWS = 64;
/** Smoke learning rate: a random model learns nothing visible at the tutorials' 2e-5. */
const SMOKE_LEARNING_RATE = 5e-3;
/** Smoke length cap (tokens): covers nearly every sentence of the four corpora, keeps batches short. */
const SMOKE_MAX_LENGTH = 48;

interface TutorialSpec {
  title: string;
  corpus: NotebookSettings["corpus"];
  model: string;
  labelAllTokens: boolean;
  training: Partial<NotebookTraining> & Pick<NotebookTraining, "numTrainEpochs">;
  tutorialResult: TutorialResult;
  fullTime: string;
}

/** The tutorials' own settings (full profile). */
const TUTORIALS: Record<TutorialId, TutorialSpec> = {
  mit_restaurant: {
    title: "MIT Restaurant queries with distilbert-base-uncased",
    corpus: "mit_restaurant",
    model: "distilbert-base-uncased",
    labelAllTokens: false,
    training: { numTrainEpochs: 3, evalStrategy: "epoch" },
    tutorialResult: { split: "validation", f1: 0.79, accuracy: 0.92 },
    fullTime: "about 10 minutes on a GPU with tfjs-node-gpu; hours on CPU",
  },
  conll2003_distilbert: {
    title: "CoNLL-2003 with distilbert-base-uncased",
    corpus: "conll2003",
    model: "distilbert-base-uncased",
    labelAllTokens: true,
    training: { numTrainEpochs: 3, evalStrategy: "epoch" },
    tutorialResult: { split: "test", f1: 0.893 },
    fullTime: "about 20 minutes on a GPU with tfjs-node-gpu; many hours on CPU",
  },
  conll2003_bert_cased: {
    title: "CoNLL-2003 with bert-base-cased",
    corpus: "conll2003",
    model: "bert-base-cased",
    labelAllTokens: false,
    training: { numTrainEpochs: 3, evalStrategy: "epoch" },
    tutorialResult: { split: "validation", f1: 0.945 },
    fullTime: "about 40 minutes on a GPU with tfjs-node-gpu; many hours on CPU",
  },
  wikiann: {
    title: "WikiANN English with distilbert-base-uncased",
    corpus: "wikiann_en",
    model: "distilbert-base-uncased",
    labelAllTokens: true,
    training: { numTrainEpochs: 2, evalStrategy: "epoch" },
    tutorialResult: { split: "test", f1: 0.83 },
    fullTime: "about 20 minutes on a GPU with tfjs-node-gpu; many hours on CPU",
  },
  wnut17: {
    title: "WNUT-17 with distilbert-base-uncased (the Transformers token-classification guide)",
    corpus: "wnut17",
    model: "distilbert-base-uncased",
    labelAllTokens: false,
    training: {
      numTrainEpochs: 2,
      evalStrategy: "epoch",
      saveStrategy: "epoch",
      loadBestModelAtEnd: true,
    },
    // The guide's run ends near F1 0.41 on validation (a hard, noisy corpus).
    tutorialResult: { split: "validation", f1: 0.41 },
    fullTime: "about 5 minutes on a GPU with tfjs-node-gpu; an hour or more on CPU",
  },
};

const BASE_TRAINING: NotebookTraining = {
  learningRate: 2e-5,
  perDeviceTrainBatchSize: 16,
  perDeviceEvalBatchSize: 16,
  numTrainEpochs: 3,
  weightDecay: 0.01,
  evalStrategy: "epoch",
  saveStrategy: "no",
  loadBestModelAtEnd: false,
  metricForBestModel: "f1",
  loggingSteps: 50,
  seed: 42,
};

/**
 * Settings of one notebook in a profile (default: NER_PROFILE). In smoke the tutorial's epochs,
 * batch size and switches stay; the model shrinks, the data is subset, the learning rate rises
 * (a random model learns nothing visible at 2e-5 in a few steps) and every step is logged.
 */
export function notebookSettings(tutorial: TutorialId, profile: Profile = envProfile()): NotebookSettings {
  const spec = TUTORIALS[tutorial];
  if (!spec) throw new Error(`unknown tutorial ${JSON.stringify(tutorial)} (known: ${TUTORIAL_IDS.join(", ")})`);
  const training: NotebookTraining = { ...BASE_TRAINING, ...spec.training };
  const smoke = profile === "smoke";
  return {
    tutorial,
    title: spec.title,
    profile,
    corpus: spec.corpus,
    model: spec.model,
    randomInit: smoke,
    smokeModel: smoke ? { ...SMOKE_MODEL } : undefined,
    initSeed: 42,
    subset: smoke
      ? {
        train: Math.round((SMOKE_TRAIN_STEPS * training.perDeviceTrainBatchSize) / training.numTrainEpochs),
        validation: SMOKE_EVAL_ROWS,
        test: SMOKE_EVAL_ROWS,
      }
      : {},
    labelAllTokens: spec.labelAllTokens,
    maxLength: smoke ? SMOKE_MAX_LENGTH : 512,
    training: smoke ? { ...training, learningRate: SMOKE_LEARNING_RATE, loggingSteps: 4 } : training,
    tutorialResult: spec.tutorialResult,
    expectedTime: smoke ? "35–70 s on 2 CPU cores (measured, wasm backend)" : spec.fullTime,
  };
}

/**
 * A Hugging Face config.json object scaled down to `size` (vocabulary, positions and everything
 * else kept): DistilBERT's dim/n_layers/n_heads/hidden_dim, BERT's hidden_size/num_hidden_layers/
 * num_attention_heads/intermediate_size.
 */
export function scaleDownHfConfig(hf: Readonly<Record<string, unknown>>, size: SmokeModelSize): Record<string, unknown> {
  if (size.hiddenSize % size.numHeads !== 0) {
    throw new Error(`hiddenSize ${size.hiddenSize} is not a multiple of numHeads ${size.numHeads}`);
  }
  const out: Record<string, unknown> = { ...hf };
  if (hf.model_type === "distilbert") {
    Object.assign(out, { dim: size.hiddenSize, n_layers: size.numLayers, n_heads: size.numHeads, hidden_dim: size.intermediateSize });
    if (size.dropout !== undefined) Object.assign(out, { dropout: size.dropout, attention_dropout: size.dropout });
  } else if (hf.model_type === "bert") {
    Object.assign(out, {
      hidden_size: size.hiddenSize,
      num_hidden_layers: size.numLayers,
      num_attention_heads: size.numHeads,
      intermediate_size: size.intermediateSize,
    });
    if (size.dropout !== undefined) {
      Object.assign(out, { hidden_dropout_prob: size.dropout, attention_probs_dropout_prob: size.dropout, classifier_dropout: null });
    }
  } else {
    throw new Error(`cannot scale down model_type ${JSON.stringify(hf.model_type)} (supported: distilbert, bert)`);
  }
  return out;
}

/** The settings as rows (name, value) for a table at the top of a notebook. */
export function settingsRows(s: NotebookSettings): { setting: string; value: string }[] {
  const t = s.training;
  const sub = (n?: number) => (n === undefined ? "all" : String(n));
  const model = s.randomInit && s.smokeModel
    ? `${s.model} config scaled to ${s.smokeModel.numLayers} layers × ${s.smokeModel.hiddenSize} dims, random init (seed ${s.initSeed})`
    : `${s.model} (pretrained)`;
  return [
    { setting: "profile", value: s.profile },
    { setting: "corpus", value: s.corpus },
    { setting: "model", value: model },
    { setting: "rows used (train / validation / test)", value: `${sub(s.subset.train)} / ${sub(s.subset.validation)} / ${sub(s.subset.test)}` },
    { setting: "sub-word labels", value: s.labelAllTokens ? "every sub-word" : "first sub-word only (-100 elsewhere)" },
    { setting: "max length", value: String(s.maxLength) },
    { setting: "epochs", value: String(t.numTrainEpochs) },
    { setting: "learning rate", value: String(t.learningRate) },
    { setting: "batch size", value: String(t.perDeviceTrainBatchSize) },
    { setting: "weight decay", value: String(t.weightDecay) },
    { setting: "seed", value: String(t.seed) },
    { setting: s.randomInit ? "expected time" : "expected time (rough estimate, not measured)", value: s.expectedTime },
  ];
}
