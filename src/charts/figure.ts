/**
 * Plain-object plotly figures (the JSON that `Plotly.newPlot` and the JupyterLab plotly renderer
 * accept). Builders return these; src/charts/render.ts displays them, src/charts/png.ts exports them.
 */

/** One plotly trace (`{type: "bar", x, y, ...}`); kept open because plotly has hundreds of fields. */
export type PlotlyTrace = { type?: string; name?: string } & Record<string, unknown>;

/** A plotly figure: traces, layout and (optional) config. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Common layout: title, axis titles, compact margins, a fixed height so notebooks stay tidy. */
export function baseLayout(title: string, xTitle?: string, yTitle?: string, extra: Record<string, unknown> = {}) {
  return {
    title: { text: title },
    xaxis: xTitle ? { title: { text: xTitle } } : {},
    yaxis: yTitle ? { title: { text: yTitle } } : {},
    margin: { l: 60, r: 20, t: 50, b: 50 },
    height: 380,
    template: undefined,
    ...extra,
  } as Record<string, unknown>;
}

/** The figure's title text, or "" (used for text fallbacks and file names). */
export function figureTitle(fig: PlotlyFigure): string {
  const t = fig.layout.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}
