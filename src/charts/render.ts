/**
 * Offline rendering of plotly figures in Jupyter.
 *
 * Each figure is sent as one MIME bundle:
 * - `application/vnd.plotly.v1+json`: drawn by JupyterLab's plotly renderer (the `plotly` Python
 *   package's extension) with no network access, trusted or not;
 * - `text/html`: for front ends without that renderer (classic Notebook, JupyterLab without the
 *   extension, nbviewer): the static SVG as an `<img>`, which a script replaces by the interactive
 *   chart where scripts run (trusted notebooks). The first HTML of a kernel session inlines
 *   plotly.min.js (4.8 MB, from plotly.js-dist-min) so no CDN is needed; later ones wait for
 *   `window.Plotly`. Untrusted views drop the scripts and keep the picture;
 * - `image/svg+xml`: the static SVG (./svg), drawn by our own code;
 * - `text/plain`: a one-line description.
 *
 * `NER_PLOTLY_HTML=0` leaves the scripts (and plotly.min.js) out: the HTML is the picture only.
 */
import * as fs from "fs";
import { displayBundle, escapeHtml, LiveDisplay, MimeBundle, uniqueId } from "../display/index";
import { figureTitle, PlotlyFigure } from "./figure";
import { figureSvg, svgDataUrl } from "./svg";

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
  return {
    data: fig.data,
    layout: fig.layout,
    config: { responsive: true, displaylogo: false, ...(fig.config ?? {}) },
  };
}

/**
 * JSON for an inline `<script>`: `<`, `>`, `&` and the JS line separators as \u escapes, so
 * no string in it can close the element (`</script`), open a comment (`<!--`) or end a CDATA
 * section (`]]>`), whatever the HTML parser's state.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The static picture of a figure as an `<img>` (SVG data URL): HTML sanitizers of untrusted
 * notebooks (classic Notebook, JupyterLab) keep it, while they drop scripts and inline SVG.
 */
export function staticImageHtml(fig: PlotlyFigure, svg = figureSvg(fig)): string {
  const title = figureTitle(fig) || "chart";
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  const dims = size ? ` width="${size[1]}" height="${size[2]}"` : "";
  const style = "max-width:100%;height:auto";
  return `<img class="ner-chart-static" alt="${escapeHtml(title)}"${dims} style="${style}" src="${svgDataUrl(svg)}">`;
}

/** How long an HTML fallback waits for plotly.js before it keeps the static picture. */
const PLOTLY_WAIT_MS = 60_000;

/**
 * Standalone HTML for a figure: a div holding the static picture plus a script that replaces it
 * with the interactive chart (`Plotly.react`: same as `newPlot` on a fresh div). Where scripts do
 * not run (untrusted notebooks) the picture stays. With `includePlotlyJs` the library is inlined
 * first; otherwise the script waits (at most a minute) for `window.Plotly`.
 */
export function figureHtml(
  fig: PlotlyFigure,
  opts: { includePlotlyJs?: boolean; divId?: string; svg?: string } = {},
): string {
  const id = opts.divId ?? uniqueId("ner-plot");
  const lib = opts.includePlotlyJs ? `<script type="text/javascript">${plotlyJsSource()}</script>\n` : "";
  const height = typeof fig.layout.height === "number" ? fig.layout.height : 380;
  return (
    lib +
    `<div id="${escapeHtml(id)}" class="ner-plot">${staticImageHtml(fig, opts.svg)}</div>\n` +
    `<script type="text/javascript">(function(){` +
    `var f=${scriptJson(figureJson(fig))},id=${scriptJson(id)},t0=Date.now();` +
    `function draw(){var d=document.getElementById(id);if(!d)return;` +
    `if(window.Plotly){d.innerHTML="";d.style.width="100%";d.style.height="${height}px";` +
    `window.Plotly.react(d,f.data,f.layout,f.config);}` +
    `else if(Date.now()-t0<${PLOTLY_WAIT_MS}){setTimeout(draw,100);}}draw();})();</script>`
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
 * The MIME bundle for a figure: plotly JSON (JupyterLab's plotly extension), the static SVG
 * (`image/svg+xml`), HTML (the static picture, replaced by the interactive chart where scripts
 * run; with `html` on, the first bundle of the session carries plotly.min.js) and a text line.
 * `divId` fixes the HTML's element.
 */
export function figureBundle(fig: PlotlyFigure, opts: { html?: boolean; divId?: string } = {}): MimeBundle {
  const svg = figureSvg(fig);
  const bundle: MimeBundle = { [PLOTLY_MIME]: figureJson(fig), "image/svg+xml": svg, "text/plain": figureText(fig) };
  if (opts.html ?? htmlFallbackEnabled()) {
    bundle["text/html"] = figureHtml(fig, { includePlotlyJs: !session.plotlyInlined, divId: opts.divId, svg });
    session.plotlyInlined = true;
  } else {
    bundle["text/html"] = `<div class="ner-plot">${staticImageHtml(fig, svg)}</div>`;
  }
  return bundle;
}

/**
 * The bundle of a live figure while it grows: the static SVG only (as `image/svg+xml` and as an
 * `<img>` in HTML). Every front end redraws it on update_display_data, including JupyterLab's
 * plotly extension, which draws a plotly output once and ignores its updates.
 */
export function staticFigureBundle(fig: PlotlyFigure): MimeBundle {
  const svg = figureSvg(fig);
  const points = fig.data.reduce((n, t) => n + (Array.isArray(t.y) ? t.y.length : 0), 0);
  return {
    "text/html": `<div class="ner-live-chart" data-points="${points}">${staticImageHtml(fig, svg)}</div>`,
    "image/svg+xml": svg,
    "text/plain": figureText(fig),
  };
}

/**
 * Make sure plotly.min.js has been sent once this session, as an output of its own. Live figures
 * call this before their final, interactive version: their own output is replaced on every
 * update, so it must not be the one that carries the library.
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
 * updatable output. While it grows, each version is the static SVG (cheap, and redrawn by every
 * front end); `finish` replaces it with the full bundle (interactive plotly chart).
 */
export class LiveFigure {
  private readonly out = new LiveDisplay();
  private readonly divId = uniqueId("ner-live-plot");

  /** Replace the displayed figure with `fig` (static picture). */
  update(fig: PlotlyFigure): void {
    this.out.show(staticFigureBundle(fig));
  }

  /** Show the final version of the figure (interactive where the front end can). */
  finish(fig: PlotlyFigure): void {
    ensurePlotlyLoaded();
    this.out.show(figureBundle(fig, { divId: this.divId }));
  }
}
