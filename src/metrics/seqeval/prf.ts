/**
 * `precision_recall_fscore_support` of seqeval 1.2.2 (default mode from
 * sequence_labeling.py, strict mode from v1.py), split into per-type counting and
 * scoring so the classification report can count once and score four times.
 */
import { EntityColumns, TypeTable, extractDefaultEntities } from "./default-entities";
import { SeqevalError, numpySum, pyCompareStr, pyIntList, pyLen } from "./python";
import { StrictEntity, extractStrictEntities } from "./strict-entities";
import type { Average, SchemeName, WarningHandler, ZeroDivision } from "./types";

/** Per-type entity counts, types in Python's sorted order. */
export interface TypeCounts {
  names: string[];
  tp: number[];
  pred: number[];
  true: number[];
}

export type Metric = "precision" | "recall" | "f-score";

/** Scores per type (`average: null`) or averaged. */
export interface PerTypeScores {
  precision: number[];
  recall: number[];
  fscore: number[];
  support: number[];
}
export interface AveragedScores {
  precision: number;
  recall: number;
  fscore: number;
  support: number;
}

function pyType(v: unknown): string {
  if (Array.isArray(v)) return "list";
  if (typeof v === "string") return "str";
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  return "dict";
}

function pyLenOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === "string") return pyLen(v);
  if (v !== null && typeof v === "object") return Object.keys(v).length;
  throw new SeqevalError("TypeError", `object of type '${pyType(v)}' has no len()`);
}

/** v1 `check_consistent_length`: both must be lists of lists with equal shapes. */
export function checkConsistentLength(yTrue: unknown, yPred: unknown): void {
  if (!Array.isArray(yTrue) || !Array.isArray(yPred)) {
    throw new SeqevalError("TypeError", `'${pyType(Array.isArray(yTrue) ? yPred : yTrue)}' object is not iterable`);
  }
  const lenTrue = yTrue.map(pyLenOf);
  const lenPred = yPred.map(pyLenOf);
  const allLists = yTrue.length + yPred.length > 0 && yTrue.every(Array.isArray) && yPred.every(Array.isArray);
  if (!allLists) throw new SeqevalError("TypeError", "Found input variables without list of list.");
  let same = lenTrue.length === lenPred.length;
  for (let k = 0; same && k < lenTrue.length; k++) same = lenTrue[k] === lenPred[k];
  if (!same) {
    throw new SeqevalError(
      "ValueError",
      `Found input variables with inconsistent numbers of samples:\n${pyIntList(lenTrue)}\n${pyIntList(lenPred)}`,
    );
  }
}

/** Counts from two default-mode scans (ends strictly increase in each, so one merge pass suffices). */
export function countDefault(t: EntityColumns, p: EntityColumns, table: TypeTable): TypeCounts {
  const nTypes = table.names.length;
  const tp = new Array<number>(nTypes).fill(0);
  const pred = new Array<number>(nTypes).fill(0);
  const tru = new Array<number>(nTypes).fill(0);
  for (let k = 0; k < t.type.length; k++) tru[t.type[k]]++;
  for (let k = 0; k < p.type.length; k++) pred[p.type[k]]++;
  let a = 0;
  let b = 0;
  while (a < t.end.length && b < p.end.length) {
    const ea = t.end[a];
    const eb = p.end[b];
    if (ea < eb) a++;
    else if (eb < ea) b++;
    else {
      if (t.start[a] === p.start[b] && t.type[a] === p.type[b]) tp[t.type[a]]++;
      a++;
      b++;
    }
  }
  const present: number[] = [];
  for (let id = 0; id < nTypes; id++) if (tru[id] > 0 || pred[id] > 0) present.push(id);
  present.sort((x, y) => pyCompareStr(table.names[x], table.names[y]));
  return {
    names: present.map((id) => table.names[id]),
    tp: present.map((id) => tp[id]),
    pred: present.map((id) => pred[id]),
    true: present.map((id) => tru[id]),
  };
}

