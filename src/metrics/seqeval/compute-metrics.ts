/**
 * The `compute_metrics` every Hugging Face token-classification tutorial writes:
 * argmax the logits, drop positions labelled -100 (special tokens and non-first
 * sub-tokens), map ids to tag names, then score with seqeval.
 */
import { argmax } from "../../util/argmax";
import { IGNORE_INDEX } from "../../util/ignore-index";
import { classificationReport } from "./report";
import { accuracyScore } from "./scores";
import { ReportDict, SeqevalOptions } from "./types";

/** id -> tag name: an array (`labelList`), a record (`config.id2label`) or a Map. */
export type Id2Label = readonly string[] | Readonly<Record<number | string, string>> | ReadonlyMap<number, string>;

/** Result of {@link computeMetrics}: overall (micro) scores, token accuracy and the per-type report. */
export interface ComputedMetrics {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  /** `classification_report(output_dict=True)`: per type and micro/macro/weighted averages. */
  report: ReportDict;
}

function labelLookup(id2label: Id2Label): (id: number) => string {
  const name = (id: number, found: string | undefined) => {
    if (found === undefined) throw new RangeError(`computeMetrics: no label for id ${id} in id2label`);
    return found;
  };
  if (Array.isArray(id2label)) return (id) => name(id, (id2label as readonly string[])[id]);
  if (id2label instanceof Map) return (id) => name(id, id2label.get(id));
  const rec = id2label as Readonly<Record<string, string>>;
  return (id) => name(id, Object.prototype.hasOwnProperty.call(rec, String(id)) ? rec[String(id)] : undefined);
}

/**
 * Gold and predicted tag sequences from token-level output, as the tutorials' compute_metrics
 * builds them: argmax the logits (if logits), drop positions whose gold label is -100, map ids to
 * names. Pairs are zipped per sequence (the shorter length wins). The one home of this step.
 * @param predictionsOrLogits per sequence either predicted ids (`number[][]`) or logits (`number[][][]`)
 * @param labels gold ids per sequence, -100 where a position must be ignored
 */
export function tagSequencesFromIds(
  predictionsOrLogits: readonly ArrayLike<number>[] | readonly (readonly ArrayLike<number>[])[],
  labels: readonly ArrayLike<number>[],
  id2label: Id2Label,
): { yTrue: string[][]; yPred: string[][] } {
  const toName = labelLookup(id2label);
  const yTrue: string[][] = [];
  const yPred: string[][] = [];
  const n = Math.min(predictionsOrLogits.length, labels.length);
  for (let s = 0; s < n; s++) {
    const row = predictionsOrLogits[s] as ArrayLike<number> | readonly ArrayLike<number>[];
    const gold = labels[s];
    const isLogits = row.length > 0 && typeof (row as ArrayLike<unknown>)[0] !== "number";
    const len = Math.min(row.length, gold.length);
    const t: string[] = [];
    const p: string[] = [];
    for (let k = 0; k < len; k++) {
      if (gold[k] === IGNORE_INDEX) continue;
      const id = isLogits ? argmax((row as readonly ArrayLike<number>[])[k]) : (row as ArrayLike<number>)[k];
      t.push(toName(gold[k]));
      p.push(toName(id));
    }
    yTrue.push(t);
    yPred.push(p);
  }
  return { yTrue, yPred };
}

/**
 * Scores token-classification output with seqeval.
 * @param predictionsOrLogits per sequence either predicted ids (`number[][]`) or logits (`number[][][]`, argmax'd here)
 * @param labels gold ids per sequence, -100 where a position must be ignored
 * @param id2label tag names by id
 * @param opts seqeval options (mode, scheme, suffix, zeroDivision; warnings go to `onWarning`)
 * Pairs are zipped per sequence (the shorter length wins), exactly like the tutorials' list comprehensions.
 */
export function computeMetrics(
  predictionsOrLogits: readonly ArrayLike<number>[] | readonly (readonly ArrayLike<number>[])[],
  labels: readonly ArrayLike<number>[],
  id2label: Id2Label,
  opts?: SeqevalOptions,
): ComputedMetrics {
  const { yTrue, yPred } = tagSequencesFromIds(predictionsOrLogits, labels, id2label);
  const report = classificationReport(yTrue, yPred, { ...opts, outputDict: true });
  const micro = report["micro avg"];
  return {
    precision: micro.precision,
    recall: micro.recall,
    f1: micro["f1-score"],
    accuracy: accuracyScore(yTrue, yPred),
    report,
  };
}
