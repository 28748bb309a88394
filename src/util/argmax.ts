/** numpy's `argmax` over one row, the one used by metrics, the pipeline, notebooks and the job. */

/** Index of the largest value: the first one on ties, and the first NaN if any (as numpy). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) {
    if (values[k] > values[best] || (Number.isNaN(values[k]) && !Number.isNaN(values[best]))) best = k;
  }
  return best;
}
