/**
 * Entity spans: from pipeline outputs (character offsets) and from token-level tags
 * (token indices), with the chunking rules of seqeval's default mode.
 */

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

function splitTag(tag: string): { prefix: string; type: string } {
  if (tag === "O" || tag === "" || tag === "-") return { prefix: "O", type: "" };
  const m = /^([BIESLU])[-_](.+)$/.exec(tag);
  if (m) return { prefix: m[1], type: m[2] };
  return { prefix: "I", type: tag }; // a plain label ("Cuisine") continues runs of itself
}

/**
 * Token-index spans of a tag sequence (IOB1, IOB2, IOBES; L-/U- as E-/S-), following seqeval's
 * default `get_entities`: a chunk ends before B-, S-, O or a type change and after E-/S-; an I-
 * without an open chunk of its type starts one.
 */
export function tagsToSpans(tags: readonly string[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let open: EntitySpan | null = null;
  const close = (): void => {
    if (open) spans.push(open);
    open = null;
  };
  tags.forEach((tag, i) => {
    const { prefix, type } = splitTag(tag);
    if (prefix === "O") return close();
    const startsNew = open === null || open.label !== type || prefix === "B" || prefix === "S" || prefix === "U";
    if (startsNew) {
      close();
      open = { start: i, end: i + 1, label: type };
    } else if (open) {
      open.end = i + 1;
    }
    if (prefix === "E" || prefix === "S" || prefix === "L" || prefix === "U") close();
  });
  close();
  return spans;
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
