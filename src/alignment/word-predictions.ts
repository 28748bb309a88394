/**
 * From token-level predictions back to one prediction per word: each word takes the
 * prediction of its first sub-token (the token that carried its label in training).
 */
import { IGNORE_INDEX } from "../util/ignore-index";

/**
 * One value per word. `numWords` (default: 1 + the largest word id) sets the output length;
 * words without any token (empty words, truncated words) get `missing` (default null).
 */
export function wordPredictions<T>(
  wordIds: readonly (number | null)[],
  tokenPredictions: readonly T[],
  numWords?: number,
  missing: T | null = null,
): (T | null)[] {
  if (tokenPredictions.length < wordIds.length) {
    throw new RangeError(`wordPredictions: ${tokenPredictions.length} predictions for ${wordIds.length} tokens`);
  }
  let n = numWords ?? 0;
  if (numWords === undefined) for (const w of wordIds) if (w !== null && w + 1 > n) n = w + 1;
  const out = new Array<T | null>(n).fill(missing);
  const done = new Uint8Array(n);
  for (let k = 0; k < wordIds.length; k++) {
    const w = wordIds[k];
    if (w === null || w >= n || done[w]) continue;
    done[w] = 1;
    out[w] = tokenPredictions[k];
  }
  return out;
}

/**
 * Keep the positions whose label is not -100 (what the HF tutorials' compute_metrics does),
 * giving word-level sequences for seqeval from padded token-level predictions and labels.
 */
export function dropIgnored<T>(
  tokenPredictions: readonly T[],
  labels: readonly number[],
  ignoreIndex = IGNORE_INDEX,
): { predictions: T[]; labels: number[] } {
  const predictions: T[] = [];
  const kept: number[] = [];
  for (let k = 0; k < labels.length; k++) {
    if (labels[k] === ignoreIndex) continue;
    predictions.push(tokenPredictions[k]);
    kept.push(labels[k]);
  }
  return { predictions, labels: kept };
}
