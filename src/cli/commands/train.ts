/**
 * `ner train`: train a token classifier and evaluate it (the project's main job).
 *   ner train                                       small BERT from scratch on MIT Restaurant (offline, ~10 min on 2 cores)
 *   ner train --model distilbert-base-uncased --learning-rate 2e-5 --num-train-epochs 3     the tutorial's fine-tuning
 *   ner train --data train.jsonl,valid.jsonl --labels O,B-X,I-X --output out/
 *   ner train --config train.json                   the same options as a JSON object (flags override it)
 *
 * Training flags are Hugging Face's TrainingArguments (`--learning-rate`, `--per-device-train-batch-size`,
 * …), one flag per TrainingArguments key; the short flags of earlier versions (`--lr`, `--batch-size`,
 * `--epochs`, …) stay as aliases. `--config` keys are the same names in camelCase (aliases too).
 */
import type { Command } from "commander";
import * as fs from "fs";
import { checkWritableOutput } from "../../util/files";
import type { TrainJobOptions } from "../../training/job";
import { BACKEND_CHOICES, DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import { reportCliError } from "../errors";

type Kind = "string" | "number" | "integer" | "boolean" | "choice" | "resume";

/** One option of `ner train`: its key in TrainJobOptions, its flag, its aliases and its checks. */
interface OptionSpec {
  key: keyof TrainJobOptions;
  /** Commander flags of the canonical option, e.g. "--learning-rate <x>". */
  flags: string;
  /** Older or shorter flags for the same key, e.g. "--lr <x>". */
  aliases?: string[];
  kind: Kind;
  help: string;
  min?: number;
  minExclusive?: boolean;
  max?: number;
  /** -1 is also allowed (e.g. max steps "unset"). */
  orMinusOne?: boolean;
  choices?: readonly string[];
}

const OPTIONS: readonly OptionSpec[] = [
  // ---- data and model (run_ner.py's DataTrainingArguments / ModelArguments)
  { key: "data", flags: "--data <spec>", kind: "string", help: "corpus name (mit_restaurant, conll2003, wnut17, wikiann_en) or train.jsonl[,valid.jsonl]" },
  { key: "model", flags: "--model <name|dir|config.json|scratch>", kind: "string", help: "Hub model or checkpoint dir to fine-tune, an HF config.json to train from scratch, or 'scratch' (default)" },
  { key: "tokenizer", flags: "--tokenizer <name|dir>", kind: "string", help: "tokenizer (default: the model's; bert-base-uncased for scratch)" },
  { key: "outputDir", flags: "--output-dir <dir>", aliases: ["-o, --output <dir>"], kind: "string", help: "output directory (model in HF layout, metrics.json, run_card.json, report, checkpoints)" },
  { key: "labels", flags: "--labels <list|file>", kind: "string", help: "label names for JSONL data: comma-separated, or a file (JSON array, id→label object, one per line)" },
  { key: "maxLength", flags: "--max-length <n>", kind: "integer", min: 3, help: "truncate sentences to this many tokens (default 32 from scratch, 512 fine-tuning)" },
  { key: "maxTrainSamples", flags: "--max-train-samples <n>", kind: "integer", min: 1, help: "use only the first n training sentences" },
  { key: "maxEvalSamples", flags: "--max-eval-samples <n>", kind: "integer", min: 1, help: "use only the first n evaluation sentences" },
  { key: "labelAllTokens", flags: "--label-all-tokens", kind: "boolean", help: "also train on non-first sub-tokens" },
  { key: "hiddenSize", flags: "--hidden-size <n>", kind: "integer", min: 1, help: "scratch model: hidden size (default 128)" },
  { key: "layers", flags: "--layers <n>", kind: "integer", min: 1, help: "scratch model: encoder layers (default 2)" },
  { key: "heads", flags: "--heads <n>", kind: "integer", min: 1, help: "scratch model: attention heads (default 2)" },
  { key: "intermediateSize", flags: "--intermediate-size <n>", kind: "integer", min: 1, help: "scratch model: feed-forward size (default 512)" },
  { key: "backend", flags: "--backend <name>", kind: "string", help: `tfjs backend: ${BACKEND_CHOICES} (default: best available, or NER_BACKEND)` },
  // ---- TrainingArguments
  { key: "numTrainEpochs", flags: "--num-train-epochs <n>", aliases: ["--epochs <n>"], kind: "number", min: 0, minExclusive: true, help: "number of epochs (default 4 from scratch, 3 fine-tuning)" },
  { key: "learningRate", flags: "--learning-rate <x>", aliases: ["--lr <x>"], kind: "number", min: 0, minExclusive: true, help: "peak learning rate (default 1e-3 from scratch, 2e-5 fine-tuning)" },
  { key: "perDeviceTrainBatchSize", flags: "--per-device-train-batch-size <n>", aliases: ["--batch-size <n>"], kind: "integer", min: 1, help: "training batch size (default 16)" },
  { key: "perDeviceEvalBatchSize", flags: "--per-device-eval-batch-size <n>", aliases: ["--eval-batch-size <n>"], kind: "integer", min: 1, help: "evaluation batch size (default 2x the training batch size)" },
  { key: "gradientAccumulationSteps", flags: "--gradient-accumulation-steps <n>", aliases: ["--grad-accum <n>"], kind: "integer", min: 1, help: "gradient accumulation steps (default 1)" },
  { key: "weightDecay", flags: "--weight-decay <x>", kind: "number", min: 0, help: "AdamW weight decay, not on biases/LayerNorm (default 0.01)" },
  { key: "adamBeta1", flags: "--adam-beta1 <x>", kind: "number", min: 0, max: 1, help: "AdamW beta1 (default 0.9)" },
  { key: "adamBeta2", flags: "--adam-beta2 <x>", kind: "number", min: 0, max: 1, help: "AdamW beta2 (default 0.999)" },
  { key: "adamEpsilon", flags: "--adam-epsilon <x>", kind: "number", min: 0, help: "AdamW epsilon (default 1e-8)" },
  { key: "maxGradNorm", flags: "--max-grad-norm <x>", kind: "number", min: 0, help: "clip gradients to this global norm; 0 disables (default 1.0)" },
  { key: "lrSchedulerType", flags: "--lr-scheduler-type <s>", kind: "choice", choices: ["linear", "constant"], help: "linear | constant (default linear)" },
  { key: "warmupRatio", flags: "--warmup-ratio <ratio>", aliases: ["--warmup <ratio>"], kind: "number", min: 0, max: 1, help: "linear warmup as a fraction of all steps (default 0.1 from scratch, 0 fine-tuning)" },
  { key: "warmupSteps", flags: "--warmup-steps <n>", kind: "integer", min: 0, help: "linear warmup in steps (overrides --warmup-ratio)" },
  { key: "maxSteps", flags: "--max-steps <n>", kind: "integer", min: 1, orMinusOne: true, help: "stop after this many optimizer steps (overrides --num-train-epochs)" },
  { key: "seed", flags: "--seed <n>", kind: "integer", min: 0, help: "seed for initialisation, shuffling and dropout (default 42)" },
  { key: "shuffle", flags: "--no-shuffle", kind: "boolean", help: "keep the training order (no per-epoch shuffle)" },
  { key: "evalStrategy", flags: "--eval-strategy <s>", kind: "choice", choices: ["epoch", "steps", "no"], help: "epoch | steps | no (default epoch)" },
  { key: "evalSteps", flags: "--eval-steps <n>", kind: "integer", min: 1, help: "evaluate every n steps with --eval-strategy steps (default 500)" },
  { key: "saveStrategy", flags: "--save-strategy <s>", kind: "choice", choices: ["epoch", "steps", "no"], help: "epoch | steps | no (default: steps with --eval-strategy steps, else epoch)" },
  { key: "saveSteps", flags: "--save-steps <n>", kind: "integer", min: 1, help: "checkpoint every n steps with --save-strategy steps (default: --eval-steps)" },
  { key: "saveTotalLimit", flags: "--save-total-limit <n>", kind: "integer", min: 0, help: "keep at most n checkpoints (plus the best); 0 keeps all (default 1)" },
  { key: "loadBestModelAtEnd", flags: "--load-best-model-at-end", kind: "boolean", help: "end with the best model by --metric-for-best-model" },
  { key: "metricForBestModel", flags: "--metric-for-best-model <name>", kind: "string", help: "metric for the best model, e.g. f1 or loss (default f1)" },
  { key: "loggingSteps", flags: "--logging-steps <n>", kind: "integer", min: 1, help: "log the training loss every n steps (default 50)" },
  {
    key: "resumeFromCheckpoint", flags: "--resume-from-checkpoint [dir|auto]", aliases: ["--resume [dir|auto]"], kind: "resume",
    help: "resume from the latest checkpoint in --output (an error if there is none), from the given checkpoint, or with 'auto' from the latest one if any",
  },
  { key: "progress", flags: "--progress <mode>", kind: "choice", choices: ["auto", "bar", "notebook", "lines", "none"], help: "auto | bar | lines | none (default auto)" },
];

/** The attribute commander gives a flag: `--per-device-train-batch-size <n>` → perDeviceTrainBatchSize, `--no-shuffle` → shuffle. */
function attributeOf(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((f) => f.startsWith("--"))!;
  return long.replace(/^--(no-)?/, "").replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The long flag of a commander flags string (for messages). */
function longFlag(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((f) => f.startsWith("--"))!;
  return long.startsWith("--no-") ? `--${long.slice(5)}` : long;
}

/** Every name an option goes by (canonical first), with its flag: the vocabulary of flags and --config keys. */
const NAMES: ReadonlyMap<string, { spec: OptionSpec; flag: string }> = new Map(
  OPTIONS.flatMap((spec) => [spec.flags, ...(spec.aliases ?? [])].map((f) => [attributeOf(f), { spec, flag: longFlag(f) }] as const)),
);

/** Flags as commander hands them over (strings; booleans for switches). */
export type Flags = Record<string, string | boolean | undefined>;

/** Check one value against its option; `name` says where it came from in errors (a flag, or a --config key). */
function checkValue(spec: OptionSpec, v: unknown, name: string, fromFlag: boolean): unknown {
  switch (spec.kind) {
    case "number":
    case "integer": {
      let n: number;
      if (fromFlag) {
        n = Number(v);
        if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n)) throw new Error(`${name}: expected a number, got ${JSON.stringify(v)}`);
      } else {
        if (!(typeof v === "number" && Number.isFinite(v))) throw new Error(`${name} must be a number, got ${JSON.stringify(v)}`);
        n = v;
      }
      checkRange(spec, n, name);
      return n;
    }
    case "boolean":
      if (typeof v !== "boolean") throw new Error(`${name} must be true or false, got ${JSON.stringify(v)}`);
      return v;
    case "resume":
      if (typeof v !== "boolean" && typeof v !== "string") throw new Error(`${name} must be true, "auto" or a checkpoint directory`);
      return v;
    case "choice":
      if (typeof v !== "string" || !spec.choices!.includes(v)) {
        const list = spec.choices!;
        throw new Error(`${name} must be ${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}, got ${JSON.stringify(v)}`);
      }
      return v;
    default:
      if (typeof v !== "string") throw new Error(`${name} must be a string, got ${JSON.stringify(v)}`);
      return v;
  }
}

