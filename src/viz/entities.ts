/**
 * displaCy-style entity rendering: the text with each entity in a coloured `<mark>` followed by
 * its label. All text and labels are HTML-escaped.
 */
import { colorForLabel } from "./colors";
import { escapeHtml } from "../display/html";
import { tagSpans } from "../data/tags";
import { joinTokens, toSpan, type EntityLike, type EntitySpan } from "./spans";

/** Rendering options. */
export interface RenderEntitiesOptions {
  /** Show each entity's score (2 decimals) after its label. Default false (scores go in the tooltip). */
  showScores?: boolean;
  /** Extra CSS classes per span (used by the gold-vs-predicted view). */
  spanClass?: (span: EntitySpan, index: number) => string | undefined;
  /** Tooltip per span; default "LABEL (score)". */
  spanTitle?: (span: EntitySpan, index: number) => string | undefined;
}

const WRAPPER_STYLE = "line-height: 2.5; direction: ltr; font-family: sans-serif; white-space: pre-wrap";
const NONE_STYLE = "color: #666; font-size: 0.85em; line-height: 1.5";
const MARK_STYLE = "padding: 0.25em 0.45em; margin: 0 0.2em; line-height: 1; border-radius: 0.35em";
const LABEL_STYLE =
  "font-size: 0.75em; font-weight: bold; line-height: 1; border-radius: 0.35em; vertical-align: " +
  "middle; margin-left: 0.4rem";

function textHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, "<br>");
}

/** One entity as displaCy renders it: a coloured mark with the label after the text. */
export function markHtml(
  text: string,
  span: EntitySpan,
  opts: { extraClass?: string; title?: string; showScore?: boolean } = {},
): string {
  const cls = ["ner-entity", opts.extraClass].filter(Boolean).join(" ");
  const title = opts.title ?? (span.score !== undefined ? `${span.label} (${span.score.toFixed(3)})` : span.label);
  const score = opts.showScore && span.score !== undefined ? ` ${span.score.toFixed(2)}` : "";
  return (
    `<mark class="${escapeHtml(cls)}" data-label="${escapeHtml(span.label)}" title="${escapeHtml(title)}" ` +
    `style="background: ${colorForLabel(span.label)}; ${MARK_STYLE}">${textHtml(text)}` +
    `<span class="ner-label" style="${LABEL_STYLE}">${escapeHtml(span.label)}${escapeHtml(score)}</span></mark>`
  );
}

/**
 * Spans sorted by start; a span that overlaps an earlier kept one, is empty or falls outside
 * `[0, length]` is dropped (displaCy cannot show overlapping entities).
 */
export function nonOverlappingSpans(spans: EntitySpan[], length: number): EntitySpan[] {
  const sorted = spans
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.start - b.s.start || a.i - b.i)
    .map((x) => x.s);
  const kept: EntitySpan[] = [];
  let cursor = 0;
  for (const s of sorted) {
    if (s.start < cursor || s.end <= s.start || s.start < 0 || s.end > length) continue;
    kept.push(s);
    cursor = s.end;
  }
  return kept;
}

/** Inner HTML (no wrapper) of text with highlighted spans. */
export function highlightHtml(text: string, spans: EntitySpan[], opts: RenderEntitiesOptions = {}): string {
  let html = "";
  let cursor = 0;
  nonOverlappingSpans(spans, text.length).forEach((span, i) => {
    html += textHtml(text.slice(cursor, span.start));
    html += markHtml(text.slice(span.start, span.end), span, {
      extraClass: opts.spanClass?.(span, i),
      title: opts.spanTitle?.(span, i),
      showScore: opts.showScores,
    });
    cursor = span.end;
  });
  return html + textHtml(text.slice(cursor));
}

/**
 * HTML fragment of `text` with the pipeline's entities highlighted (start/end are UTF-16 indices
 * into `text`, as the pipeline returns them). Accepts grouped entities (`entity_group`), token
 * entities (`entity`) or `{start, end, label}` spans.
 */
export function renderEntitiesHtml(
  text: string,
  entities: readonly EntityLike[],
  opts: RenderEntitiesOptions = {},
): string {
  // An empty result says so: plain text alone reads like a view that failed to highlight.
  const none = entities.length === 0 ? `<div class="ner-none" style="${NONE_STYLE}">no entities found</div>` : "";
  const body = highlightHtml(text, entities.map(toSpan), opts);
  return `<div class="ner-entities" style="${WRAPPER_STYLE}">${body}${none}</div>`;
}

/**
 * HTML fragment of pre-split tokens (joined by spaces) with the entities of their tags
 * (IOB1/IOB2/IOBES) highlighted.
 */
export function renderTaggedTokensHtml(
  tokens: readonly string[],
  tags: readonly string[],
  opts: RenderEntitiesOptions = {},
): string {
  if (tokens.length !== tags.length) {
    throw new Error(`renderTaggedTokensHtml: ${tokens.length} tokens but ${tags.length} tags`);
  }
  const { text, offsets } = joinTokens(tokens);
  const spans = tagSpans(tags).map((s) => ({ ...toSpan(s), start: offsets[s.start][0], end: offsets[s.end - 1][1] }));
  return renderEntitiesHtml(text, spans, opts);
}
