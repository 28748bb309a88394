/**
 * Offline rendering of plotly figures in Jupyter.
 *
 * Each figure is sent as one MIME bundle:
 * - `application/vnd.plotly.v1+json`: drawn by JupyterLab's plotly renderer (the `plotly` Python
 *   package's extension) with no network access;
 * - `text/html`: a fallback for front ends without that renderer (classic Notebook, JupyterLab
 *   without the extension, nbviewer; scripts run in trusted notebooks). The first fallback of a
 *   kernel session inlines plotly.min.js (4.8 MB, from plotly.js-dist-min) so no CDN is needed;
 *   later ones wait for `window.Plotly`;
 * - `text/plain`: a one-line description.
 *
 * `NER_PLOTLY_HTML=0` leaves the HTML fallback out (smaller executed notebooks).
 */
import * as fs from "fs";
import { displayBundle, escapeHtml, LiveDisplay, MimeBundle, uniqueId } from "../display/index";
import { figureTitle, PlotlyFigure } from "./figure";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Absolute path of plotly.min.js from the installed plotly.js-dist-min package. */
export function plotlyJsPath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
}

let plotlyJsCache: string | null = null;

/** The plotly.min.js source (read once). */
export function plotlyJsSource(): string {
  if (plotlyJsCache === null) plotlyJsCache = fs.readFileSync(plotlyJsPath(), "utf8");
  return plotlyJsCache;
}

/** A figure's JSON with `config.responsive` on (the form both the renderer and newPlot take). */
export function figureJson(fig: PlotlyFigure): { data: unknown[]; layout: object; config: object } {
  return { data: fig.data, layout: fig.layout, config: { responsive: true, displaylogo: false, ...(fig.config ?? {}) } };
}

/**
 * Standalone HTML for a figure: a div plus a script drawing it with `Plotly.react` (same as
 * `newPlot` on a fresh div; redraws in place when the div is reused by a live figure). With
 * `includePlotlyJs` the library is inlined first; otherwise the script waits for `window.Plotly`.
 */
export function figureHtml(fig: PlotlyFigure, opts: { includePlotlyJs?: boolean; divId?: string } = {}): string {
  const id = opts.divId ?? uniqueId("ner-plot");
  const json = figureJson(fig);
  // "</" inside JSON strings could close the script element early.
  const payload = JSON.stringify(json).replace(/<\//g, "<\\/");
  const lib = opts.includePlotlyJs ? `<script type="text/javascript">${plotlyJsSource()}</script>\n` : "";
  const height = typeof fig.layout.height === "number" ? fig.layout.height : 380;
  return (
    lib +
    `<div id="${escapeHtml(id)}" style="width:100%;height:${height}px"></div>\n` +
    `<script type="text/javascript">(function(){var f=${payload};` +
    `function draw(){if(window.Plotly){window.Plotly.react(${JSON.stringify(id)},f.data,f.layout,f.config);}` +
    `else{setTimeout(draw,100);}}draw();})();</script>`
  );
}

/** One line describing a figure where nothing richer can be shown. */
export function figureText(fig: PlotlyFigure): string {
  const title = figureTitle(fig) || "figure";
  const traces = fig.data.map((t) => t.name ?? t.type ?? "trace").join(", ");
  return `<plotly figure: ${title} — ${fig.data.length} trace(s): ${traces}>`;
}

/** Whether the HTML fallback is wanted (NER_PLOTLY_HTML, default on). */
export function htmlFallbackEnabled(): boolean {
  const v = (process.env.NER_PLOTLY_HTML ?? "1").trim().toLowerCase();
  return !(v === "0" || v === "false" || v === "no" || v === "off");
}

/** Tracks whether this kernel session has already inlined plotly.min.js. */
const session = { plotlyInlined: false };

/** Forget that plotly.min.js was inlined (tests; or to inline it again after clearing outputs). */
export function resetPlotlySession(): void {
  session.plotlyInlined = false;
}

/**
 * The MIME bundle for a figure. With `html` on, the first bundle of the session carries
 * plotly.min.js in its HTML fallback. `divId` fixes the fallback's element (live figures).
 */
export function figureBundle(fig: PlotlyFigure, opts: { html?: boolean; divId?: string } = {}): MimeBundle {
  const bundle: MimeBundle = { [PLOTLY_MIME]: figureJson(fig), "text/plain": figureText(fig) };
  if (opts.html ?? htmlFallbackEnabled()) {
    bundle["text/html"] = figureHtml(fig, { includePlotlyJs: !session.plotlyInlined, divId: opts.divId });
    session.plotlyInlined = true;
  }
  return bundle;
}

/**
 * Make sure plotly.min.js has been sent once this session, as an output of its own. Live figures
 * call this first: their own outputs are replaced on every update, so they must not be the one
 * that carries the library.
 */
export function ensurePlotlyLoaded(): void {
  if (session.plotlyInlined || !htmlFallbackEnabled()) return;
  displayBundle({ "text/html": `<script type="text/javascript">${plotlyJsSource()}</script>`, "text/plain": "" });
  session.plotlyInlined = true;
}

/** Display a figure in the notebook (its text line outside Jupyter). */
export function showFigure(fig: PlotlyFigure): void {
  displayBundle(figureBundle(fig));
}

/**
 * A figure redrawn in place while something runs (e.g. the loss curve during training): one
 * updatable output whose every version carries the plotly JSON (JupyterLab's renderer) and an
 * HTML fallback that redraws one fixed div with `Plotly.react` (classic Notebook, JupyterLab
 * without the plotly extension). plotly.min.js goes in a separate output before the first draw.
 */
export class LiveFigure {
  private readonly out = new LiveDisplay();
  private readonly divId = uniqueId("ner-live-plot");

  /** Replace the displayed figure with `fig`. */
  update(fig: PlotlyFigure): void {
    ensurePlotlyLoaded();
    this.out.show(figureBundle(fig, { divId: this.divId }));
  }

  /** Show the final version of the figure. */
  finish(fig: PlotlyFigure): void {
    this.update(fig);
  }
}
