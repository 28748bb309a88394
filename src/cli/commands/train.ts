/**
 * `ner train`: train a token classifier and evaluate it (the project's main job).
 *   ner train                                       small BERT from scratch on MIT Restaurant (offline, ~10 min on 2 cores)
 *   ner train --model distilbert-base-uncased --lr 2e-5 --epochs 3     the tutorial's fine-tuning (downloads the model)
 *   ner train --data train.jsonl,valid.jsonl --labels O,B-X,I-X --output out/
 *   ner train --config train.json                   the same options as a JSON object (flags override it)
 */
import type { Command } from "commander";
import { DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import { reportCliError } from "../errors";
import * as fs from "fs";

interface Flags {
  data?: string;
  model?: string;
  tokenizer?: string;
  output?: string;
  config?: string;
  epochs?: string;
  lr?: string;
  batchSize?: string;
  evalBatchSize?: string;
  weightDecay?: string;
  warmup?: string;
  warmupSteps?: string;
  maxSteps?: string;
  seed?: string;
  maxGradNorm?: string;
  gradAccum?: string;
  shuffle?: boolean;
  maxLength?: string;
  labels?: string;
  evalStrategy?: string;
  evalSteps?: string;
  loggingSteps?: string;
  resume?: string | boolean;
  maxTrainSamples?: string;
  maxEvalSamples?: string;
  hiddenSize?: string;
  layers?: string;
  heads?: string;
  intermediateSize?: string;
  backend?: string;
  progress?: string;
  labelAllTokens?: boolean;
  json?: boolean;
}

const NUMERIC = [
  "epochs", "lr", "batchSize", "evalBatchSize", "weightDecay", "warmup", "warmupSteps", "maxSteps", "seed", "maxGradNorm",
  "gradAccum", "maxLength", "evalSteps", "loggingSteps", "maxTrainSamples", "maxEvalSamples", "hiddenSize", "layers", "heads",
  "intermediateSize",
] as const;

/** Keys a --config file may hold: the long flags in camelCase. */
const CONFIG_KEYS = [
  "data", "model", "tokenizer", "output", ...NUMERIC, "shuffle", "labels", "evalStrategy", "resume", "backend", "progress",
  "labelAllTokens",
] as const;
const BOOLEAN_KEYS = ["shuffle", "labelAllTokens"];

/** Check a --config object: known keys only, numbers where the flag takes a number, booleans for switches. */
function validateConfig(base: Record<string, unknown>, file: string): void {
  for (const [k, v] of Object.entries(base)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
      throw new Error(`${file}: unknown key ${JSON.stringify(k)} (known: ${CONFIG_KEYS.join(", ")})`);
    }
    if ((NUMERIC as readonly string[]).includes(k) && !(typeof v === "number" && Number.isFinite(v))) {
      throw new Error(`${file}: "${k}" must be a number, got ${JSON.stringify(v)}`);
    }
    if (BOOLEAN_KEYS.includes(k) && typeof v !== "boolean") throw new Error(`${file}: "${k}" must be true or false, got ${JSON.stringify(v)}`);
    if (k === "resume" && typeof v !== "boolean" && typeof v !== "string") throw new Error(`${file}: "resume" must be true or a checkpoint directory`);
    if (!(NUMERIC as readonly string[]).includes(k) && !BOOLEAN_KEYS.includes(k) && k !== "resume" && typeof v !== "string") {
      throw new Error(`${file}: "${k}" must be a string, got ${JSON.stringify(v)}`);
    }
  }
}

