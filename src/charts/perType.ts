/** Per-entity-type precision / recall / F1 bars from a seqeval-style report. */
import { baseLayout, PlotlyFigure } from "./figure";

/** One row of a seqeval report. Accepts both `f1` and Python's `"f1-score"` key. */
export interface TypeScores {
  precision: number;
  recall: number;
  f1?: number;
  "f1-score"?: number;
  support?: number;
}

/** Entity types of a report, without its "micro avg" / "macro avg" / "weighted avg" rows, sorted. */
export function entityTypesOf(report: Readonly<Record<string, TypeScores>>): string[] {
  return Object.keys(report)
    .filter((k) => !/\bavg$/.test(k) && k !== "accuracy")
    .sort();
}

/** F1 of one report row, whichever key it uses. */
export function f1Of(s: TypeScores): number {
  const v = s.f1 ?? s["f1-score"];
  if (v === undefined) throw new Error("report row has neither f1 nor f1-score");
  return v;
}

/**
 * Grouped bars: precision, recall, F1 for each entity type. The support goes once under each
 * type's name ("LOC<br>n=12") and in the hover text, not as a label on every bar.
 */
export function perTypeScoresFigure(
  report: Readonly<Record<string, TypeScores>>,
  opts: { title?: string } = {},
): PlotlyFigure {
  const types = entityTypesOf(report);
  const support = types.map((t) => report[t].support);
  const x = types.map((t, i) => (support[i] === undefined ? t : `${t}<br>n=${support[i]}`));
  const bar = (name: string, y: number[]) => ({
    type: "bar",
    name,
    x,
    y,
    hovertemplate: `%{x}: ${name} %{y:.3f}<extra></extra>`,
  });
  return {
    data: [
      bar(
        "precision",
        types.map((t) => report[t].precision),
      ),
      bar(
        "recall",
        types.map((t) => report[t].recall),
      ),
      bar(
        "f1",
        types.map((t) => f1Of(report[t])),
      ),
    ],
    layout: baseLayout(opts.title ?? "Scores per entity type", "entity type", "score", {
      barmode: "group",
      yaxis: { title: { text: "score" }, range: [0, 1] },
    }),
  };
}
