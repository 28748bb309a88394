/**
 * The table under each notebook's training cell: every TrainingArguments value the run uses next
 * to the tutorial's own (its full profile), so a smoke or workshop run never shows a tutorial value
 * as if it were the one in use.
 */
import type { TrainingArguments } from "../training/arguments";
import { hfName } from "../training/options";
import { NOTEBOOK_TRAINING_KEYS, notebookSettings, type NotebookSettings, type SettingSource } from "./profile";

/** Python's names of the arguments the notebooks set, in the order the table lists them. */
const PYTHON_NAMES = NOTEBOOK_TRAINING_KEYS.map((key) => [key, hfName(key)] as const);

const SOURCE_NOTE: Record<SettingSource, string> = {
  tutorial: "",
  "HF default": " (HF default)",
  ours: " (ours)",
  lost: " (HF default; capture lost)",
};

/** A value as Python would write it: 2e-05 → "2e-5", strings quoted, booleans True/False. */
export function pythonValue(v: unknown): string {
  if (typeof v === "number") return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

/**
 * One row per argument the cell sets: its Python name, the value in use, and the tutorial's value
 * with where it comes from ("HF default", "ours", or "HF default; capture lost").
 */
export function trainingArgsRows(
  settings: NotebookSettings,
  args: Partial<TrainingArguments>,
): { argument: string; "in use": string; tutorial: string }[] {
  const full = notebookSettings(settings.tutorial, "full");
  return PYTHON_NAMES.filter(([key]) => args[key] !== undefined).map(([key, name]) => ({
    argument: name,
    "in use": pythonValue(args[key]),
    tutorial: pythonValue(full.training[key]) + SOURCE_NOTE[full.trainingSources[key] ?? "tutorial"],
  }));
}
