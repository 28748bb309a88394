import { test } from "node:test";
import assert from "node:assert/strict";
import {
  entityConfusion,
  entityConfusionFigure,
  entityLengthFigure,
  epochMetricsFigure,
  figureBundle,
  figureHtml,
  figureTitle,
  lossCurveFigure,
  MISSED,
  perTypeScoresFigure,
  PLOTLY_MIME,
  resetPlotlySession,
  sentenceLengthFigure,
  SPURIOUS,
  tagDistributionFigure,
  WRONG_BOUNDARY,
  LiveFigure,
} from "../../src/charts";
import { chromiumPath } from "../../src/charts/png";
import { setDisplaySink, MimeBundle, WarningNotes } from "../../src/display/index";

test("entityConfusion: exact matches, type confusions, boundary errors, misses and spurious", () => {
  const gold = [
    ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG"],
    ["B-LOC", "I-LOC", "I-LOC", "O", "O", "O"],
  ];
  const pred = [
    // PER exact, LOC predicted as ORG (same span), ORG missed
    ["B-PER", "I-PER", "O", "B-ORG", "O", "O"],
    // LOC cut short (wrong boundary), then a spurious PER
    ["B-LOC", "I-LOC", "O", "O", "B-PER", "O"],
  ];
  const c = entityConfusion(gold, pred);
  assert.deepEqual(c.rows, ["LOC", "ORG", "PER", SPURIOUS]);
  assert.deepEqual(c.cols, ["LOC", "ORG", "PER", WRONG_BOUNDARY, MISSED]);
  const at = (r: string, col: string) => c.counts[c.rows.indexOf(r)][c.cols.indexOf(col)];
  assert.equal(at("PER", "PER"), 1);
  assert.equal(at("LOC", "ORG"), 1);
  assert.equal(at("ORG", MISSED), 1);
  assert.equal(at("LOC", WRONG_BOUNDARY), 1);
  assert.equal(at(SPURIOUS, "PER"), 1);
  // Row sums over gold types equal the number of gold entities (4).
  const goldTotal = c.counts.slice(0, 3).flat().reduce((a, b) => a + b, 0);
  assert.equal(goldTotal, 4);
});

test("entityConfusion: fixed type order, length checks", () => {
  const c = entityConfusion([["B-A"]], [["B-A"]], { types: ["B", "A"] });
  assert.deepEqual(c.rows, ["B", "A", SPURIOUS]);
  assert.deepEqual(c.counts[1], [0, 1, 0, 0]);
  assert.throws(() => entityConfusion([["O"]], []), /1 gold sentences but 0 predicted/);
  assert.throws(() => entityConfusion([["O", "O"]], [["O"]]), /sentence 0 has 2 gold tags but 1 predicted/);
});

test("entityConfusionFigure: heatmap rows reversed for top-down reading, one annotation per cell", () => {
  const c = entityConfusion([["B-X", "O"]], [["O", "B-X"]]);
  const fig = entityConfusionFigure(c);
  const hm = fig.data[0];
  assert.equal(hm.type, "heatmap");
  assert.deepEqual(hm.y, [SPURIOUS, "X"]);
  assert.deepEqual(hm.z, [[1, 0, 0], [0, 0, 1]]);
  assert.equal((fig.layout.annotations as unknown[]).length, 6);
});

test("training figures: loss curve with eval markers and per-epoch metrics", () => {
  const loss = lossCurveFigure(
    [{ step: 1, loss: 2.0, epoch: 0.5 }, { step: 2, loss: 1.5, epoch: 1 }],
    { evals: [{ epoch: 1, step: 2, evalLoss: 1.7 }] },
  );
  assert.equal(loss.data.length, 2);
  assert.deepEqual(loss.data[0].y, [2.0, 1.5]);
  assert.deepEqual(loss.data[1].x, [2]);
  assert.equal(figureTitle(loss), "Training loss");
  const m = epochMetricsFigure([{ epoch: 1, f1: 0.5, precision: 0.4 }, { epoch: 2, f1: 0.7, precision: 0.6 }]);
  assert.deepEqual(m.data.map((t) => t.name), ["precision", "f1"]);
  assert.deepEqual(m.data[1].y, [0.5, 0.7]);
});

