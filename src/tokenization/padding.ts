/**
 * Right padding of encodings, with HF's conventions: input ids with the pad token,
 * attention mask 0, token type ids with the pad type id, special-tokens mask 1,
 * word ids null, offsets [0, 0].
 */
import type { Encoding } from "./types";

export interface PadValues {
  padTokenId: number;
  padToken: string;
  padTypeId?: number;
}

/** The length a batch is padded to: `target`, or the longest, rounded up to a multiple. */
export function paddedLength(lengths: readonly number[], target?: number, multipleOf?: number): number {
  let len = target ?? lengths.reduce((m, l) => Math.max(m, l), 0);
  if (multipleOf && multipleOf > 1 && len % multipleOf !== 0) len = (Math.floor(len / multipleOf) + 1) * multipleOf;
  return len;
}

/** Pad one encoding in place on the right to `length` (no-op when already that long or longer). */
export function padEncoding<E extends Encoding & { offsets?: [number, number][] }>(
  enc: E,
  length: number,
  pad: PadValues,
): E {
  const n = length - enc.inputIds.length;
  for (let i = 0; i < n; i++) {
    enc.inputIds.push(pad.padTokenId);
    enc.attentionMask.push(0);
    enc.tokenTypeIds.push(pad.padTypeId ?? 0);
    enc.specialTokensMask.push(1);
    enc.tokens.push(pad.padToken);
    enc.wordIds.push(null);
    enc.offsets?.push([0, 0]);
  }
  return enc;
}