/** Counts from two strict-mode entity lists (entities of one sentence come in increasing start order). */
export function countStrict(t: readonly StrictEntity[], p: readonly StrictEntity[]): TypeCounts {
  const tally = new Map<string, { tp: number; pred: number; true: number }>();
  const row = (tag: string) => {
    let r = tally.get(tag);
    if (!r) tally.set(tag, (r = { tp: 0, pred: 0, true: 0 }));
    return r;
  };
  for (const e of t) row(e.tag).true++;
  for (const e of p) row(e.tag).pred++;
  let a = 0;
  let b = 0;
  while (a < t.length && b < p.length) {
    const x = t[a];
    const y = p[b];
    if (x.sent !== y.sent) {
      if (x.sent < y.sent) a++;
      else b++;
    } else if (x.start !== y.start) {
      if (x.start < y.start) a++;
      else b++;
    } else {
      if (x.end === y.end && x.tag === y.tag) row(x.tag).tp++;
      a++;
      b++;
    }
  }
  const names = [...tally.keys()].sort(pyCompareStr);
  return {
    names,
    tp: names.map((n) => tally.get(n)!.tp),
    pred: names.map((n) => tally.get(n)!.pred),
    true: names.map((n) => tally.get(n)!.true),
  };
}

/** Entity counts for either mode (`scheme` null = default mode). */
export function countEntities(
  yTrue: unknown,
  yPred: unknown,
  scheme: SchemeName | null,
  suffix: boolean,
  warn: WarningHandler,
): TypeCounts {
  if (scheme) {
    return countStrict(extractStrictEntities(yTrue, scheme, suffix), extractStrictEntities(yPred, scheme, suffix));
  }
  const table = new TypeTable();
  return countDefault(
    extractDefaultEntities(yTrue, suffix, table, warn),
    extractDefaultEntities(yPred, suffix, table, warn),
    table,
  );
}

/** `zero_division in ['warn', 0]` decides whether undefined ratios become 0 or 1. */
export function zeroDivisionValue(zd: unknown): number {
  return zd === "warn" || zd === 0 || zd === false ? 0 : 1;
}

function warnPrf(average: Average, modifier: string, msgStart: string, size: number, warn: WarningHandler): void {
  const where = size === 1 ? "due to" : "in labels with";
  warn(
    `${msgStart} ill-defined and being set to 0.0 ${where} no ${modifier} samples. Use ` +
      `\`zero_division\` parameter to control this behavior.`,
    "UndefinedMetricWarning",
  );
}

/** v1 `_prf_divide`: ratio with zero denominators replaced by the zero_division value, warning as sklearn does. */
function prfDivide(
  num: readonly number[],
  den: readonly number[],
  metric: Metric,
  modifier: string,
  average: Average,
  warnFor: readonly Metric[],
  zd: unknown,
  warn: WarningHandler,
): number[] {
  const zdv = zeroDivisionValue(zd);
  let anyZero = false;
  const result = num.map((n, k) => {
    if (den[k] === 0) {
      anyZero = true;
      return zdv;
    }
    return n / den[k];
  });
  if (!anyZero || zd !== "warn" || !warnFor.includes(metric)) return result;
  const title = metric === "precision" ? "Precision" : metric === "recall" ? "Recall" : "F-Score";
  const msgStart = warnFor.includes("f-score") ? `${title} and F-score are` : `${title} is`;
  warnPrf(average, modifier, msgStart, result.length, warn);
  return result;
}

/** `np.average(values, weights)` with numpy's summation order and empty-slice warnings. */
function npAverage(values: readonly number[], weights: readonly number[] | null, warn: WarningHandler): number {
  if (weights === null) {
    if (values.length === 0) {
      warn("Mean of empty slice.", "RuntimeWarning");
      warn("invalid value encountered in scalar divide", "RuntimeWarning");
      return NaN;
    }
    return numpySum(values) / values.length;
  }
  const products = values.map((v, k) => v * weights[k]);
  return numpySum(products) / numpySum(weights);
}

