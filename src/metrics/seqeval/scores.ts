/**
 * Public score functions of `seqeval.metrics`: precision, recall, F1 (micro, macro,
 * weighted or per type), accuracy and performance_measure.
 */
import { AveragedScores, Metric, PerTypeScores, precisionRecallFscoreSupportCore } from "./prf";
import { SeqevalError } from "./python";
import { ScoreOptions, TagSequences, warningHandler } from "./types";

/** Python's `mode == 'strict' and scheme`: P/R/F ignore strict mode without a scheme. */
function strictScheme(opts?: ScoreOptions) {
  return opts?.mode === "strict" && opts.scheme ? opts.scheme : null;
}

function score(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts: ScoreOptions | undefined,
  warnFor: Metric[],
  pick: "precision" | "recall" | "fscore",
): number | number[] {
  const average = opts?.average === undefined ? "micro" : opts.average;
  const result = precisionRecallFscoreSupportCore(yTrue, yPred, {
    average,
    warnFor,
    beta: 1,
    zeroDivision: opts?.zeroDivision,
    scheme: strictScheme(opts),
    suffix: opts?.suffix,
    warn: warningHandler(opts),
  });
  return (result as PerTypeScores | AveragedScores)[pick];
}

/**
 * Entity-level precision `tp / (tp + fp)`, like `seqeval.metrics.precision_score`.
 * `average` defaults to "micro"; `null` returns one value per type (types sorted).
 * Throws {@link SeqevalError} where Python raises (flat lists, unequal lengths, bad strict tags).
 */
export function precisionScore(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts: ScoreOptions & { average: null },
): number[];
export function precisionScore(yTrue: TagSequences, yPred: TagSequences, opts?: ScoreOptions): number;
export function precisionScore(yTrue: TagSequences, yPred: TagSequences, opts?: ScoreOptions): number | number[] {
  return score(yTrue, yPred, opts, ["precision"], "precision");
}

/** Entity-level recall `tp / (tp + fn)`, like `seqeval.metrics.recall_score`. */
export function recallScore(yTrue: TagSequences, yPred: TagSequences, opts: ScoreOptions & { average: null }): number[];
export function recallScore(yTrue: TagSequences, yPred: TagSequences, opts?: ScoreOptions): number;
export function recallScore(yTrue: TagSequences, yPred: TagSequences, opts?: ScoreOptions): number | number[] {
  return score(yTrue, yPred, opts, ["recall"], "recall");
}

/** Entity-level F1, like `seqeval.metrics.f1_score`. */
export function f1Score(yTrue: TagSequences, yPred: TagSequences, opts: ScoreOptions & { average: null }): number[];
export function f1Score(yTrue: TagSequences, yPred: TagSequences, opts?: ScoreOptions): number;
export function f1Score(yTrue: TagSequences, yPred: TagSequences, opts?: ScoreOptions): number | number[] {
  return score(yTrue, yPred, opts, ["f-score"], "fscore");
}

/** Per-type (or averaged) precision, recall, F-beta and support, like `precision_recall_fscore_support`. */
export function precisionRecallFscoreSupport(
  yTrue: TagSequences,
  yPred: TagSequences,
  opts?: ScoreOptions & { beta?: number },
): { precision: number | number[]; recall: number | number[]; fscore: number | number[]; support: number | number[] } {
  return precisionRecallFscoreSupportCore(yTrue, yPred, {
    average: opts?.average ?? null,
    beta: opts?.beta ?? 1,
    zeroDivision: opts?.zeroDivision,
    scheme: strictScheme(opts),
    suffix: opts?.suffix,
    warn: warningHandler(opts),
  });
}

/** Items Python's `[item for sublist in y for item in sublist]` yields: list elements or string characters. */
function flattenForAccuracy(y: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const sub of y) {
    if (Array.isArray(sub)) for (const item of sub) out.push(item);
    else if (typeof sub === "string") for (const ch of sub) out.push(ch);
    else
      throw new SeqevalError(
        "TypeError",
        `'${sub === null ? "NoneType" : typeof sub === "number" ? "int" : typeof sub}' object is not iterable`,
      );
  }
  return out;
}

/**
 * Token accuracy, like `seqeval.metrics.accuracy_score`: flattens when the truth is
 * nested, then compares pairwise up to the shorter length (Python's zip) and divides
 * by the truth's length. Throws ZeroDivisionError for an empty truth.
 */
export function accuracyScore(yTrue: TagSequences, yPred: TagSequences): number {
  let t: readonly unknown[] = yTrue;
  let p: readonly unknown[] = yPred;
  if (t.some((s) => Array.isArray(s))) {
    t = flattenForAccuracy(t);
    p = flattenForAccuracy(p);
  }
  const n = Math.min(t.length, p.length);
  let correct = 0;
  for (let k = 0; k < n; k++) if (t[k] === p[k]) correct++;
  if (t.length === 0) throw new SeqevalError("ZeroDivisionError", "division by zero");
  return correct / t.length;
}

/** Token-level TP/FP/FN/TN counts, like `seqeval.metrics.performance_measure`. */
export function performanceMeasure(
  yTrue: TagSequences,
  yPred: TagSequences,
): { TP: number; FP: number; FN: number; TN: number } {
  let t: readonly unknown[] = yTrue;
  let p: readonly unknown[] = yPred;
  if (t.some((s) => Array.isArray(s))) {
    t = flattenForAccuracy(t);
    p = flattenForAccuracy(p);
  }
  const res = { TP: 0, FP: 0, FN: 0, TN: 0 };
  const n = Math.min(t.length, p.length);
  for (let k = 0; k < n; k++) {
    const a = t[k];
    const b = p[k];
    if (a === b && (a !== "O" || b !== "O")) res.TP++;
    if (a !== b && b !== "O") res.FP++;
    if (a !== "O" && b === "O") res.FN++;
    if (a === b && b === "O") res.TN++;
  }
  return res;
}
