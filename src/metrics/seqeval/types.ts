/**
 * Option and result types of the seqeval port, plus Python-style warning delivery.
 */

/** Tagging schemes of `seqeval.scheme` usable with `mode: "strict"`. */
export type SchemeName = "IOB1" | "IOE1" | "IOB2" | "IOE2" | "IOBES" | "BILOU";

export const SCHEME_NAMES: readonly SchemeName[] = ["IOB1", "IOE1", "IOB2", "IOE2", "IOBES", "BILOU"];

/**
 * `zero_division`: "warn" (acts as 0 and warns), 0 or 1. Other values behave as in
 * Python (`value in ['warn', 0]` decides 0 versus 1; only "warn" warns).
 */
export type ZeroDivision = "warn" | 0 | 1;

/** `average=`: micro (default for scores), macro, weighted, or null for per-type arrays. */
export type Average = "micro" | "macro" | "weighted" | null;

/** Warning categories Python would use (UndefinedMetricWarning comes from sklearn). */
export type WarningCategory = "UserWarning" | "UndefinedMetricWarning" | "RuntimeWarning";

/** Receives each warning Python seqeval would emit (`warnings.warn`). */
export type WarningHandler = (message: string, category: WarningCategory) => void;

/** Options shared by every metric. Names follow Python's keywords in camelCase. */
export interface SeqevalOptions {
  /** Tags look like `PER-B` instead of `B-PER`. */
  suffix?: boolean;
  /** "strict" evaluates with `scheme` (Python's `mode="strict"`); anything else is conlleval-style default mode. */
  mode?: "default" | "strict" | null;
  /**
   * Scheme for strict mode. As in Python, P/R/F use strict mode only when both mode and scheme are set; the report
   * auto-detects a missing scheme.
   */
  scheme?: SchemeName | null;
  /** See {@link ZeroDivision}; default "warn". */
  zeroDivision?: ZeroDivision;
  /** Accepted for API parity; seqeval 1.2.2 ignores it for every supported average. */
  sampleWeight?: readonly number[] | null;
  /** Where warnings go; default: printed once per distinct message to stderr, as Python does. */
  onWarning?: WarningHandler;
}

/** Options of precisionScore / recallScore / f1Score. */
export interface ScoreOptions extends SeqevalOptions {
  average?: Average;
}

/** Options of classificationReport. */
export interface ReportOptions extends SeqevalOptions {
  /** Decimals in the text report (Python default 2). */
  digits?: number;
}

/** One row of `classification_report(output_dict=True)`. */
export interface ReportRow {
  precision: number;
  recall: number;
  "f1-score": number;
  support: number;
}

/** `classification_report(output_dict=True)`: one row per type, then "micro avg", "macro avg", "weighted avg". */
export type ReportDict = Record<string, ReportRow>;

/**
 * A tag sequence input: nested (one list per sentence) as seqeval expects; a flat list is accepted where Python accepts
 * it.
 */
export type TagSequences = readonly (readonly string[])[] | readonly string[];

const printedWarnings = new Set<string>();

/** Python's default filter shows each distinct warning once; so do we, on stderr. */
export const defaultWarningHandler: WarningHandler = (message, category) => {
  const key = `${category}: ${message}`;
  if (printedWarnings.has(key)) return;
  printedWarnings.add(key);
  process.stderr.write(`seqeval ${key}\n`);
};

/** The handler an options object selects. */
export function warningHandler(opts?: SeqevalOptions): WarningHandler {
  return opts?.onWarning ?? defaultWarningHandler;
}
