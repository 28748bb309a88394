/** A standalone HTML page around rendered fragments (for `ner predict --html`). */
import { escapeHtml } from "../display/html";

/** Wrap body HTML (already escaped fragments) into a complete UTF-8 page. */
export function htmlPage(title: string, bodyHtml: string): string {
  return (
    "<!DOCTYPE html>\n" +
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    "<style>body{font-family:sans-serif;margin:2em;max-width:60em}section{margin-bottom:1.5em}" +
    "h2{font-size:1em;color:#555}</style></head>\n" +
    `<body><h1>${escapeHtml(title)}</h1>\n${bodyHtml}\n</body></html>\n`
  );
}
