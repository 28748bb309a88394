/**
 * Training arguments: Hugging Face's `TrainingArguments` the tutorials set, in camelCase, with HF's
 * defaults. The type, the defaults and the checks come from the option table (./options.ts).
 */
import type { TrainingArguments } from "./options";

export { DEFAULT_TRAINING_ARGUMENTS, resolveTrainingArguments } from "./options";
export type { IntervalStrategy, ProgressMode, TrainingArguments } from "./options";

/** The metric key as it appears in evaluation results ("f1" → "eval_f1"). */
export function bestMetricKey(args: TrainingArguments): string {
  return args.metricForBestModel.startsWith("eval_") ? args.metricForBestModel : `eval_${args.metricForBestModel}`;
}

/** Whether a larger value of the best-model metric is better. */
export function greaterIsBetter(args: TrainingArguments): boolean {
  return args.greaterIsBetter ?? !/loss$/.test(args.metricForBestModel);
}
