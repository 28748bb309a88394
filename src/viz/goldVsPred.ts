/**
 * Gold versus predicted entities of one sentence, side by side, with each disagreement named.
 *
 * Spans come from the tags (seqeval default chunking, token indices). Gold spans never overlap
 * each other, nor do predicted ones. Each predicted span P gets exactly one status:
 * - `correct`: a gold span has the same start, end and type;
 * - `wrong-type`: a gold span has the same start and end but another type;
 * - `wrong-boundary`: P overlaps at least one gold span but none with the same start and end
 *   (its type may be right or wrong);
 * - `spurious`: P overlaps no gold span.
 * Each gold span G gets one status the same way from the predicted spans: `correct`,
 * `wrong-type`, `wrong-boundary` (overlapped, never with identical boundaries) or `missed`
 * (no predicted span overlaps it).
 */
import { escapeHtml } from "../display/html";
import { highlightHtml } from "./entities";
import { tagSpans } from "../data/tags";
import { joinTokens, toSpan, type EntitySpan } from "./spans";

export type SpanStatus = "correct" | "wrong-type" | "wrong-boundary" | "spurious" | "missed";

export interface JudgedSpan extends EntitySpan {
  status: SpanStatus;
}

export interface SpanComparison {
  gold: JudgedSpan[];
  pred: JudgedSpan[];
  /** Number of predicted spans per status plus `missed` (gold spans no prediction touches). */
  counts: Record<SpanStatus, number>;
}

function overlaps(a: EntitySpan, b: EntitySpan): boolean {
  return a.start < b.end && b.start < a.end;
}

function judge(span: EntitySpan, others: EntitySpan[], none: "spurious" | "missed"): SpanStatus {
  const same = others.find((o) => o.start === span.start && o.end === span.end);
  if (same) return same.label === span.label ? "correct" : "wrong-type";
  return others.some((o) => overlaps(o, span)) ? "wrong-boundary" : none;
}

/** Classify gold and predicted spans (token indices) by the rules in this module's comment. */
export function compareSpans(gold: EntitySpan[], pred: EntitySpan[]): SpanComparison {
  const judgedGold = gold.map((g) => ({ ...g, status: judge(g, pred, "missed") }));
  const judgedPred = pred.map((p) => ({ ...p, status: judge(p, gold, "spurious") }));
  const counts: Record<SpanStatus, number> = {
    correct: 0,
    "wrong-type": 0,
    "wrong-boundary": 0,
    spurious: 0,
    missed: 0,
  };
  for (const p of judgedPred) counts[p.status]++;
  counts.missed = judgedGold.filter((g) => g.status === "missed").length;
  return { gold: judgedGold, pred: judgedPred, counts };
}

/** Compare two tag sequences of the same tokens. */
export function compareTags(goldTags: readonly string[], predTags: readonly string[]): SpanComparison {
  if (goldTags.length !== predTags.length) {
    throw new Error(`compareTags: ${goldTags.length} gold tags but ${predTags.length} predicted tags`);
  }
  return compareSpans(tagSpans(goldTags).map(toSpan), tagSpans(predTags).map(toSpan));
}

const STATUS_STYLE: Record<SpanStatus, string> = {
  correct: "",
  "wrong-type": "outline: 3px solid #e8590c; outline-offset: 1px",
  "wrong-boundary": "outline: 3px dashed #7048e8; outline-offset: 1px",
  spurious: "outline: 3px solid #e03131; outline-offset: 1px",
  missed: "outline: 3px dashed #e03131; outline-offset: 1px",
};

const STATUS_TEXT: Record<SpanStatus, string> = {
  correct: "correct",
  "wrong-type": "wrong type",
  "wrong-boundary": "wrong boundary",
  spurious: "spurious",
  missed: "missed",
};

const STYLE_SHEET =
  "<style>" +
  Object.entries(STATUS_STYLE)
    .filter(([, css]) => css)
    .map(([status, css]) => `.ner-gvp .ner-${status}{${css}}`)
    .join("") +
  ".ner-gvp td{vertical-align:top;padding:0.3em 0.8em;line-height:2.5;white-space:pre-wrap;text-align:left}" +
  ".ner-gvp th{text-align:left;padding:0.3em 0.8em}</style>";

