/** Corpus distributions: tag frequencies, entity lengths per type, sentence lengths per split. */
import { baseLayout, logAxis, PlotlyFigure } from "./figure";
import { sharedBins } from "./ticks";
import { histogram } from "../explore/records";

/** Bars of token counts per tag (log scale by default: "O" dwarfs everything else). */
export function tagDistributionFigure(
  counts: readonly { tag: string; count: number }[],
  opts: { title?: string; log?: boolean } = {},
): PlotlyFigure {
  const log = opts.log ?? true;
  return {
    data: [{ type: "bar", name: "tokens", x: counts.map((c) => c.tag), y: counts.map((c) => c.count) }],
    layout: baseLayout(opts.title ?? "Tag frequencies", "tag", "tokens", {
      yaxis: log
        ? logAxis(
            "tokens (log scale)",
            counts.map((c) => c.count),
          )
        : { title: { text: "tokens" } },
    }),
  };
}

/** Grouped bars: how many entities of each type have 1, 2, 3, ... words. */
export function entityLengthFigure(
  entities: readonly { type: string; length: number }[],
  opts: { title?: string } = {},
): PlotlyFigure {
  const types = [...new Set(entities.map((e) => e.type))].sort();
  const data = types.map((t) => {
    const h = histogram(entities.filter((e) => e.type === t).map((e) => e.length));
    return { type: "bar", name: t, x: h.map((b) => b.value), y: h.map((b) => b.count) };
  });
  return {
    data,
    layout: baseLayout(opts.title ?? "Entity length per type", "length (words)", "entities", {
      barmode: "group",
      xaxis: { title: { text: "length (words)" }, dtick: 1 },
    }),
  };
}

/** Overlaid histograms of sentence length (in words), one per split. */
export function sentenceLengthFigure(
  lengthsBySplit: Readonly<Record<string, readonly number[]>>,
  opts: { title?: string; unit?: string } = {},
): PlotlyFigure {
  const unit = opts.unit ?? "words";
  // The same bins for every split (plotly would bin each trace on its own), so the overlaid
  // bars compare like with like, and the static SVG draws the same bins.
  const bins = sharedBins(Object.values(lengthsBySplit).flat());
  const xbins = bins ? { start: bins.start, end: bins.start + bins.size * bins.count, size: bins.size } : undefined;
  const data = Object.entries(lengthsBySplit).map(([split, lengths]) => ({
    type: "histogram",
    name: split,
    x: [...lengths],
    opacity: 0.6,
    histnorm: "percent",
    ...(xbins ? { xbins } : {}),
  }));
  return {
    data,
    layout: baseLayout(opts.title ?? `Sentence length (${unit})`, `length (${unit})`, "% of sentences", {
      barmode: "overlay",
    }),
  };
}
