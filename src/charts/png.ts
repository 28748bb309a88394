/**
 * Static PNG export of plotly figures through a headless Chromium (playwright-core): the page
 * loads the local plotly.min.js, draws the figure and returns `Plotly.toImage`. No network.
 *
 * Chromium: `executablePath` option, else NER_CHROMIUM, else /usr/bin/chromium (Debian's
 * `chromium` package). A missing browser is a clear error, not a hang.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../util/atomic";
import { PlotlyFigure } from "./figure";
import { figureJson, plotlyJsPath } from "./render";

/** Size of the exported image in CSS pixels; `scale` multiplies the pixel density. */
export interface PngOptions {
  width?: number;
  height?: number;
  scale?: number;
  executablePath?: string;
}

/** The Chromium binary to use, or an Error explaining how to get one. */
export function chromiumPath(explicit?: string): string {
  const candidate = explicit ?? process.env.NER_CHROMIUM ?? "/usr/bin/chromium";
  if (!fs.existsSync(candidate)) {
    throw new Error(
      `PNG export needs a Chromium browser, but ${candidate} does not exist. ` +
        "Install one (Debian/Ubuntu: apt-get install chromium) or set NER_CHROMIUM to its path.",
    );
  }
  return candidate;
}

/* Minimal structural types of the playwright objects used, so this file does not depend on DOM typings. */
interface Page {
  setContent(html: string): Promise<void>;
  addScriptTag(opts: { path: string }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

let browserPromise: Promise<Browser> | null = null;
let pagePromise: Promise<Page> | null = null;

async function exportPage(executablePath?: string): Promise<Page> {
  if (!pagePromise) {
    const exe = chromiumPath(executablePath);
    const { chromium } = (await import("playwright-core")) as unknown as {
      chromium: { launch(o: object): Promise<Browser> };
    };
    browserPromise = chromium.launch({
      executablePath: exe,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    });
    pagePromise = browserPromise.then(async (b) => {
      const page = await b.newPage();
      await page.setContent('<html><body><div id="plot"></div></body></html>');
      await page.addScriptTag({ path: plotlyJsPath() });
      return page;
    });
    pagePromise.catch(() => {
      pagePromise = null;
      browserPromise = null;
    });
  }
  return pagePromise;
}

/** Render a figure to PNG bytes. The browser stays open for later calls until `closePngExporter`. */
export async function figureToPng(fig: PlotlyFigure, opts: PngOptions = {}): Promise<Buffer> {
  const page = await exportPage(opts.executablePath);
  const width = opts.width ?? 900;
  const height = opts.height ?? (typeof fig.layout.height === "number" ? fig.layout.height : 450);
  const arg = { fig: figureJson(fig), width, height, scale: opts.scale ?? 1 };
  const dataUrl = await page.evaluate(async (a: typeof arg) => {
    // Runs in the browser page, where plotly.min.js defined window.Plotly.
    const g = globalThis as unknown as {
      Plotly: {
        newPlot(id: string, d: unknown, l: unknown, c: unknown): Promise<unknown>;
        toImage(gd: string, o: object): Promise<string>;
      };
    };
    const layout = { ...(a.fig.layout as object), width: a.width, height: a.height };
    await g.Plotly.newPlot("plot", a.fig.data, layout, { ...a.fig.config, staticPlot: true });
    return g.Plotly.toImage("plot", { format: "png", width: a.width, height: a.height, scale: a.scale });
  }, arg);
  const prefix = "data:image/png;base64,";
  if (!dataUrl.startsWith(prefix)) throw new Error("plotly did not return a PNG data URL");
  return Buffer.from(dataUrl.slice(prefix.length), "base64");
}

/** Write a figure as a PNG file (atomically); returns the absolute path. */
export async function exportFigurePng(fig: PlotlyFigure, file: string, opts: PngOptions = {}): Promise<string> {
  const png = await figureToPng(fig, opts);
  const abs = path.resolve(file);
  writeFileAtomic(abs, png);
  return abs;
}

/** Close the headless browser (call at the end of a notebook or script that exported PNGs). */
export async function closePngExporter(): Promise<void> {
  const b = browserPromise;
  browserPromise = null;
  pagePromise = null;
  if (b) await (await b).close();
}
