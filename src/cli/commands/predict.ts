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
import { textLines } from "../../util/lines";
import * as fs from "fs";
import * as path from "path";

/** One text to classify and where it came from (a file line, or a command-line argument). */
export interface PredictInput {
  text: string;
  line?: number;
}

/**
 * Texts of an input file, one per line (blank lines skipped, CRLF and a BOM accepted); errors name the file and line.
 */
export function readTextsFile(file: string): PredictInput[] {
  const inputs = [...inputTexts(file)];
  if (inputs.length === 0) throw new Error(`${file}: no texts (every line is blank)`);
  return inputs;
}

/** The texts of an input file, streamed line by line (blank lines skipped). */
export function* inputTexts(file: string): Generator<PredictInput> {
  for (const { text, line } of textLines(file)) if (text.trim() !== "") yield { text, line };
}

/** Texts per pipeline call when streaming a file: small enough for the first lines to print at once. */
const STREAM_TEXTS = 32;
/** ...and at most this many characters per call, however long the lines. */
const STREAM_CHARS = 1 << 20;

/**
 * Consecutive batches of `texts`, each of at most STREAM_TEXTS texts and (beyond its first) STREAM_CHARS characters.
 */
export function* textBatches(texts: Iterable<PredictInput>): Generator<PredictInput[]> {
  let batch: PredictInput[] = [];
  let chars = 0;
  for (const t of texts) {
    if (batch.length > 0 && (batch.length >= STREAM_TEXTS || chars + t.text.length > STREAM_CHARS)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(t);
    chars += t.text.length;
  }
  if (batch.length > 0) yield batch;
}

/** Resolves when stdout has flushed its buffer (or failed or closed: a reader that went away must not hang us). */
function stdoutDrained(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.stdout.off("drain", done).off("error", done).off("close", done);
      resolve();
    };
    process.stdout.once("drain", done).once("error", done).once("close", done);
  });
}

/**
 * An HTML page written as the sections come (to a temporary file beside `target`, renamed onto it
 * by `finish`), so a long input's page never sits in memory; `abort` removes the temporary file.
 */
function htmlStream(target: string, title: string): { add(section: string): void; finish(): void; abort(): void } {
  const { htmlPage } = require("../../viz/index") as typeof import("../../viz");
  const { errorNamingPath, fsyncDir, tempPathFor } = require("../../util/atomic") as typeof import("../../util/atomic");
  const marker = `\u0000sections-${process.pid}\u0000`;
  const [head, tail] = htmlPage(title, marker).split(marker);
  const tmp = tempPathFor(target);
  let fd: number | null = null;
  const write = (text: string) => {
    try {
      fs.writeSync(fd!, text);
    } catch (err) {
      throw errorNamingPath(target, err);
    }
  };
  try {
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    fd = fs.openSync(tmp, "wx");
  } catch (err) {
    throw errorNamingPath(target, err);
  }
  write(head);
  return {
    add: (section) => write(section + "\n"),
    finish() {
      write(tail);
      fs.fsyncSync(fd!);
      fs.closeSync(fd!);
      fd = null;
      fs.renameSync(tmp, target);
      fsyncDir(path.dirname(path.resolve(target)));
    },
    abort() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
      fs.rmSync(tmp, { force: true });
    },
  };
}

