/**
 * Small pieces of Python behaviour that seqeval's results depend on: its exception
 * types and messages, `str.format` float/width formatting, code-point string order
 * and length, and numpy's pairwise summation (so averages round like numpy's).
 */
import { codePointLength } from "../../util/unicode";

/** Python exception types that seqeval 1.2.2 can raise for bad input. */
export type PythonErrorType = "ValueError" | "TypeError" | "KeyError" | "IndexError" | "ZeroDivisionError";

/**
 * An error that Python seqeval would raise for the same input: `pythonType` is the
 * Python exception class and `message` is `str(exception)` exactly as Python prints it.
 */
export class SeqevalError extends Error {
  readonly pythonType: PythonErrorType;
  constructor(pythonType: PythonErrorType, message: string) {
    super(message);
    this.name = `SeqevalError(${pythonType})`;
    this.pythonType = pythonType;
  }
}

/** Python's `repr()` of a str (what `str(KeyError(key))` shows). */
export function pyReprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}

/** Length in code points, as Python's `len(str)`. */
export const pyLen: (s: string) => number = codePointLength;

/** Code-point order, as Python's `sorted()` on str (JS `<` compares UTF-16 units). */
export function pyCompareStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Right-align `s` in `width` code points (`'{:>{width}}'.format(s)`). */
export function padLeft(s: string, width: number): string {
  const len = pyLen(s);
  return len >= width ? s : " ".repeat(width - len) + s;
}

/**
 * `'{:.{digits}f}'.format(x)`. JS `toFixed` rounds exact ties up; Python rounds the
 * exact binary value half-to-even, which differs on ties such as 0.03125 -> "0.0312".
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Math.abs(x) >= 1e21) return x.toFixed(digits); // never reached for scores in [0, 1]
  const plain = x.toFixed(digits);
  // A tie needs the exact expansion to stop right after a '5' at position digits+1;
  // such values are dyadic with few digits, so 40 extra digits show them exactly.
  const extra = Math.min(100, digits + 40);
  const long = Math.abs(x).toFixed(extra);
  const dot = long.indexOf(".");
  const tail = long.slice(dot + 1 + digits);
  if (!/^50*$/.test(tail)) return plain;
  // Exact tie: round half to even on the truncated value.
  const truncated = long.slice(0, dot + 1 + digits).replace(/\.$/, "");
  const lastDigit = truncated.charCodeAt(truncated.length - 1) - 48;
  let result: string;
  if (lastDigit % 2 === 0) result = truncated;
  else result = plain.replace(/^-/, "");
  const negative = x < 0 || Object.is(x, -0);
  return negative ? "-" + result : result;
}

/**
 * numpy's pairwise summation of a float64 vector (`np.add.reduce`), so sums of
 * eight or more per-type scores round exactly as in Python.
 */
export function numpySum(a: ArrayLike<number>, start = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = start; i < start + n; i++) res += a[i];
    return res;
  }
  if (n <= 128) {
    const r = [
      a[start],
      a[start + 1],
      a[start + 2],
      a[start + 3],
      a[start + 4],
      a[start + 5],
      a[start + 6],
      a[start + 7],
    ];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, start, n2) + numpySum(a, start + n2, n - n2);
}

/** Python's list repr of ints, e.g. `[2, 1]`. */
export function pyIntList(values: readonly number[]): string {
  return "[" + values.join(", ") + "]";
}
