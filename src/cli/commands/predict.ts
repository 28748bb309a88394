/**
 * `ner predict`: run the token-classification pipeline on texts.
 *
 *   ner predict --model <dir|hub name> [--aggregation none|simple|first|average|max]
 *               [--ignore-labels O,...] [--stride N] [--batch-size N]
 *               [--json] [--html out.html] ("text" ... | --input texts.txt)
 *
 * With --input (one text per line; blank lines are skipped) or --json the output is JSON lines:
 * {"line"?, "text", "entities": [...]} with Hugging Face's entity keys. Otherwise a readable table.
 * --html writes a standalone page with the entities highlighted (written atomically).
 */
import type { Command } from "commander";
import { DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import { labelsFromOption } from "../../data/labels";
import { checkWritableOutput } from "../../util/files";
import { readUtf8File } from "../../util/utf8";

interface PredictCliOptions {
  model: string;
  tokenizer?: string;
  aggregation: string;
  ignoreLabels?: string;
  stride?: string;
  batchSize?: string;
  input?: string;
  json?: boolean;
  html?: string;
}

/** One text to classify and where it came from (a file line, or a command-line argument). */
export interface PredictInput {
  text: string;
  line?: number;
}

/** Texts of an input file, one per line (blank lines skipped, CRLF and a BOM accepted); errors name the file and line. */
export function readTextsFile(file: string): PredictInput[] {
  const inputs: PredictInput[] = [];
  readUtf8File(file).split("\n").forEach((raw, i) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text.trim() !== "") inputs.push({ text, line: i + 1 });
  });
  if (inputs.length === 0) throw new Error(`${file}: no texts (every line is blank)`);
  return inputs;
}

function positiveInt(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** A readable table of one text's entities. */
export function formatEntitiesTable(text: string, entities: readonly Record<string, unknown>[]): string {
  const lines = [text];
  if (entities.length === 0) lines.push("  (no entities)");
  for (const e of entities) {
    const label = String(e.entity_group ?? e.entity);
    const score = (e.score as number).toFixed(4);
    lines.push(`  ${label.padEnd(16)} ${score}  ${String(e.start).padStart(4)}-${String(e.end).padEnd(4)} ${JSON.stringify(e.word)}`);
  }
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("predict")
    .description("Find entities in texts with a token-classification model (Hugging Face pipeline semantics)")
    .requiredOption("--model <dir|name>", "model directory or hub name (config.json + model.safetensors + tokenizer files)")
    .option("--tokenizer <dir|name>", "tokenizer directory or hub name (default: the model's)")
    .option("--aggregation <strategy>", "none | simple | first | average | max", "simple")
    .option("--ignore-labels <labels|file>", "labels to leave out: comma-separated or a label file (default O; pass '' to keep all)")
    .option("--stride <n>", "process long texts in overlapping windows sharing n tokens (not with --aggregation none)")
    .option("--batch-size <n>", "windows per forward pass", "8")
    .option("--input <file>", "read texts from a file, one per line (JSON lines out)")
    .option("--json", "print JSON lines {text, entities} (HF keys: entity_group|entity, score, word, start, end)")
    .option("--html <file>", "also write a standalone HTML page with the entities highlighted")
    .argument("[texts...]", "texts to classify")
    .addHelpText("after", helpAfter([
      'ner predict --model runs/mit "which restaurant serves the best sushi in new york?"',
      "ner predict --model runs/mit --input queries.txt --aggregation first --html entities.html",
    ], MODEL_ENV))
    .action(async (texts: string[], opts: PredictCliOptions) => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { parseAggregationStrategy } = require("../../pipeline/pipeline") as typeof import("../../pipeline/pipeline");
      const aggregationStrategy = parseAggregationStrategy(opts.aggregation);
      const stride = positiveInt(opts.stride, "--stride", 0);
      const batchSize = positiveInt(opts.batchSize, "--batch-size", 1) ?? 8;
      // The one label-list parser (a comma list, or a label file in any format); '' keeps every label.
      const ignoreLabels =
        opts.ignoreLabels === undefined ? ["O"] : opts.ignoreLabels.trim() === "" ? [] : labelsFromOption(opts.ignoreLabels, "--ignore-labels");
      if (opts.input && texts.length > 0) throw new Error("give texts either as arguments or with --input, not both");
      if (opts.html) checkWritableOutput(opts.html, "--html", "file");
      const inputs: PredictInput[] = opts.input ? readTextsFile(opts.input) : texts.map((text) => ({ text }));
      if (inputs.length === 0) throw new Error('no texts: pass them as arguments ("text" ...) or with --input <file>');

      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { initBackend } = require("../../backend/index") as typeof import("../../backend");
      await initBackend(undefined, { quiet: opts.json || Boolean(opts.input) });
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { pipeline } = require("../../pipeline/pipeline") as typeof import("../../pipeline/pipeline");
      const ner = await pipeline("token-classification", {
        model: opts.model,
        tokenizer: opts.tokenizer,
        aggregationStrategy,
        ignoreLabels,
        stride,
        batchSize,
        onTruncate: (t) => {
          const where = inputs[t.index].line !== undefined ? `line ${inputs[t.index].line}` : `text ${t.index + 1}`;
          process.stderr.write(
            `${where}: ${t.tokens} tokens, more than the model's ${t.maxLength}; only the first ${t.keptChars} characters were classified. ` +
              `Pass --stride <n> (e.g. --stride 128) to classify all of it in overlapping windows.\n`,
          );
        },
      });
      try {
        const results = await ner(inputs.map((i) => i.text));
        const jsonLines = opts.json || Boolean(opts.input);
        inputs.forEach((input, i) => {
          const entities = results[i] as unknown as Record<string, unknown>[];
          if (jsonLines) {
            process.stdout.write(`${JSON.stringify({ ...(input.line !== undefined ? { line: input.line } : {}), text: input.text, entities })}\n`);
          } else {
            process.stdout.write(`${formatEntitiesTable(input.text, entities)}\n`);
          }
        });
        if (opts.html) {
          // eslint-disable-next-line @typescript-eslint/no-var-requires
          const { htmlPage, renderEntitiesHtml } = require("../../viz/index") as typeof import("../../viz");
          const sections = inputs.map((input, i) => {
            const heading = input.line !== undefined ? `<h2>line ${input.line}</h2>` : "";
            return `<section>${heading}${renderEntitiesHtml(input.text, results[i], { showScores: true })}</section>`;
          });
          // eslint-disable-next-line @typescript-eslint/no-var-requires
          const { writeFileAtomic } = require("../../util/atomic") as typeof import("../../util/atomic");
          writeFileAtomic(opts.html, htmlPage(`Entities: ${opts.model}`, sections.join("\n")));
          if (!jsonLines) process.stderr.write(`wrote ${opts.html}\n`);
        }
      } finally {
        ner.dispose();
      }
    });
}
