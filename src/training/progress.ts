/**
 * Progress displays for the Trainer, chosen by `progress` ("auto" by default):
 * - `bar`: a cli-progress bar on stderr (steps, loss, learning rate, rate, ETA) for terminals;
 * - `notebook`: one tslab output updated in place (progress bar, step, loss, and the per-epoch
 *   table the tutorials show), used automatically inside a tslab kernel;
 * - `lines`: one plain line per log (CI logs, pipes);
 * - `none`: silent.
 */
import { epochTableHtml, epochTableText, tslabIfRunning, type TslabDisplay } from "../display/index";
import type { ProgressMode } from "./arguments";
import type { EpochRow, LogEntry, StepInfo, TrainerCallback, TrainerState } from "./types";

// Kernel detection and the epoch table live in src/display (one home each).
export { epochTableHtml, tslabIfRunning };

/** Which display `auto` resolves to here. */
export function resolveProgressMode(mode: ProgressMode): Exclude<ProgressMode, "auto"> {
  if (mode !== "auto") return mode;
  if (tslabIfRunning()) return "notebook";
  return process.stderr.isTTY ? "bar" : "lines";
}

/** "1m05s" style durations. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** The tutorials' per-epoch table as aligned text. */
export function formatEpochTable(rows: EpochRow[]): string {
  return epochTableText(rows);
}

/** Rate and ETA from elapsed time and steps. */
function timing(state: TrainerState, startStep: number, startedAt: number) {
  const seconds = (performance.now() - startedAt) / 1000;
  const done = state.globalStep - startStep;
  const rate = done > 0 ? done / seconds : 0;
  const eta = rate > 0 ? (state.maxSteps - state.globalStep) / rate : NaN;
  return { seconds, rate, eta };
}

/** Create the progress callback for `mode` (after resolving "auto"). */
export function createProgressCallback(
  mode: ProgressMode,
  out: NodeJS.WritableStream = process.stderr,
): TrainerCallback | null {
  const resolved = resolveProgressMode(mode);
  if (resolved === "none") return null;
  if (resolved === "notebook") {
    const tslab = tslabIfRunning();
    if (tslab) return new NotebookProgress(tslab.newDisplay());
    return new LineProgress(out);
  }
  if (resolved === "bar") return new BarProgress(out);
  return new LineProgress(out);
}

/** One line per training log and per evaluation. */
export class LineProgress implements TrainerCallback {
  private startedAt = 0;
  private startStep = 0;
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}

  onTrainBegin(state: TrainerState): void {
    this.startedAt = performance.now();
    this.startStep = state.globalStep;
    this.out.write(
      `training: ${state.maxSteps} steps (${state.batchesPerEpoch} batches per epoch), from step ${state.globalStep}\n`,
    );
  }

  onLog(state: TrainerState, logs: LogEntry): void {
    const t = timing(state, this.startStep, this.startedAt);
    if (logs.loss !== undefined) {
      this.out.write(
        `step ${state.globalStep}/${state.maxSteps}  epoch ${state.epoch.toFixed(2)}  loss ${logs.loss.toFixed(4)}  ` +
          `lr ${logs.learning_rate.toExponential(2)}  ${t.rate.toFixed(2)} it/s  ` +
          `${formatDuration(t.seconds)}<${formatDuration(t.eta)}\n`,
      );
    } else if (logs.eval_loss !== undefined) {
      const f1 = logs.eval_f1 !== undefined ? `  f1 ${logs.eval_f1.toFixed(4)}` : "";
      this.out.write(
        `eval  step ${state.globalStep}  epoch ${state.epoch.toFixed(2)}  loss ${logs.eval_loss.toFixed(4)}${f1}\n`,
      );
    }
  }

  onTrainEnd(state: TrainerState): void {
    if (state.epochRows.length) this.out.write(formatEpochTable(state.epochRows) + "\n");
  }
}

/** A cli-progress bar with rate and ETA; epoch rows are printed above it. */
export class BarProgress implements TrainerCallback {
  // cli-progress is loaded lazily so importing the trainer stays light.
  private multi: { create: (...a: unknown[]) => Bar; log(s: string): void; stop(): void } | null = null;
  private bar: Bar | null = null;
  private lastLoss = NaN;
  private printedHeader = false;
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}

  onTrainBegin(state: TrainerState): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- cli-progress loads only when a bar is drawn
    const cliProgress = require("cli-progress") as typeof import("cli-progress");
    const multi = new cliProgress.MultiBar(
      {
        stream: this.out as NodeJS.WriteStream,
        format:
          "train |{bar}| {value}/{total} steps | epoch {ep} | loss {loss} | lr {lr} | {rate} it/s | " +
          "{duration_formatted}<{eta_formatted}",
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.multi = multi as unknown as BarProgress["multi"];
    this.bar = this.multi!.create(state.maxSteps, state.globalStep, {
      ep: state.epoch.toFixed(2),
      loss: "-",
      lr: "-",
      rate: "-",
    });
  }

  onStepEnd(state: TrainerState, step: StepInfo): void {
    this.lastLoss = step.loss;
    const rate = state.elapsedSeconds > 0 ? (state.globalStep / state.elapsedSeconds).toFixed(2) : "-";
    this.bar?.update(state.globalStep, {
      ep: state.epoch.toFixed(2),
      loss: this.lastLoss.toFixed(4),
      lr: step.learningRate.toExponential(2),
      rate,
    });
  }

  onEpochEnd(state: TrainerState, row: EpochRow): void {
    const lines = formatEpochTable([row]).split("\n");
    if (!this.printedHeader) {
      this.multi?.log(lines[0] + "\n");
      this.printedHeader = true;
    }
    this.multi?.log(lines[1] + "\n");
  }

  onTrainEnd(): void {
    this.multi?.stop();
  }
}

interface Bar {
  update(value: number, payload?: Record<string, unknown>): void;
}

/** tslab output updated in place: an HTML progress bar, step, loss and the per-epoch table. */
export class NotebookProgress implements TrainerCallback {
  private startedAt = 0;
  private startStep = 0;
  private lastDraw = 0;
  private lastLoss = NaN;
  constructor(
    private readonly display: TslabDisplay,
    private readonly minIntervalMs = 300,
  ) {}

  onTrainBegin(state: TrainerState): void {
    this.startedAt = performance.now();
    this.startStep = state.globalStep;
    this.draw(state, true);
  }

  onStepEnd(state: TrainerState, step: StepInfo): void {
    this.lastLoss = step.loss;
    this.draw(state, false);
  }

  onEpochEnd(state: TrainerState): void {
    this.draw(state, true);
  }

  onTrainEnd(state: TrainerState): void {
    this.draw(state, true);
  }

  private draw(state: TrainerState, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    const t = timing(state, this.startStep, this.startedAt);
    const loss = Number.isFinite(this.lastLoss) ? this.lastLoss.toFixed(4) : "-";
    this.display.html(
      `<div><progress value="${state.globalStep}" max="${state.maxSteps}" style="width:300px; ` +
        `height:20px; vertical-align: middle;"></progress>` +
        ` [${state.globalStep}/${state.maxSteps} ${formatDuration(t.seconds)} &lt; ${formatDuration(t.eta)},` +
        ` ${t.rate.toFixed(2)} it/s, Epoch ${state.epoch.toFixed(2)}/${state.numTrainEpochs}, loss ${loss}]</div>` +
        (state.epochRows.length ? epochTableHtml(state.epochRows) : ""),
    );
  }
}
