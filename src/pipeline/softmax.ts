/**
 * Row-wise softmax in float32, as Hugging Face's pipeline computes it with numpy on float32
 * logits: subtract the row maximum, exponentiate, divide by the row sum.
 */

/**
 * Softmax of each row of a flat `[rows, numLabels]` logits array.
 * Intermediate values are rounded to float32 so scores match numpy's float32 results
 * to a few ulps.
 */
export function softmaxRows(logits: ArrayLike<number>, numLabels: number): Float32Array[] {
  if (!Number.isInteger(numLabels) || numLabels <= 0) {
    throw new Error(`softmaxRows: numLabels must be a positive integer, got ${numLabels}`);
  }
  if (logits.length % numLabels !== 0) {
    throw new Error(`softmaxRows: ${logits.length} logits is not a multiple of ${numLabels} labels`);
  }
  const rows: Float32Array[] = [];
  for (let offset = 0; offset < logits.length; offset += numLabels) {
    let max = -Infinity;
    for (let j = 0; j < numLabels; j++) max = Math.max(max, logits[offset + j]);
    const exps = new Float32Array(numLabels);
    let sum = 0;
    for (let j = 0; j < numLabels; j++) {
      exps[j] = Math.exp(Math.fround(logits[offset + j] - max));
      sum += exps[j];
    }
    const total = Math.fround(sum);
    const row = new Float32Array(numLabels);
    for (let j = 0; j < numLabels; j++) row[j] = exps[j] / total;
    rows.push(row);
  }
  return rows;
}
