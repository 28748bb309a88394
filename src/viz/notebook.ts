/**
 * Showing renderings in a tslab notebook: sends text/html (plus a text/plain fallback) through
 * src/display; outside a kernel the plain text is printed. The show* helpers return nothing:
 * tslab prints a cell's last expression as text, which would repeat the markup under the view
 * (the render*Html functions give the HTML).
 */
import { displayBundle } from "../display/mime";
import { renderEntitiesHtml, renderTaggedTokensHtml, type RenderEntitiesOptions } from "./entities";
import { renderGoldVsPredHtml } from "./goldVsPred";
import { toSpan, type EntityLike } from "./spans";

/** Plain-text form of highlighted entities: `[Berlin](LOC)` inline. */
export function entitiesPlainText(text: string, entities: readonly EntityLike[]): string {
  if (entities.length === 0) return `${text}\n(no entities found)`;
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

/** Display `text` with the pipeline's entities highlighted. */
export function showEntities(text: string, entities: readonly EntityLike[], opts?: RenderEntitiesOptions): void {
  displayBundle({
    "text/html": renderEntitiesHtml(text, entities, opts),
    "text/plain": entitiesPlainText(text, entities),
  });
}

/** Display tokens with the entities of their tags highlighted. */
export function showTaggedTokens(tokens: readonly string[], tags: readonly string[]): void {
  displayBundle({
    "text/html": renderTaggedTokensHtml(tokens, tags),
    "text/plain": tokens.map((t, i) => `${t}/${tags[i]}`).join(" "),
  });
}

/** Display gold vs predicted entities side by side. */
export function showGoldVsPred(
  tokens: readonly string[],
  goldTags: readonly string[],
  predTags: readonly string[],
): void {
  const plain = tokens
    .map((t, i) => `${t}\t${goldTags[i]}\t${predTags[i]}${goldTags[i] === predTags[i] ? "" : "  *"}`)
    .join("\n");
  displayBundle({ "text/html": renderGoldVsPredHtml(tokens, goldTags, predTags), "text/plain": plain });
}
