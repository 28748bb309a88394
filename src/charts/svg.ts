/**
 * A static SVG picture of a plotly figure, drawn by our own code (no browser): the image that
 * goes into every chart's MIME bundle, so that a view that runs no scripts (an untrusted
 * notebook, GitHub, a live chart while it grows) still shows the chart.
 *
 * It covers what the builders in this folder emit: scatter (lines, markers), bar (grouped or
 * overlaid, category or numeric x, linear or log y), histogram (shared bins, `histnorm`),
 * heatmap (category axes, colorscale, colorbar, cell annotations), titles, axis titles, legend.
 * Colours follow plotly.js's default colorway, so the picture matches the interactive chart.
 */
import { escapeHtml } from "../display/html";
import { figureTitle, PlotlyFigure, PlotlyTrace } from "./figure";
import { type Bins, formatTick, linearTicks, logTicks, niceStep, sharedBins, stepDecimals } from "./ticks";

/** plotly.js's default trace colours (D3 category10). */
export const PLOTLY_COLORWAY = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

export interface SvgOptions {
  width?: number;
  height?: number;
}

const FONT = "'Open Sans', verdana, arial, sans-serif";
const CHAR_W = 7; // average width of a 12 px character, for margins (no font metrics outside a browser)
const LINE_H = 14;

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === "object" ? (v as Rec) : {});
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const fmt = (v: number) => (Math.round(v * 100) / 100).toString();
const rect = (x: number, y: number, w: number, h: number, attrs: string) =>
  `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(Math.max(0, w))}" height="${fmt(Math.max(0, h))}" ${attrs}/>`;
const line = (x1: number, y1: number, x2: number, y2: number, attrs: string) =>
  `<line x1="${fmt(x1)}" x2="${fmt(x2)}" y1="${fmt(y1)}" y2="${fmt(y2)}" ${attrs}/>`;

/** plotly's text markup reduced to lines: `<br>` breaks a line, other tags are dropped. */
export function textLines(text: string): string[] {
  return text.split(/<br\s*\/?>/i).map((line) => line.replace(/<\/?(b|i|em|strong|sup|sub|span|a)\b[^>]*>/gi, ""));
}

function textWidth(text: string, size = 12): number {
  return Math.max(0, ...textLines(text).map((l) => l.length)) * CHAR_W * (size / 12);
}

/** A `<text>` element; several lines become tspans `LINE_H` apart. */
function svgText(x: number, y: number, text: string, attrs: string): string {
  const lines = textLines(text);
  if (lines.length === 1) return `<text x="${fmt(x)}" y="${fmt(y)}" ${attrs}>${escapeHtml(lines[0])}</text>`;
  const spans = lines
    .map((l, i) => `<tspan x="${fmt(x)}" dy="${i === 0 ? 0 : LINE_H}">${escapeHtml(l)}</tspan>`)
    .join("");
  return `<text x="${fmt(x)}" y="${fmt(y)}" ${attrs}>${spans}</text>`;
}

function axisTitle(axis: Rec): string {
  const t = axis.title;
  if (typeof t === "string") return t;
  const text = rec(t).text;
  return typeof text === "string" ? text : "";
}

interface Tick {
  v: number;
  label: string;
}

/** One axis: a map from data values (numbers, or category names) to pixels. */
interface Axis {
  kind: "category" | "linear" | "log";
  cats: string[];
  /** Range in axis units: category index, value, or log10(value). */
  lo: number;
  hi: number;
  ticks: Tick[];
  title: string;
}

function toUnit(axis: Axis, v: unknown): number | null {
  if (axis.kind === "category") {
    const i = axis.cats.indexOf(String(v));
    return i < 0 ? null : i;
  }
  const n = num(v);
  if (n === null) return null;
  if (axis.kind === "log") return n > 0 ? Math.log10(n) : null;
  return n;
}

