/**
 * Splitting one encoded text into model-sized windows, as a Hugging Face fast tokenizer does
 * with `truncation=True, return_overflowing_tokens=True, stride=s`: the content tokens (without
 * [CLS]/[SEP]) are cut into windows of `modelMaxLength - specials` tokens, each starting
 * `window - stride` tokens after the previous one, until a window reaches the end; each window
 * gets the special tokens back. Offsets keep pointing into the original string.
 */
import type { EncodedWindow } from "./types";

/** Window settings. */
export interface WindowOptions {
  /** Longest sequence the model accepts, special tokens included (tokenizer `model_max_length`). */
  modelMaxLength: number;
  /**
   * Overlap in tokens between consecutive windows. Undefined → plain truncation: only the
   * first window is returned.
   */
  stride?: number;
}

function slice(enc: EncodedWindow, from: number, to: number): EncodedWindow {
  return {
    inputIds: enc.inputIds.slice(from, to),
    tokens: enc.tokens.slice(from, to),
    offsets: enc.offsets.slice(from, to),
    specialTokensMask: enc.specialTokensMask.slice(from, to),
  };
}

function concat(parts: EncodedWindow[]): EncodedWindow {
  return {
    inputIds: parts.flatMap((p) => p.inputIds),
    tokens: parts.flatMap((p) => p.tokens),
    offsets: parts.flatMap((p) => p.offsets),
    specialTokensMask: parts.flatMap((p) => p.specialTokensMask),
  };
}

/**
 * Cut a full (untruncated) single-sequence encoding into windows. The leading and trailing
 * special tokens of `full` ([CLS] … [SEP]) are repeated around every window.
 */
export function splitIntoWindows(full: EncodedWindow, opts: WindowOptions): EncodedWindow[] {
  const n = full.inputIds.length;
  let head = 0;
  while (head < n && full.specialTokensMask[head]) head++;
  let tail = n;
  while (tail > head && full.specialTokensMask[tail - 1]) tail--;
  const prefix = slice(full, 0, head);
  const suffix = slice(full, tail, n);
  const contentLength = tail - head;
  const maxContent = opts.modelMaxLength - head - (n - tail);
  if (maxContent <= 0) {
    throw new Error(`modelMaxLength ${opts.modelMaxLength} leaves no room for tokens besides the special tokens`);
  }
  if (contentLength <= maxContent) return [full];
  if (opts.stride === undefined) return [concat([prefix, slice(full, head, head + maxContent), suffix])];
  const stride = opts.stride;
  if (!Number.isInteger(stride) || stride < 0 || stride >= maxContent) {
    throw new Error(
      `stride must be an integer in [0, ${maxContent}) (model max length ${opts.modelMaxLength} ` +
        `minus special tokens), got ${stride}`,
    );
  }
  const step = maxContent - stride;
  const windows: EncodedWindow[] = [];
  for (let start = 0; start < contentLength; start += step) {
    const stop = Math.min(start + maxContent, contentLength);
    windows.push(concat([prefix, slice(full, head + start, head + stop), suffix]));
    if (stop === contentLength) break;
  }
  return windows;
}
