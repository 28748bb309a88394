/** Figures of a training run: the loss curve and per-epoch evaluation metrics. */
import { baseLayout, PlotlyFigure } from "./figure";

/** One logged training step. */
export interface LossPoint {
  step: number;
  loss: number;
  /** Fractional epoch at that step, shown on hover. */
  epoch?: number;
}

/** One evaluation (one row of the Trainer's per-epoch table). */
export interface EpochMetrics {
  epoch: number;
  trainLoss?: number;
  evalLoss?: number;
  precision?: number;
  recall?: number;
  f1?: number;
  accuracy?: number;
}

/**
 * Training loss against optimizer step, with the evaluation loss of each epoch as markers
 * (placed at the step where the epoch ended) when `evals` carry `step`.
 */
export function lossCurveFigure(
  points: readonly LossPoint[],
  opts: { title?: string; evals?: readonly (EpochMetrics & { step: number })[] } = {},
): PlotlyFigure {
  const data: PlotlyFigure["data"] = [
    {
      type: "scatter",
      mode: "lines",
      name: "training loss",
      x: points.map((p) => p.step),
      y: points.map((p) => p.loss),
      text: points.map((p) => (p.epoch === undefined ? "" : `epoch ${p.epoch.toFixed(2)}`)),
    },
  ];
  const evals = (opts.evals ?? []).filter((e) => e.evalLoss !== undefined);
  if (evals.length) {
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: "validation loss",
      x: evals.map((e) => e.step),
      y: evals.map((e) => e.evalLoss),
      text: evals.map((e) => `epoch ${e.epoch}`),
    });
  }
  return { data, layout: baseLayout(opts.title ?? "Training loss", "step", "loss") };
}

const METRIC_KEYS = ["precision", "recall", "f1", "accuracy"] as const;

/** Precision, recall, F1 and accuracy per epoch (only the metrics present in the rows). */
export function epochMetricsFigure(rows: readonly EpochMetrics[], opts: { title?: string } = {}): PlotlyFigure {
  const data = METRIC_KEYS.filter((k) => rows.some((r) => r[k] !== undefined)).map((k) => ({
    type: "scatter",
    mode: "lines+markers",
    name: k,
    x: rows.map((r) => r.epoch),
    y: rows.map((r) => r[k] ?? null),
  }));
  return {
    data,
    layout: baseLayout(opts.title ?? "Evaluation per epoch", "epoch", "score", {
      yaxis: { title: { text: "score" }, range: [0, 1] },
      xaxis: { title: { text: "epoch" }, dtick: 1 },
    }),
  };
}
