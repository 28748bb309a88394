/**
 * String length in Unicode code points: what Python's `len(str)` and the `tokenizers` binding's
 * character offsets count, while JavaScript's `length` counts UTF-16 code units (the two differ
 * after an astral character such as an emoji). A lone surrogate counts as one code point.
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
