/**
 * Plain-object plotly figures (the JSON that `Plotly.newPlot` and the JupyterLab plotly renderer
 * accept). Builders return these; src/charts/render.ts displays them, src/charts/png.ts exports them.
 */
import { formatTick, logTicks } from "./ticks";

/** One plotly trace (`{type: "bar", x, y, ...}`); kept open because plotly has hundreds of fields. */
export type PlotlyTrace = { type?: string; name?: string } & Record<string, unknown>;

/** A plotly figure: traces, layout and (optional) config. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/**
 * Common layout: title, axis titles, compact margins that grow to fit long tick labels
 * (automargin, so nothing is clipped), a fixed height so notebooks stay tidy. Axis settings in
 * `extra` are merged into these defaults, not swapped for them.
 */
export function baseLayout(title: string, xTitle?: string, yTitle?: string, extra: Record<string, unknown> = {}) {
  const axis = (text: string | undefined, more: unknown) => ({
    automargin: true,
    ...(text ? { title: { text } } : {}),
    ...(more && typeof more === "object" ? (more as Record<string, unknown>) : {}),
  });
  const { xaxis, yaxis, ...rest } = extra;
  return {
    title: { text: title },
    margin: { l: 60, r: 20, t: 50, b: 50 },
    height: 380,
    ...rest,
    xaxis: axis(xTitle, xaxis),
    yaxis: axis(yTitle, yaxis),
  } as Record<string, unknown>;
}

/**
 * Axis settings for a log scale. Without `values`: labels at powers of ten only. With the
 * plotted values: a fixed range around them and labelled ticks at the powers of ten when at
 * least three fall inside, else at 1-2-5 multiples (a range within one or two decades would
 * otherwise carry a single tick).
 */
export function logAxis(title: string, values?: readonly number[]): Record<string, unknown> {
  const positive = (values ?? []).filter((v) => Number.isFinite(v) && v > 0);
  if (!positive.length) return { type: "log", dtick: 1, title: { text: title } };
  const lo = Math.log10(Math.min(...positive));
  const hi = Math.log10(Math.max(...positive));
  const pad = Math.max(0.15, (hi - lo) * 0.05);
  const range = [lo - pad, hi + pad];
  const tickvals = logTicks(10 ** range[0], 10 ** range[1]);
  return { type: "log", range, tickvals, ticktext: tickvals.map((v) => formatTick(v)), title: { text: title } };
}

/** The figure's title text, or "" (used for text fallbacks and file names). */
export function figureTitle(fig: PlotlyFigure): string {
  const t = fig.layout.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string")
    return (t as { text: string }).text;
  return "";
}
