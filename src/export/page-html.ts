/**
 * index.html of the exported site: the run card, example selector, text box, aggregation
 * selector and entity view, server-rendered (readable even before the script runs); the
 * script (ner-web.js) fills in the entities. Every value is HTML-escaped.
 */
import { escapeHtml } from "../display/html";
import { BUNDLE_FILE, type SiteManifest } from "./site-manifest";

function runCardRows(m: SiteManifest): string {
  const c = m.runCard;
  const rows: [string, string][] = [["model", c.model]];
  if (c.parameters !== undefined) rows.push(["parameters", c.parameters.toLocaleString("en-US")]);
  rows.push(["data", c.data ?? "unknown"]);
  rows.push(["F1", c.f1 === undefined ? "not measured" : c.f1.toFixed(4)]);
  if (c.date) rows.push(["date", c.date]);
  rows.push(["weights", m.weightsDtype === "F16" ? "fp16 (computed in float32)" : "float32"]);
  return rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("");
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0.2rem 0 0.8rem; }
.card { border-collapse: collapse; font-size: 0.9rem; margin-bottom: 1rem; }
.card th { text-align: left; padding: 0.15rem 1rem 0.15rem 0; color: #555; font-weight: 600; }
.controls { display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; margin: 0.5rem 0; }
textarea { width: 100%; box-sizing: border-box; font: inherit; font-size: 1.05rem; padding: 0.5rem; min-height: 5rem; }
#entities { min-height: 3rem; border: 1px solid #ddd; border-radius: 0.4rem; padding: 0.5rem 0.8rem;
  margin-top: 0.5rem; }
#entities mark { cursor: help; }
footer { margin-top: 1rem; font-size: 0.85rem; color: #555; }
`;

/** The page for `manifest`. */
export function pageHtml(manifest: SiteManifest): string {
  const title = `NER: ${manifest.runCard.model}`;
  const options = manifest.examples.map((e) => `<option value="${escapeHtml(e)}">${escapeHtml(e)}</option>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-state="loading">
<h1>${escapeHtml(title)}</h1>
<table class="card">${runCardRows(manifest)}</table>
<div class="controls">
<label>Example <select id="examples"><option value="">(${escapeHtml(manifest.examplesSource)})</option>
${options}</select></label>
<label>Aggregation <select id="aggregation"></select></label>
</div>
<textarea id="text" disabled placeholder="Type a sentence…" spellcheck="false"></textarea>
<div id="entities" aria-live="polite"></div>
<footer>
<div id="status">loading…</div>
<div>Backend: <span id="backend">starting</span>.
The model runs in this browser: what you type never leaves the page.</div>
</footer>
<noscript>This page needs JavaScript (it runs the model in your browser).</noscript>
<script src="${BUNDLE_FILE}"></script>
</body>
</html>
`;
}
