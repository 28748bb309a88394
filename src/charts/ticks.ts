/**
 * Axis ticks and tick labels, shared by the plotly figures (explicit log ticks) and the static SVG
 * renderer (./svg), so that both show the same numbers.
 */

/** A "nice" step (1, 2 or 5 × 10^k) for about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Multiples of `step` inside [lo, hi] (rounded so that 0.1 + 0.2 prints as 0.3). */
export function linearTicks(lo: number, hi: number, step: number): number[] {
  if (!(step > 0) || !(hi >= lo)) return [];
  const out: number[] = [];
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && out.length < 1000; k++) {
    out.push(Number((k * step).toFixed(Math.min(20, digits))));
  }
  return out;
}

/**
 * Tick values for a log axis over [lo, hi] (data units, both > 0): the powers of ten when at
 * least `min` of them fall inside, else 1-2-5 multiples, else 1..9 multiples, else nice linear
 * steps (a narrow range still gets several labelled ticks).
 */
export function logTicks(lo: number, hi: number, min = 3): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const inside = (mults: number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mults) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  for (const mults of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const t = inside(mults);
    if (t.length >= min) return t;
  }
  // Narrower than one step of 1..9: plain nice numbers.
  return linearTicks(lo, hi, niceStep(hi - lo, 2 * min)).filter((v) => v > 0);
}

/**
 * A tick label: at most `decimals` digits after the point (trailing zeros dropped), thousands
 * as "k" and millions as "M" from 10 000 on (as plotly abbreviates).
 */
export function formatTick(v: number, decimals = 6): string {
  const abs = Math.abs(v);
  if (abs >= 1e6 && abs < 1e15) return `${trim((v / 1e6).toFixed(Math.min(decimals, 3)))}M`;
  if (abs >= 1e4) return `${trim((v / 1e3).toFixed(Math.min(decimals, 3)))}k`;
  return trim(v.toFixed(Math.max(0, Math.min(20, decimals))));
}

function trim(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Digits after the point that a linear step needs (0.25 → 2, 5 → 0). */
export function stepDecimals(step: number): number {
  for (let d = 0; d < 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 12;
}

/** Histogram bins: `count` bins of `size` from `start`. */
export interface Bins {
  start: number;
  size: number;
  count: number;
}

/**
 * About 30 bins of a nice width over the values; whole numbers get whole-number widths with
 * edges at .5, so each bar is centred on the lengths it counts. Null for no values.
 */
export function sharedBins(values: readonly number[]): Bins | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  const ints = values.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  let size = niceStep(hi - lo || 1, 30);
  if (ints) size = Math.max(1, Math.round(size));
  const start = ints ? Math.floor(lo / size) * size - 0.5 : Math.floor(lo / size) * size;
  const count = Math.max(1, Math.floor((hi - start) / size) + 1);
  return { start, size, count };
}
