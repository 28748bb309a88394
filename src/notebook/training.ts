/**
 * Notebook glue around the Trainer: a callback that draws the loss curve live and keeps what the
 * charts need, the per-epoch table as rows, and predictions turned back into tag sequences.
 */
import { EpochMetrics, lossCurveFigure, LossPoint, epochMetricsFigure } from "../charts/training";
import { LiveFigure } from "../charts/render";
import type { PlotlyFigure } from "../charts/figure";
import type { EpochRow } from "../training/trainer";
import { tagSequencesFromIds } from "../metrics/seqeval/compute-metrics";

/** The parts of the Trainer's state and epoch rows this module reads (src/training shapes). */
interface StateLike {
  globalStep: number;
  epoch: number;
}

/**
 * A TrainerCallback collecting training-loss logs and epoch rows, redrawing the loss curve in
 * place every `redrawEvery` logs (and once at the end). Pass `{ live: false }` to only collect.
 */
export class TrainingCharts {
  readonly losses: LossPoint[] = [];
  readonly epochs: (EpochMetrics & { step: number })[] = [];
  private readonly live: LiveFigure | null;
  private logsSinceDraw = 0;

  constructor(private readonly opts: { live?: boolean; redrawEvery?: number; title?: string } = {}) {
    this.live = opts.live === false ? null : new LiveFigure();
  }

  /** The loss curve so far. */
  lossFigure(): PlotlyFigure {
    return lossCurveFigure(this.losses, { title: this.opts.title, evals: this.epochs });
  }

  /** Per-epoch precision / recall / F1 / accuracy. */
  epochFigure(): PlotlyFigure {
    return epochMetricsFigure(this.epochs);
  }

  onLog(state: StateLike, logs: Record<string, number>): void {
    if (typeof logs.loss !== "number") return;
    this.losses.push({ step: state.globalStep, loss: logs.loss, epoch: state.epoch });
    this.logsSinceDraw += 1;
    if (this.live && this.logsSinceDraw >= (this.opts.redrawEvery ?? 1)) {
      this.live.update(this.lossFigure());
      this.logsSinceDraw = 0;
    }
  }

  onEpochEnd(state: StateLike, row: EpochRow): void {
    const num = (v: number | null) => (v === null ? undefined : v);
    this.epochs.push({
      epoch: row.epoch,
      step: state.globalStep,
      trainLoss: num(row.trainingLoss),
      evalLoss: num(row.validationLoss),
      precision: num(row.precision),
      recall: num(row.recall),
      f1: num(row.f1),
      accuracy: num(row.accuracy),
    });
  }

  onTrainEnd(): void {
    if (this.live) this.live.finish(this.lossFigure());
  }
}

/**
 * Gold and predicted tag sequences from token-level predictions, keeping only positions whose
 * label is not -100 (one tag per word when only first sub-words are labelled).
 * `predictions` are logits [example][token][label] or label ids [example][token].
 * The extraction itself is seqeval's `tagSequencesFromIds` (one home).
 */
export function tagSequences(
  predictions: readonly (readonly (number | readonly number[])[])[],
  labelIds: readonly (readonly number[])[],
  labelNames: readonly string[],
): { gold: string[][]; pred: string[][] } {
  labelIds.forEach((_, i) => {
    if (!predictions[i]) throw new RangeError(`tagSequences: no predictions for example ${i}`);
  });
  const { yTrue, yPred } = tagSequencesFromIds(
    predictions as readonly (readonly ArrayLike<number>[])[],
    labelIds,
    labelNames,
  );
  return { gold: yTrue, pred: yPred };
}

/** Seqeval report rows (per type + averages) as table rows with 4 digits. */
export function reportRows(
  report: Record<string, { precision: number; recall: number; "f1-score"?: number; f1?: number; support: number }>,
) {
  return Object.entries(report).map(([type, r]) => ({
    type,
    precision: r.precision,
    recall: r.recall,
    f1: r["f1-score"] ?? r.f1 ?? NaN,
    support: r.support,
  }));
}
