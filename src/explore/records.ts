/**
 * Plain records describing a tagged corpus, for tables and charts: one per sentence, one per
 * entity, and tag / length counts. Pure functions (src/explore/frames.ts wraps them in danfojs).
 */
import { tagSpans } from "../data/tags";

/** A sentence with string tags. */
export interface TaggedSentence {
  tokens: readonly string[];
  tags: readonly string[];
}

/** A dataset row with tag ids (the HF layout) plus the label names that decode them. */
export interface TagIdRow {
  tokens: readonly string[];
  ner_tags: readonly number[];
}

/** Decode rows with `ner_tags` ids into string tags using the label list. */
export function toTagged(rows: Iterable<TagIdRow>, labelNames: readonly string[]): TaggedSentence[] {
  const out: TaggedSentence[] = [];
  let i = 0;
  for (const r of rows) {
    const tags = r.ner_tags.map((id) => {
      const name = labelNames[id];
      if (name === undefined)
        throw new Error(`row ${i}: tag id ${id} is outside the label list (${labelNames.length} labels)`);
      return name;
    });
    out.push({ tokens: r.tokens, tags });
    i += 1;
  }
  return out;
}

/** One row of the sentence-level view. */
export interface SentenceRecord {
  sentence: number;
  tokens: number;
  entities: number;
  /** Entity types in order of appearance, joined with ",". */
  types: string;
  text: string;
}

/** One row of the entity-level view. */
export interface EntityRecord {
  sentence: number;
  type: string;
  text: string;
  /** Length in words (tokens of the corpus, not sub-words). */
  length: number;
  start: number;
}

/** Sentence-level records; `maxText` shortens the text column (default: the whole sentence). */
export function sentenceRecords(
  sentences: readonly TaggedSentence[],
  opts: { maxText?: number } = {},
): SentenceRecord[] {
  const maxText = opts.maxText ?? Infinity;
  return sentences.map((s, i) => {
    const spans = tagSpans(s.tags);
    const text = s.tokens.join(" ");
    return {
      sentence: i,
      tokens: s.tokens.length,
      entities: spans.length,
      types: spans.map((sp) => sp.type).join(","),
      text: text.length > maxText ? text.slice(0, maxText - 1) + "…" : text,
    };
  });
}

/** Entity-level records: every entity span of every sentence. */
export function entityRecords(sentences: readonly TaggedSentence[]): EntityRecord[] {
  return sentences.flatMap((s, i) =>
    tagSpans(s.tags).map((sp) => ({
      sentence: i,
      type: sp.type,
      text: s.tokens.slice(sp.start, sp.end).join(" "),
      length: sp.end - sp.start,
      start: sp.start,
    })),
  );
}

/** A tag and how often it occurs, with its share of all tokens. */
export interface TagCount {
  tag: string;
  count: number;
  share: number;
}

/**
 * Token count of every tag. Ordered by `labelNames` when given (tags absent from the data get 0),
 * else by decreasing count then name.
 */
export function tagCounts(sentences: readonly TaggedSentence[], labelNames?: readonly string[]): TagCount[] {
  const counts = new Map<string, number>();
  let total = 0;
  for (const s of sentences) {
    for (const t of s.tags) {
      counts.set(t, (counts.get(t) ?? 0) + 1);
      total += 1;
    }
  }
  let tags: string[];
  if (labelNames) {
    const extra = [...counts.keys()].filter((t) => !labelNames.includes(t)).sort();
    tags = [...labelNames, ...extra];
  } else {
    tags = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  }
  return tags.map((tag) => {
    const count = counts.get(tag) ?? 0;
    return { tag, count, share: total ? count / total : 0 };
  });
}

/**
 * Python `collections.Counter` repr of tag-id frequencies, most common first (ties keep first-seen
 * order, as Counter does): what the CoNLL tutorial prints, e.g. `Counter({0: 169578, 5: 7140, ...})`.
 */
export function tagIdCounterRepr(rows: Iterable<TagIdRow>): string {
  const counts = new Map<number, number>();
  for (const r of rows) for (const id of r.ner_tags) counts.set(id, (counts.get(id) ?? 0) + 1);
  // Array.prototype.sort is stable, so insertion (first-seen) order breaks ties like Counter.most_common.
  const items = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return `Counter({${items.map(([k, v]) => `${k}: ${v}`).join(", ")}})`;
}

/** value → how many times it occurs, for integer-valued things such as lengths (sorted by value). */
export function histogram(values: Iterable<number>): { value: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count }));
}

/** Summary numbers of a list of lengths: count, min, max, mean, median, 95th percentile. */
export function lengthSummary(values: readonly number[]) {
  if (values.length === 0) return { count: 0, min: 0, max: 0, mean: 0, median: 0, p95: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { count: sorted.length, min: sorted[0], max: sorted[sorted.length - 1], mean, median: q(0.5), p95: q(0.95) };
}
