/**
 * Entity visualisation: displaCy-style HTML for pipeline outputs and tagged tokens, gold vs
 * predicted comparison, standalone pages and notebook display.
 */
export { escapeHtml } from "../display/html";
export { colorForLabel, ENTITY_PALETTE, fnv1a } from "./colors";
export { joinTokens, toSpan } from "./spans";
export type { EntitySpan, EntityLike } from "./spans";
export { renderEntitiesHtml, renderTaggedTokensHtml, highlightHtml, markHtml, nonOverlappingSpans } from "./entities";
export type { RenderEntitiesOptions } from "./entities";
export { compareSpans, compareTags, goldVsPredKeyHtml, renderGoldVsPredHtml } from "./goldVsPred";
export type { SpanStatus, JudgedSpan, SpanComparison } from "./goldVsPred";
export { htmlPage } from "./page";
export { showEntities, showTaggedTokens, showGoldVsPred, entitiesPlainText } from "./notebook";
