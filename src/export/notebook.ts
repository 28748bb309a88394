/**
 * The notebooks' last, optional step: export the trained model as a web page (`ner export web`),
 * serve it on 127.0.0.1 and show it inline in an iframe, with a link and the command that serves
 * it again later. Outside Jupyter the link is printed.
 */
import * as path from "path";
import { displayBundle } from "../display/mime";
import { escapeHtml } from "../display/html";
import { serveSite, type SiteServer } from "./serve";
import { EXAMPLE_COUNT } from "./examples";
import type { SiteRunCard } from "./site-manifest";
import { exportWebSite, type ExportWebResult } from "./web";

export interface ShowWebPageOptions {
  /** The site folder (default out/web/<model folder name>). */
  out?: string;
  /** Run-card fields the model folder does not record (the notebook's F1, its data). */
  runCard?: Partial<SiteRunCard>;
  /** Example texts for the page's selector. */
  examples?: string[];
  /**
   * Or a dataset to take them from (the notebook's eval split): its first sentences with an
   * entity (a non-zero tag id; 0 is "O" in every corpus here) and 4–30 words, words joined by spaces.
   */
  examplesFrom?: { rows: readonly { tokens: readonly string[]; ner_tags?: readonly number[] }[] };
  /** Iframe height in pixels (default 560). */
  height?: number;
}

export interface ShownWebPage {
  site: ExportWebResult;
  url: string;
  /** Stop serving (the kernel's exit stops it too). */
  close(): Promise<void>;
}

function examplesOf(rows: readonly { tokens: readonly string[]; ner_tags?: readonly number[] }[]): string[] {
  return rows
    .filter((r) => r.tokens.length >= 4 && r.tokens.length <= 30 && (r.ner_tags ?? []).some((t) => t !== 0))
    .slice(0, EXAMPLE_COUNT)
    .map((r) => r.tokens.join(" "));
}

/** Export `modelDir` as a web page, serve it and display it; see {@link ShowWebPageOptions}. */
export async function showWebPage(modelDir: string, opts: ShowWebPageOptions = {}): Promise<ShownWebPage> {
  const out = opts.out ?? path.resolve("out", "web", path.basename(path.resolve(modelDir)));
  const examples = opts.examples ?? (opts.examplesFrom ? examplesOf(opts.examplesFrom.rows) : undefined);
  const site = await exportWebSite({ model: modelDir, out, examples, runCard: opts.runCard });
  const server: SiteServer = await serveSite(site.out);
  const url = server.url;
  const size = `${(site.totalBytes / 1e6).toFixed(1)} MB`;
  const serveAgain = `npx ner export web --out ${path.relative(process.cwd(), site.out) || "."} --serve`;
  const html =
    `<div><iframe src="${escapeHtml(url)}" title="the model as a web page" ` +
    `style="width: 100%; height: ${opts.height ?? 560}px; border: 1px solid #ddd; border-radius: 6px"></iframe>` +
    `<p>The page runs the model in your browser: <a href="${escapeHtml(url)}" target="_blank">${escapeHtml(url)}</a> ` +
    `(${escapeHtml(size)} in <code>${escapeHtml(site.out)}</code>; ` +
    `serve it again with <code>${escapeHtml(serveAgain)}</code>).</p></div>`;
  displayBundle({
    "text/html": html,
    "text/plain": `web page: ${url} (${size} in ${site.out}); serve it again with: ${serveAgain}`,
  });
  return { site, url, close: () => server.close() };
}
