/**
 * computeMetrics (the tutorials' compute_metrics: argmax, drop -100, seqeval) against the
 * golden Python report of a realistic case, and the Python-compatible helpers it relies on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { computeMetrics, precisionScore } from "../../src/metrics/seqeval";
import { formatFixed, numpySum, pyCompareStr, pyLen } from "../../src/metrics/seqeval/python";
import { Rng } from "../../src/util/random";
import { assertClose, assertReport, isGoldenError, loadGoldenCases } from "./golden";

const CONLL_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

test("computeMetrics on ids, logits and -100 positions reproduces Python's report", () => {
  const c = loadGoldenCases().find((x) => x.id.startsWith("public_conll2003_test_400_r0.1_IOB2"));
  assert.ok(c, "realistic CoNLL golden case");
  const golden = c.results.default;
  assert.ok(!isGoldenError(golden));
  const label2id = new Map(CONLL_LABELS.map((l, k) => [l, k]));
  const rng = new Rng(7);
  const labels: number[][] = [];
  const preds: number[][] = [];
  const logits: number[][][] = [];
  c.y_true.forEach((sent, s) => {
    const l: number[] = [-100]; // [CLS]
    const p: number[] = [Math.floor(rng.next() * 9)];
    sent.forEach((tag, k) => {
      l.push(label2id.get(tag)!);
      p.push(label2id.get(c.y_pred[s][k])!);
      if (rng.next() < 0.3) {
        // a continuation sub-token: ignored whatever is predicted there
        l.push(-100);
        p.push(Math.floor(rng.next() * 9));
      }
    });
    l.push(-100); // [SEP]
    p.push(0);
    labels.push(l);
    preds.push(p);
    logits.push(p.map((id) => CONLL_LABELS.map((_, j) => (j === id ? 2 + rng.next() : rng.next()))));
  });
  const id2label = Object.fromEntries(CONLL_LABELS.map((l, k) => [k, l]));
  const quiet = { onWarning: () => undefined };
  for (const out of [
    computeMetrics(preds, labels, CONLL_LABELS, quiet),
    computeMetrics(logits, labels, id2label, quiet),
  ]) {
    assertReport(out.report, golden.zd_warn.report, "computeMetrics");
    assertClose(out.precision, golden.zd_warn.precision.micro, "precision");
    assertClose(out.recall, golden.zd_warn.recall.micro, "recall");
    assertClose(out.f1, golden.zd_warn.f1.micro, "f1");
    assertClose(out.accuracy, c.accuracy_score as number, "accuracy");
  }
  assert.throws(() => computeMetrics([[9]], [[9]], CONLL_LABELS), /no label for id 9/);
});

test("strict mode through computeMetrics options", () => {
  // I-PER without B: an entity in default mode, none in strict IOB2.
  const labels = [[0, 1, 2, 0]];
  const preds = [[0, 2, 2, 0]];
  const names = CONLL_LABELS;
  assert.equal(computeMetrics(preds, labels, names).f1, 1);
  const s = computeMetrics(preds, labels, names, { mode: "strict", scheme: "IOB2", onWarning: () => undefined });
  assert.equal(s.f1, 0);
  assert.equal(s.report.PER.support, 1);
  assert.equal(s.accuracy, 0.75);
});

test("Python float formatting rounds exact ties half to even", () => {
  assert.equal(formatFixed(0.03125, 4), "0.0312");
  assert.equal(formatFixed(0.09375, 4), "0.0938");
  assert.equal(formatFixed(0.125, 2), "0.12");
  assert.equal(formatFixed(0.375, 2), "0.38");
  assert.equal(formatFixed(2 / 3, 4), "0.6667");
  assert.equal(formatFixed(0.5, 0), "0");
  assert.equal(formatFixed(1, 4), "1.0000");
  assert.equal(formatFixed(NaN, 2), "nan");
  assert.equal(formatFixed(0.1 + 0.2, 1), "0.3");
});

test("numpy pairwise summation, code-point order and length", () => {
  const xs = Array.from({ length: 300 }, (_, k) => 1 / (k + 3));
  let naive = 0;
  for (const x of xs) naive += x;
  assert.ok(Math.abs(numpySum(xs) - naive) < 1e-12);
  // 8-way unrolled blocks: ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the rest in order
  const ten = [1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, 3];
  const r = ten.slice(0, 8);
  const blocked = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7])) + ten[8] + ten[9];
  assert.equal(numpySum(ten), blocked);
  assert.equal(blocked, 9); // a left-to-right sum loses every +1 next to 1e16 and gives 3
  assert.ok(pyCompareStr("\u{1F600}", "\uFFFF") > 0); // JS "<" would say the opposite
  assert.equal(pyLen("a\u{1F600}"), 2);
});

test("precision score with warnings delivered to the handler", () => {
  const seen: [string, string][] = [];
  const p = precisionScore([["B-PER", "O"]], [["O", "O"]], { onWarning: (m, c) => seen.push([m, c]) });
  assert.equal(p, 0);
  assert.deepEqual(seen, [
    [
      "Precision is ill-defined and being set to 0.0 due to no predicted samples. Use " +
        "`zero_division` parameter to control this behavior.",
      "UndefinedMetricWarning",
    ],
  ]);
  assert.equal(precisionScore([["B-PER", "O"]], [["O", "O"]], { zeroDivision: 1 }), 1);
});