/** Turn flags (strings) + an optional --config file into job options; errors name the flag or config key. */
export function optionsFromFlags(flags: Flags): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (flags.config) {
    try {
      base = JSON.parse(fs.readFileSync(flags.config, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${flags.config}: cannot read training config (${(err as Error).message})`);
    }
    if (typeof base !== "object" || base === null || Array.isArray(base)) throw new Error(`${flags.config}: must hold a JSON object`);
    validateConfig(base, flags.config);
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || k === "config" || k === "json") continue;
    if ((NUMERIC as readonly string[]).includes(k)) {
      const n = Number(v);
      if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n)) {
        throw new Error(`${flagName(k)}: expected a number, got ${JSON.stringify(v)}`);
      }
      out[k] = n;
    } else out[k] = v;
  }
  // --no-shuffle comes through commander as shuffle=false; shuffle=true is the default, not an override.
  if (flags.shuffle !== false && base.shuffle === undefined) delete out.shuffle;
  if (out.evalStrategy !== undefined && !["epoch", "steps", "no"].includes(String(out.evalStrategy))) {
    throw new Error(`--eval-strategy must be epoch, steps or no, got ${JSON.stringify(out.evalStrategy)}`);
  }
  if (out.output === undefined) throw new Error("--output <dir> is required (or \"output\" in --config)");
  checkRanges(out);
  return out;
}

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`;

/** Range checks on numeric options, before any model is loaded; errors name the flag. */
const RANGES: Record<string, { integer?: boolean; min: number; minExclusive?: boolean; max?: number; maxExclusive?: boolean; orMinusOne?: boolean }> = {
  epochs: { min: 0, minExclusive: true },
  lr: { min: 0, minExclusive: true },
  batchSize: { integer: true, min: 1 },
  evalBatchSize: { integer: true, min: 1 },
  weightDecay: { min: 0 },
  warmup: { min: 0, max: 1 },
  warmupSteps: { integer: true, min: 0 },
  maxSteps: { integer: true, min: 1, orMinusOne: true },
  seed: { integer: true, min: 0 },
  maxGradNorm: { min: 0 },
  gradAccum: { integer: true, min: 1 },
  maxLength: { integer: true, min: 3 },
  evalSteps: { integer: true, min: 1 },
  loggingSteps: { integer: true, min: 1 },
  maxTrainSamples: { integer: true, min: 1 },
  maxEvalSamples: { integer: true, min: 1 },
  hiddenSize: { integer: true, min: 1 },
  layers: { integer: true, min: 1 },
  heads: { integer: true, min: 1 },
  intermediateSize: { integer: true, min: 1 },
};

function checkRanges(opts: Record<string, unknown>): void {
  for (const [key, r] of Object.entries(RANGES)) {
    const v = opts[key];
    if (v === undefined) continue;
    const n = v as number;
    if (r.orMinusOne && n === -1) continue;
    const bad =
      (r.integer && !Number.isInteger(n)) ||
      (r.minExclusive ? n <= r.min : n < r.min) ||
      (r.max !== undefined && (r.maxExclusive ? n >= r.max : n > r.max));
    if (bad) {
      const kind = r.integer ? "an integer" : "a number";
      const lower = `${r.minExclusive ? ">" : "≥"} ${r.min}`;
      const upper = r.max !== undefined ? ` and ${r.maxExclusive ? "<" : "≤"} ${r.max}` : "";
      throw new Error(`${flagName(key)} must be ${kind} ${lower}${upper}${r.orMinusOne ? " (or -1)" : ""}, got ${n}`);
    }
  }
}

export function register(program: Command): void {
  program
    .command("train")
    .description("Train a token-classification model and evaluate it with seqeval (default: small BERT from scratch on MIT Restaurant)")
    .option("--data <spec>", "corpus name (mit_restaurant, conll2003, wnut17, wikiann_en) or train.jsonl[,valid.jsonl]", undefined)
    .option("--model <name|dir|config.json|scratch>", "Hub model or checkpoint dir to fine-tune, an HF config.json to train from scratch, or 'scratch' (default)")
    .option("--tokenizer <name|dir>", "tokenizer (default: the model's; bert-base-uncased for scratch)")
    .option("-o, --output <dir>", "output directory (model in HF layout, metrics.json, run_card.json, report)")
    .option("--config <train.json>", "read options from a JSON file (keys as the long flags in camelCase); flags override it")
    .option("--epochs <n>", "number of epochs (default 4 from scratch, 3 fine-tuning)")
    .option("--lr <x>", "peak learning rate (default 1e-3 from scratch, 2e-5 fine-tuning)")
    .option("--batch-size <n>", "training batch size (default 16)")
    .option("--eval-batch-size <n>", "evaluation batch size (default 2x batch size)")
    .option("--weight-decay <x>", "AdamW weight decay, not on biases/LayerNorm (default 0.01)")
    .option("--warmup <ratio>", "linear warmup as a fraction of all steps (default 0.1 from scratch, 0 fine-tuning)")
    .option("--warmup-steps <n>", "linear warmup in steps (overrides --warmup)")
    .option("--max-steps <n>", "stop after this many optimizer steps (overrides --epochs)")
    .option("--seed <n>", "seed for initialisation, shuffling and dropout (default 42)")
    .option("--max-grad-norm <x>", "clip gradients to this global norm; 0 disables (default 1.0)")
    .option("--grad-accum <n>", "gradient accumulation steps (default 1)")
    .option("--no-shuffle", "keep the training order (no per-epoch shuffle)")
    .option("--max-length <n>", "truncate sentences to this many tokens (default 32 from scratch, 512 fine-tuning)")
    .option("--labels <list|file>", "label names for JSONL data (comma-separated, or a file with one per line)")
    .option("--eval-strategy <s>", "epoch | steps | no (default epoch)")
    .option("--eval-steps <n>", "evaluate and checkpoint every n steps with --eval-strategy steps")
    .option("--logging-steps <n>", "log the training loss every n steps (default 50)")
    .option("--resume [checkpoint]", "resume from the latest checkpoint in --output, or from the given checkpoint directory")
    .option("--max-train-samples <n>", "use only the first n training sentences")
    .option("--max-eval-samples <n>", "use only the first n evaluation sentences")
    .option("--hidden-size <n>", "scratch model: hidden size (default 128)")
    .option("--layers <n>", "scratch model: encoder layers (default 2)")
    .option("--heads <n>", "scratch model: attention heads (default 2)")
    .option("--intermediate-size <n>", "scratch model: feed-forward size (default 512)")
    .option("--label-all-tokens", "also train on non-first sub-tokens")
    .option("--backend <name>", "tfjs backend: tfjs-node-gpu | tfjs-node | wasm | cpu (default: best available, or NER_BACKEND)")
    .option("--progress <mode>", "auto | bar | lines | none (default auto)")
    .option("--json", "print the final metrics and run card as JSON on stdout")
    .addHelpText("after", helpAfter([
      "ner train --output runs/mit                                  # the main job: small BERT from scratch, offline",
      "ner train --model distilbert-base-uncased --data mit_restaurant --output runs/distil   # the tutorial",
      "ner train --data train.jsonl,valid.jsonl --labels O,B-X,I-X --model runs/mit --max-steps 100 -o runs/x",
      "ner train --config train.json --epochs 1                     # flags override the file",
    ], [...DATA_ENV.filter((v) => v !== "NER_DEBUG"), ...MODEL_ENV.filter((v) => v !== "NER_CACHE_DIR" && v !== "NER_OFFLINE")]))
    .action(async (flags: Flags) => {
      try {
        const opts = optionsFromFlags(flags);
        const { runTrainJob } = (require("../../training/job") as typeof import("../../training/job"));
        const result = await runTrainJob(opts as never);
        if (flags.json) {
          process.stdout.write(JSON.stringify({ output: result.output, metrics: result.metrics, runCard: result.runCard }, null, 2) + "\n");
        } else {
          process.stdout.write(`\n${result.report}\n\n`);
          const m = result.metrics;
          const f1 = typeof m.eval_f1 === "number" ? `F1 ${m.eval_f1.toFixed(4)}, ` : "";
          process.stdout.write(
            `${f1}trained in ${Number(result.runCard.wall_time_seconds).toFixed(0)} s ` +
              `(${Number(m.train_tokens_per_second).toFixed(0)} tokens/s); model, metrics.json and run_card.json in ${result.output}\n`,
          );
        }
      } catch (err) {
        reportCliError("ner train", err);
      }
    });
}