/** What each outline means, on the side where it is drawn. */
const KEY_ENTRIES: [SpanStatus, string][] = [
  ["missed", "missed (gold side: no prediction touches it)"],
  ["spurious", "spurious (no gold entity there)"],
  ["wrong-type", "wrong type (same words, other type)"],
  ["wrong-boundary", "wrong boundary (overlaps, other span)"],
];

/** The key to the outline styles: a sample box drawn with each style and its meaning. */
export function goldVsPredKeyHtml(): string {
  const items = KEY_ENTRIES.map(
    ([status, text]) =>
      `<span class="ner-key-item" style="margin-right:1.2em;white-space:nowrap">` +
      `<span class="ner-key-swatch" style="display:inline-block;width:1.6em;height:0.9em;margin-right:0.4em;` +
      `vertical-align:middle;${STATUS_STYLE[status]}"></span>${escapeHtml(text)}</span>`,
  );
  const style = "font-size:0.85em;color:#444;margin:0.2em 0 0.4em;line-height:2";
  return `<div class="ner-key" style="${style}">Key: ${items.join("")}</div>`;
}

// Inline too: Jupyter's stylesheet (.rendered_html td) right-aligns and centres tables.
const CELL = 'style="text-align:left;vertical-align:top"';

/**
 * HTML fragment: the sentence with gold entities (left) and predicted entities (right); every
 * disagreement is outlined (missed: dashed red on the gold side; spurious: red; wrong type:
 * orange; wrong boundary: dashed purple) and listed underneath.
 */
export function renderGoldVsPredHtml(
  tokens: readonly string[],
  goldTags: readonly string[],
  predTags: readonly string[],
): string {
  if (tokens.length !== goldTags.length || tokens.length !== predTags.length) {
    throw new Error(
      `renderGoldVsPredHtml: ${tokens.length} tokens, ${goldTags.length} gold tags, ${predTags.length} predicted tags`,
    );
  }
  const cmp = compareTags(goldTags, predTags);
  const { text, offsets } = joinTokens(tokens);
  const toChars = (s: JudgedSpan): JudgedSpan => ({ ...s, start: offsets[s.start][0], end: offsets[s.end - 1][1] });
  const side = (spans: JudgedSpan[]): string => {
    const chars = spans.map(toChars);
    return highlightHtml(text, chars, {
      spanClass: (span) => {
        const status = (span as JudgedSpan).status;
        return status === "correct" ? "ner-correct" : `ner-error ner-${status}`;
      },
      spanTitle: (span) => `${span.label}: ${STATUS_TEXT[(span as JudgedSpan).status]}`,
    });
  };
  const errors = [
    ...cmp.gold.filter((g) => g.status === "missed").map((g) => ({ s: g, side: "gold" })),
    ...cmp.pred.filter((p) => p.status !== "correct").map((p) => ({ s: p, side: "pred" })),
  ].sort((a, b) => a.s.start - b.s.start);
  const errorItems = errors.map(({ s }) => {
    const words = tokens.slice(s.start, s.end).join(" ");
    const gold =
      s.status === "wrong-type" || s.status === "wrong-boundary" ? cmp.gold.filter((g) => overlaps(g, s)) : [];
    const goldText = gold.length
      ? ` (gold: ${gold.map((g) => `${g.label} "${tokens.slice(g.start, g.end).join(" ")}"`).join(", ")})`
      : "";
    return (
      `<li class="ner-${s.status}-item"><b>${escapeHtml(STATUS_TEXT[s.status])}</b>: ` +
      `${escapeHtml(`${s.label} "${words}"${goldText}`)}</li>`
    );
  });
  const summary =
    errors.length === 0
      ? '<p class="ner-all-correct">All entities correct.</p>'
      : `<ul class="ner-errors">${errorItems.join("")}</ul>`;
  return (
    `<div class="ner-gvp" style="font-family: sans-serif">${STYLE_SHEET}` +
    `<table style="margin-left:0;margin-right:auto"><tr><th ${CELL}>Gold</th><th ${CELL}>Predicted</th></tr><tr>` +
    `<td class="ner-gold" ${CELL}>${side(cmp.gold)}</td><td class="ner-pred" ` +
    `${CELL}>${side(cmp.pred)}</td></tr></table>` +
    `${goldVsPredKeyHtml()}${summary}</div>`
  );
}
