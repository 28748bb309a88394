/**
 * `ner evaluate --model <dir> --data <corpus>:<split> | file.jsonl`: seqeval classification report of a
 * trained model, and its predictions in CoNLL format (`token gold pred`) for error analysis.
 * Its batch flag is `--per-device-eval-batch-size` (HF's name, as in `ner train`); `--batch-size`, its
 * earlier name here, stays as an alias (in `ner train`, `--batch-size` is the training batch).
 */
import type { Command } from "commander";
import { checkWritableOutput } from "../../util/files";
import { EVALUATE_OPTIONS, type EvaluateJobOptions } from "../../training/options";
import { addOptions, optionsOfFlags, type Flags } from "../flags";
import { BACKEND_CHOICES, DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import { reportCliError } from "../errors";

/** `ner evaluate`'s table, with the backend names (kept in cli/help so that --help loads no tfjs). */
const OPTIONS = {
  ...EVALUATE_OPTIONS,
  backend: {
    ...EVALUATE_OPTIONS.backend,
    help: `tfjs backend: ${BACKEND_CHOICES} (default: best available, or NER_BACKEND)`,
  },
};

export function register(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("Evaluate a trained model on a corpus split (or JSONL file) with seqeval; writes CoNLL predictions");
  addOptions(cmd, OPTIONS)
    .option("--json", "print metrics as JSON")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner evaluate --model runs/mit --data mit_restaurant:test",
          "ner evaluate --model runs/conll --data conll2003:validation --json --predictions errors.conll",
        ],
        [
          ...DATA_ENV.filter((v) => v !== "NER_DEBUG"),
          ...MODEL_ENV.filter((v) => v !== "NER_CACHE_DIR" && v !== "NER_OFFLINE"),
        ],
      ),
    )
    .action(async (flags: Flags) => {
      try {
        const opts = optionsOfFlags(OPTIONS, flags, ["json"]) as Partial<EvaluateJobOptions> &
          Pick<EvaluateJobOptions, "model" | "data">;
        if (opts.predictions !== undefined) checkWritableOutput(opts.predictions, "--predictions", "file");
        const { runEvaluateJob } = require("../../training/job") as typeof import("../../training/job");
        const r = await runEvaluateJob(opts);
        if (flags.json) {
          // The report the job computed once, as a dict (Python's output_dict=True) and as text.
          const out = {
            metrics: r.metrics,
            sentences: r.sentences,
            predictions: r.predictionsFile,
            classification_report: r.report,
            report: r.reportText,
          };
          process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        } else {
          process.stdout.write(`${r.reportText}\n\n`);
          process.stdout.write(
            `${r.sentences} sentences; loss ${r.metrics.eval_loss.toFixed(4)}, F1 ` +
              `${(r.metrics.eval_f1 ?? NaN).toFixed(4)}\n`,
          );
          if (r.predictionsFile) process.stdout.write(`predictions (token gold pred): ${r.predictionsFile}\n`);
        }
      } catch (err) {
        reportCliError("ner evaluate", err);
      }
    });
}
