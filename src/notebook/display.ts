/**
 * Rich output for notebooks: send a MIME bundle (several representations of one thing) to the
 * tslab kernel, or print its text form when running outside Jupyter (tests, scripts).
 *
 * tslab's public `display` API sends one MIME type per output; a bundle such as plotly JSON plus an
 * HTML fallback must go through tslab's internal `lastWriteDisplayData` (see ../shared NOTES.md).
 * It is looked up lazily so importing this module never loads tslab.
 */

/** MIME type → data (strings, or JSON-able objects for `application/*+json`). */
export type MimeBundle = Record<string, unknown>;

/** Where bundles go. `update` replaces the output with the same `displayId`. */
export type DisplaySink = (bundle: MimeBundle, opts: { displayId?: string; update: boolean }) => void;

let sinkOverride: DisplaySink | null = null;

/** Route all output to `sink` (tests), or back to the automatic choice with `null`. */
export function setDisplaySink(sink: DisplaySink | null): void {
  sinkOverride = sink;
}

type KernelWriter = (data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void;

/** tslab's writer for the cell now executing, or null outside a tslab kernel. */
function kernelWriter(): KernelWriter | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: KernelWriter | null };
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** True when running inside a tslab kernel (rich output is possible). */
export function inKernel(): boolean {
  return sinkOverride === null && kernelWriter() !== null;
}

/** The text a bundle shows where rich output is impossible. */
export function plainText(bundle: MimeBundle): string {
  const text = bundle["text/plain"];
  if (typeof text === "string") return text;
  const md = bundle["text/markdown"];
  if (typeof md === "string") return md;
  return `[${Object.keys(bundle).join(", ")}]`;
}

/** Display a bundle; returns nothing. Outside Jupyter its text/plain form goes to stdout. */
export function displayBundle(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): void {
  const update = opts.update ?? false;
  if (sinkOverride) return sinkOverride(bundle, { displayId: opts.displayId, update });
  const write = kernelWriter();
  if (write) {
    write({ data: bundle, metadata: {}, transient: opts.displayId ? { display_id: opts.displayId } : {} }, update);
  } else {
    console.log(plainText(bundle));
  }
}

let displayCounter = 0;

/** An output that can be replaced in place (live progress, live charts). */
export class LiveDisplay {
  /** The Jupyter display id shared by every update of this output. */
  readonly displayId: string;
  private shown = false;

  constructor() {
    displayCounter += 1;
    this.displayId = `ner-${process.pid}-${Date.now().toString(36)}-${displayCounter}`;
  }

  /** Show the first version, then replace it on later calls. */
  show(bundle: MimeBundle): void {
    displayBundle(bundle, { displayId: this.displayId, update: this.shown });
    this.shown = true;
  }
}

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Display HTML with a plain-text fallback. */
export function showHtml(html: string, text = "[HTML]"): void {
  displayBundle({ "text/html": html, "text/plain": text });
}

/** Display Markdown (its source is also the plain-text form). */
export function showMarkdown(md: string): void {
  displayBundle({ "text/markdown": md, "text/plain": md });
}

/** A table column: which field, its heading, and how to format a value. */
export interface Column<Row> {
  key: keyof Row & string;
  header?: string;
  /** Digits after the point for numbers (default: as is). */
  digits?: number;
  format?: (value: Row[keyof Row], row: Row) => string;
}

function cellText<Row>(row: Row, col: Column<Row>): string {
  const v = row[col.key];
  if (col.format) return col.format(v, row);
  if (typeof v === "number" && col.digits !== undefined) return Number.isFinite(v) ? v.toFixed(col.digits) : String(v);
  if (v === undefined || v === null) return "";
  return String(v);
}

/** Columns for every key of the first row, in order. */
function defaultColumns<Row extends object>(rows: readonly Row[]): Column<Row>[] {
  return rows.length ? (Object.keys(rows[0]) as (keyof Row & string)[]).map((key) => ({ key })) : [];
}

/**
 * A fixed-width text table (numbers right-aligned), e.g. the per-epoch metrics the
 * Hugging Face Trainer prints.
 */
export function formatTable<Row extends object>(rows: readonly Row[], columns?: Column<Row>[]): string {
  const cols = columns ?? defaultColumns(rows);
  const header = cols.map((c) => c.header ?? c.key);
  const body = rows.map((r) => cols.map((c) => cellText(r, c)));
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => typeof r[c.key] === "number"));
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) =>
    cells.map((s, j) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** The same table as HTML. */
export function tableHtml<Row extends object>(rows: readonly Row[], columns?: Column<Row>[], caption?: string): string {
  const cols = columns ?? defaultColumns(rows);
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => typeof r[c.key] === "number"));
  const th = cols.map((c) => `<th>${escapeHtml(c.header ?? c.key)}</th>`).join("");
  const trs = rows
    .map((r) => {
      const tds = cols.map((c, j) => {
        const align = numeric[j] ? ' style="text-align:right"' : "";
        return `<td${align}>${escapeHtml(cellText(r, c))}</td>`;
      });
      return `<tr>${tds.join("")}</tr>`;
    })
    .join("");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<table>${cap}<thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

/** Display rows as a table (HTML in Jupyter, fixed-width text elsewhere). */
export function showTable<Row extends object>(rows: readonly Row[], columns?: Column<Row>[], caption?: string): void {
  const text = (caption ? caption + "\n" : "") + formatTable(rows, columns);
  displayBundle({ "text/html": tableHtml(rows, columns, caption), "text/plain": text });
}
