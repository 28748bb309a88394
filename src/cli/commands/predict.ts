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
import { MODEL_ENV, helpAfter } from "../help";
import { PREDICT_OPTIONS, withDefaults, type PredictOptions } from "../../training/options";
import { addOptions, optionsOfFlags, type Flags } from "../flags";
import { labelsFromOption } from "../../data/labels";
import { checkWritableOutput } from "../../util/files";
import { readUtf8File } from "../../util/utf8";

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
  const cmd = program
    .command("predict")
    .description("Find entities in texts with a token-classification model (Hugging Face pipeline semantics)");
  addOptions(cmd, PREDICT_OPTIONS)
    .option("--json", "print JSON lines {text, entities} (HF keys: entity_group|entity, score, word, start, end)")
    .argument("[texts...]", "texts to classify")
    .addHelpText("after", helpAfter([
      'ner predict --model runs/mit "which restaurant serves the best sushi in new york?"',
      "ner predict --model runs/mit --input queries.txt --aggregation first --html entities.html",
    ], MODEL_ENV))
    .action(async (texts: string[], flags: Flags) => {
      const opts = withDefaults(PREDICT_OPTIONS, optionsOfFlags(PREDICT_OPTIONS, flags, ["json"]) as Partial<PredictOptions>);
      const json = Boolean(flags.json);
      const { stride, batchSize } = opts;
      const { parseAggregationStrategy } = require("../../pipeline/pipeline") as typeof import("../../pipeline/pipeline");
      const aggregationStrategy = parseAggregationStrategy(opts.aggregationStrategy);
      // The one label-list parser (a comma list, or a label file in any format); '' keeps every label.
      const ignoreLabels =
        opts.ignoreLabels === undefined ? ["O"] : opts.ignoreLabels.trim() === "" ? [] : labelsFromOption(opts.ignoreLabels, "--ignore-labels");
      if (opts.input && texts.length > 0) throw new Error("give texts either as arguments or with --input, not both");
      if (opts.html) checkWritableOutput(opts.html, "--html", "file");
      const inputs: PredictInput[] = opts.input ? readTextsFile(opts.input) : texts.map((text) => ({ text }));
      if (inputs.length === 0) throw new Error('no texts: pass them as arguments ("text" ...) or with --input <file>');

      const { initBackend } = require("../../backend/index") as typeof import("../../backend");
      await initBackend(undefined, { quiet: json || Boolean(opts.input) });
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
        const jsonLines = json || Boolean(opts.input);
        inputs.forEach((input, i) => {
          const entities = results[i] as unknown as Record<string, unknown>[];
          if (jsonLines) {
            process.stdout.write(`${JSON.stringify({ ...(input.line !== undefined ? { line: input.line } : {}), text: input.text, entities })}\n`);
          } else {
            process.stdout.write(`${formatEntitiesTable(input.text, entities)}\n`);
          }
        });
        if (opts.html) {
          const { htmlPage, renderEntitiesHtml } = require("../../viz/index") as typeof import("../../viz");
          const sections = inputs.map((input, i) => {
            const heading = input.line !== undefined ? `<h2>line ${input.line}</h2>` : "";
            return `<section>${heading}${renderEntitiesHtml(input.text, results[i], { showScores: true })}</section>`;
          });
          const { writeFileAtomic } = require("../../util/atomic") as typeof import("../../util/atomic");
          writeFileAtomic(opts.html, htmlPage(`Entities: ${opts.model}`, sections.join("\n")));
          if (!jsonLines) process.stderr.write(`wrote ${opts.html}\n`);
        }
      } finally {
        ner.dispose();
      }
    });
}