function checkRange(spec: OptionSpec, n: number, flag: string): void {
  if (spec.orMinusOne && n === -1) return;
  const integer = spec.kind === "integer";
  const min = spec.min ?? -Infinity;
  const bad = (integer && !Number.isInteger(n)) || (spec.minExclusive ? n <= min : n < min) || (spec.max !== undefined && n > spec.max);
  if (!bad) return;
  const lower = spec.min !== undefined ? ` ${spec.minExclusive ? ">" : "≥"} ${spec.min}` : "";
  const upper = spec.max !== undefined ? ` and ≤ ${spec.max}` : "";
  throw new Error(`${flag} must be ${integer ? "an integer" : "a number"}${lower}${upper}${spec.orMinusOne ? " (or -1)" : ""}, got ${n}`);
}

/**
 * Put the values of one source (the --config object, or the flags) under their canonical keys,
 * checked. Two names of one option in the same source must agree.
 */
function normalize(source: Record<string, unknown>, fromFlag: boolean, file?: string): Partial<TrainJobOptions> {
  const out: Record<string, unknown> = {};
  const given = new Map<string, string>();
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    const named = NAMES.get(k);
    if (!named) {
      const known = [...NAMES.keys()].join(", ");
      throw new Error(fromFlag ? `unknown option ${k}` : `${file}: unknown key ${JSON.stringify(k)} (known: ${known})`);
    }
    const { spec, flag } = named;
    const name = fromFlag ? flag : `${file}: ${JSON.stringify(k)}`;
    const value = checkValue(spec, v, name, fromFlag);
    const earlier = given.get(spec.key);
    if (earlier !== undefined && out[spec.key] !== value) {
      throw new Error(`${earlier} and ${name} disagree (${JSON.stringify(out[spec.key])} vs ${JSON.stringify(value)}); give one`);
    }
    given.set(spec.key, name);
    out[spec.key] = value;
  }
  return out as Partial<TrainJobOptions>;
}

