/**
 * Rich output for notebooks: send a MIME bundle (several representations of one thing) to the
 * tslab kernel, or print its text form when running outside Jupyter (tests, scripts).
 *
 * tslab's public `display` API sends one MIME type per output; a bundle such as plotly JSON plus an
 * HTML fallback must go through tslab's internal writer (./kernel). Every helper returns nothing,
 * because tslab prints a cell's last expression as text.
 */
import { tslabWriter } from "./kernel";

/** MIME type → data (strings, or JSON-able objects for `application/*+json`). */
export type MimeBundle = Record<string, unknown>;

/** Where bundles go. `update` replaces the output with the same `displayId`. */
export type DisplaySink = (bundle: MimeBundle, opts: { displayId?: string; update: boolean }) => void;

let sinkOverride: DisplaySink | null = null;

/** Route all output to `sink` (tests), or back to the automatic choice with `null`. */
export function setDisplaySink(sink: DisplaySink | null): void {
  sinkOverride = sink;
}

/** True when running inside a tslab kernel (rich output is possible) and no sink overrides it. */
export function inKernel(): boolean {
  return sinkOverride === null && tslabWriter() !== null;
}

/** The text a bundle shows where rich output is impossible. */
export function plainText(bundle: MimeBundle): string {
  const text = bundle["text/plain"];
  if (typeof text === "string") return text;
  const md = bundle["text/markdown"];
  if (typeof md === "string") return md;
  return `[${Object.keys(bundle).join(", ")}]`;
}

/** Display a bundle. Outside Jupyter its text/plain form goes to stdout. */
export function displayBundle(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): void {
  const update = opts.update ?? false;
  if (sinkOverride) return sinkOverride(bundle, { displayId: opts.displayId, update });
  const write = tslabWriter();
  if (write) {
    write({ data: bundle, metadata: {}, transient: opts.displayId ? { display_id: opts.displayId } : {} }, update);
  } else {
    console.log(plainText(bundle));
  }
}

let displayCounter = 0;

/** A process-unique id, e.g. for a display or a DOM element. */
export function uniqueId(prefix: string): string {
  displayCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${displayCounter}`;
}

/** An output that can be replaced in place (live progress, live charts). */
export class LiveDisplay {
  /** The Jupyter display id shared by every update of this output. */
  readonly displayId = uniqueId("ner");
  private shown = false;

  /** Show the first version, then replace it on later calls. */
  show(bundle: MimeBundle): void {
    displayBundle(bundle, { displayId: this.displayId, update: this.shown });
    this.shown = true;
  }
}

/** Display HTML with a plain-text fallback. */
export function showHtml(html: string, text = "[HTML]"): void {
  displayBundle({ "text/html": html, "text/plain": text });
}

/** Display Markdown (its source is also the plain-text form). */
export function showMarkdown(md: string): void {
  displayBundle({ "text/markdown": md, "text/plain": md });
}
