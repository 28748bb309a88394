/**
 * Batch evaluation behind `ner seqeval`: reading cases (JSON objects or conlleval-style
 * columns), scoring each like Python seqeval, and writing JSON where non-finite numbers
 * are the strings "NaN" / "Infinity" and report rows keep Python's dict order.
 */
import { SeqevalError, formatFixed } from "./python";
import { computeReportRows, formatReport, rowsToEntries } from "./report";
import { accuracyScore, precisionScore } from "./scores";
import { isSchemeName } from "./strict-entities";
import type { ReportRow, SchemeName, WarningHandler, ZeroDivision } from "./types";

/** One evaluation request, with the field names of the CLI's JSON input. */
export interface SeqevalCase {
  y_true: unknown[];
  y_pred: unknown[];
  mode?: "default" | "strict" | null;
  scheme?: SchemeName | null;
  zero_division?: ZeroDivision;
  suffix?: boolean;
}

/** `{error: {type, message}}` as Python raised it. */
export interface CaseError {
  error: { type: string; message: string };
}

/** Result of one case: the report entries (Python order) and accuracy, or the error. */
export type CaseResult =
  { classification_report: [string, ReportRow][]; accuracy: number | CaseError; warnings?: string[] } | CaseError;

/** Bad input (not a Python-level error): names where and what. */
export class CaseInputError extends Error {}

function where(file: string, index: number | null): string {
  return index === null ? file : `${file}: case #${index}`;
}

/** Checks one parsed JSON value and returns it as a case, or throws CaseInputError. */
export function validateCase(
  value: unknown,
  file: string,
  index: number | null,
  defaults: Partial<SeqevalCase> = {},
): SeqevalCase {
  const at = where(file, index);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CaseInputError(`${at}: expected an object with "y_true" and "y_pred"`);
  }
  const raw = value as Record<string, unknown>;
  // Python-call style {"kwargs": {"suffix": true, ...}} is accepted too; top-level fields win.
  const kw =
    typeof raw.kwargs === "object" && raw.kwargs !== null && !Array.isArray(raw.kwargs)
      ? (raw.kwargs as Record<string, unknown>)
      : {};
  const v: Record<string, unknown> = { ...kw, ...raw };
  for (const key of ["y_true", "y_pred"] as const) {
    const seq = v[key];
    if (!Array.isArray(seq)) throw new CaseInputError(`${at}: "${key}" must be an array of tag lists`);
    seq.forEach((s, k) => {
      const ok = typeof s === "string" || (Array.isArray(s) && s.every((t) => typeof t === "string"));
      if (!ok) throw new CaseInputError(`${at}: "${key}"[${k}] must be a list of strings (or a string in a flat list)`);
    });
  }
  const mode = v.mode ?? defaults.mode ?? null;
  if (mode !== null && mode !== "default" && mode !== "strict")
    throw new CaseInputError(`${at}: "mode" must be "default" or "strict", got ${JSON.stringify(mode)}`);
  const scheme = v.scheme ?? defaults.scheme ?? null;
  if (scheme !== null && !isSchemeName(scheme))
    throw new CaseInputError(
      `${at}: "scheme" must be one of IOB1, IOE1, IOB2, IOE2, IOBES, BILOU, got ${JSON.stringify(scheme)}`,
    );
  const zd = v.zero_division ?? defaults.zero_division ?? "warn";
  if (zd !== "warn" && zd !== 0 && zd !== 1)
    throw new CaseInputError(`${at}: "zero_division" must be "warn", 0 or 1, got ${JSON.stringify(zd)}`);
  const suffix = v.suffix ?? defaults.suffix ?? false;
  if (typeof suffix !== "boolean") throw new CaseInputError(`${at}: "suffix" must be true or false`);
  return {
    y_true: v.y_true as unknown[],
    y_pred: v.y_pred as unknown[],
    mode: mode as SeqevalCase["mode"],
    scheme: scheme as SchemeName | null,
    zero_division: zd,
    suffix,
  };
}

function asError(err: unknown): CaseError {
  if (err instanceof SeqevalError) return { error: { type: err.pythonType, message: err.message } };
  throw err;
}

function caseOptions(c: SeqevalCase, onWarning: WarningHandler) {
  return {
    mode: c.mode ?? null,
    scheme: c.scheme ?? null,
    suffix: c.suffix ?? false,
    zeroDivision: c.zero_division ?? "warn",
    onWarning,
  };
}

/**
 * Scores one case as Python would be called: P/R/F first (their error is the case's
 * error), then `classification_report(output_dict=True)`, then `accuracy_score`
 * (its own error, e.g. ZeroDivisionError on empty input, is reported in `accuracy`).
 */
