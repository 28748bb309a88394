/**
 * `ner evaluate --model <dir> --data <corpus>:<split> | file.jsonl`: seqeval classification report of a
 * trained model, and its predictions in CoNLL format (`token gold pred`) for error analysis.
 */
import type { Command } from "commander";
import { checkWritableOutput } from "../../util/files";
import { DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import { reportCliError } from "../errors";

export function register(program: Command): void {
  program
    .command("evaluate")
    .description("Evaluate a trained model on a corpus split (or JSONL file) with seqeval; writes CoNLL predictions")
    .requiredOption("--model <dir>", "trained model directory (or Hub name)")
    .requiredOption("--data <corpus:split|file.jsonl>", "e.g. mit_restaurant:test, conll2003:validation, test.jsonl")
    .option("--labels <list|file>", "label names for JSONL files that store ner_tags ids")
    .option("--batch-size <n>", "evaluation batch size (default 32)")
    .option("--max-length <n>", "truncate sentences to this many tokens")
    .option("--predictions <file>", "where to write `token gold pred` lines (default <model>/predictions-<data>.conll)")
    .option("--backend <name>", "tfjs backend (default: best available, or NER_BACKEND)")
    .option("--json", "print metrics as JSON")
    .addHelpText("after", helpAfter([
      "ner evaluate --model runs/mit --data mit_restaurant:test",
      "ner evaluate --model runs/conll --data conll2003:validation --json --predictions errors.conll",
    ], [...DATA_ENV.filter((v) => v !== "NER_DEBUG"), ...MODEL_ENV.filter((v) => v !== "NER_CACHE_DIR" && v !== "NER_OFFLINE")]))
    .action(async (flags: { model: string; data: string; labels?: string; batchSize?: string; maxLength?: string; predictions?: string; backend?: string; json?: boolean }) => {
      try {
        const num = (name: string, v?: string) => {
          if (v === undefined) return undefined;
          const n = Number(v);
          if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got ${JSON.stringify(v)}`);
          return n;
        };
        if (flags.predictions !== undefined) checkWritableOutput(flags.predictions, "--predictions", "file");
        const { runEvaluateJob } = require("../../training/job") as typeof import("../../training/job");
        const r = await runEvaluateJob({
          model: flags.model,
          data: flags.data,
          labels: flags.labels,
          batchSize: num("batch-size", flags.batchSize),
          maxLength: num("max-length", flags.maxLength),
          predictionsOut: flags.predictions,
          backend: flags.backend,
        });
        if (flags.json) {
          // The report the job computed once, as a dict (Python's output_dict=True) and as text.
          const out = { metrics: r.metrics, sentences: r.sentences, predictions: r.predictionsFile, classification_report: r.report, report: r.reportText };
          process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        } else {
          process.stdout.write(`${r.reportText}\n\n`);
          process.stdout.write(`${r.sentences} sentences; loss ${r.metrics.eval_loss.toFixed(4)}, F1 ${(r.metrics.eval_f1 ?? NaN).toFixed(4)}\n`);
          if (r.predictionsFile) process.stdout.write(`predictions (token gold pred): ${r.predictionsFile}\n`);
        }
      } catch (err) {
        reportCliError("ner evaluate", err);
      }
    });
}
