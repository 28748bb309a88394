/**
 * Non-finite model outputs: the check, and the one warning `ner predict` and `ner evaluate` print
 * (once) when a model's logits hold NaN or Inf. The softmax of such a row is NaN, so its labels and
 * scores mean nothing (broken weights, usually).
 */

export const NON_FINITE_LOGITS_WARNING =
  "warning: the model produced non-finite logits (NaN or Inf); its weights are probably broken " +
  "(check them with `ner model info`)";

/** True when every value is finite. */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
