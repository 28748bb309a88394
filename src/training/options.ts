/**
 * Every option of the training job, declared once (Hugging Face's `HfArgumentParser` style): key (HF's
 * name in camelCase), type, default, range or choices, help, and the flag's older aliases. From these
 * tables come the `TrainingArguments` and job types, `resolveTrainingArguments`' checks, the job's
 * defaults, `--config` validation and the flags and `--help` of `ner train`, `ner evaluate` and
 * `ner predict` (src/cli/flags.ts). This module loads nothing: `ner --help` reads it.
 */

export type OptionType = "string" | "number" | "integer" | "boolean" | "choice" | "resume";

/** One option. A value absent from `default` means "unset" (the option is optional). */
export interface OptionSpec {
  type: OptionType;
  help: string;
  /** The library's default: Hugging Face's TrainingArguments default for its keys. */
  default?: unknown;
  /** `ner train`'s default where it differs: the main job (a small BERT from scratch). */
  job?: unknown;
  /** `ner train`'s default when it fine-tunes a pretrained checkpoint (falls back to `job`). */
  fineTune?: unknown;
  /** A default computed from the other options (after the constant defaults), and how help says it. */
  derived?: { text: string; from: (o: Readonly<Record<string, unknown>>) => unknown };
  min?: number;
  minExclusive?: boolean;
  max?: number;
  /** -1 is also allowed (HF's "unset", e.g. max_steps). */
  orMinusOne?: boolean;
  choices?: readonly string[];
  /** The flag's value placeholder, e.g. "<x>" (booleans take none; "[dir|auto]" is optional). */
  arg?: string;
  /** The flag when it is not `--<key in kebab case>`, e.g. "--no-shuffle". */
  flag?: string;
  /** Older or shorter flags for the same key, e.g. "--lr <x>" (also accepted as --config keys). */
  aliases?: readonly string[];
  /** The command cannot run without it (a required flag). */
  required?: boolean;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends { type: "number" | "integer" }
  ? number
  : S extends { type: "boolean" }
    ? boolean
    : S extends { type: "choice"; choices: readonly (infer C)[] }
      ? C
      : S extends { type: "resume" }
        ? string | boolean
        : string;

/** The arguments a table describes: keys with a default are always set, the others optional. */
export type ArgumentsOf<T> = {
  -readonly [K in keyof T as T[K] extends { default: NonNullable<unknown> } | { required: true } ? K : never]: ValueOf<
    T[K]
  >;
} & {
  -readonly [K in keyof T as T[K] extends { default: NonNullable<unknown> } | { required: true } ? never : K]?: ValueOf<
    T[K]
  >;
};

const STRATEGIES = ["epoch", "steps", "no"] as const;
const PROGRESS = ["auto", "bar", "notebook", "lines", "none"] as const;
const needsEvaluation = (o: Readonly<Record<string, unknown>>): boolean => o.evalStrategy !== "no";

/** Hugging Face's `TrainingArguments` the tutorials use, camelCased, with HF's defaults. */
export const TRAINING_OPTIONS = {
  outputDir: {
    type: "string",
    arg: "<dir>",
    aliases: ["-o, --output <dir>"],
    help: "where checkpoints (checkpoint-<step>/) and, for ner train, the model, metrics.json and run_card.json go",
  },
  overwriteOutputDir: {
    type: "boolean",
    default: false,
    help:
      "write into --output even when it is the --model directory or a non-empty directory without an earlier " +
      "run's output (HF's overwrite_output_dir; files the run does not write are kept either way)",
  },
  numTrainEpochs: {
    type: "number",
    default: 3,
    job: 4,
    fineTune: 3,
    min: 0,
    minExclusive: true,
    aliases: ["--epochs <n>"],
    help: "number of epochs",
  },
  learningRate: {
    type: "number",
    default: 5e-5,
    job: 1e-3,
    fineTune: 2e-5,
    min: 0,
    minExclusive: true,
    arg: "<x>",
    aliases: ["--lr <x>"],
    help: "peak learning rate",
  },
  perDeviceTrainBatchSize: {
    type: "integer",
    default: 8,
    job: 16,
    min: 1,
    aliases: ["--batch-size <n>"],
    help: "training batch size",
  },
  perDeviceEvalBatchSize: {
    type: "integer",
    default: 8,
    min: 1,
    aliases: ["--eval-batch-size <n>"],
    derived: { text: "2x the training batch size", from: (o) => 2 * (o.perDeviceTrainBatchSize as number) },
    help: "evaluation batch size",
  },
  gradientAccumulationSteps: {
    type: "integer",
    default: 1,
    min: 1,
    aliases: ["--grad-accum <n>"],
    help: "gradient accumulation steps",
  },
  weightDecay: {
    type: "number",
    default: 0,
    job: 0.01,
    min: 0,
    arg: "<x>",
    help: "AdamW weight decay, not on biases/LayerNorm",
  },
  adamBeta1: { type: "number", default: 0.9, min: 0, max: 1, arg: "<x>", help: "AdamW beta1" },
  adamBeta2: { type: "number", default: 0.999, min: 0, max: 1, arg: "<x>", help: "AdamW beta2" },
  adamEpsilon: { type: "number", default: 1e-8, min: 0, arg: "<x>", help: "AdamW epsilon" },
  maxGradNorm: {
    type: "number",
    default: 1.0,
    min: 0,
    arg: "<x>",
    help: "clip gradients to this global norm; 0 disables",
  },
  lrSchedulerType: {
    type: "choice",
    default: "linear",
    choices: ["linear", "constant"],
    arg: "<s>",
    help: "learning-rate schedule",
  },
  warmupRatio: {
    type: "number",
    default: 0,
    job: 0.1,
    fineTune: 0,
    min: 0,
    max: 1,
    arg: "<ratio>",
    aliases: ["--warmup <ratio>"],
    help: "linear warmup as a fraction of all steps",
  },
  warmupSteps: { type: "integer", default: 0, min: 0, help: "linear warmup in steps (overrides --warmup-ratio)" },
  maxSteps: {
    type: "integer",
    default: -1,
    min: 1,
    orMinusOne: true,
    help: "stop after this many optimizer steps (overrides --num-train-epochs); -1: unset",
  },
  seed: { type: "integer", default: 42, min: 0, help: "seed for initialisation, shuffling and dropout" },
  shuffle: {
    type: "boolean",
    default: true,
    flag: "--no-shuffle",
    help: "keep the training order (no per-epoch shuffle; HF always shuffles, off is for debugging)",
  },
  evalStrategy: {
    type: "choice",
    default: "no",
    job: "epoch",
    choices: STRATEGIES,
    arg: "<s>",
    help: "when to evaluate",
  },
  evalSteps: { type: "integer", default: 500, min: 1, help: "evaluate every n steps with --eval-strategy steps" },
  saveStrategy: {
    type: "choice",
    default: "steps",
    choices: STRATEGIES,
    arg: "<s>",
    derived: {
      text: "steps with --eval-strategy steps, else epoch",
      from: (o) => (o.evalStrategy === "steps" ? "steps" : "epoch"),
    },
    help: "when to save a checkpoint",
  },
  saveSteps: {
    type: "integer",
    default: 500,
    min: 1,
    derived: { text: "--eval-steps", from: (o) => o.evalSteps },
    help: "checkpoint every n steps with --save-strategy steps",
  },
  saveTotalLimit: {
    type: "integer",
    default: 0,
    job: 1,
    min: 0,
    help: "keep at most n checkpoints (plus the best); 0 keeps all",
  },
  loggingSteps: { type: "integer", default: 500, job: 50, min: 1, help: "log the mean training loss every n steps" },
  loadBestModelAtEnd: { type: "boolean", default: false, help: "end with the best model by --metric-for-best-model" },
  metricForBestModel: {
    type: "string",
    default: "loss",
    job: "f1",
    arg: "<name>",
    help: "metric for the best model, with or without eval_, e.g. f1 or loss",
  },
  greaterIsBetter: {
    type: "boolean",
    help: "a larger --metric-for-best-model is better (default: true unless the metric is a loss)",
  },
  earlyStoppingPatience: {
    type: "integer",
    default: 0,
    min: 0,
    help: "stop after n evaluations without improvement; 0 never stops",
  },
  earlyStoppingThreshold: {
    type: "number",
    default: 0,
    min: 0,
    arg: "<x>",
    help: "the improvement that counts for patience",
  },
  resumeFromCheckpoint: {
    type: "resume",
    arg: "[dir|auto]",
    aliases: ["--resume [dir|auto]"],
    help:
      "resume from the latest checkpoint in --output (an error if there is none), from the given " +
      "checkpoint, or with 'auto' from the latest one if any",
  },
  progress: { type: "choice", default: "auto", choices: PROGRESS, arg: "<mode>", help: "progress display" },
} as const satisfies OptionTable;

/** run_ner.py's ModelArguments and DataTrainingArguments: what `ner train` trains, on what. */
export const JOB_OPTIONS = {
  data: {
    type: "string",
    default: "mit_restaurant",
    arg: "<spec>",
    help:
      "corpus name (mit_restaurant, conll2003, wnut17, wikiann_en; :split for evaluation) " +
      "or train.jsonl[,valid.jsonl]",
  },
  model: {
    type: "string",
    default: "scratch",
    arg: "<name|dir|config.json|scratch>",
    help: "Hub model or checkpoint dir to fine-tune, an HF config.json to train from scratch, or 'scratch'",
  },
  tokenizer: {
    type: "string",
    arg: "<name|dir>",
    derived: {
      text: "the model's; bert-base-uncased from scratch",
      from: (o) => (isFromScratch(String(o.model)) ? "bert-base-uncased" : o.model),
    },
    help: "tokenizer",
  },
  labels: {
    type: "string",
    arg: "<list|file>",
    help: "label names for JSONL data: comma-separated, or a file (JSON array, id→label object, one per line)",
  },
  maxLength: {
    type: "integer",
    default: 512,
    job: 32,
    fineTune: 512,
    min: 3,
    help: "truncate sentences to this many tokens (at most the model's max_position_embeddings)",
  },
  maxTrainSamples: { type: "integer", min: 1, help: "use only the first n training sentences" },
  maxEvalSamples: { type: "integer", min: 1, help: "use only the first n evaluation sentences" },
  labelAllTokens: { type: "boolean", default: false, help: "also train on non-first sub-tokens" },
  hiddenSize: { type: "integer", default: 128, min: 1, help: "scratch model: hidden size (config.json's hidden_size)" },
  numLayers: {
    type: "integer",
    default: 2,
    min: 1,
    aliases: ["--layers <n>"],
    help: "scratch model: encoder layers (config.json's num_hidden_layers)",
  },
  numHeads: {
    type: "integer",
    default: 2,
    min: 1,
    aliases: ["--heads <n>"],
    help: "scratch model: attention heads (config.json's num_attention_heads)",
  },
  intermediateSize: {
    type: "integer",
    default: 512,
    min: 1,
    help: "scratch model: feed-forward size (config.json's intermediate_size)",
  },
  backend: { type: "string", arg: "<name>", help: "tfjs backend (default: the best available, or NER_BACKEND)" },
} as const satisfies OptionTable;

/** `ner evaluate`: a trained model on a corpus split or JSONL file (the job's model and data options, named alike). */
export const EVALUATE_OPTIONS = {
  model: { type: "string", required: true, arg: "<dir>", help: "trained model directory (or Hub name)" },
  data: {
    type: "string",
    required: true,
    arg: "<corpus:split|file.jsonl>",
    help: "e.g. mit_restaurant:test, conll2003:validation, test.jsonl",
  },
  labels: { type: "string", arg: "<list|file>", help: "label names for JSONL files that store ner_tags ids" },
  perDeviceEvalBatchSize: {
    type: "integer",
    default: 32,
    min: 1,
    aliases: ["--eval-batch-size <n>", "--batch-size <n>"],
    help: "evaluation batch size (--batch-size is its old name here; in ner train it is the training batch)",
  },
  maxLength: { ...JOB_OPTIONS.maxLength, job: undefined, fineTune: undefined },
  predictions: {
    type: "string",
    arg: "<file>",
    help: "where to write `token gold pred` lines (default <model>/predictions-<data>.conll)",
  },
  backend: JOB_OPTIONS.backend,
} as const satisfies OptionTable;

/** `ner predict`: Hugging Face's token-classification pipeline arguments. */
export const PREDICT_OPTIONS = {
  model: {
    type: "string",
    required: true,
    arg: "<dir|name>",
    help: "model directory or hub name (config.json + model.safetensors + tokenizer files)",
  },
  tokenizer: { type: "string", arg: "<dir|name>", help: "tokenizer directory or hub name (default: the model's)" },
  // A string: the pipeline parses it (case-insensitively, as HF) and names the strategies in its error.
  aggregationStrategy: {
    type: "string",
    default: "simple",
    arg: "<strategy>",
    flag: "--aggregation",
    help: "how sub-token predictions become entities, HF's aggregation_strategy: none | simple | first | average | max",
  },
  ignoreLabels: {
    type: "string",
    arg: "<labels|file>",
    help: "labels to leave out: comma-separated or a label file (default O; pass '' to keep all)",
  },
  stride: {
    type: "integer",
    min: 0,
    help: "process long texts in overlapping windows sharing n tokens (not with --aggregation none)",
  },
  batchSize: { type: "integer", default: 8, min: 1, help: "windows per forward pass (the pipeline's batch_size)" },
  input: { type: "string", arg: "<file>", help: "read texts from a file, one per line (JSON lines out)" },
  html: { type: "string", arg: "<file>", help: "also write a standalone HTML page with the entities highlighted" },
} as const satisfies OptionTable;

export type TrainingArguments = ArgumentsOf<typeof TRAINING_OPTIONS>;
export type IntervalStrategy = (typeof STRATEGIES)[number];
/** What the progress display should be: `auto` picks a bar in a terminal, in-place output in tslab, lines otherwise. */
export type ProgressMode = (typeof PROGRESS)[number];
/** The job's model and data arguments (run_ner.py's ModelArguments and DataTrainingArguments). */
export type JobArguments = ArgumentsOf<typeof JOB_OPTIONS>;
/** Everything `ner train` resolves to: the job's arguments and TrainingArguments, every default filled. */
export type TrainJobOptions = JobArguments & TrainingArguments & { outputDir: string };
/** `ner evaluate`'s options (model and data required). */
export type EvaluateJobOptions = ArgumentsOf<typeof EVALUATE_OPTIONS>;
/** `ner predict`'s options. */
export type PredictOptions = ArgumentsOf<typeof PREDICT_OPTIONS>;

/** An option's name in Hugging Face's Python: the key in snake_case (learningRate → learning_rate). */
export function hfName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A model argument that builds a random model (the scratch BERT or an HF config.json) rather than loading weights. */
export function isFromScratch(model: string): boolean {
  return model === "scratch" || /\.json$/i.test(model);
}

/** The `default` of every option of a table that has one. */
export function defaultsOf<T extends OptionTable>(table: T): ArgumentsOf<T> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) if (spec.default !== undefined) out[key] = spec.default;
  return out as ArgumentsOf<T>;
}

