/**
 * Every golden case of Python seqeval 1.2.2 through the library: P/R/F for each average,
 * the output_dict report, the digits=4 text report, the warnings and the errors, in
 * default, strict IOB2 and strict IOBES modes, for zero_division "warn", 0 and 1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SeqevalError,
  accuracyScore,
  classificationReport,
  f1Score,
  precisionScore,
  recallScore,
  type WarningHandler,
} from "../../src/metrics/seqeval";
import { pyCompareStr } from "../../src/metrics/seqeval/python";
import { rowsToEntries, computeReportRows } from "../../src/metrics/seqeval/report";
import {
  MODES,
  ZDS,
  type GoldenError,
  type GoldenZd,
  assertClose,
  assertReport,
  isGoldenError,
  loadGoldenCases,
  modeOptions,
} from "./golden";

const cases = loadGoldenCases();

function caught(fn: () => unknown): { type: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof SeqevalError) return { type: err.pythonType, message: err.message };
    throw err;
  }
}

test("golden file has cases of every category", () => {
  const cats = new Set(cases.map((c) => c.category));
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  for (const c of ["edge", "random", "realistic"]) assert.ok(cats.has(c), c);
});

test("accuracy_score matches Python on every golden case", () => {
  for (const c of cases) {
    if (isGoldenError(c.accuracy_score)) {
      assert.deepEqual(
        caught(() => accuracyScore(c.y_true, c.y_pred)),
        c.accuracy_score.error,
        c.id,
      );
    } else {
      assertClose(accuracyScore(c.y_true, c.y_pred), c.accuracy_score, `${c.id} accuracy`);
    }
  }
});

for (const mode of MODES) {
  test(`P/R/F, reports, warnings and errors match Python (${mode})`, () => {
    let compared = 0;
    for (const c of cases) {
      const golden = c.results[mode];
      const base = modeOptions(mode, c);
      if (isGoldenError(golden)) {
        const err = caught(() => precisionScore(c.y_true, c.y_pred, { ...base, onWarning: () => undefined }));
        assert.deepEqual(err, golden.error, `${c.id} ${mode}: error`);
        for (const average of ["micro", "macro", "weighted"] as const) {
          assert.deepEqual(
            caught(() => recallScore(c.y_true, c.y_pred, { ...base, average, onWarning: () => undefined })),
            golden.error,
          );
          assert.deepEqual(
            caught(() => f1Score(c.y_true, c.y_pred, { ...base, average, onWarning: () => undefined })),
            golden.error,
          );
        }
        // The report raises too. Its error is the same except that v1's strict report
        // builds entities before the shape check: a flat list then fails on the '-' of
        // "B-PER" read as a one-character token (KeyError), as in Python.
        const reportErr = caught(() =>
          classificationReport(c.y_true, c.y_pred, { ...base, outputDict: true, onWarning: () => undefined }),
        );
        const flatStrict = mode !== "default" && !c.y_true.some((s) => Array.isArray(s));
        assert.deepEqual(
          reportErr,
          flatStrict ? { type: "KeyError", message: "'-'" } : golden.error,
          `${c.id} ${mode}: report error`,
        );
        continue;
      }
      for (const [zdKey, zeroDivision] of ZDS) {
        const g: GoldenZd = golden[zdKey];
        const where = `${c.id} ${mode} ${zdKey}`;
        const warnings: string[] = [];
        const onWarning: WarningHandler = (m) => warnings.push(m);
        const opts = { ...base, zeroDivision, onWarning };
        for (const average of ["micro", "macro", "weighted"] as const) {
          assertClose(
            precisionScore(c.y_true, c.y_pred, { ...opts, average }),
            g.precision[average],
            `${where} precision ${average}`,
          );
          assertClose(
            recallScore(c.y_true, c.y_pred, { ...opts, average }),
            g.recall[average],
            `${where} recall ${average}`,
          );
          assertClose(f1Score(c.y_true, c.y_pred, { ...opts, average }), g.f1[average], `${where} f1 ${average}`);
        }
        assertReport(rowsToEntries(computeReportRows(c.y_true, c.y_pred, opts, false).rows), g.report, where);
        assertReport(classificationReport(c.y_true, c.y_pred, { ...opts, outputDict: true }), g.report, where);
        if (g.report_text_digits4 !== undefined) {
          const expected: string | GoldenError = g.report_text_digits4;
          if (isGoldenError(expected)) {
            assert.deepEqual(
              caught(() => classificationReport(c.y_true, c.y_pred, { ...opts, digits: 4 })),
              expected.error,
              `${where} text`,
            );
          } else {
            assert.equal(classificationReport(c.y_true, c.y_pred, { ...opts, digits: 4 }), expected, `${where} text`);
          }
        }
        if (g.warnings !== undefined) {
          const got = [...new Set(warnings)].sort(pyCompareStr);
          assert.deepEqual(got, g.warnings, `${where} warnings`);
        }
        compared++;
      }
    }
    assert.ok(compared > 0);
  });
}
