/**
 * The per-epoch table the tutorials' Trainer prints (Epoch, Training Loss, Validation Loss,
 * Precision, Recall, F1, Accuracy). One set of cells feeds the text form (terminal, epochs.txt)
 * and the HTML form (notebook progress); a missing value reads "No log", as in Hugging Face.
 */
import { escapeHtml } from "./html";

/** One evaluation row (structurally the Trainer's EpochRow; kept here so display stays a leaf). */
export interface EpochTableRow {
  epoch: number;
  trainingLoss: number | null;
  validationLoss: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  accuracy: number | null;
}

export const EPOCH_TABLE_HEADER = ["Epoch", "Training Loss", "Validation Loss", "Precision", "Recall", "F1", "Accuracy"] as const;

/** One metric cell: six digits, or "No log" when the value was not logged (as Hugging Face prints). */
export function epochValueText(x: number | null | undefined): string {
  return x === null || x === undefined ? "No log" : x.toFixed(6);
}
const value = epochValueText;

/** The cells of each row, as text. */
export function epochTableCells(rows: readonly EpochTableRow[]): string[][] {
  return rows.map((r) => [
    Number.isInteger(r.epoch) ? String(r.epoch) : r.epoch.toFixed(2),
    value(r.trainingLoss),
    value(r.validationLoss),
    value(r.precision),
    value(r.recall),
    value(r.f1),
    value(r.accuracy),
  ]);
}

/** Aligned text: epoch left, numbers right. */
export function epochTableText(rows: readonly EpochTableRow[]): string {
  const header = [...EPOCH_TABLE_HEADER];
  const body = epochTableCells(rows);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), ...body.map(line)].join("\n");
}

/** HTML table for notebooks (Jupyter's stylesheet right-aligns the cells, which suits numbers). */
export function epochTableHtml(rows: readonly EpochTableRow[], caption?: string): string {
  const th = EPOCH_TABLE_HEADER.map((h) => `<th>${h}</th>`).join("");
  const trs = epochTableCells(rows)
    .map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("");
  const cap = caption ? `<caption style="text-align:left;caption-side:top">${escapeHtml(caption)}</caption>` : "";
  return `<table class="ner-epochs" style="margin-left:0;margin-right:auto">${cap}<thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}
