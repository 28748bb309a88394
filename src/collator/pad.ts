/**
 * Array-level dynamic padding of token-classification features (no tensors), the part of
 * HF's DataCollatorForTokenClassification that decides values and lengths.
 */
import { paddedLength } from "../tokenization/padding";
import { IGNORE_INDEX } from "../util/ignore-index";

/** A feature as produced by tokenizeAndAlignLabels (extra fields are ignored). */
export interface TokenFeature {
  inputIds: readonly number[];
  attentionMask?: readonly number[];
  tokenTypeIds?: readonly number[];
  labels?: readonly number[];
}

/** A padded batch as plain row-major arrays. */
export interface PaddedBatch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  /** Present when every feature has labels. */
  labels?: Int32Array;
}

export interface PadOptions {
  padTokenId: number;
  /** Label for padded positions (default -100). */
  labelPadTokenId?: number;
  /** token_type_id for padded positions (default 0). */
  padTokenTypeId?: number;
  /** Round the padded length up to a multiple of this (e.g. 8 for tensor cores). */
  padToMultipleOf?: number;
  /** Pad to exactly this length instead of the longest (HF padding="max_length"). */
  maxLength?: number;
}

/** Pad features on the right to the longest in the batch (or `maxLength`). */
export function padFeatures(features: readonly TokenFeature[], opts: PadOptions): PaddedBatch {
  if (features.length === 0) throw new Error("padFeatures: empty batch");
  const len = paddedLength(
    features.map((f) => f.inputIds.length),
    opts.maxLength,
    opts.padToMultipleOf,
  );
  const b = features.length;
  const withLabels = features.every((f) => f.labels !== undefined);
  if (!withLabels && features.some((f) => f.labels !== undefined)) {
    throw new Error("padFeatures: some features have labels and some do not");
  }
  const out: PaddedBatch = {
    batchSize: b,
    seqLength: len,
    inputIds: new Int32Array(b * len).fill(opts.padTokenId),
    attentionMask: new Int32Array(b * len),
    tokenTypeIds: new Int32Array(b * len).fill(opts.padTokenTypeId ?? 0),
    labels: withLabels ? new Int32Array(b * len).fill(opts.labelPadTokenId ?? IGNORE_INDEX) : undefined,
  };
  features.forEach((f, i) => {
    const n = f.inputIds.length;
    if (n > len) throw new Error(`padFeatures: feature ${i} has ${n} tokens, more than the padding length ${len}`);
    const row = i * len;
    for (const [name, arr] of [
      ["attentionMask", f.attentionMask],
      ["tokenTypeIds", f.tokenTypeIds],
      ["labels", f.labels],
    ] as const) {
      if (arr !== undefined && arr.length !== n)
        throw new Error(`padFeatures: feature ${i} has ${n} inputIds but ${arr.length} ${name}`);
    }
    out.inputIds.set(f.inputIds, row);
    if (f.attentionMask) out.attentionMask.set(f.attentionMask, row);
    else out.attentionMask.fill(1, row, row + n);
    if (f.tokenTypeIds) out.tokenTypeIds.set(f.tokenTypeIds, row);
    if (out.labels && f.labels) out.labels.set(f.labels, row);
  });
  return out;
}

/** Rows of a flat padded array (e.g. for printing or JSON). */
export function toRows(flat: Int32Array, seqLength: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += seqLength) rows.push(Array.from(flat.subarray(i, i + seqLength)));
  return rows;
}
