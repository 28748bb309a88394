import { test } from "node:test";
import assert from "node:assert/strict";
import {
  colorForLabel,
  compareSpans,
  compareTags,
  entitiesPlainText,
  escapeHtml,
  htmlPage,
  renderEntitiesHtml,
  renderGoldVsPredHtml,
  goldVsPredKeyHtml,
  renderTaggedTokensHtml,
  showEntities,
  showGoldVsPred,
  showTaggedTokens,
  toSpan,
} from "../../src/viz";
import { tagSpans } from "../../src/data/tags";
import { setDisplaySink, type MimeBundle } from "../../src/notebook/display";

/** Text content of the marks, in order. */
function marks(html: string): { label: string; text: string; cls: string }[] {
  const re = /<mark class="([^"]*)" data-label="([^"]*)"[^>]*>(.*?)<span class="ner-label"[^>]*>.*?<\/span><\/mark>/g;
  return [...html.matchAll(re)].map((m) => ({ cls: m[1], label: m[2], text: m[3] }));
}

test("escapeHtml escapes the five HTML metacharacters", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("renderEntitiesHtml marks each entity with its label after the text, UTF-16 offsets included", () => {
  const text = "😀 Angela Merkel visited Paris.";
  const entities = [
    { entity_group: "PER", score: 0.98, word: "angela merkel", start: 3, end: 16 },
    { entity_group: "LOC", score: 0.9, word: "paris", start: 25, end: 30 },
  ];
  const html = renderEntitiesHtml(text, entities);
  assert.deepEqual(
    marks(html).map((m) => [m.label, m.text]),
    [
      ["PER", "Angela Merkel"],
      ["LOC", "Paris"],
    ],
  );
  assert.ok(html.startsWith('<div class="ner-entities"'));
  assert.ok(html.includes("😀 <mark"));
  assert.ok(html.includes("</mark> visited <mark"));
  assert.ok(html.includes(`background: ${colorForLabel("PER")}`));
  assert.ok(html.includes('title="PER (0.980)"'));
  assert.ok(!html.includes("0.98<"), "scores are hidden unless asked for");
  assert.ok(renderEntitiesHtml(text, entities, { showScores: true }).includes("PER 0.98</span>"));
  // token entities ("entity") and plain spans work too
  assert.deepEqual(
    marks(renderEntitiesHtml("ab", [{ entity: "B-X", score: 1, start: 0, end: 1 }])).map((m) => m.label),
    ["B-X"],
  );
  assert.deepEqual(
    marks(renderEntitiesHtml("ab", [{ label: "Y", start: 1, end: 2 }])).map((m) => m.text),
    ["b"],
  );
});

test("no HTML injection from the text, the labels or the entity words", () => {
  const text = `<script>alert("x")</script> & <b>Bob</b>`;
  const html = renderEntitiesHtml(text, [
    { label: `<img src=x onerror="alert(1)">`, start: 0, end: 8 },
    { label: "PER", start: 34, end: 37 },
  ]);
  assert.ok(!html.includes("<script"));
  assert.ok(!html.includes("<img"));
  assert.ok(!html.includes("<b>"));
  assert.ok(html.includes("&lt;script&gt;"));
  assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
  assert.ok(html.includes("&amp;"));
  const page = htmlPage(`</title><script>x</script>`, html);
  assert.ok(!page.includes("<script>x"));
  assert.ok(page.startsWith("<!DOCTYPE html>"));
  assert.ok(page.includes('<meta charset="utf-8">'));
  const tagged = renderTaggedTokensHtml(["<i>", "x"], ["B-<ORG>", "O"]);
  assert.ok(!tagged.includes("<i>") && !tagged.includes("<ORG>"));
});

test("overlapping, empty and out-of-range entities are skipped; newlines become <br>", () => {
  const html = renderEntitiesHtml("one two\nthree", [
    { label: "A", start: 0, end: 7 },
    { label: "B", start: 4, end: 13 }, // overlaps A
    { label: "C", start: 8, end: 8 }, // empty
    { label: "D", start: 10, end: 99 }, // past the end
  ]);
  assert.deepEqual(
    marks(html).map((m) => m.label),
    ["A"],
  );
  assert.ok(html.includes("<br>three"));
});

test("an empty result says so in the view and in the plain-text fallback", () => {
  const html = renderEntitiesHtml("My name is Wolfgang", []);
  assert.deepEqual(marks(html), []);
  assert.match(html, /<div class="ner-none"[^>]*>no entities found<\/div><\/div>$/);
  assert.equal(entitiesPlainText("My name is Wolfgang", []), "My name is Wolfgang\n(no entities found)");
  assert.ok(!renderEntitiesHtml("I love Paris", [{ label: "LOC", start: 7, end: 12 }]).includes("ner-none"));
});

test("colours are stable per type: palette for known types (any case), a hash for others", () => {
  assert.equal(colorForLabel("PER"), "#aa9cfc");
  assert.equal(colorForLabel("per"), "#aa9cfc");
  assert.equal(colorForLabel("Restaurant_Name"), "#7aecec");
  assert.equal(colorForLabel("creative-work"), colorForLabel("CREATIVE-WORK"));
  const a = colorForLabel("SOMETHING_NEW");
  assert.match(a, /^hsl\(\d+, \d+%, \d+%\)$/);
  assert.equal(colorForLabel("SOMETHING_NEW"), a);
  assert.notEqual(colorForLabel("SOMETHING_ELSE"), a);
});

test("the views' token spans are data/tags' tagSpans (seqeval's default chunking) as EntitySpans", () => {
  const tagsToSpans = (tags: string[]) => tagSpans(tags).map(toSpan);
  const span = (s: { start: number; end: number; label: string }) => [s.label, s.start, s.end];
  assert.deepEqual(tagsToSpans(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG", "I-ORG"]).map(span), [
    ["PER", 0, 2],
    ["LOC", 3, 4],
    ["LOC", 4, 5],
    ["ORG", 5, 7],
  ]);
  assert.deepEqual(tagsToSpans(["I-PER", "I-PER", "O", "I-LOC", "B-LOC"]).map(span), [
    ["PER", 0, 2],
    ["LOC", 3, 4],
    ["LOC", 4, 5],
  ]);
  assert.deepEqual(tagsToSpans(["S-PER", "B-ORG", "E-ORG", "I-ORG", "O"]).map(span), [
    ["PER", 0, 1],
    ["ORG", 1, 3],
    ["ORG", 3, 4],
  ]);
  assert.deepEqual(tagsToSpans(["B-creative-work", "I-creative-work"]).map(span), [["creative-work", 0, 2]]);
  assert.deepEqual(tagsToSpans(["O", "O"]), []);
});

test("renderTaggedTokensHtml highlights tag spans over the space-joined tokens", () => {
  const html = renderTaggedTokensHtml(["EU", "rejects", "German", "call"], ["B-ORG", "O", "B-MISC", "O"]);
  assert.deepEqual(
    marks(html).map((m) => [m.label, m.text]),
    [
      ["ORG", "EU"],
      ["MISC", "German"],
    ],
  );
  assert.throws(() => renderTaggedTokensHtml(["a"], []), /1 tokens but 0 tags/);
});

test("compareSpans: correct, wrong type, wrong boundary, spurious and missed", () => {
  //            0        1        2        3       4       5        6      7       8
  const gold = ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O", "B-MISC"];
  const pred = ["B-PER", "I-PER", "O", "B-ORG", "O", "B-ORG", "O", "B-LOC", "O"];
  const cmp = compareTags(gold, pred);
  const view = (s: { label: string; start: number; end: number; status: string }) => [
    s.status,
    s.label,
    s.start,
    s.end,
  ];
  assert.deepEqual(cmp.pred.map(view), [
    ["correct", "PER", 0, 2],
    ["wrong-type", "ORG", 3, 4],
    ["wrong-boundary", "ORG", 5, 6],
    ["spurious", "LOC", 7, 8],
  ]);
  assert.deepEqual(cmp.gold.map(view), [
    ["correct", "PER", 0, 2],
    ["wrong-type", "LOC", 3, 4],
    ["wrong-boundary", "ORG", 5, 7],
    ["missed", "MISC", 8, 9],
  ]);
  assert.deepEqual(cmp.counts, { correct: 1, "wrong-type": 1, "wrong-boundary": 1, spurious: 1, missed: 1 });
  // a boundary error with the wrong type too is a boundary error; one prediction covering two gold entities
  const wide = compareSpans(
    [
      { label: "PER", start: 0, end: 1 },
      { label: "PER", start: 1, end: 2 },
    ],
    [{ label: "LOC", start: 0, end: 2 }],
  );
  assert.deepEqual(
    wide.pred.map((p) => p.status),
    ["wrong-boundary"],
  );
  assert.deepEqual(
    wide.gold.map((g) => g.status),
    ["wrong-boundary", "wrong-boundary"],
  );
  assert.throws(() => compareTags(["O"], []), /1 gold tags but 0/);
});

test("renderGoldVsPredHtml shows both sides and outlines and lists each error", () => {
  const tokens = ["John", "Smith", "visited", "New", "York", "<today>"];
  const gold = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"];
  const pred = ["B-PER", "O", "O", "B-ORG", "I-ORG", "B-MISC"];
  const html = renderGoldVsPredHtml(tokens, gold, pred);
  const goldSide = html.slice(html.indexOf('<td class="ner-gold"'), html.indexOf('<td class="ner-pred"'));
  // Left-aligned even under Jupyter's stylesheet, which right-aligns table cells.
  assert.match(html, /<td class="ner-gold" style="text-align:left[^"]*">/);
  assert.match(html, /<td class="ner-pred" style="text-align:left[^"]*">/);
  const predSide = html.slice(html.indexOf('<td class="ner-pred"'), html.indexOf("</table>"));
  assert.deepEqual(
    marks(goldSide).map((m) => [m.label, m.text, m.cls]),
    [
      ["PER", "John Smith", "ner-entity ner-error ner-wrong-boundary"],
      ["LOC", "New York", "ner-entity ner-error ner-wrong-type"],
    ],
  );
  assert.deepEqual(
    marks(predSide).map((m) => [m.label, m.text, m.cls]),
    [
      ["PER", "John", "ner-entity ner-error ner-wrong-boundary"],
      ["ORG", "New York", "ner-entity ner-error ner-wrong-type"],
      ["MISC", "&lt;today&gt;", "ner-entity ner-error ner-spurious"],
    ],
  );
  assert.ok(
    html.includes(
      '<li class="ner-wrong-boundary-item"><b>wrong boundary</b>: PER &quot;John&quot; (gold: PER ' +
        "&quot;John Smith&quot;)</li>",
    ),
  );
  assert.ok(html.includes("<b>spurious</b>: MISC &quot;&lt;today&gt;&quot;</li>"));
  assert.ok(!html.includes("<today>"));
  const ok = renderGoldVsPredHtml(["a"], ["B-X"], ["B-X"]);
  assert.ok(ok.includes("All entities correct."));
  assert.ok(ok.includes("ner-entity ner-correct"));
  const missed = renderGoldVsPredHtml(["a", "b"], ["B-X", "O"], ["O", "O"]);
  assert.ok(missed.includes("<b>missed</b>: X &quot;a&quot;"));
});

test("show helpers send text/html with a plain-text fallback and return nothing (tslab would print it)", () => {
  const sent: MimeBundle[] = [];
  setDisplaySink((bundle) => sent.push(bundle));
  try {
    const text = "I love Paris";
    const entities = [{ entity_group: "LOC", score: 0.9, word: "paris", start: 7, end: 12 }];
    const returned: unknown = showEntities(text, entities);
    assert.equal(returned, undefined);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]["text/html"], renderEntitiesHtml(text, entities));
    assert.equal(sent[0]["text/plain"], "I love [Paris](LOC)");
    const gvp: unknown = showGoldVsPred(["Paris", "rocks"], ["B-LOC", "O"], ["B-LOC", "B-ORG"]);
    assert.equal(gvp, undefined);
    assert.equal(sent[1]["text/html"], renderGoldVsPredHtml(["Paris", "rocks"], ["B-LOC", "O"], ["B-LOC", "B-ORG"]));
    assert.match(sent[1]["text/plain"] as string, /rocks\tO\tB-ORG {2}\*/);
    const tagged: unknown = showTaggedTokens(["Paris"], ["B-LOC"]);
    assert.equal(tagged, undefined);
    assert.equal(sent[2]["text/plain"], "Paris/B-LOC");
  } finally {
    setDisplaySink(null);
  }
  assert.equal(
    entitiesPlainText("ab cd", [
      { label: "Y", start: 3, end: 5 },
      { label: "X", start: 0, end: 2 },
    ]),
    "[ab](X) [cd](Y)",
  );
});

