/**
 * `seqeval.metrics.classification_report` (default mode) and its strict-mode twin from
 * v1.py, as text (sklearn-like layout) or as the `output_dict=True` dictionary.
 */
import { TypeTable, extractDefaultEntities } from "./default-entities";
import { TypeCounts, checkConsistentLength, checkScoreArgs, countDefault, countStrict, scoresFromCounts } from "./prf";
import { SeqevalError, formatFixed, padLeft, pyCompareStr, pyLen } from "./python";
import { autoDetectScheme, extractStrictEntities } from "./strict-entities";
import { ReportDict, ReportOptions, ReportRow, TagSequences, warningHandler } from "./types";

/** Rows in report order: per type (sorted), then micro, macro and weighted averages. */
export interface ReportRows {
  rows: [string, ReportRow][];
  /** Number of per-type rows at the start of `rows`. */
  typeCount: number;
}

const AVERAGES = ["micro", "macro", "weighted"] as const;

/**
 * Computes the report rows exactly in Python's order of work, so the first error and
 * the warnings are Python's. `textWidthCheck` reproduces the text report's
 * `max(map(len, target_names))`, which fails when there is no entity at all.
 */
export function computeReportRows(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts: ReportOptions | undefined,
  textWidthCheck: boolean,
): ReportRows & { width: number } {
  const warn = warningHandler(opts);
  const suffix = opts?.suffix ?? false;
  const zeroDivision = opts?.zeroDivision ?? "warn";
  const digits = opts?.digits ?? 2;

  let targetNames: string[];
  let count: () => TypeCounts;
  if (opts?.mode === "strict") {
    const scheme = opts.scheme ?? autoDetectScheme(yTrue, suffix);
    const t = extractStrictEntities(yTrue, scheme, suffix);
    const p = extractStrictEntities(yPred, scheme, suffix);
    targetNames = [...new Set([...t, ...p].map((e) => e.tag))].sort(pyCompareStr);
    count = () => countStrict(t, p);
  } else {
    const table = new TypeTable();
    const t = extractDefaultEntities(yTrue, suffix, table, warn);
    const p = extractDefaultEntities(yPred, suffix, table, warn);
    const ids = new Set([...t.type, ...p.type]);
    targetNames = [...ids].map((id) => table.names[id]).sort(pyCompareStr);
    count = () => countDefault(t, p, table);
  }

  let width = 0;
  if (textWidthCheck) {
    if (targetNames.length === 0) throw new SeqevalError("ValueError", "max() arg is an empty sequence");
    width = Math.max(Math.max(...targetNames.map(pyLen)), pyLen("weighted avg"), digits);
  }

  checkScoreArgs(null, 1);
  checkConsistentLength(yTrue, yPred);
  const counts = count();
  const base = { warnFor: ["precision", "recall", "f-score"] as const, beta: 1, zeroDivision, warn };
  const perType = scoresFromCounts(counts, { ...base, average: null });
  const rows: [string, ReportRow][] = [];
  for (let k = 0; k < counts.names.length; k++) {
    rows.push([
      counts.names[k],
      {
        precision: perType.precision[k],
        recall: perType.recall[k],
        "f1-score": perType.fscore[k],
        support: perType.support[k],
      },
    ]);
  }
  for (const average of AVERAGES) {
    const s = scoresFromCounts(counts, { ...base, average });
    if (Array.isArray(s.precision)) throw new Error("unreachable: averaged scores expected");
    rows.push([
      `${average} avg`,
      {
        precision: s.precision as number,
        recall: s.recall as number,
        "f1-score": s.fscore as number,
        support: s.support as number,
      },
    ]);
  }
  return { rows, typeCount: counts.names.length, width };
}

/** Python's dict from rows: a later row with the same name replaces the value but keeps the first position. */
export function rowsToEntries(rows: [string, ReportRow][]): [string, ReportRow][] {
  const index = new Map<string, number>();
  const out: [string, ReportRow][] = [];
  for (const [name, row] of rows) {
    const at = index.get(name);
    if (at === undefined) {
      index.set(name, out.length);
      out.push([name, row]);
    } else out[at] = [name, row];
  }
  return out;
}

/**
 * The `output_dict=True` dictionary (JS objects list integer-like keys first; use rowsToEntries for Python's order).
 */
export function rowsToDict(rows: [string, ReportRow][]): ReportDict {
  const out: ReportDict = {};
  for (const [name, row] of rowsToEntries(rows)) out[name] = row;
  return out;
}

/** seqeval's StringReporter layout: header, blank line, type rows, blank, averages, trailing newline. */
export function formatReport(rows: ReportRows, width: number, digits: number): string {
  const headers = ["precision", "recall", "f1-score", "support"];
  const lines: string[] = [];
  const fmtRow = (name: string, r: ReportRow) =>
    padLeft(name, width) +
    " " +
    [r.precision, r.recall, r["f1-score"]].map((v) => " " + padLeft(formatFixed(v, digits), 9)).join("") +
    " " +
    padLeft(String(r.support), 9);
  rows.rows.forEach(([name, r], k) => {
    if (k === rows.typeCount) lines.push("");
    lines.push(fmtRow(name, r));
  });
  lines.push("");
  const head = padLeft("", width) + " " + headers.map((h) => " " + padLeft(h, 9)).join("") + "\n\n";
  return head + lines.join("\n");
}

/** The text report (digits 4 by default) of a report dictionary, as `classification_report(digits=4)` prints it. */
export function formatReportDict(report: ReportDict, digits = 4): string {
  const rows = Object.entries(report);
  const typeCount = rows.length - 3; // then micro, macro and weighted averages
  const width = Math.max(...rows.slice(0, typeCount).map(([name]) => pyLen(name)), pyLen("weighted avg"), digits);
  return formatReport({ rows, typeCount }, width, digits);
}

/**
 * `classification_report(y_true, y_pred, ...)` as text; with `outputDict: true` the
 * dictionary form (one row per type, then "micro avg", "macro avg", "weighted avg").
 * `mode: "strict"` uses v1's report (scheme auto-detected from the truth when absent).
 */
export function classificationReport(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts: ReportOptions & { outputDict: true },
): ReportDict;
export function classificationReport(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts?: ReportOptions & { outputDict?: false },
): string;
export function classificationReport(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts?: ReportOptions & { outputDict?: boolean },
): string | ReportDict {
  if (opts?.outputDict) return rowsToDict(computeReportRows(yTrue, yPred, opts, false).rows);
  const r = computeReportRows(yTrue, yPred, opts, true);
  return formatReport(r, r.width, opts?.digits ?? 2);
}
