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
  logTicks,
  figureSvg,
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
  const goldTotal = c.counts
    .slice(0, 3)
    .flat()
    .reduce((a, b) => a + b, 0);
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
  assert.deepEqual(hm.z, [
    [1, 0, 0],
    [0, 0, 1],
  ]);
  assert.equal((fig.layout.annotations as unknown[]).length, 6);
});

test("training figures: loss curve with eval markers and per-epoch metrics", () => {
  const loss = lossCurveFigure(
    [
      { step: 1, loss: 2.0, epoch: 0.5 },
      { step: 2, loss: 1.5, epoch: 1 },
    ],
    { evals: [{ epoch: 1, step: 2, evalLoss: 1.7 }] },
  );
  assert.equal(loss.data.length, 2);
  assert.deepEqual(loss.data[0].y, [2.0, 1.5]);
  assert.deepEqual(loss.data[1].x, [2]);
  assert.equal(figureTitle(loss), "Training loss");
  const m = epochMetricsFigure([
    { epoch: 1, f1: 0.5, precision: 0.4 },
    { epoch: 2, f1: 0.7, precision: 0.6 },
  ]);
  assert.deepEqual(
    m.data.map((t) => t.name),
    ["precision", "f1"],
  );
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
  const tags = tagDistributionFigure([
    { tag: "O", count: 100 },
    { tag: "B-X", count: 3 },
  ]);
  assert.deepEqual(tags.data[0].y, [100, 3]);
  assert.equal((tags.layout.yaxis as { type: string }).type, "log");
  const len = entityLengthFigure([
    { type: "B", length: 2 },
    { type: "A", length: 1 },
    { type: "A", length: 1 },
    { type: "A", length: 3 },
  ]);
  assert.deepEqual(
    len.data.map((t) => t.name),
    ["A", "B"],
  );
  assert.deepEqual(len.data[0].x, [1, 3]);
  assert.deepEqual(len.data[0].y, [2, 1]);
  const sl = sentenceLengthFigure({ train: [1, 2], test: [3] });
  assert.deepEqual(
    sl.data.map((t) => t.name),
    ["train", "test"],
  );
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
  // Every bundle carries the static picture: as image/svg+xml and as an <img> inside the HTML.
  assert.match(first["image/svg+xml"] as string, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(
    h2,
    new RegExp(
      '<img class="ner-chart-static" alt="Tag frequencies" width="800" ' +
        'height="380" [^>]*src="data:image\\/svg\\+xml;base64,',
    ),
  );
  const noHtml = figureBundle(fig, { html: false });
  assert.ok(!(noHtml["text/html"] as string).includes("<script"), "NER_PLOTLY_HTML=0: the picture only, no scripts");
  assert.match(noHtml["text/html"] as string, /<img class="ner-chart-static"/);
  assert.equal(typeof noHtml["image/svg+xml"], "string");
});

test("figureHtml: no string of the figure can end the script, open a comment or end CDATA", () => {
  const evil = `</script><!-- ]]> "quoted" 'single' & \u2028`;
  const html = figureHtml(
    { data: [{ type: "bar", name: evil, x: [evil], y: [1] }], layout: { title: { text: evil } } },
    { divId: "d" },
  );
  const script = html.slice(html.indexOf("<script"));
  assert.equal(script.split("</script").length, 2, "only the real closing tag");
  assert.ok(!script.includes("<!--") && !script.includes("]]>"), "no comment or CDATA end inside the script");
  // The payload is still the same figure.
  const payload = /var f=(\{.*?\}),id=/.exec(script)?.[1];
  assert.ok(payload);
  assert.equal((JSON.parse(payload) as { layout: { title: { text: string } } }).layout.title.text, evil);
  assert.match(html, /id="d"/);
  assert.match(html, /alt="&lt;\/script&gt;&lt;!-- \]\]&gt; &quot;quoted&quot; &#39;single&#39; &amp;/);
});

test("LiveFigure: the static SVG while it grows (redrawn by every front end), the interactive chart at the end", () => {
  const sent: { bundle: MimeBundle; displayId?: string; update: boolean }[] = [];
  setDisplaySink((bundle, o) => sent.push({ bundle, ...o }));
  const prev = process.env.NER_PLOTLY_HTML;
  try {
    delete process.env.NER_PLOTLY_HTML;
    resetPlotlySession();
    const live = new LiveFigure();
    const one = lossCurveFigure([{ step: 1, loss: 1 }]);
    const two = lossCurveFigure([
      { step: 1, loss: 1 },
      { step: 2, loss: 0.5 },
    ]);
    live.update(one);
    live.update(two);
    assert.equal(sent.length, 2);
    assert.deepEqual(
      sent.map((s) => s.update),
      [false, true],
    );
    for (const [i, s] of sent.entries()) {
      // No plotly JSON: JupyterLab's plotly extension draws a plotly output once and ignores updates.
      assert.ok(!(PLOTLY_MIME in s.bundle), "no plotly JSON while growing");
      assert.match(s.bundle["image/svg+xml"] as string, /<svg /);
      assert.ok(!(s.bundle["text/html"] as string).includes("<script"), "no script while growing");
      assert.match(
        s.bundle["text/html"] as string,
        new RegExp(`<div class="ner-live-chart" data-points="${i + 1}"><img `),
      );
    }
    live.finish(two);
    assert.equal(sent.length, 4);
    // The library: a plain output of its own (not replaced by later updates), before the final draw.
    assert.equal(sent[2].displayId, undefined);
    assert.ok((sent[2].bundle["text/html"] as string).length > 1_000_000);
    const final = sent[3];
    assert.equal(final.update, true);
    assert.equal(final.displayId, sent[0].displayId);
    assert.ok(final.displayId);
    assert.deepEqual((final.bundle[PLOTLY_MIME] as { data: { y: number[] }[] }).data[0].y, [1, 0.5]);
    assert.ok((final.bundle["text/html"] as string).length < 20_000, "the final version does not resend plotly.js");
    assert.match(final.bundle["text/html"] as string, /Plotly\.react\(/);
    // A second live figure in the same session does not send the library again.
    const again = new LiveFigure();
    again.update(one);
    again.finish(one);
    assert.equal(sent.length, 6);
    assert.ok((sent[5].bundle["text/html"] as string).length < 20_000);
  } finally {
    setDisplaySink(null);
    if (prev === undefined) delete process.env.NER_PLOTLY_HTML;
    else process.env.NER_PLOTLY_HTML = prev;
  }
});

test(
  "legibility: confusion numbers contrast with their cells, axes grow to fit labels, log axes label " +
    "only powers of ten",
  () => {
    const conf = entityConfusion(
      [
        ["B-X", "B-Y", "O"],
        ["B-X", "O", "O"],
      ],
      [
        ["B-X", "B-Y", "O"],
        ["B-X", "O", "B-Y"],
      ],
    );
    const fig = entityConfusionFigure(conf);
    const hm = fig.data[0] as { colorscale: [number, string][]; zmin: number };
    assert.equal(hm.zmin, 0);
    // Light cells for small counts, dark for large ones; text dark on light, white on dark.
    assert.equal(hm.colorscale[0][1], "#f7fbff");
    assert.equal(hm.colorscale[hm.colorscale.length - 1][1], "#08306b");
    const notes = fig.layout.annotations as { text: string; font: { color: string } }[];
    const colorOf = (n: string) => notes.filter((a) => a.text === n).map((a) => a.font.color);
    assert.ok(
      colorOf("2").every((c) => c === "white"),
      "max count: white on the darkest blue",
    );
    assert.ok(
      colorOf("1").every((c) => c === "#111"),
      "half the max: dark text on a light cell",
    );
    for (const f of [
      fig,
      perTypeScoresFigure({ X: { precision: 1, recall: 1, f1: 1, support: 2 } }),
      tagDistributionFigure([{ tag: "O", count: 5 }]),
    ]) {
      assert.equal((f.layout.xaxis as { automargin: boolean }).automargin, true);
      assert.equal((f.layout.yaxis as { automargin: boolean }).automargin, true);
    }
    const tags = tagDistributionFigure([
      { tag: "O", count: 100000 },
      { tag: "B-X", count: 3 },
    ]);
    const y = tags.layout.yaxis as { type: string; tickvals: number[]; ticktext: string[] };
    assert.equal(y.type, "log");
    assert.deepEqual(y.tickvals, [10, 100, 1000, 10000, 100000], "a wide range: powers of ten only");
    assert.deepEqual(y.ticktext, ["10", "100", "1000", "10k", "100k"]);
  },
);

test("log axes over a narrow range still get several labelled ticks (04's tag chart had one)", () => {
  const tags = tagDistributionFigure([
    { tag: "O", count: 5200 },
    { tag: "B-PER", count: 400 },
    { tag: "I-LOC", count: 310 },
  ]);
  const y = tags.layout.yaxis as { range: number[]; tickvals: number[] };
  assert.ok(y.tickvals.length >= 3, `ticks ${y.tickvals}`);
  for (const v of y.tickvals)
    assert.ok(Math.log10(v) >= y.range[0] && Math.log10(v) <= y.range[1], `${v} inside the range`);
  assert.deepEqual(y.tickvals, [500, 1000, 2000, 5000]);
  assert.deepEqual(logTicks(1, 1000), [1, 10, 100, 1000]);
  assert.deepEqual(logTicks(15, 600), [20, 50, 100, 200, 500]);
  assert.deepEqual(logTicks(20, 90), [20, 30, 40, 50, 60, 70, 80, 90]);
  assert.deepEqual(logTicks(310, 350), [310, 320, 330, 340, 350]);
});

test("perTypeScoresFigure: support once under each type, not a text label on every bar", () => {
  const fig = perTypeScoresFigure({
    PER: { precision: 0.9, recall: 0.8, f1: 0.85, support: 10 },
    LOC: { precision: 0.5, recall: 0.5, f1: 0.5, support: 4 },
  });
  for (const bar of fig.data) {
    assert.deepEqual(bar.x, ["LOC<br>n=4", "PER<br>n=10"]);
    assert.equal(bar.text, undefined);
  }
});

test("PNG export without Chromium is a clear error naming the fix", () => {
  assert.throws(
    () => chromiumPath("/nonexistent/chromium"),
    /needs a Chromium browser.*\/nonexistent\/chromium.*NER_CHROMIUM/,
  );
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
    assert.equal(
      sent[0]["text/plain"],
      "Note: Expected: the small model predicts no entity of some types yet.\n  " +
        "UndefinedMetricWarning: Precision is ill-defined <labels> (×2)\n  UndefinedMetricWarning: " +
        "Recall is ill-defined",
    );
    assert.equal(notes.size, 0, "shown warnings are forgotten");
  } finally {
    setDisplaySink(null);
  }
});

/** Rectangles of one trace group in a static SVG: [x, y, width, height] each. */
function traceRects(svg: string, name: string): number[][] {
  const group =
    new RegExp(`<g class="ner-trace" data-type="(?:bar|histogram)" data-name="${name}">(.*?)</g>`).exec(svg)?.[1] ?? "";
  return [...group.matchAll(/<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.-]+)" height="([\d.-]+)"/g)].map((m) =>
    m.slice(1, 5).map(Number),
  );
}

/** Every element closed in order and no tag repeats an attribute (what XML parsers reject). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^<>]*?)(\/?)>/g)) {
    const names = [...m[3].replace(/"[^"]*"/g, "").matchAll(/([\w:-]+)=/g)].map((a) => a[1]);
    assert.equal(new Set(names).size, names.length, `repeated attribute in ${m[0].slice(0, 80)}`);
    if (m[1]) assert.equal(stack.pop(), m[2], `closing ${m[2]}`);
    else if (!m[4]) stack.push(m[2]);
  }
  assert.deepEqual(stack, []);
  // Text outside tags carries no markup characters.
  assert.ok(!/[<>]/.test(svg.replace(/<[^<>]*>/g, "")));
}

test("figureSvg: bars as tall as their values on a 0..1 axis, grouped side by side", () => {
  const fig = perTypeScoresFigure({
    PER: { precision: 0.9, recall: 0.45, f1: 0.6, support: 10 },
    LOC: { precision: 0.3, recall: 0.6, f1: 0.4, support: 4 },
  });
  const svg = figureSvg(fig);
  assertWellFormed(svg);
  const p = traceRects(svg, "precision");
  const r = traceRects(svg, "recall");
  assert.equal(p.length, 2);
  // LOC then PER (category order); heights proportional to the values, one common baseline.
  assert.ok(Math.abs(p[1][3] / p[0][3] - 0.9 / 0.3) < 0.01);
  assert.ok(Math.abs(r[1][3] / p[1][3] - 0.45 / 0.9) < 0.01);
  assert.ok(Math.abs(p[0][1] + p[0][3] - (r[0][1] + r[0][3])) < 0.01, "same baseline");
  assert.ok(r[0][0] > p[0][0] && r[0][0] < p[1][0], "recall beside precision within the LOC group");
  // The y axis is labelled 0 … 1 and the category labels carry the support on a second line.
  assert.match(svg, />0<\/text>/);
  assert.match(svg, />1<\/text>/);
  assert.match(svg, /<tspan[^>]*>LOC<\/tspan><tspan[^>]*>n=4<\/tspan>/);
  assert.match(svg, /<title>Scores per entity type<\/title>/);
});

test("figureSvg: log bars, loss points, heatmap cells and histogram percentages", () => {
  const tags = figureSvg(
    tagDistributionFigure([
      { tag: "O", count: 10000 },
      { tag: "B-X", count: 100 },
      { tag: "I-X", count: 10 },
    ]),
  );
  assertWellFormed(tags);
  const [o, b, i] = traceRects(tags, "tokens").map((rect) => rect[1]);
  assert.ok(Math.abs(b - o - 2 * (i - b)) < 0.01, "two decades are twice one decade");
  for (const label of ["10", "100", "1000", "10k"]) assert.match(tags, new RegExp(`>${label}</text>`));

  const loss = figureSvg(
    lossCurveFigure([
      { step: 1, loss: 2 },
      { step: 2, loss: 1 },
      { step: 3, loss: 0.5 },
    ]),
  );
  assertWellFormed(loss);
  assert.match(loss, /data-name="training loss" data-points="3"/);
  const pts = /<polyline points="([^"]+)"/
    .exec(loss)![1]
    .split(" ")
    .map((p) => p.split(",").map(Number));
  assert.equal(pts.length, 3);
  assert.ok(pts[0][0] < pts[1][0] && pts[1][0] < pts[2][0], "steps left to right");
  assert.ok(Math.abs(pts[1][1] - pts[0][1] - 2 * (pts[2][1] - pts[1][1])) < 0.01, "y linear in the loss");

  const conf = entityConfusion(
    [
      ["B-X", "B-Y", "O"],
      ["B-X", "O", "O"],
    ],
    [
      ["B-X", "B-Y", "O"],
      ["B-X", "O", "B-Y"],
    ],
  );
  const heat = figureSvg(entityConfusionFigure(conf));
  assertWellFormed(heat);
  const cells = /<g class="ner-trace" data-type="heatmap">(.*?)<\/g>/.exec(heat)![1].match(/<rect /g)!.length;
  assert.equal(cells, conf.rows.length * conf.cols.length);
  assert.match(heat, /fill="rgb\(8,48,107\)"/, "the maximum count in the darkest blue");
  assert.match(heat, /text-anchor="middle" fill="white">2<\/text>/, "white number on the dark cell");

  const hist = figureSvg(sentenceLengthFigure({ a: [1, 1, 2, 3], b: [3] }));
  assertWellFormed(hist);
  const total = (name: string) => traceRects(hist, name).length;
  assert.equal(total("a"), 3);
  assert.equal(total("b"), 1);
  const bHeight = traceRects(hist, "b")[0][3];
  const aHeights = traceRects(hist, "a").map((r) => r[3]);
  assert.ok(Math.abs(aHeights[0] - bHeight / 2) < 0.01, "a: 50% of its sentences have length 1; b: 100% have 3");
});

test("figureSvg escapes text: titles, names and labels cannot inject markup", () => {
  const evil = `<!-- ]]> </svg><script>x</script> "q" & 'a'`;
  const svg = figureSvg({
    data: [
      { type: "bar", name: evil, x: [evil, "b"], y: [1, 2] },
      { type: "bar", name: "n", x: ["b"], y: [1] },
    ],
    layout: { title: { text: evil } },
  });
  assertWellFormed(svg);
  assert.ok(!svg.includes("<!--") && !svg.includes("]]>") && !svg.includes("<script"));
  assert.ok(svg.includes("&lt;!-- ]]&gt; &lt;/svg&gt;&lt;script&gt;x&lt;/script&gt; &quot;q&quot; &amp; &#39;a&#39;"));
});
