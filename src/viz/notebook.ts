/**
 * Showing renderings in a tslab notebook: sends text/html (plus a text/plain fallback) through
 * the notebook display helpers; outside a kernel the plain text is printed.
 */
import { displayBundle } from "../notebook/display";
import { renderEntitiesHtml, renderTaggedTokensHtml, type RenderEntitiesOptions } from "./entities";
import { renderGoldVsPredHtml } from "./goldVsPred";
import { toSpan, type EntityLike } from "./spans";

/** Plain-text form of highlighted entities: `[Berlin](LOC)` inline. */
export function entitiesPlainText(text: string, entities: readonly EntityLike[]): string {
  const spans = entities.map(toSpan).sort((a, b) => a.start - b.start);
  let out = "";
  let cursor = 0;
  for (const s of spans) {
    if (s.start < cursor) continue;
    out += `${text.slice(cursor, s.start)}[${text.slice(s.start, s.end)}](${s.label})`;
    cursor = s.end;
  }
  return out + text.slice(cursor);
}

/** Display `text` with the pipeline's entities highlighted; returns the HTML. */
export function showEntities(text: string, entities: readonly EntityLike[], opts?: RenderEntitiesOptions): string {
  const html = renderEntitiesHtml(text, entities, opts);
  displayBundle({ "text/html": html, "text/plain": entitiesPlainText(text, entities) });
  return html;
}

/** Display tokens with the entities of their tags highlighted; returns the HTML. */
export function showTaggedTokens(tokens: readonly string[], tags: readonly string[]): string {
  const html = renderTaggedTokensHtml(tokens, tags);
  displayBundle({ "text/html": html, "text/plain": tokens.map((t, i) => `${t}/${tags[i]}`).join(" ") });
  return html;
}

/** Display gold vs predicted entities side by side; returns the HTML. */
export function showGoldVsPred(tokens: readonly string[], goldTags: readonly string[], predTags: readonly string[]): string {
  const html = renderGoldVsPredHtml(tokens, goldTags, predTags);
  const plain = tokens.map((t, i) => `${t}\t${goldTags[i]}\t${predTags[i]}${goldTags[i] === predTags[i] ? "" : "  *"}`).join("\n");
  displayBundle({ "text/html": html, "text/plain": plain });
  return html;
}
