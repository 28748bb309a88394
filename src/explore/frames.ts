/**
 * danfojs views of a corpus for exploring it in notebooks: a sentence-level DataFrame, an
 * entity-level one, tag frequency tables and per-type entity-length statistics.
 *
 * danfojs-node is loaded lazily (it pulls in tfjs), so importing this module is cheap.
 */
import type { DataFrame } from "danfojs-node";
import {
  entityRecords,
  sentenceRecords,
  tagCounts,
  TaggedSentence,
} from "./records";

type Danfo = typeof import("danfojs-node");

/** The danfojs-node module (loaded on first use). */
export function danfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("danfojs-node") as Danfo;
}

/** Build a DataFrame from records; an empty list gives an empty frame with the given columns. */
export function recordsFrame(records: readonly object[], columns: string[]): DataFrame {
  const dfd = danfo();
  if (records.length === 0) return new dfd.DataFrame([], { columns });
  return new dfd.DataFrame(records as object[], { columns });
}

/** One row per sentence: sentence, tokens, entities, types, text. */
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
  return g.sortValues("type") as DataFrame;
}

/** Rows of a DataFrame as plain objects (for tests, tables and charts). */
export function frameRows(df: DataFrame): Record<string, unknown>[] {
  const cols = df.columns;
  return (df.values as unknown[][]).map((row) => Object.fromEntries(cols.map((c, j) => [c, row[j]])));
}
