/**
 * `ner seqeval --input <file> [--json]`: entity-level scores exactly as Python seqeval 1.2.2.
 *
 * Input (default `--format json`): `{"y_true": [[...]], "y_pred": [[...]], "mode"?, "scheme"?,
 * "zero_division"?, "suffix"?}` or a JSON array of such objects (one result per object,
 * same order). `--format conll`: `token gold pred` per line, blank line between sentences.
 * Output with --json: `{"classification_report": {...}, "accuracy": n}` per case, or
 * `{"error": {"type", "message"}}` where Python raises; NaN/Infinity as strings.
 * Without --json: the text report (`print(classification_report(...))`).
 */
import type { Command } from "commander";
import { reportCliError } from "../errors";
import * as fs from "fs";
import { decodeUtf8Strict, readUtf8File } from "../../util/utf8";

type Cases = typeof import("../../metrics/seqeval/cases");

/** Loaded on first use, as a plain require (see data.ts: tsx's CJS hook and directory imports). */
function loadCases(): Cases {
  return require("../../metrics/seqeval/cases") as Cases;
}

interface SeqevalCliOptions {
  input: string;
  json?: boolean;
  format: string;
  mode?: string;
  scheme?: string;
  zeroDivision?: string;
  suffix?: boolean;
  digits: string;
  warnings?: boolean;
}

/** A file (or stdin for "-"), strictly UTF-8: an invalid byte is an error with file:line. */
function readText(file: string): string {
  if (file !== "-") return readUtf8File(file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(0);
  } catch (err) {
    throw new Error(`<stdin>: cannot read (${(err as Error).message})`);
  }
  return decodeUtf8Strict(bytes, "<stdin>");
}

/** JSON.parse with the failing line and column in the message. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split("\n").length;
      const col = pos - before.lastIndexOf("\n");
      throw new Error(`${file}:${line}:${col}: invalid JSON (${msg})`);
    }
    throw new Error(`${file}: invalid JSON (${msg})`);
  }
}

function cliDefaults(opts: SeqevalCliOptions): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (opts.mode !== undefined) d.mode = opts.mode;
  if (opts.scheme !== undefined) d.scheme = opts.scheme;
  if (opts.zeroDivision !== undefined)
    d.zero_division = opts.zeroDivision === "warn" ? "warn" : Number(opts.zeroDivision);
  if (opts.suffix) d.suffix = true;
  return d;
}

async function run(opts: SeqevalCliOptions): Promise<void> {
  const lib = loadCases();
  const digits = Number(opts.digits);
  if (!Number.isInteger(digits) || digits < 0)
    throw new Error(`--digits must be a non-negative integer, got ${opts.digits}`);
  const defaults = cliDefaults(opts);
  const text = readText(opts.input);

  let cases: import("../../metrics/seqeval/cases").SeqevalCase[];
  let isArray = false;
  if (opts.format === "conll") {
    cases = [lib.validateCase({ ...lib.parseConll(text, opts.input) }, opts.input, null, defaults)];
  } else if (opts.format === "json") {
    const parsed = parseJson(text, opts.input);
    isArray = Array.isArray(parsed);
    cases = isArray
      ? (parsed as unknown[]).map((c, k) => lib.validateCase(c, opts.input, k, defaults))
      : [lib.validateCase(parsed, opts.input, null, defaults)];
  } else {
    throw new Error(`unknown --format ${JSON.stringify(opts.format)} (json or conll)`);
  }

  // Python shows each distinct warning once on stderr; --warnings puts them in the JSON instead.
  const seen = new Set<string>();
  const toStderr = (m: string, cat: string) => {
    if (!seen.has(m)) {
      seen.add(m);
      process.stderr.write(`${cat}: ${m}\n`);
    }
  };

  if (opts.json) {
    const results = cases.map((c) =>
      lib.resultForJson(
        lib.evaluateCase(c, { collectWarnings: opts.warnings, onWarning: opts.warnings ? undefined : toStderr }),
      ),
    );
    process.stdout.write(lib.toJson(isArray ? results : results[0], 2) + "\n");
    return;
  }

  let failed = false;
  cases.forEach((c, k) => {
    if (isArray) process.stdout.write(`${k > 0 ? "\n" : ""}# case ${k}\n`);
    const report = lib.caseTextReport(c, digits, toStderr);
    if (typeof report === "string") {
      process.stdout.write(report + "\n");
    } else {
      failed = true;
      process.stdout.write(`${report.error.type}: ${report.error.message}\n`);
    }
  });
  if (failed) process.exitCode = 1;
}

export function register(program: Command): void {
  program
    .command("seqeval")
    .description("Entity-level precision/recall/F1 report, identical to Python seqeval 1.2.2")
    .requiredOption(
      "-i, --input <file>",
      'cases as JSON ({"y_true", "y_pred", ...} or an array of them), or conll columns; "-" reads stdin',
    )
    .option("--json", "print {classification_report, accuracy} (or {error}) as JSON instead of the text report")
    .option("--format <format>", "input format: json or conll (token gold pred per line)", "json")
    .option("--mode <mode>", 'default or strict (a case\'s own "mode" wins)')
    .option("--scheme <scheme>", "IOB1, IOE1, IOB2, IOE2, IOBES or BILOU, for strict mode")
    .option("--zero-division <value>", "warn, 0 or 1")
    .option("--suffix", "tags are suffixed (PER-B)")
    .option("--digits <n>", "decimals of the text report", "2")
    .option("--warnings", 'with --json, add each case\'s warnings as a sorted list under "warnings"')
    .addHelpText(
      "after",
      `
Examples:
  ner seqeval --input cases.json --json
  ner seqeval --input preds.conll --format conll --digits 4
  ner seqeval --input cases.json --json --mode strict --scheme IOB2

Environment:
  NER_DEBUG=1     print stack traces with errors`,
    )
    .action(async (opts: SeqevalCliOptions) => {
      try {
        await run(opts);
      } catch (err) {
        reportCliError("ner seqeval", err);
      }
    });
}