/** `given` (its set values) over the table's defaults. */
export function withDefaults<T extends OptionTable>(
  table: T,
  given: Readonly<Partial<ArgumentsOf<T>>>,
): ArgumentsOf<T> {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...defaultsOf(table), ...defined } as ArgumentsOf<T>;
}

/** Hugging Face's TrainingArguments defaults. */
export const DEFAULT_TRAINING_ARGUMENTS: TrainingArguments = defaultsOf(TRAINING_OPTIONS);

/** `ner train`'s options: the job's and TrainingArguments, in help order. */
export const TRAIN_JOB_OPTIONS: OptionTable = { ...JOB_OPTIONS, ...TRAINING_OPTIONS };

/**
 * `ner train`'s defaults: HF's, then the main job's (`job`), then the fine-tuning recipe's when the model
 * is a pretrained checkpoint (`fineTune`), then the given values, then the derived defaults of what is unset.
 */
export function resolveJobDefaults(given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const model = (defined.model ?? JOB_OPTIONS.model.default) as string;
  const pretrained = !isFromScratch(model);
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(TRAIN_JOB_OPTIONS)) {
    const value = pretrained && spec.fineTune !== undefined ? spec.fineTune : (spec.job ?? spec.default);
    if (value !== undefined) out[key] = value;
  }
  // An explicit warmup in steps (even 0) replaces the default ratio, as in HF where the ratio defaults to 0.
  if (defined.warmupSteps !== undefined && defined.warmupRatio === undefined) out.warmupRatio = 0;
  Object.assign(out, defined);
  for (const [key, spec] of Object.entries(TRAIN_JOB_OPTIONS)) {
    if (spec.derived && defined[key] === undefined) out[key] = spec.derived.from(out);
  }
  return out;
}

