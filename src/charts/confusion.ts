/**
 * A confusion matrix of entity types that also shows boundary errors, computed from gold and
 * predicted tag sequences at the entity (span) level:
 *
 * - a gold entity matched by a prediction with exactly the same span → (gold type, predicted type);
 *   the diagonal holds correct entities, off-diagonal cells type confusions;
 * - a gold entity that predictions only overlap → (gold type, "wrong boundary");
 * - a gold entity no prediction touches → (gold type, "missed");
 * - a prediction that touches no gold entity → ("spurious", predicted type).
 *
 * Every gold entity lands in exactly one cell of its row, so row sums equal gold support.
 */
import { tagSpans, Span } from "../data/tags";
import { baseLayout, PlotlyFigure } from "./figure";

export const WRONG_BOUNDARY = "wrong boundary";
export const MISSED = "missed";
export const SPURIOUS = "spurious";

/** Counts with row labels (gold types + "spurious") and column labels (predicted types + errors). */
export interface EntityConfusion {
  rows: string[];
  cols: string[];
  /** counts[i][j]: rows[i] × cols[j]. */
  counts: number[][];
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

/**
 * Count entity-level outcomes over sentences. `types` fixes the order of entity types
 * (default: every type seen, sorted).
 */
export function entityConfusion(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
  opts: { types?: readonly string[] } = {},
): EntityConfusion {
  if (gold.length !== pred.length) {
    throw new Error(`entityConfusion: ${gold.length} gold sentences but ${pred.length} predicted`);
  }
  const cells = new Map<string, number>();
  const seen = new Set<string>();
  const add = (r: string, c: string) => cells.set(`${r}\u0000${c}`, (cells.get(`${r}\u0000${c}`) ?? 0) + 1);
  gold.forEach((g, i) => {
    if (g.length !== pred[i].length) {
      throw new Error(`entityConfusion: sentence ${i} has ${g.length} gold tags but ${pred[i].length} predicted`);
    }
    const gs = tagSpans(g);
    const ps = tagSpans(pred[i]);
    for (const s of [...gs, ...ps]) seen.add(s.type);
    for (const s of gs) {
      const exact = ps.find((p) => p.start === s.start && p.end === s.end);
      if (exact) add(s.type, exact.type);
      else if (ps.some((p) => overlaps(p, s))) add(s.type, WRONG_BOUNDARY);
      else add(s.type, MISSED);
    }
    for (const p of ps) if (!gs.some((s) => overlaps(p, s))) add(SPURIOUS, p.type);
  });
  const types = opts.types ? [...opts.types] : [...seen].sort();
  const rows = [...types, SPURIOUS];
  const cols = [...types, WRONG_BOUNDARY, MISSED];
  const counts = rows.map((r) => cols.map((c) => cells.get(`${r}\u0000${c}`) ?? 0));
  return { rows, cols, counts };
}

/**
 * Light-to-dark blues (ColorBrewer's, as matplotlib's "Blues"). plotly's own "Blues" runs the
 * other way, dark for small counts, which hid the numbers in the cells.
 */
export const CONFUSION_COLORSCALE: [number, string][] = [
  [0, "#f7fbff"],
  [0.25, "#c6dbef"],
  [0.5, "#6baed6"],
  [0.75, "#2171b5"],
  [1, "#08306b"],
];

/** Text colour readable on the colorscale at `fraction` of the maximum: dark on light cells, white on dark ones. */
export function confusionTextColor(fraction: number): string {
  return fraction > 0.5 ? "white" : "#111";
}

/** Heatmap of an EntityConfusion with the count written in each cell (gold on y, predicted on x). */
export function entityConfusionFigure(conf: EntityConfusion, opts: { title?: string } = {}): PlotlyFigure {
  // plotly draws the first row at the bottom; reverse so the table reads top-down like the matrix.
  const rows = [...conf.rows].reverse();
  const z = [...conf.counts].reverse();
  const max = Math.max(1, ...conf.counts.flat());
  const annotations = rows.flatMap((r, i) =>
    conf.cols.map((c, j) => ({
      x: c,
      y: r,
      text: String(z[i][j]),
      showarrow: false,
      font: { color: z[i][j] === 0 ? "#999" : confusionTextColor(z[i][j] / max) },
    })),
  );
  return {
    data: [
      {
        type: "heatmap",
        x: conf.cols,
        y: rows,
        z,
        zmin: 0,
        zmax: max,
        colorscale: CONFUSION_COLORSCALE,
        showscale: true,
        hoverongaps: false,
        hovertemplate: "gold %{y}, predicted %{x}: %{z}<extra></extra>",
      },
    ],
    layout: baseLayout(opts.title ?? "Entity confusion (incl. boundary errors)", "predicted", "gold", {
      annotations,
      height: 140 + 40 * rows.length,
      xaxis: { type: "category", side: "bottom" },
      yaxis: { type: "category" },
    }),
  };
}
