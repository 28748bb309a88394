/**
 * The closing "run card" of a notebook: what ran (profile, model, data, hyperparameters, backend),
 * how long each phase took and what it scored, next to the tutorial's reported result.
 */
import { displayBundle, escapeHtml } from "./display";
import { NotebookSettings } from "./profile";
import { backendInfo, type BackendInfo } from "../backend/index"; // a file, not a folder: tslab resolves only files
import { peakMemoryMb } from "../backend/memory";

/** Measures named phases of a notebook ("data", "train", ...) in wall-clock seconds. */
export class PhaseTimer {
  private readonly t0: number;
  private last: number;
  readonly phases: { phase: string; seconds: number }[] = [];
  constructor(private readonly now: () => number = Date.now) {
    this.t0 = now();
    this.last = this.t0;
  }

  /** Close the current phase under `name` (time since the previous mark or the start). */
  mark(name: string): number {
    const t = this.now();
    const seconds = (t - this.last) / 1000;
    this.phases.push({ phase: name, seconds });
    this.last = t;
    return seconds;
  }

  /** Seconds since the timer was created. */
  total(): number {
    return (this.now() - this.t0) / 1000;
  }
}

/** What a run card shows. */
export interface RunCardInfo {
  settings: NotebookSettings;
  backend: string;
  /** Rows actually used per split. */
  splitSizes: Record<string, number>;
  /** Final metrics, e.g. {precision, recall, f1, accuracy}, and on which split. */
  metrics: Record<string, number>;
  metricsSplit: string;
  timer?: PhaseTimer;
  /** Anything else worth keeping (e.g. the saved model directory). */
  extra?: Record<string, string>;
}

/** The card as an ordered list of (field, value) pairs. */
export function runCardFields(info: RunCardInfo): [string, string][] {
  const s = info.settings;
  const t = s.training;
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
  const fields: [string, string][] = [
    ["notebook", s.title],
    ["profile", s.profile],
    ["model", s.randomInit ? `${s.model} (scaled down, random init seed ${s.initSeed})` : s.model],
    [
      "corpus",
      `${s.corpus} (${Object.entries(info.splitSizes)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`,
    ],
    [
      "training",
      `${t.numTrainEpochs} epochs, lr ${t.learningRate}, batch ${t.perDeviceTrainBatchSize}, weight ` +
        `decay ${t.weightDecay}, seed ${t.seed}`,
    ],
    // e.g. "wasm+openblas (2 threads)"
    ["backend", backendInfo()?.name === info.backend ? (backendInfo() as BackendInfo).label : info.backend],
    ["peak tensor memory", `${peakMemoryMb().toFixed(0)} MiB (since the last training run started)`],
    [
      `metrics (${info.metricsSplit})`,
      Object.entries(info.metrics)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", "),
    ],
    [
      "tutorial reported",
      s.tutorialResult === null
        ? "no score (the tutorial prints none)"
        : `${s.tutorialResult.split} F1 ${s.tutorialResult.f1}` +
          (s.tutorialResult.accuracy !== undefined ? `, accuracy ${s.tutorialResult.accuracy}` : "") +
          (s.profile !== "full" ? ` (not comparable: ${s.profile} profile)` : ""),
    ],
  ];
  if (info.timer) {
    const phases = info.timer.phases.map((p) => `${p.phase} ${p.seconds.toFixed(1)}s`).join(", ");
    fields.push(["wall time", `${info.timer.total().toFixed(1)}s${phases ? ` (${phases})` : ""}`]);
  }
  fields.push(["node", process.version]);
  for (const [k, v] of Object.entries(info.extra ?? {})) fields.push([k, v]);
  return fields;
}

/** The card as Markdown (a two-column table). */
export function runCardMarkdown(info: RunCardInfo): string {
  // Table cells: "|" would split a cell; "<" and "&" would start HTML ("<!--" hides the rest).
  const cell = (x: string) => x.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\|/g, "\\|");
  const rows = runCardFields(info).map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`);
  return ["### Run card", "", "| | |", "|---|---|", ...rows].join("\n");
}

/** Display the card (Markdown + HTML + text) and return its fields as an object (also JSON-able). */
export function showRunCard(info: RunCardInfo): Record<string, string> {
  const fields = runCardFields(info);
  const html =
    "<h3>Run card</h3><table>" +
    fields
      .map(
        ([k, v]) =>
          `<tr><th style="text-align:left">${escapeHtml(k)}</th><td style="text-align:left">${escapeHtml(v)}</td></tr>`,
      )
      .join("") +
    "</table>";
  const text = fields.map(([k, v]) => `${k.padEnd(22)} ${v}`).join("\n");
  displayBundle({ "text/html": html, "text/markdown": runCardMarkdown(info), "text/plain": "Run card\n" + text });
  return Object.fromEntries(fields);
}
