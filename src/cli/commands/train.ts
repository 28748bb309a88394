/**
 * `ner train`: train a token classifier and evaluate it (the project's main job).
 *   ner train                                   small BERT from scratch on MIT Restaurant (offline, ~10 min on 2 cores)
 *   ner train --model distilbert-base-uncased --learning-rate 2e-5 --num-train-epochs 3     the tutorial's fine-tuning
 *   ner train --data train.jsonl,valid.jsonl --labels O,B-X,I-X --output out/
 *   ner train --config train.json               the same options as a JSON object (flags override it)
 *
 * Training flags are Hugging Face's TrainingArguments (`--learning-rate`, `--per-device-train-batch-size`,
 * …), one flag per TrainingArguments key; the short flags of earlier versions (`--lr`, `--batch-size`,
 * `--epochs`, …) stay as aliases. `--config` keys are the same names in camelCase (aliases too).
 */
import type { Command } from "commander";
import { checkWritableOutput } from "../../util/files";
import { assertNotLockedByOther } from "../../util/lock";
import { TRAIN_JOB_OPTIONS, type TrainJobOptions } from "../../training/options";
import { addOptions, optionsOfFlags, readConfigFile, type Flags } from "../flags";
import { BACKEND_CHOICES, DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import { reportCliError } from "../errors";

/** `ner train`'s table, with the backend names (which live in cli/help so that --help loads no tfjs). */
const OPTIONS = {
  ...TRAIN_JOB_OPTIONS,
  backend: {
    ...TRAIN_JOB_OPTIONS.backend,
    help: `tfjs backend: ${BACKEND_CHOICES} (default: best available, or NER_BACKEND)`,
  },
};

/** Turn flags (strings) + an optional --config file into job options; errors name the flag or config key. */
export function optionsFromFlags(flags: Flags): Partial<TrainJobOptions> & { outputDir: string } {
  const base = typeof flags.config === "string" ? readConfigFile(OPTIONS, flags.config) : {};
  const out = { ...base, ...optionsOfFlags(OPTIONS, flags, ["config", "json"]) };
  if (out.outputDir === undefined) throw new Error('--output <dir> is required (or "outputDir" in --config)');
  return out as Partial<TrainJobOptions> & { outputDir: string };
}

export function register(program: Command): void {
  const cmd = program
    .command("train")
    .description(
      "Train a token-classification model and evaluate it with seqeval (default: small BERT from " +
        "scratch on MIT Restaurant)",
    )
    .option(
      "--config <train.json>",
      "read options from a JSON file (keys: the long flags in camelCase, e.g. learningRate); flags override it",
    );
  addOptions(cmd, OPTIONS, { forJob: true })
    .option("--json", "print the final metrics and run card as JSON on stdout")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner train --output runs/mit                                  # the main job: small BERT " +
            "from scratch, offline",
          "ner train --model distilbert-base-uncased --data mit_restaurant --output runs/distil   # the tutorial",
          "ner train --data train.jsonl,valid.jsonl --labels O,B-X,I-X --model runs/mit --max-steps 100 -o runs/x",
          "ner train --config train.json --num-train-epochs 1           # flags override the file",
          "ner train --output runs/mit --resume auto                    # continue a killed run, or start one",
        ],
        [
          ...DATA_ENV.filter((v) => v !== "NER_DEBUG"),
          ...MODEL_ENV.filter((v) => v !== "NER_CACHE_DIR" && v !== "NER_OFFLINE"),
        ],
      ),
    )
    .action(async (flags: Flags) => {
      try {
        const opts = optionsFromFlags(flags);
        assertNotLockedByOther(opts.outputDir); // before the job's modules load: a second run fails at once
        checkWritableOutput(opts.outputDir, "--output");
        // Loaded lazily: `ner train --help` and flag errors stay fast.
        const { runTrainJob } = require("../../training/job") as typeof import("../../training/job");
        const result = await runTrainJob(opts);
        if (flags.json) {
          process.stdout.write(
            JSON.stringify({ output: result.outputDir, metrics: result.metrics, runCard: result.runCard }, null, 2) +
              "\n",
          );
        } else {
          process.stdout.write(`\n${result.reportText}\n\n`);
          const m = result.metrics;
          const f1 = typeof m.eval_f1 === "number" ? `F1 ${m.eval_f1.toFixed(4)}, ` : "";
          process.stdout.write(
            `${f1}trained in ${Number(result.runCard.wall_time_seconds).toFixed(0)} s ` +
              `(${Number(m.train_tokens_per_second).toFixed(0)} tokens/s); model, metrics.json and ` +
              `run_card.json in ${result.outputDir}\n`,
          );
        }
      } catch (err) {
        reportCliError("ner train", err);
      }
    });
}