/** A readable table of one text's entities. */
export function formatEntitiesTable(text: string, entities: readonly Record<string, unknown>[]): string {
  const lines = [text];
  if (entities.length === 0) lines.push("  (no entities)");
  for (const e of entities) {
    const label = String(e.entity_group ?? e.entity);
    const score = (e.score as number).toFixed(4);
    lines.push(
      `  ${label.padEnd(16)} ${score}  ${String(e.start).padStart(4)}-${String(e.end).padEnd(4)} ` +
        `${JSON.stringify(e.word)}`,
    );
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
    .addHelpText(
      "after",
      helpAfter(
        [
          'ner predict --model runs/mit "which restaurant serves the best sushi in new york?"',
          "ner predict --model runs/mit --input queries.txt --aggregation first --html entities.html",
        ],
        MODEL_ENV,
      ),
    )
    .action(async (texts: string[], flags: Flags) => {
      const opts = withDefaults(
        PREDICT_OPTIONS,
        optionsOfFlags(PREDICT_OPTIONS, flags, ["json"]) as Partial<PredictOptions>,
      );
      const json = Boolean(flags.json);
      const { stride, batchSize } = opts;
      const { parseAggregationStrategy } =
        require("../../pipeline/pipeline") as typeof import("../../pipeline/pipeline");
      const aggregationStrategy = parseAggregationStrategy(opts.aggregationStrategy);
      // The one label-list parser (a comma list, or a label file in any format); '' keeps every label.
      const ignoreLabels =
        opts.ignoreLabels === undefined
          ? ["O"]
          : opts.ignoreLabels.trim() === ""
            ? []
            : labelsFromOption(opts.ignoreLabels, "--ignore-labels");
      if (opts.input && texts.length > 0) throw new Error("give texts either as arguments or with --input, not both");
      if (opts.html) checkWritableOutput(opts.html, "--html", "file");
      // A file is streamed: read, predicted and printed in small batches, so memory stays flat in its
      // size, the first results print at once, and what was printed stays if a later line fails.
      const batches = textBatches(opts.input ? inputTexts(opts.input) : texts.map((text) => ({ text })));
      const first = batches.next(); // read before the model loads: a missing or broken file fails at once
      if (first.done) {
        throw new Error(
          opts.input
            ? `${opts.input}: no texts (every line is blank)`
            : 'no texts: pass them as arguments ("text" ...) or with --input <file>',
        );
      }

      // A local model whose save was cut short (or changed since) is named before anything loads.
      const { assertCompleteSave } = require("../../training/checkpoint") as typeof import("../../training/checkpoint");
      assertCompleteSave(opts.model);
      const { initBackend } = require("../../backend/index") as typeof import("../../backend");
      await initBackend(undefined, { quiet: json || Boolean(opts.input) });
      const { pipeline } = require("../../pipeline/pipeline") as typeof import("../../pipeline/pipeline");
      let batch: PredictInput[] = first.value;
      let argIndex = 0; // texts given as arguments are numbered across batches
      const ner = await pipeline("token-classification", {
        model: opts.model,
        tokenizer: opts.tokenizer,
        aggregationStrategy,
        ignoreLabels,
        stride,
        batchSize,
        onTruncate: (t) => {
          const input = batch[t.index];
          const where = input.line !== undefined ? `line ${input.line}` : `text ${argIndex + t.index + 1}`;
          process.stderr.write(
            `${where}: ${t.tokens} tokens, more than the model's ${t.maxLength}; only the first ` +
              `${t.keptChars} characters were classified. ` +
              `Pass --stride <n> (e.g. --stride 128) to classify all of it in overlapping windows.\n`,
          );
        },
      });
      const { renderEntitiesHtml } = require("../../viz/index") as typeof import("../../viz");
      const html = opts.html ? htmlStream(opts.html, `Entities: ${opts.model}`) : null;
      const jsonLines = json || Boolean(opts.input);
      try {
        for (;;) {
          const results = await ner(batch.map((i) => i.text));
          const out = batch.map((input, i) => {
            const entities = results[i] as unknown as Record<string, unknown>[];
            return jsonLines
              ? JSON.stringify({
                  ...(input.line !== undefined ? { line: input.line } : {}),
                  text: input.text,
                  entities,
                })
              : formatEntitiesTable(input.text, entities);
          });
          // Wait for a slow reader of stdout instead of queueing the whole output in memory.
          if (!process.stdout.write(out.join("\n") + "\n")) await stdoutDrained();
          batch.forEach((input, i) => {
            const heading = input.line !== undefined ? `<h2>line ${input.line}</h2>` : "";
            html?.add(
              `<section>${heading}${renderEntitiesHtml(input.text, results[i], { showScores: true })}</section>`,
            );
          });
          argIndex += batch.length;
          const next = batches.next();
          if (next.done) break;
          batch = next.value;
        }
        if (html && opts.html) {
          html.finish();
          if (!jsonLines) process.stderr.write(`wrote ${opts.html}\n`);
        }
      } finally {
        html?.abort();
        ner.dispose();
      }
    });
}
