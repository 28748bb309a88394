/**
 * seqeval for TypeScript: entity-level precision, recall and F1 for sequence labelling,
 * giving the same numbers, reports, warnings and errors as Python seqeval 1.2.2.
 *
 * ```ts
 * import { classificationReport, f1Score } from "../src/metrics/seqeval";
 * f1Score([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]]);            // 0
 * console.log(classificationReport(yTrue, yPred, { digits: 4 }));       // text table
 * classificationReport(yTrue, yPred, { outputDict: true })["micro avg"]; // {precision, recall, "f1-score", support}
 * f1Score(yTrue, yPred, { mode: "strict", scheme: "IOB2" });            // strict mode
 * ```
 * Errors Python would raise are thrown as {@link SeqevalError} (`pythonType`, `message`).
 */
export { SeqevalError, type PythonErrorType } from "./python";
export {
  SCHEME_NAMES,
  defaultWarningHandler,
  type Average,
  type ReportDict,
  type ReportOptions,
  type ReportRow,
  type SchemeName,
  type ScoreOptions,
  type SeqevalOptions,
  type TagSequences,
  type WarningCategory,
  type WarningHandler,
  type ZeroDivision,
} from "./types";
export { getEntities } from "./default-entities";
export { autoDetectScheme, isSchemeName } from "./strict-entities";
export {
  accuracyScore,
  f1Score,
  performanceMeasure,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
} from "./scores";
export {
  classificationReport,
  computeReportRows,
  rowsToEntries,
  formatReport,
  formatReportDict,
  type ReportRows,
} from "./report";
export { computeMetrics, tagSequencesFromIds, type ComputedMetrics, type Id2Label } from "./compute-metrics";
