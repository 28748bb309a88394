/** Tables: fixed-width text for terminals and logs, HTML for notebooks, from the same cells. */
import { escapeHtml } from "./html";
import { displayBundle } from "./mime";

/** A table column: which field, its heading, and how to format a value. */
export interface Column<Row> {
  key: keyof Row & string;
  header?: string;
  /** Digits after the point for numbers (default: as is). */
  digits?: number;
  format?: (value: Row[keyof Row], row: Row) => string;
  /** Alignment; default: right when every value is a number, else left. */
  align?: "left" | "right";
}

/** How many rows to show; the rest is announced as "… N more rows", never dropped silently. */
export interface TableOptions {
  maxRows?: number;
  /** The dashed rule under the text table's header (default true). */
  rule?: boolean;
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

function isNumericColumn<Row>(rows: readonly Row[], col: Column<Row>): boolean {
  if (col.align) return col.align === "right";
  return rows.length > 0 && rows.every((r) => typeof r[col.key] === "number");
}

/** The rows shown and the count left out. */
function visibleRows<Row>(rows: readonly Row[], opts: TableOptions): { shown: readonly Row[]; hidden: number } {
  const max = opts.maxRows ?? Infinity;
  return rows.length > max ? { shown: rows.slice(0, max), hidden: rows.length - max } : { shown: rows, hidden: 0 };
}

/** "… 7 more rows" (or "… 1 more row"). */
export function moreRowsText(hidden: number): string {
  return `… ${hidden} more row${hidden === 1 ? "" : "s"}`;
}

/**
 * A fixed-width text table (numbers right-aligned, a dashed rule under the header), e.g. the
 * per-epoch metrics the Hugging Face Trainer prints.
 */
export function formatTable<Row extends object>(
  rows: readonly Row[],
  columns?: Column<Row>[],
  opts: TableOptions = {},
): string {
  const cols = columns ?? defaultColumns(rows);
  const { shown, hidden } = visibleRows(rows, opts);
  const header = cols.map((c) => c.header ?? c.key);
  const body = shown.map((r) => cols.map((c) => cellText(r, c)));
  const numeric = cols.map((c) => isNumericColumn(rows, c));
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((s, j) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j])))
      .join("  ")
      .trimEnd();
  const rule = opts.rule === false ? [] : [widths.map((w) => "-".repeat(w)).join("  ")];
  const lines = [line(header), ...rule, ...body.map(line)];
  if (hidden) lines.push(moreRowsText(hidden));
  return lines.join("\n");
}

// Jupyter's stylesheet centres tables and right-aligns every cell; ours align by content.
const TABLE_STYLE = "margin-left:0;margin-right:auto";
const LEFT = ' style="text-align:left"';
const RIGHT = ' style="text-align:right"';

/** The same table as HTML (numbers right-aligned, text left-aligned, nothing cut). */
export function tableHtml<Row extends object>(
  rows: readonly Row[],
  columns?: Column<Row>[],
  caption?: string,
  opts: TableOptions = {},
): string {
  const cols = columns ?? defaultColumns(rows);
  const { shown, hidden } = visibleRows(rows, opts);
  const numeric = cols.map((c) => isNumericColumn(rows, c));
  const th = cols.map((c, j) => `<th${numeric[j] ? RIGHT : LEFT}>${escapeHtml(c.header ?? c.key)}</th>`).join("");
  const trs = shown
    .map(
      (r) =>
        `<tr>${cols.map((c, j) => `<td${numeric[j] ? RIGHT : LEFT}>${escapeHtml(cellText(r, c))}</td>`).join("")}</tr>`,
    )
    .join("");
  const more = hidden
    ? `<tr><td colspan="${cols.length}" ` +
      `class="ner-more-rows"${LEFT}><i>${escapeHtml(moreRowsText(hidden))}</i></td></tr>`
    : "";
  const cap = caption ? `<caption style="text-align:left;caption-side:top">${escapeHtml(caption)}</caption>` : "";
  return `<table style="${TABLE_STYLE}">${cap}<thead><tr>${th}</tr></thead><tbody>${trs}${more}</tbody></table>`;
}

/** Display rows as a table (HTML in Jupyter, fixed-width text elsewhere). */
export function showTable<Row extends object>(
  rows: readonly Row[],
  columns?: Column<Row>[],
  caption?: string,
  opts: TableOptions = {},
): void {
  const text = (caption ? caption + "\n" : "") + formatTable(rows, columns, opts);
  displayBundle({ "text/html": tableHtml(rows, columns, caption, opts), "text/plain": text });
}