/** The bins of the histogram traces: the first trace's `xbins` when given, else computed. */
function histogramBins(traces: PlotlyTrace[]): Bins | null {
  const xb = rec(traces[0]?.xbins);
  const start = num(xb.start);
  const end = num(xb.end);
  const size = num(xb.size);
  if (start !== null && end !== null && size !== null && size > 0 && end > start) {
    return { start, size, count: Math.max(1, Math.round((end - start) / size)) };
  }
  return sharedBins(
    traces.flatMap((t) =>
      arr(t.x)
        .map(num)
        .filter((v): v is number => v !== null),
    ),
  );
}

function histogramHeights(t: PlotlyTrace, bins: Bins): number[] {
  const counts = new Array<number>(bins.count).fill(0);
  const xs = arr(t.x)
    .map(num)
    .filter((v): v is number => v !== null);
  for (const v of xs) counts[Math.min(bins.count - 1, Math.floor((v - bins.start) / bins.size))] += 1;
  const norm = t.histnorm;
  if (norm === "percent") return counts.map((c) => (xs.length ? (100 * c) / xs.length : 0));
  if (norm === "probability") return counts.map((c) => (xs.length ? c / xs.length : 0));
  return counts;
}

function traceType(t: PlotlyTrace): string {
  return t.type ?? "scatter";
}

/** Categories in order of first appearance. */
function categoriesOf(values: unknown[]): string[] {
  return [...new Set(values.map(String))];
}

/** `px`: the axis length in pixels; `spacing`: pixels per tick interval wanted. */
function buildAxis(
  spec: Rec,
  values: unknown[],
  opts: { includeZero: boolean; pad: number; bins?: Bins | null; spacing: number },
  px: number,
): Axis {
  const title = axisTitle(spec);
  const numeric = values.map(num).filter((v): v is number => v !== null);
  const isCategory =
    spec.type === "category" ||
    (spec.type !== "log" && spec.type !== "linear" && values.some((v) => typeof v === "string"));
  if (isCategory) {
    const cats = categoriesOf(values);
    const every = Math.max(1, Math.ceil((cats.length * LINE_H * 1.2) / Math.max(px, 1)));
    return {
      kind: "category",
      cats,
      lo: -0.5,
      hi: cats.length - 0.5,
      ticks: cats.map((c, i) => ({ v: i, label: c })).filter((t) => t.v % every === 0 || cats.length * 8 < px),
      title,
    };
  }
  const range = arr(spec.range).map(num);
  if (spec.type === "log") {
    const pos = numeric.filter((v) => v > 0).map(Math.log10);
    let lo = range.length === 2 && range[0] !== null ? range[0] : Math.min(...(pos.length ? pos : [0]));
    let hi = range.length === 2 && range[1] !== null ? range[1] : Math.max(...(pos.length ? pos : [1]));
    if (!(range.length === 2 && range[0] !== null)) {
      const pad = Math.max(0.1, (hi - lo) * 0.05);
      lo -= pad;
      hi += pad;
    }
    const tickvals = arr(spec.tickvals).map(num);
    const ticktext = arr(spec.ticktext);
    const ticks: Tick[] = tickvals.length
      ? tickvals.flatMap((v, i) =>
          v !== null && v > 0 ? [{ v: Math.log10(v), label: String(ticktext[i] ?? formatTick(v)) }] : [],
        )
      : logTicks(10 ** lo, 10 ** hi).map((v) => ({ v: Math.log10(v), label: formatTick(v) }));
    return { kind: "log", cats: [], lo, hi, ticks: ticks.filter((t) => t.v >= lo - 1e-9 && t.v <= hi + 1e-9), title };
  }
  let lo: number;
  let hi: number;
  if (range.length === 2 && range[0] !== null && range[1] !== null) {
    lo = range[0];
    hi = range[1];
  } else {
    lo = numeric.length ? Math.min(...numeric) : 0;
    hi = numeric.length ? Math.max(...numeric) : 1;
    if (opts.bins) {
      lo = opts.bins.start;
      hi = opts.bins.start + opts.bins.size * opts.bins.count;
    }
    if (opts.includeZero) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
    }
    if (hi === lo) {
      lo -= 1;
      hi += 1;
    }
    const pad = (hi - lo) * opts.pad;
    if (!(opts.includeZero && lo === 0)) lo -= pad;
    hi += pad;
  }
  const dtick = num(spec.dtick);
  const step =
    dtick !== null && dtick > 0 && (hi - lo) / dtick <= 40 ? dtick : niceStep(hi - lo, Math.max(2, px / opts.spacing));
  const decimals = stepDecimals(step);
  return {
    kind: "linear",
    cats: [],
    lo,
    hi,
    ticks: linearTicks(lo, hi, step).map((v) => ({ v, label: formatTick(v, decimals) })),
    title,
  };
}