/** Turn flags (strings) + an optional --config file into job options; errors name the flag or config key. */
export function optionsFromFlags(flags: Flags): Partial<TrainJobOptions> & { outputDir: string } {
  let base: Partial<TrainJobOptions> = {};
  if (typeof flags.config === "string") {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(flags.config, "utf8"));
    } catch (err) {
      throw new Error(`${flags.config}: cannot read training config (${(err as Error).message})`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${flags.config}: must hold a JSON object`);
    base = normalize(raw as Record<string, unknown>, false, flags.config);
  }
  const fromFlags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || k === "config" || k === "json") continue;
    // --no-shuffle: commander reports shuffle=true when the switch is absent; only false is an override.
    if (k === "shuffle" && v !== false) continue;
    fromFlags[k] = v;
  }
  const out = { ...base, ...normalize(fromFlags, true) };
  if (out.outputDir === undefined) throw new Error('--output <dir> is required (or "outputDir" in --config)');
  return out as Partial<TrainJobOptions> & { outputDir: string };
}

export function register(program: Command): void {
  const cmd = program
    .command("train")
    .description("Train a token-classification model and evaluate it with seqeval (default: small BERT from scratch on MIT Restaurant)")
    .option("--config <train.json>", "read options from a JSON file (keys: the long flags in camelCase, e.g. learningRate); flags override it");
  for (const spec of OPTIONS) {
    cmd.option(spec.flags, spec.help);
    for (const alias of spec.aliases ?? []) cmd.option(alias, `alias of ${longFlag(spec.flags)}`);
  }
  cmd
    .option("--json", "print the final metrics and run card as JSON on stdout")
    .addHelpText("after", helpAfter([
      "ner train --output runs/mit                                  # the main job: small BERT from scratch, offline",
      "ner train --model distilbert-base-uncased --data mit_restaurant --output runs/distil   # the tutorial",
      "ner train --data train.jsonl,valid.jsonl --labels O,B-X,I-X --model runs/mit --max-steps 100 -o runs/x",
      "ner train --config train.json --num-train-epochs 1           # flags override the file",
      "ner train --output runs/mit --resume auto                    # continue a killed run, or start one",
    ], [...DATA_ENV.filter((v) => v !== "NER_DEBUG"), ...MODEL_ENV.filter((v) => v !== "NER_CACHE_DIR" && v !== "NER_OFFLINE")]))
    .action(async (flags: Flags) => {
      try {
        const opts = optionsFromFlags(flags);
        checkWritableOutput(opts.outputDir, "--output");
        // Loaded lazily: `ner train --help` and flag errors stay fast.
        const { runTrainJob } = require("../../training/job") as typeof import("../../training/job");
        const result = await runTrainJob(opts);
        if (flags.json) {
          process.stdout.write(JSON.stringify({ output: result.outputDir, metrics: result.metrics, runCard: result.runCard }, null, 2) + "\n");
        } else {
          process.stdout.write(`\n${result.reportText}\n\n`);
          const m = result.metrics;
          const f1 = typeof m.eval_f1 === "number" ? `F1 ${m.eval_f1.toFixed(4)}, ` : "";
          process.stdout.write(
            `${f1}trained in ${Number(result.runCard.wall_time_seconds).toFixed(0)} s ` +
              `(${Number(m.train_tokens_per_second).toFixed(0)} tokens/s); model, metrics.json and run_card.json in ${result.outputDir}\n`,
          );
        }
      } catch (err) {
        reportCliError("ner train", err);
      }
    });
}