test("gold vs predicted: a key shows each outline style with its meaning", () => {
  const html = renderGoldVsPredHtml(
    ["Anna", "lives", "in", "Bonn"],
    ["B-PER", "O", "O", "B-LOC"],
    ["B-PER", "O", "O", "B-ORG"],
  );
  const key = /<div class="ner-key"[^>]*>(.*?)<\/div>/.exec(html)?.[1] ?? "";
  const items = [...key.matchAll(/<span class="ner-key-swatch" style="([^"]*)"><\/span>([^<]*)<\/span>/g)].map((m) => [
    m[1],
    m[2],
  ]);
  assert.deepEqual(
    items.map(([, text]) => text.split(" (")[0]),
    ["missed", "spurious", "wrong type", "wrong boundary"],
  );
  // Each sample uses the very outline the view draws for that status.
  const sheet = /<style>(.*?)<\/style>/.exec(html)?.[1] ?? "";
  for (const [style, text] of items) {
    const status = text.split(" (")[0].replace(" ", "-");
    const rule = new RegExp(`\\.ner-${status}\\{([^}]*)\\}`).exec(sheet)?.[1];
    assert.ok(rule && style.endsWith(rule), `${status}: key "${style}" vs view "${rule}"`);
  }
  assert.ok(html.includes(goldVsPredKeyHtml()));
});
