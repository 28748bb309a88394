/**
 * The per-epoch table the tutorials' Trainer prints (Epoch, Training Loss, Validation Loss,
 * Precision, Recall, F1, Accuracy): one set of columns, rendered by the generic table as text
 * (terminal, epochs.txt) and as HTML (notebook progress). Scores have 4 digits like every other
 * table; a missing value reads "No log", as in Hugging Face.
 */
import { formatTable, tableHtml, type Column } from "./table";

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

/** Digits after the point of every score in the table. */
export const EPOCH_TABLE_DIGITS = 4;

/** One metric cell: 4 digits, or "No log" when the value was not logged (as Hugging Face prints). */
export function epochValueText(x: number | null | undefined): string {
  return x === null || x === undefined ? "No log" : x.toFixed(EPOCH_TABLE_DIGITS);
}

const metric = (key: Exclude<keyof EpochTableRow, "epoch">, header: string): Column<EpochTableRow> => ({
  key,
  header,
  align: "right",
  format: (v) => epochValueText(v as number | null),
});

/** The table's columns (the one definition both renderings use). */
const EPOCH_TABLE_COLUMNS: readonly Column<EpochTableRow>[] = [
  {
    key: "epoch",
    header: "Epoch",
    align: "left",
    format: (v) => (Number.isInteger(v) ? String(v) : (v as number).toFixed(2)),
  },
  metric("trainingLoss", "Training Loss"),
  metric("validationLoss", "Validation Loss"),
  metric("precision", "Precision"),
  metric("recall", "Recall"),
  metric("f1", "F1"),
  metric("accuracy", "Accuracy"),
];

/** Aligned text, a header line then one line per epoch (epoch left, numbers right). */
export function epochTableText(rows: readonly EpochTableRow[]): string {
  return formatTable(rows, [...EPOCH_TABLE_COLUMNS], { rule: false });
}

/** The same table as HTML. */
export function epochTableHtml(rows: readonly EpochTableRow[], caption?: string): string {
  return tableHtml(rows, [...EPOCH_TABLE_COLUMNS], caption).replace("<table ", '<table class="ner-epochs" ');
}