test("perTypeScoresFigure: drops avg rows, accepts f1 and f1-score keys", () => {
  const fig = perTypeScoresFigure({
    PER: { precision: 0.9, recall: 0.8, "f1-score": 0.85, support: 10 },
    LOC: { precision: 0.5, recall: 0.5, f1: 0.5, support: 4 },
    "micro avg": { precision: 0.8, recall: 0.7, f1: 0.75, support: 14 },
  });
  assert.deepEqual(fig.data[0].x, ["LOC<br>n=4", "PER<br>n=10"]);
  assert.deepEqual(fig.data[2].y, [0.5, 0.85]);
  assert.throws(() => perTypeScoresFigure({ X: { precision: 1, recall: 1 } }), /neither f1 nor f1-score/);
});

test("distribution figures", () => {
  const tags = tagDistributionFigure([{ tag: "O", count: 100 }, { tag: "B-X", count: 3 }]);
  assert.deepEqual(tags.data[0].y, [100, 3]);
  assert.equal((tags.layout.yaxis as { type: string }).type, "log");
  const len = entityLengthFigure([
    { type: "B", length: 2 },
    { type: "A", length: 1 },
    { type: "A", length: 1 },
    { type: "A", length: 3 },
  ]);
  assert.deepEqual(len.data.map((t) => t.name), ["A", "B"]);
  assert.deepEqual(len.data[0].x, [1, 3]);
  assert.deepEqual(len.data[0].y, [2, 1]);
  const sl = sentenceLengthFigure({ train: [1, 2], test: [3] });
  assert.deepEqual(sl.data.map((t) => t.name), ["train", "test"]);
});

test("figureBundle: plotly JSON + HTML fallback inlining plotly.min.js only once per session", () => {
  resetPlotlySession();
  const fig = tagDistributionFigure([{ tag: "O", count: 1 }]);
  const first = figureBundle(fig, { html: true });
  const second = figureBundle(fig, { html: true });
  assert.deepEqual((first[PLOTLY_MIME] as { data: unknown }).data, fig.data);
  const h1 = first["text/html"] as string;
  const h2 = second["text/html"] as string;
  assert.ok(h1.length > 1_000_000, "first fallback carries plotly.min.js");
  assert.ok(h1.includes("Plotly.react("));
  assert.ok(h2.length < 10_000, "later fallbacks reuse window.Plotly");
  assert.match(first["text/plain"] as string, /Tag frequencies/);
  const noHtml = figureBundle(fig, { html: false });
  assert.equal(noHtml["text/html"], undefined);
});

test("figureHtml escapes </script> inside figure strings", () => {
  const html = figureHtml({ data: [{ type: "bar", name: "</script><b>x" }], layout: {} }, { divId: "d" });
  assert.equal(html.split("</script>").length, 2, "only the real closing tag");
  assert.match(html, /id="d"/);
});

test("LiveFigure: plotly.js once in its own output, then one display redrawn in place with an HTML fallback", () => {
  const sent: { bundle: MimeBundle; displayId?: string; update: boolean }[] = [];
  setDisplaySink((bundle, o) => sent.push({ bundle, ...o }));
  const prev = process.env.NER_PLOTLY_HTML;
  try {
    delete process.env.NER_PLOTLY_HTML;
    resetPlotlySession();
    const live = new LiveFigure();
    const fig = lossCurveFigure([{ step: 1, loss: 1 }]);
    live.update(fig);
    live.update(lossCurveFigure([{ step: 1, loss: 1 }, { step: 2, loss: 0.5 }]));
    live.finish(fig);
    assert.equal(sent.length, 4);
    // The library: a plain output of its own (not replaced by later updates).
    assert.equal(sent[0].displayId, undefined);
    assert.ok((sent[0].bundle["text/html"] as string).length > 1_000_000);
    const updates = sent.slice(1);
    assert.deepEqual(updates.map((s) => s.update), [false, true, true]);
    assert.ok(updates.every((s) => s.displayId === updates[0].displayId && s.displayId));
    const divIds = updates.map((s) => /<div id="([^"]+)"/.exec(s.bundle["text/html"] as string)?.[1]);
    assert.ok(divIds[0] && divIds.every((d) => d === divIds[0]), "every version redraws the same div");
    for (const s of updates) {
      const html = s.bundle["text/html"] as string;
      assert.ok(html.length < 10_000, "updates do not resend plotly.js");
      assert.match(html, /Plotly\.react\(/);
      assert.ok(PLOTLY_MIME in s.bundle);
    }
    assert.deepEqual((updates[1].bundle[PLOTLY_MIME] as { data: { y: number[] }[] }).data[0].y, [1, 0.5]);
    // A second live figure in the same session does not send the library again.
    new LiveFigure().update(fig);
    assert.equal(sent.length, 5);
    assert.ok((sent[4].bundle["text/html"] as string).length < 10_000);
  } finally {
    setDisplaySink(null);
    if (prev === undefined) delete process.env.NER_PLOTLY_HTML;
    else process.env.NER_PLOTLY_HTML = prev;
  }
});

