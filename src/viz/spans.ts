/**
 * Entity spans for the views: pipeline outputs (character offsets) and the token spans of tags
 * (src/data/tags.ts' `tagSpans`, seqeval's default chunking), as one `EntitySpan` shape.
 */
import type { Span } from "../data/tags";

/** A labelled [start, end) range: characters for text, token indices for tagged tokens. */
export interface EntitySpan {
  start: number;
  end: number;
  label: string;
  score?: number;
}

/** Anything with offsets and a label: pipeline entities (`entity_group` or `entity`), tag spans or spans. */
export type EntityLike =
  | { start: number; end: number; entity_group: string; score?: number; word?: string }
  | { start: number; end: number; entity: string; score?: number; word?: string; index?: number }
  | (Span & { score?: number })
  | EntitySpan;

/** Normalise pipeline entities, tag spans and spans to `EntitySpan`s. */
export function toSpan(e: EntityLike): EntitySpan {
  const label = "entity_group" in e ? e.entity_group : "entity" in e ? e.entity : "type" in e ? e.type : e.label;
  return { start: e.start, end: e.end, label, ...(e.score !== undefined ? { score: e.score } : {}) };
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