interface Colorscale {
  stops: [number, [number, number, number]][];
}

function hexRgb(hex: string): [number, number, number] {
  const h = hex.replace("#", "");
  const full =
    h.length === 3
      ? h
          .split("")
          .map((c) => c + c)
          .join("")
      : h;
  const n = parseInt(full, 16);
  return Number.isFinite(n) ? [(n >> 16) & 255, (n >> 8) & 255, n & 255] : [200, 200, 200];
}

function colorscaleOf(v: unknown): Colorscale {
  const stops = arr(v)
    .map((s) => arr(s))
    .filter((s) => typeof s[0] === "number" && typeof s[1] === "string" && /^#[0-9a-f]{3,6}$/i.test(s[1] as string))
    .map((s) => [s[0] as number, hexRgb(s[1] as string)] as [number, [number, number, number]]);
  return {
    stops:
      stops.length >= 2
        ? stops
        : [
            [0, [247, 251, 255]],
            [1, [8, 48, 107]],
          ],
  };
}

function colorAt(scale: Colorscale, f: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0));
  const s = scale.stops;
  let i = 1;
  while (i < s.length - 1 && s[i][0] < x) i++;
  const [a, ca] = s[i - 1];
  const [b, cb] = s[i];
  const t = b > a ? (x - a) / (b - a) : 0;
  const c = ca.map((v, k) => Math.round(v + (cb[k] - v) * Math.min(1, Math.max(0, t))));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function traceColor(t: PlotlyTrace, i: number, colorway: string[]): string {
  const c = rec(t.marker).color ?? rec(t.line).color;
  return typeof c === "string" ? c : colorway[i % colorway.length];
}

