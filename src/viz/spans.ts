/**
 * Entity spans: from pipeline outputs (character offsets) and from token-level tags
 * (token indices), with the chunking rules of seqeval's default mode.
 */
import { getEntities } from "../metrics/seqeval/default-entities";

/** A labelled [start, end) range: characters for text, token indices for tagged tokens. */
export interface EntitySpan {
  start: number;
  end: number;
  label: string;
  score?: number;
}

/** Anything with offsets and a label: pipeline entities (`entity_group` or `entity`) or spans. */
export type EntityLike =
  | { start: number; end: number; entity_group: string; score?: number; word?: string }
  | { start: number; end: number; entity: string; score?: number; word?: string; index?: number }
  | EntitySpan;

/** Normalise pipeline entities / spans to `EntitySpan`s. */
export function toSpan(e: EntityLike): EntitySpan {
  const label = "entity_group" in e ? e.entity_group : "entity" in e ? e.entity : e.label;
  return { start: e.start, end: e.end, label, ...(e.score !== undefined ? { score: e.score } : {}) };
}

/**
 * Token-index spans of a tag sequence (IOB1, IOB2, IOBES), exactly as seqeval's default mode
 * chunks it (its `getEntities`, the one the metrics use), so the pictures agree with the scores.
 */
export function tagsToSpans(tags: readonly string[]): EntitySpan[] {
  // getEntities' end is inclusive (Python seqeval's convention); spans here are [start, end).
  return getEntities(tags).map(([label, start, end]) => ({ start, end: end + 1, label }));
}

/** Join tokens with single spaces and return the text plus each token's [start, end) offsets. */
export function joinTokens(tokens: readonly string[]): { text: string; offsets: [number, number][] } {
  const offsets: [number, number][] = [];
  let text = "";
  tokens.forEach((tok, i) => {
    if (i > 0) text += " ";
    offsets.push([text.length, text.length + tok.length]);
    text += tok;
  });
  return { text, offsets };
}
