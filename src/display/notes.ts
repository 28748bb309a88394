/**
 * Warnings that are expected in a cell (e.g. seqeval's UndefinedMetricWarning while a small
 * model predicts no entity of some type) collected and shown once, as a note that says why,
 * instead of red stderr boxes.
 */
import { escapeHtml } from "./html";
import { displayBundle } from "./mime";

export class WarningNotes {
  private readonly seen = new Map<string, number>();

  /** A `(message, category)` callback, e.g. seqeval's `onWarning` option. */
  readonly handler = (message: string, category = "Warning"): void => {
    const key = `${category}: ${message}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  };

  /** Distinct warnings collected so far. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Show the collected warnings (each once, with how often it came) under `explanation`, then
   * forget them. Shows nothing when there were none.
   */
  show(explanation: string): void {
    if (this.seen.size === 0) return;
    const items = [...this.seen].map(([w, n]) => (n > 1 ? `${w} (×${n})` : w));
    this.seen.clear();
    const html =
      `<div class="ner-note" style="border-left:4px solid #e0b000;background:#fff8e1;padding:0.4em ` +
      `0.8em;margin:0.3em 0;text-align:left">` +
      `<div>${escapeHtml(explanation)}</div>` +
      `<details><summary>${items.length} warning${items.length === 1 ? "" : "s"}</summary><ul>` +
      items.map((i) => `<li><code>${escapeHtml(i)}</code></li>`).join("") +
      `</ul></details></div>`;
    displayBundle({
      "text/html": html,
      "text/plain": [`Note: ${explanation}`, ...items.map((i) => `  ${i}`)].join("\n"),
    });
  }
}