/** The figure as a standalone SVG document (UTF-8 text). */
export function figureSvg(fig: PlotlyFigure, opts: SvgOptions = {}): string {
  const layout = fig.layout;
  const width = opts.width ?? num(layout.width) ?? 800;
  const height = opts.height ?? num(layout.height) ?? 380;
  const traces = fig.data.filter((t) => t.visible !== false);
  const colorway = arr(layout.colorway).filter((c): c is string => typeof c === "string");
  const colors = colorway.length ? colorway : PLOTLY_COLORWAY;
  const xSpec = rec(layout.xaxis);
  const ySpec = rec(layout.yaxis);
  const title = figureTitle(fig);
  const heat = traces.find((t) => traceType(t) === "heatmap");
  const hists = traces.filter((t) => traceType(t) === "histogram");
  const bars = traces.filter((t) => traceType(t) === "bar");
  const bins = histogramBins(hists);
  const legendTraces = heat ? [] : traces.filter((t) => t.showlegend !== false);
  const showLegend = layout.showlegend === true || (layout.showlegend !== false && legendTraces.length > 1);
  const legendW = showLegend ? 40 + Math.max(...legendTraces.map((t) => textWidth(t.name ?? ""))) : 0;
  const showScale = !!heat && heat.showscale !== false;

  // Values per axis (histogram heights decide y; bars and histograms start at zero).
  const xValues: unknown[] = [];
  const yValues: unknown[] = [];
  for (const t of traces) {
    const type = traceType(t);
    if (type === "histogram") {
      if (bins) yValues.push(...histogramHeights(t, bins));
    } else {
      xValues.push(...arr(t.x));
      yValues.push(...arr(t.y));
    }
  }
  const valueZero = bars.length > 0 || hists.length > 0;
  const markers = traces.some((t) => String(t.mode ?? "").includes("markers"));

  // Margins: room for tick labels and axis titles (plotly's automargin, estimated).
  const yAxisProbe = buildAxis(
    ySpec,
    yValues,
    { includeZero: valueZero && ySpec.type !== "log", pad: 0.05, spacing: 45 },
    height,
  );
  const yLabelW = Math.max(20, ...yAxisProbe.ticks.map((t) => textWidth(t.label)));
  const left = Math.max(50, yLabelW + 12 + (yAxisProbe.title ? 24 : 0));
  const right = 20 + (showLegend ? legendW + 10 : 0) + (showScale ? 70 : 0);
  const plotW = Math.max(50, width - left - right);
  const xAxis = buildAxis(
    xSpec,
    heat ? arr(heat.x) : xValues,
    { includeZero: false, pad: markers ? 0.03 : 0, bins, spacing: 90 },
    plotW,
  );
  if (xAxis.kind !== "category" && bars.length && !bins) {
    // Numeric bars: room for half a bar on each side.
    const xs = [...new Set(bars.flatMap((b) => arr(b.x).map(num)).filter((v): v is number => v !== null))].sort(
      (a, b) => a - b,
    );
    const gap = xs.slice(1).reduce((m, v, i) => Math.min(m, v - xs[i]), Infinity);
    const half = Number.isFinite(gap) ? gap / 2 : 0.5;
    if (!arr(xSpec.range).length && xs.length) {
      xAxis.lo = xs[0] - half;
      xAxis.hi = xs[xs.length - 1] + half;
      xAxis.ticks = xAxis.ticks.filter((t) => t.v >= xAxis.lo && t.v <= xAxis.hi);
    }
  }
  const xLabelW = Math.max(0, ...xAxis.ticks.map((t) => textWidth(t.label)));
  const xLabelLines = Math.max(1, ...xAxis.ticks.map((t) => textLines(t.label).length));
  const slot = xAxis.ticks.length ? plotW / Math.max(1, xAxis.ticks.length) : plotW;
  const rotate = xAxis.kind === "category" && xLabelW > slot - 6;
  const xLabelH = rotate ? xLabelW * 0.71 + 10 : xLabelLines * LINE_H + 6;
  const top = title ? 50 : 20;
  const bottom = Math.max(40, xLabelH + 8 + (xAxis.title ? 24 : 0));
  const plotH = Math.max(40, height - top - bottom);
  const yAxis = heat
    ? buildAxis(ySpec, arr(heat.y), { includeZero: false, pad: 0, spacing: 45 }, plotH)
    : buildAxis(ySpec, yValues, { includeZero: valueZero && ySpec.type !== "log", pad: 0.05, spacing: 45 }, plotH);

  const X = (u: number) => left + ((u - xAxis.lo) / (xAxis.hi - xAxis.lo || 1)) * plotW;
  const Y = (u: number) => top + plotH - ((u - yAxis.lo) / (yAxis.hi - yAxis.lo || 1)) * plotH;
  const yBase = yAxis.kind === "log" ? top + plotH : Y(Math.max(yAxis.lo, Math.min(yAxis.hi, 0)));
  const clipY = (v: number) => Math.min(top + plotH, Math.max(top, v));
  const parts: string[] = [];
  const text = `font-family="${FONT}" font-size="12" fill="#444"`;
  const bigText = `font-family="${FONT}" font-size="14" fill="#444"`;

  // Grid and tick labels.
  for (const t of yAxis.ticks) {
    const y = Y(t.v);
    if (!heat) parts.push(line(left, y, left + plotW, y, `stroke="#eee"`));
    parts.push(svgText(left - 6, y + 4, t.label, `${text} text-anchor="end"`));
  }
  for (const t of xAxis.ticks) {
    const x = X(t.v);
    if (xAxis.kind === "linear" && !heat) parts.push(line(x, top, x, top + plotH, `stroke="#eee"`));
    const y = top + plotH + 16;
    parts.push(
      rotate
        ? svgText(
            x,
            y,
            t.label.replace(/<br\s*\/?>/gi, " "),
            `${text} text-anchor="end" transform="rotate(-45 ${fmt(x)} ${fmt(y)})"`,
          )
        : svgText(x, y, t.label, `${text} text-anchor="middle"`),
    );
  }
  if (yAxis.kind === "linear" && yAxis.lo < 0 && yAxis.hi > 0 && !heat) {
    parts.push(line(left, Y(0), left + plotW, Y(0), `stroke="#444" stroke-width="1"`));
  }

  // Traces.
  let barIndex = 0;
  const grouped = layout.barmode !== "overlay" && layout.barmode !== "stack";
  const barSlots = grouped ? Math.max(1, bars.length) : 1;
  const xs = [
    ...new Set(bars.flatMap((b) => arr(b.x).map((v) => toUnit(xAxis, v))).filter((v): v is number => v !== null)),
  ].sort((a, b) => a - b);
  const unitGap = xAxis.kind === "category" ? 1 : xs.slice(1).reduce((m, v, i) => Math.min(m, v - xs[i]), Infinity);
  const slotUnits = Number.isFinite(unitGap) ? unitGap : 1;
  traces.forEach((t, i) => {
    const type = traceType(t);
    const color = traceColor(t, i, colors);
    const name = escapeHtml(t.name ?? type);
    if (type === "heatmap") {
      const zs = arr(t.z).map(arr);
      const flat = zs
        .flat()
        .map(num)
        .filter((v): v is number => v !== null);
      const zmin = num(t.zmin) ?? Math.min(...flat, 0);
      const zmax = num(t.zmax) ?? Math.max(...flat, 1);
      const scale = colorscaleOf(t.colorscale);
      const cellW = plotW / Math.max(1, xAxis.cats.length);
      const cellH = plotH / Math.max(1, yAxis.cats.length);
      const cells: string[] = [];
      zs.forEach((row, r) =>
        row.forEach((z, c) => {
          const v = num(z);
          if (v === null) return;
          const x = X(c - 0.5);
          const y = Y(r + 0.5);
          cells.push(rect(x, y, cellW, cellH, `fill="${colorAt(scale, (v - zmin) / (zmax - zmin || 1))}"`));
        }),
      );
      parts.push(`<g class="ner-trace" data-type="heatmap">${cells.join("")}</g>`);
      if (showScale) {
        const cx = left + plotW + 15;
        const stops = scale.stops.map(([o, c]) => `<stop offset="${o}" stop-color="rgb(${c.join(",")})"/>`).join("");
        // Named by its stops: two inline copies with the same id then draw the same gradient.
        const hash = [...stops].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7);
        const id = `ner-scale-${hash.toString(36)}`;
        parts.push(`<defs><linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>`);
        parts.push(rect(cx, top, 15, plotH, `fill="url(#${id})"`));
        const step = niceStep(zmax - zmin || 1, 5);
        for (const v of linearTicks(zmin, zmax, step)) {
          const y = top + plotH - ((v - zmin) / (zmax - zmin || 1)) * plotH;
          parts.push(svgText(cx + 20, y + 4, formatTick(v, stepDecimals(step)), `${text} text-anchor="start"`));
        }
      }
      return;
    }
    if (type === "bar" || type === "histogram") {
      const rects: string[] = [];
      const opacity = num(t.opacity);
      const fill = `fill="${escapeHtml(color)}"${opacity !== null ? ` fill-opacity="${opacity}"` : ""}`;
      if (type === "histogram" && bins) {
        histogramHeights(t, bins).forEach((h, b) => {
          if (h <= 0) return;
          const x0 = X(bins.start + b * bins.size);
          const x1 = X(bins.start + (b + 1) * bins.size);
          const y = clipY(Y(h));
          rects.push(rect(x0, y, x1 - x0, yBase - y, fill));
        });
      } else {
        const k = barIndex++;
        const groupW = slotUnits * 0.8;
        const w = groupW / barSlots;
        const xsOf = arr(t.x);
        arr(t.y).forEach((yv, j) => {
          const xu = toUnit(xAxis, xsOf[j]);
          const yu = toUnit(yAxis, yv);
          if (xu === null || yu === null) return;
          const u0 = xu - groupW / 2 + (grouped ? k * w : 0);
          const x0 = X(u0);
          const x1 = X(u0 + (grouped ? w : groupW));
          const y = clipY(Y(yu));
          const y0 = Math.min(y, yBase);
          const h = Math.abs(yBase - y);
          rects.push(rect(x0, y0, x1 - x0, h, fill));
        });
      }
      parts.push(`<g class="ner-trace" data-type="${type}" data-name="${name}">${rects.join("")}</g>`);
      return;
    }
    // scatter: lines broken at missing values, markers at every point.
    const mode = String(t.mode ?? "lines+markers");
    const pts: ([number, number] | null)[] = arr(t.y).map((yv, j) => {
      const xu = toUnit(xAxis, arr(t.x)[j] ?? j);
      const yu = toUnit(yAxis, yv);
      return xu === null || yu === null ? null : [X(xu), Y(yu)];
    });
    const segs: string[] = [];
    let cur: string[] = [];
    for (const p of [...pts, null]) {
      if (p) cur.push(`${fmt(p[0])},${fmt(p[1])}`);
      else if (cur.length) {
        segs.push(cur.join(" "));
        cur = [];
      }
    }
    const shapes: string[] = [];
    if (mode.includes("lines")) {
      for (const s of segs)
        shapes.push(
          `<polyline points="${s}" fill="none" stroke="${escapeHtml(color)}" ` +
            `stroke-width="2" stroke-linejoin="round"/>`,
        );
    }
    if (mode.includes("markers")) {
      for (const p of pts)
        if (p) shapes.push(`<circle cx="${fmt(p[0])}" cy="${fmt(p[1])}" r="3" fill="${escapeHtml(color)}"/>`);
    }
    const count = pts.filter((p) => p !== null).length;
    parts.push(
      `<g class="ner-trace" data-type="scatter" data-name="${name}" data-points="${count}">${shapes.join("")}</g>`,
    );
  });

  // Cell annotations (the heatmap's counts).
  for (const a of arr(layout.annotations).map(rec)) {
    const xu = toUnit(xAxis, a.x);
    const yu = toUnit(yAxis, a.y);
    if (xu === null || yu === null || typeof a.text !== "string") continue;
    const color = rec(a.font).color;
    parts.push(
      svgText(
        X(xu),
        Y(yu) + 4,
        a.text,
        `font-family="${FONT}" font-size="12" text-anchor="middle" ` +
          `fill="${escapeHtml(typeof color === "string" ? color : "#444")}"`,
      ),
    );
  }

  // Axis titles, figure title, legend.
  if (xAxis.title) parts.push(svgText(left + plotW / 2, height - 10, xAxis.title, `${bigText} text-anchor="middle"`));
  if (yAxis.title) {
    const x = 16;
    const y = top + plotH / 2;
    parts.push(
      svgText(x, y, yAxis.title, `${bigText} text-anchor="middle" transform="rotate(-90 ${fmt(x)} ${fmt(y)})"`),
    );
  }
  if (title)
    parts.push(svgText(width / 2, 30, title, `font-family="${FONT}" font-size="17" fill="#444" text-anchor="middle"`));
  if (showLegend) {
    const lx = left + plotW + 20;
    legendTraces.forEach((t, i) => {
      const y = top + 10 + i * 19;
      const color = escapeHtml(traceColor(t, traces.indexOf(t), colors));
      const type = traceType(t);
      parts.push(
        type === "bar" || type === "histogram"
          ? rect(lx, y - 6, 20, 12, `fill="${color}"${num(t.opacity) !== null ? ` fill-opacity="${t.opacity}"` : ""}`)
          : line(lx, y, lx + 20, y, `stroke="${color}" stroke-width="2"`),
      );
      parts.push(svgText(lx + 26, y + 4, t.name ?? type, `${text} text-anchor="start"`));
    });
  }

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="ner-chart-svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img"><title>${escapeHtml(title || "chart")}</title>` +
    `<rect width="${width}" height="${height}" fill="#fff"/>${parts.join("")}</svg>`
  );
}

/** The SVG as a `data:` URL (base64), for an `<img>` that survives HTML sanitizers. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}
