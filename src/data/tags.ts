/**
 * Tag-level helpers: split a tag into prefix and type, check IOB1/IOB2 transitions,
 * convert IOB1 to IOB2, and cut a tag sequence into entity spans.
 *
 * The library has one chunker, src/metrics/seqeval's `getEntities` (seqeval-exact); `tagSpans`
 * only reshapes its result into end-exclusive `Span` objects for exploration views and charts.
 */
import { getEntities } from "../metrics/seqeval/default-entities";

/** A parsed tag: `O`, or a `B`/`I` prefix with an entity type. */
export interface ParsedTag {
  prefix: "B" | "I" | "O";
  type: string;
}

const TAG_RE = /^([BI])-(.+)$/;

// Corpora use a handful of distinct tags: memoising keeps parsing out of the per-token cost.
const parsedCache = new Map<string, Readonly<ParsedTag> | null>();

/** Parse a tag, or return null when its prefix is not O, B- or I-. The result is shared: do not mutate it. */
export function parseTag(tag: string): Readonly<ParsedTag> | null {
  let parsed = parsedCache.get(tag);
  if (parsed !== undefined) return parsed;
  const m = tag === "O" ? null : TAG_RE.exec(tag);
  parsed =
    tag === "O"
      ? Object.freeze({ prefix: "O" as const, type: "" })
      : m
        ? Object.freeze({ prefix: m[1] as "B" | "I", type: m[2] })
        : null;
  if (parsedCache.size < 10_000) parsedCache.set(tag, parsed);
  return parsed;
}

/**
 * Why `tag` may not follow `prev` in IOB2 (an I-X must continue a B-X or I-X),
 * or null when the transition is valid. `prev` is null at the start of a sentence.
 */
export function iob2Violation(prev: string | null, tag: string): string | null {
  const cur = parseTag(tag);
  if (!cur || cur.prefix !== "I") return null;
  const before = prev === null ? null : parseTag(prev);
  if (before === null || before.prefix === "O") {
    return `${tag} cannot ${prev === null ? "open a sentence" : "follow O"} in IOB2 (expected B-${cur.type})`;
  }
  if (before.type !== cur.type) return `${tag} cannot follow ${prev} in IOB2 (expected B-${cur.type})`;
  return null;
}

/**
 * Why `tag` may not follow `prev` in IOB1 (a B-X only separates two adjacent X entities),
 * or null when the transition is valid.
 */
export function iob1Violation(prev: string | null, tag: string): string | null {
  const cur = parseTag(tag);
  if (!cur || cur.prefix !== "B") return null;
  const before = prev === null ? null : parseTag(prev);
  if (before === null || before.prefix === "O" || before.type !== cur.type) {
    return `${tag} must directly follow another ${cur.type} entity in IOB1 (expected I-${cur.type})`;
  }
  return null;
}

/** Convert one sentence's tags from IOB1 to IOB2: an I-X that starts an entity becomes B-X. */
export function iob1ToIob2(tags: readonly string[]): string[] {
  const out: string[] = [];
  let prev: Readonly<ParsedTag> | null = null;
  for (const tag of tags) {
    const cur = parseTag(tag);
    if (cur && cur.prefix === "I" && (prev === null || prev.prefix === "O" || prev.type !== cur.type)) {
      out.push(`B-${cur.type}`);
    } else {
      out.push(tag);
    }
    prev = cur;
  }
  return out;
}

/** An entity span over token indices [start, end) (end exclusive). */
export interface Span {
  type: string;
  start: number;
  end: number;
}

/**
 * Cut one sentence's tags into entity spans, exactly as seqeval's default (conlleval) mode does:
 * `getEntities(tags)` with each `[type, start, endInclusive]` turned into `{type, start, end}`,
 * `end` exclusive. For O/B-X/I-X tags: a span starts at B-X, or at an I-X whose predecessor is O
 * or of another type (so IOB1 and sloppy IOB2 are read the way conlleval reads them), and runs
 * over the following I-X of the same type. Other tags follow seqeval's rules too (E-/S- close
 * spans as IOBES; a tag without a B-/I-/E-/S- prefix is read as its first character plus a type);
 * its "seems not to be NE tag" warnings are not emitted here.
 */
export function tagSpans(tags: readonly string[]): Span[] {
  return getEntities(tags, false, () => {}).map(([type, start, end]) => ({ type, start, end: end + 1 }));
}