test("legibility: confusion numbers contrast with their cells, axes grow to fit labels, log axes label only powers of ten", () => {
  const conf = entityConfusion([["B-X", "B-Y", "O"], ["B-X", "O", "O"]], [["B-X", "B-Y", "O"], ["B-X", "O", "B-Y"]]);
  const fig = entityConfusionFigure(conf);
  const hm = fig.data[0] as { colorscale: [number, string][]; zmin: number };
  assert.equal(hm.zmin, 0);
  // Light cells for small counts, dark for large ones; text dark on light, white on dark.
  assert.equal(hm.colorscale[0][1], "#f7fbff");
  assert.equal(hm.colorscale[hm.colorscale.length - 1][1], "#08306b");
  const notes = fig.layout.annotations as { text: string; font: { color: string } }[];
  const colorOf = (n: string) => notes.filter((a) => a.text === n).map((a) => a.font.color);
  assert.ok(colorOf("2").every((c) => c === "white"), "max count: white on the darkest blue");
  assert.ok(colorOf("1").every((c) => c === "#111"), "half the max: dark text on a light cell");
  for (const f of [fig, perTypeScoresFigure({ X: { precision: 1, recall: 1, f1: 1, support: 2 } }), tagDistributionFigure([{ tag: "O", count: 5 }])]) {
    assert.equal((f.layout.xaxis as { automargin: boolean }).automargin, true);
    assert.equal((f.layout.yaxis as { automargin: boolean }).automargin, true);
  }
  const tags = tagDistributionFigure([{ tag: "O", count: 100000 }, { tag: "B-X", count: 3 }]);
  assert.deepEqual(tags.layout.yaxis, { automargin: true, type: "log", dtick: 1, title: { text: "tokens (log scale)" } });
});

test("perTypeScoresFigure: support once under each type, not a text label on every bar", () => {
  const fig = perTypeScoresFigure({ PER: { precision: 0.9, recall: 0.8, f1: 0.85, support: 10 }, LOC: { precision: 0.5, recall: 0.5, f1: 0.5, support: 4 } });
  for (const bar of fig.data) {
    assert.deepEqual(bar.x, ["LOC<br>n=4", "PER<br>n=10"]);
    assert.equal(bar.text, undefined);
  }
});

test("PNG export without Chromium is a clear error naming the fix", () => {
  assert.throws(() => chromiumPath("/nonexistent/chromium"), /needs a Chromium browser.*\/nonexistent\/chromium.*NER_CHROMIUM/);
});

test("WarningNotes: expected warnings shown once as an explained note, not on stderr", () => {
  const sent: MimeBundle[] = [];
  setDisplaySink((bundle) => sent.push(bundle));
  try {
    const notes = new WarningNotes();
    notes.show("nothing to say");
    assert.equal(sent.length, 0, "no warnings, no note");
    notes.handler("Precision is ill-defined <labels>", "UndefinedMetricWarning");
    notes.handler("Precision is ill-defined <labels>", "UndefinedMetricWarning");
    notes.handler("Recall is ill-defined", "UndefinedMetricWarning");
    assert.equal(notes.size, 2);
    notes.show("Expected: the small model predicts no entity of some types yet.");
    assert.equal(sent.length, 1);
    const html = sent[0]["text/html"] as string;
    assert.match(html, /Expected: the small model/);
    assert.match(html, /2 warnings/);
    assert.match(html, /UndefinedMetricWarning: Precision is ill-defined &lt;labels&gt; \(×2\)/);
    assert.equal(sent[0]["text/plain"], "Note: Expected: the small model predicts no entity of some types yet.\n  UndefinedMetricWarning: Precision is ill-defined <labels> (×2)\n  UndefinedMetricWarning: Recall is ill-defined");
    assert.equal(notes.size, 0, "shown warnings are forgotten");
  } finally {
    setDisplaySink(null);
  }
});
