/**
 * danfojs views of a corpus for exploring it in notebooks: a sentence-level DataFrame, an
 * entity-level one, tag frequency tables and per-type entity-length statistics.
 *
 * danfojs-node is loaded lazily (it pulls in tfjs), so importing this module is cheap.
 */
import type { DataFrame } from "danfojs-node";
import { displayBundle, formatTable, tableHtml, type Column } from "../display/index";
import { entityRecords, sentenceRecords, tagCounts, TaggedSentence } from "./records";

type Danfo = typeof import("danfojs-node");

/** The danfojs-node module (loaded on first use). */
export function danfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- danfojs-node is heavy and loads on first use
  return require("danfojs-node") as Danfo;
}

/** Build a DataFrame from records; an empty list gives an empty frame with the given columns. */
export function recordsFrame(records: readonly object[], columns: string[]): DataFrame {
  const dfd = danfo();
  if (records.length === 0) return new dfd.DataFrame([], { columns });
  return new dfd.DataFrame(records as object[], { columns });
}

/** One row per sentence: sentence, tokens, entities, types, text (whole, unless `maxText`). */
export function sentenceFrame(sentences: readonly TaggedSentence[], opts: { maxText?: number } = {}): DataFrame {
  return recordsFrame(sentenceRecords(sentences, opts), ["sentence", "tokens", "entities", "types", "text"]);
}

/** One row per entity: sentence, type, text, length (words), start. */
export function entityFrame(sentences: readonly TaggedSentence[]): DataFrame {
  return recordsFrame(entityRecords(sentences), ["sentence", "type", "text", "length", "start"]);
}

/** Tag frequency table: tag, count, share (label-list order when `labelNames` is given). */
export function tagFrequencyFrame(sentences: readonly TaggedSentence[], labelNames?: readonly string[]): DataFrame {
  return recordsFrame(tagCounts(sentences, labelNames), ["tag", "count", "share"]);
}

/**
 * Entities per type with their length statistics (count, mean, max length in words),
 * computed with danfojs groupby on the entity frame.
 */
export function entityTypeSummaryFrame(sentences: readonly TaggedSentence[]): DataFrame {
  const entities = entityFrame(sentences);
  if (entities.shape[0] === 0) return recordsFrame([], ["type", "length_count", "length_mean", "length_max"]);
  const g = entities.groupby(["type"]).agg({ length: ["count", "mean", "max"] });
  // groupby leaves the index in first-seen order; after sorting, number the rows 0..n-1 again.
  return (g.sortValues("type") as DataFrame).resetIndex() as DataFrame;
}

/** Rows of a DataFrame as plain objects (for tests, tables and charts). */
export function frameRows(df: DataFrame): Record<string, unknown>[] {
  const cols = df.columns;
  return (df.values as unknown[][]).map((row) => Object.fromEntries(cols.map((c, j) => [c, row[j]])));
}

/** How a frame is shown: digits for non-integer numbers, rows before "… N more rows", the index column. */
export interface ShowFrameOptions {
  caption?: string;
  /** Digits after the point for non-integer numbers (default 3). */
  digits?: number;
  /** Rows shown before "… N more rows" (default 50). */
  maxRows?: number;
  /** Show the index as the first column (default: only when it is not 0, 1, 2, …). */
  index?: boolean;
}

/** The table shown for a frame: rounded numbers, whole text, an index column when it says something. */
export function frameTable(
  df: DataFrame,
  opts: ShowFrameOptions = {},
): { rows: Record<string, unknown>[]; columns: Column<Record<string, unknown>>[] } {
  const digits = opts.digits ?? 3;
  const index = (df.index as (string | number)[]).slice();
  const plainIndex = index.every((v, i) => v === i);
  const withIndex = opts.index ?? !plainIndex;
  const rows = frameRows(df).map((r, i) => (withIndex ? { "": index[i], ...r } : r));
  const number = (v: unknown) =>
    typeof v === "number" && !Number.isInteger(v) && Number.isFinite(v)
      ? v.toFixed(digits)
      : v === null || v === undefined
        ? ""
        : String(v);
  const columns = [...(withIndex ? [""] : []), ...df.columns].map((key) => ({
    key,
    format: (v: unknown) => number(v),
  }));
  return { rows, columns };
}

/**
 * Display a danfojs DataFrame as an HTML table (text table outside Jupyter) instead of
 * `df.print()`, which prints fixed-width text, cuts long cells and stops at 10 rows silently.
 */
export function showFrame(df: DataFrame, opts: ShowFrameOptions = {}): void {
  const { rows, columns } = frameTable(df, opts);
  const table = { maxRows: opts.maxRows ?? 50 };
  const text = (opts.caption ? opts.caption + "\n" : "") + formatTable(rows, columns, table);
  displayBundle({ "text/html": tableHtml(rows, columns, opts.caption, table), "text/plain": text });
}
