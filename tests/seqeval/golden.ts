/**
 * Shared by the seqeval tests: the golden cases of tests/fixtures/seqeval-golden.json
 * (made with Python seqeval 1.2.2) and a comparator that understands "NaN"/"Infinity".
 */
import assert from "node:assert/strict";
import { readFixtureJson } from "../helpers/fixtures";

export type GoldenValue = number | "NaN" | "Infinity" | "-Infinity";
export interface GoldenError {
  error: { type: string; message: string };
}
export interface GoldenRow {
  precision: GoldenValue;
  recall: GoldenValue;
  "f1-score": GoldenValue;
  support: number;
}
export interface GoldenZd {
  precision: Record<"micro" | "macro" | "weighted", GoldenValue>;
  recall: Record<"micro" | "macro" | "weighted", GoldenValue>;
  f1: Record<"micro" | "macro" | "weighted", GoldenValue>;
  report: Record<string, GoldenRow>;
  report_text_digits4?: string | GoldenError;
  warnings?: string[];
}
export type GoldenMode = GoldenError | { zd_warn: GoldenZd; zd_0: GoldenZd; zd_1: GoldenZd };
export interface GoldenCase {
  id: string;
  category: string;
  note?: string;
  y_true: string[][];
  y_pred: string[][];
  kwargs?: { suffix?: boolean };
  accuracy_score: GoldenValue | GoldenError;
  results: Record<"default" | "strict_IOB2" | "strict_IOBES", GoldenMode>;
}

export const MODES = ["default", "strict_IOB2", "strict_IOBES"] as const;
export const ZDS = [
  ["zd_warn", "warn"],
  ["zd_0", 0],
  ["zd_1", 1],
] as const;

export function loadGoldenCases(): GoldenCase[] {
  return readFixtureJson<{ cases: GoldenCase[] }>("seqeval-golden.json").cases;
}

/** Options of the library for a golden mode name. */
export function modeOptions(
  mode: (typeof MODES)[number],
  c: GoldenCase,
): { mode?: "strict"; scheme?: "IOB2" | "IOBES"; suffix: boolean } {
  const suffix = c.kwargs?.suffix ?? false;
  if (mode === "default") return { suffix };
  return { mode: "strict", scheme: mode === "strict_IOB2" ? "IOB2" : "IOBES", suffix };
}

export function isGoldenError(v: unknown): v is GoldenError {
  return typeof v === "object" && v !== null && "error" in v;
}

export function goldenNumber(v: GoldenValue): number {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

/** Asserts equality to 1e-12 (the goldens are ratios of integers), NaN matching NaN. */
export function assertClose(actual: unknown, expected: GoldenValue, where: string): void {
  const e = goldenNumber(expected);
  let a = actual;
  if (a === "NaN") a = NaN;
  if (a === "Infinity") a = Infinity;
  assert.equal(typeof a, "number", `${where}: expected a number, got ${JSON.stringify(actual)}`);
  const x = a as number;
  if (Number.isNaN(e)) assert.ok(Number.isNaN(x), `${where}: expected NaN, got ${x}`);
  else if (!Number.isFinite(e)) assert.equal(x, e, where);
  else assert.ok(Math.abs(x - e) <= 1e-12, `${where}: expected ${e}, got ${x}`);
}

/** Compares a report (entries in order) with a golden `output_dict`. */
export function assertReport(
  actual: readonly (readonly [string, object])[] | Record<string, object>,
  expected: Record<string, GoldenRow>,
  where: string,
): void {
  const entries = (Array.isArray(actual) ? actual : Object.entries(actual)) as [string, Record<string, unknown>][];
  assert.deepEqual(entries.map(([k]) => k).sort(), Object.keys(expected).sort(), `${where}: report keys`);
  for (const [name, row] of entries) {
    const g = expected[name];
    assertClose(row.precision, g.precision, `${where} ${name} precision`);
    assertClose(row.recall, g.recall, `${where} ${name} recall`);
    assertClose(row["f1-score"], g["f1-score"], `${where} ${name} f1-score`);
    assert.equal(row.support, g.support, `${where} ${name} support`);
  }
}