/** "(default …)" for help: the command's default, saying where scratch and fine-tuning differ. */
export function defaultText(spec: OptionSpec, forJob: boolean): string {
  const show = (v: unknown) =>
    typeof v === "number" && v !== 0 && Math.abs(v) < 0.01
      ? v.toExponential()
      : typeof v === "string"
        ? v
        : JSON.stringify(v);
  if (spec.type === "boolean") return ""; // a switch: absent is the default
  if (forJob && spec.derived) return ` (default: ${spec.derived.text})`;
  const scratch = forJob ? (spec.job ?? spec.default) : spec.default;
  if (forJob && spec.fineTune !== undefined && spec.fineTune !== scratch) {
    return ` (default ${show(scratch)} from scratch, ${show(spec.fineTune)} fine-tuning)`;
  }
  return scratch === undefined ? "" : ` (default ${show(scratch)})`;
}

/** Check one value against its option; `name` says in errors where it came from (a flag, or a --config key). */
export function checkOptionValue(spec: OptionSpec, value: unknown, name: string): unknown {
  switch (spec.type) {
    case "number":
    case "integer":
      if (!(typeof value === "number" && Number.isFinite(value))) {
        throw new RangeError(`${name} must be a number, got ${JSON.stringify(value)}`);
      }
      checkRange(spec, value, name);
      return value;
    case "boolean":
      if (typeof value !== "boolean")
        throw new RangeError(`${name} must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case "resume":
      if (typeof value !== "boolean" && typeof value !== "string") {
        throw new RangeError(`${name} must be true, "auto" or a checkpoint directory`);
      }
      return value;
    case "choice": {
      const list = spec.choices ?? [];
      if (typeof value !== "string" || !list.includes(value)) {
        throw new RangeError(
          `${name} must be ${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}, got ${JSON.stringify(value)}`,
        );
      }
      return value;
    }
    default:
      if (typeof value !== "string") throw new RangeError(`${name} must be a string, got ${JSON.stringify(value)}`);
      return value;
  }
}

function checkRange(spec: OptionSpec, n: number, name: string): void {
  if (spec.orMinusOne && n === -1) return;
  const integer = spec.type === "integer";
  const min = spec.min ?? -Infinity;
  const below = spec.minExclusive ? n <= min : n < min;
  if (!(integer && !Number.isInteger(n)) && !below && !(spec.max !== undefined && n > spec.max)) return;
  const lower = spec.min !== undefined ? ` ${spec.minExclusive ? ">" : "≥"} ${spec.min}` : "";
  const upper = spec.max !== undefined ? ` and ≤ ${spec.max}` : "";
  const what = integer ? "an integer" : "a number";
  throw new RangeError(`${name} must be ${what}${lower}${upper}${spec.orMinusOne ? " (or -1)" : ""}, got ${n}`);
}

/** Check every set value of `args` against `table` (errors name the key). */
export function checkOptions(table: OptionTable, args: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(args)) {
    const spec = table[key];
    if (spec && value !== undefined) checkOptionValue(spec, value, key);
  }
}

/** TrainingArguments filled with HF's defaults and checked; throws a RangeError naming the bad argument. */
export function resolveTrainingArguments(partial: Partial<TrainingArguments> = {}): TrainingArguments {
  const args = withDefaults(TRAINING_OPTIONS, partial);
  checkOptions(TRAINING_OPTIONS, args);
  if (!(args.numTrainEpochs > 0) && !(args.maxSteps > 0)) {
    throw new RangeError(`numTrainEpochs must be > 0 (or set maxSteps), got ${args.numTrainEpochs}`);
  }
  for (const k of ["loadBestModelAtEnd", "earlyStoppingPatience"] as const) {
    if (args[k] && !needsEvaluation(args))
      throw new RangeError(`${k} needs an evaluation strategy ("epoch" or "steps")`);
  }
  return args;
}