export interface ScoreParams {
  average: Average;
  warnFor: readonly Metric[];
  beta: number;
  zeroDivision: ZeroDivision | unknown;
  warn: WarningHandler;
}

/** The scoring half of `_precision_recall_fscore_support`, from counts. */
export function scoresFromCounts(
  counts: TypeCounts,
  params: { average: null } & Omit<ScoreParams, "average">,
): PerTypeScores;
export function scoresFromCounts(counts: TypeCounts, params: ScoreParams): PerTypeScores | AveragedScores;
export function scoresFromCounts(counts: TypeCounts, params: ScoreParams): PerTypeScores | AveragedScores {
  const { average, warnFor, beta, zeroDivision: zd, warn } = params;
  let tp = counts.tp;
  let pred = counts.pred;
  let tru = counts.true;
  if (average === "micro") {
    tp = [numpySum(tp)];
    pred = [numpySum(pred)];
    tru = [numpySum(tru)];
  }
  const beta2 = beta ** 2;
  const precision = prfDivide(tp, pred, "precision", "predicted", average, warnFor, zd, warn);
  const recall = prfDivide(tp, tru, "recall", "true", average, warnFor, zd, warn);

  if (zd === "warn" && warnFor.length === 1 && warnFor[0] === "f-score") {
    if (tru.some((t, k) => t === 0 && pred[k] === 0))
      warnPrf(average, "true nor predicted", "F-score is", tru.length, warn);
  }

  let fscore: number[];
  if (beta === Infinity) fscore = recall.slice();
  else {
    fscore = precision.map((p, k) => {
      let denom = beta2 * p + recall[k];
      if (denom === 0) denom = 1;
      return ((1 + beta2) * p * recall[k]) / denom;
    });
  }

  if (average === null) return { precision, recall, fscore, support: tru.slice() };

  let weights: number[] | null = null;
  if (average === "weighted") {
    weights = tru;
    if (numpySum(weights) === 0) {
      const zdv = zeroDivisionValue(zd);
      const noPred = numpySum(pred) === 0;
      return { precision: noPred ? zdv : 0, recall: zdv, fscore: noPred ? zdv : 0, support: numpySum(tru) };
    }
  }
  return {
    precision: npAverage(precision, weights, warn),
    recall: npAverage(recall, weights, warn),
    fscore: npAverage(fscore, weights, warn),
    support: numpySum(tru),
  };
}

/** Validates `beta` and `average` as Python does before counting. */
export function checkScoreArgs(average: unknown, beta: number): void {
  if (beta < 0) throw new SeqevalError("ValueError", "beta should be >=0 in the F-beta score");
  if (!(average === null || average === "micro" || average === "macro" || average === "weighted")) {
    throw new SeqevalError("ValueError", "average has to be one of (None, 'micro', 'macro', 'weighted')");
  }
}

export interface PrfsOptions {
  average?: Average;
  warnFor?: readonly Metric[];
  beta?: number;
  zeroDivision?: ZeroDivision;
  /** null/undefined: default mode; a name: strict mode with that scheme. */
  scheme?: SchemeName | null;
  suffix?: boolean;
  warn: WarningHandler;
}

/** Full `_precision_recall_fscore_support`: argument checks, shape check, counting, scoring. */
export function precisionRecallFscoreSupportCore(
  yTrue: unknown,
  yPred: unknown,
  opts: PrfsOptions,
): PerTypeScores | AveragedScores {
  const average = opts.average === undefined ? null : opts.average;
  const beta = opts.beta ?? 1;
  checkScoreArgs(average, beta);
  checkConsistentLength(yTrue, yPred);
  const counts = countEntities(yTrue, yPred, opts.scheme ?? null, opts.suffix ?? false, opts.warn);
  return scoresFromCounts(counts, {
    average,
    warnFor: opts.warnFor ?? ["precision", "recall", "f-score"],
    beta,
    zeroDivision: opts.zeroDivision ?? "warn",
    warn: opts.warn,
  });
}
