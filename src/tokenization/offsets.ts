/**
 * The `tokenizers` binding reports character offsets in Unicode code points, while
 * JavaScript strings index UTF-16 code units. These helpers translate between the two
 * (they differ only after an astral character such as an emoji).
 */
import { codePointLength } from "../util/unicode";

/** True when `s` contains a surrogate pair (an astral code point). */
export function hasAstral(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) return true;
  }
  return false;
}

/** Number of code points in `s` (what the binding counts), without allocating. */
export { codePointLength };

/**
 * Map from code-point index to UTF-16 index for `s`: `map[k]` is the UTF-16 position of
 * code point `k`, and `map[codePointLength(s)] === s.length`.
 */
export function codePointToUtf16Map(s: string): Int32Array {
  const map = new Int32Array(codePointLength(s) + 1);
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    map[k++] = i;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  map[k] = s.length;
  return map;
}

/** Convert code-point offsets of `text` to UTF-16 offsets (returns new pairs). */
export function toUtf16Offsets(text: string, offsets: readonly (readonly number[])[]): [number, number][] {
  if (!hasAstral(text)) return offsets.map((o) => [o[0], o[1]]);
  const map = codePointToUtf16Map(text);
  const last = map.length - 1;
  return offsets.map((o) => [map[Math.min(o[0], last)], map[Math.min(o[1], last)]]);
}