export function evaluateCase(
  c: SeqevalCase,
  opts: { onWarning?: WarningHandler; collectWarnings?: boolean } = {},
): CaseResult {
  const collected: string[] = [];
  const onWarning: WarningHandler = (m, cat) => {
    if (opts.collectWarnings && !collected.includes(m)) collected.push(m);
    opts.onWarning?.(m, cat);
  };
  const o = caseOptions(c, onWarning);
  const yTrue = c.y_true as string[][];
  const yPred = c.y_pred as string[][];
  let rows: [string, ReportRow][];
  try {
    precisionScore(yTrue, yPred, o);
    rows = rowsToEntries(computeReportRows(yTrue, yPred, o, false).rows);
  } catch (err) {
    return asError(err);
  }
  let accuracy: number | CaseError;
  try {
    accuracy = accuracyScore(yTrue, yPred);
  } catch (err) {
    accuracy = asError(err);
  }
  const result: CaseResult = { classification_report: rows, accuracy };
  if (opts.collectWarnings) result.warnings = collected.sort();
  return result;
}

/** The text report of a case (`print(classification_report(..., digits=digits))`), or its Python error. */
export function caseTextReport(c: SeqevalCase, digits: number, onWarning?: WarningHandler): string | CaseError {
  try {
    const o = { ...caseOptions(c, onWarning ?? (() => undefined)), digits };
    const r = computeReportRows(c.y_true as string[][], c.y_pred as string[][], o, true);
    return formatReport(r, r.width, digits);
  } catch (err) {
    return asError(err);
  }
}

/**
 * Reads conlleval-style text: one token per line with the gold tag and the predicted tag
 * as the last two whitespace-separated columns, a blank line between sentences;
 * `-DOCSTART-` lines separate documents. Throws CaseInputError naming file and line.
 */
export function parseConll(text: string, file: string): { y_true: string[][]; y_pred: string[][] } {
  const yTrue: string[][] = [];
  const yPred: string[][] = [];
  let t: string[] = [];
  let p: string[] = [];
  let columns = -1;
  const flush = () => {
    if (t.length) {
      yTrue.push(t);
      yPred.push(p);
      t = [];
      p = [];
    }
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, k) => {
    const fields = line
      .trim()
      .split(/\s+/)
      .filter((f) => f.length > 0);
    if (fields.length === 0) return flush();
    if (fields[0] === "-DOCSTART-") return flush();
    if (fields.length < 2) {
      throw new CaseInputError(`${file}:${k + 1}: expected "token gold pred" columns, found ${fields.length} column`);
    }
    if (columns === -1) columns = fields.length;
    else if (fields.length !== columns) {
      throw new CaseInputError(
        `${file}:${k + 1}: expected ${columns} columns like the first token line, found ${fields.length}`,
      );
    }
    t.push(fields[fields.length - 2]);
    p.push(fields[fields.length - 1]);
  });
  flush();
  return { y_true: yTrue, y_pred: yPred };
}

/** JSON text of a value: non-finite numbers as "NaN"/"Infinity"/"-Infinity"; report entries as ordered objects. */
export function toJson(value: unknown, indent = 0): string {
  const pad = (n: number) => (indent ? "\n" + " ".repeat(indent * n) : "");
  const sep = indent ? ": " : ":";
  const walk = (v: unknown, depth: number): string => {
    if (typeof v === "number") {
      if (Number.isNaN(v)) return '"NaN"';
      if (v === Infinity) return '"Infinity"';
      if (v === -Infinity) return '"-Infinity"';
      return JSON.stringify(v);
    }
    if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
    const entries: [string, unknown][] = isEntryList(v)
      ? (v as [string, unknown][])
      : Array.isArray(v)
        ? []
        : Object.entries(v);
    if (Array.isArray(v) && !isEntryList(v)) {
      if (v.length === 0) return "[]";
      return "[" + v.map((x) => pad(depth + 1) + walk(x, depth + 1)).join(",") + pad(depth) + "]";
    }
    if (entries.length === 0) return "{}";
    return (
      "{" +
      entries.map(([k, x]) => pad(depth + 1) + JSON.stringify(k) + sep + walk(x, depth + 1)).join(",") +
      pad(depth) +
      "}"
    );
  };
  return walk(value, 0);
}

/** Report entry lists are tagged so `toJson` writes them as objects in order. */
const ENTRY_LISTS = new WeakSet<object>();
function isEntryList(v: object): boolean {
  return ENTRY_LISTS.has(v);
}

/** Marks `[name, row][]` so that {@link toJson} writes it as an ordered object. */
export function asOrderedObject<T>(entries: [string, T][]): [string, T][] {
  ENTRY_LISTS.add(entries);
  return entries;
}

/** A case result ready for {@link toJson}. */
export function resultForJson(r: CaseResult): unknown {
  if ("error" in r) return r;
  const out: Record<string, unknown> = {
    classification_report: asOrderedObject(r.classification_report),
    accuracy: r.accuracy,
  };
  if (r.warnings) out.warnings = r.warnings;
  return out;
}

/** Formats a number as Python's `'{:.4f}'` for human-readable lines. */
export function fixed4(x: number): string {
  return formatFixed(x, 4);
}
