/// <reference lib="dom" />
// Hostile text (`<!--`, `</script`, `]]>`, quotes, a script tag) fed through every HTML display
// path — tables, the epoch table, warning notes, charts (static and interactive, live and final),
// entity views, gold vs predicted, the run card, a standalone page — then loaded in headless
// Chromium: the page keeps its structure (every output closed, nothing swallowed by a comment,
// no injected script ran), the text reads back literally, and every static SVG is valid (it loads
// as an image). Checked twice: with scripts on (a trusted notebook) and off (an untrusted one).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import {
  entityConfusion,
  entityConfusionFigure,
  LiveFigure,
  lossCurveFigure,
  perTypeScoresFigure,
  resetPlotlySession,
  sentenceLengthFigure,
  showFigure,
  tagDistributionFigure,
} from "../../src/charts";
import { epochTableHtml, setDisplaySink, showTable, WarningNotes, type MimeBundle } from "../../src/display/index";
import { htmlPage, showEntities, showGoldVsPred, showTaggedTokens } from "../../src/viz";
import { notebookSettings } from "../../src/notebook/profile";
import { showRunCard } from "../../src/notebook/runCard";

const EVIL = `<!-- x </script><script>window.__pwned=1</script> ]]> "dq" 'sq' & <b>b</b>`;

/** The HTML of every display path, each fed EVIL wherever a caller's text goes. */
function outputs(): { name: string; html: string }[] {
  const sent: { name: string; bundle: MimeBundle }[] = [];
  let name = "";
  setDisplaySink((bundle) => sent.push({ name, bundle }));
  const as = (n: string, f: () => void) => ((name = n), f());
  try {
    resetPlotlySession();
    as("table", () => showTable([{ [EVIL]: EVIL, n: 1 }], undefined, EVIL));
    as("notes", () => {
      const notes = new WarningNotes();
      notes.handler(EVIL, EVIL);
      notes.show(EVIL);
    });
    as("figure", () =>
      showFigure(
        perTypeScoresFigure({ [EVIL]: { precision: 0.5, recall: 0.5, f1: 0.5, support: 1 } }, { title: EVIL }),
      ),
    );
    as("tags", () =>
      showFigure(
        tagDistributionFigure(
          [
            { tag: EVIL, count: 10 },
            { tag: "O", count: 1000 },
          ],
          { title: EVIL },
        ),
      ),
    );
    as("histogram", () => showFigure(sentenceLengthFigure({ [EVIL]: [1, 2, 2] }, { title: EVIL })));
    as("confusion", () =>
      showFigure(entityConfusionFigure(entityConfusion([[`B-${EVIL}`]], [[`B-${EVIL}`]]), { title: EVIL })),
    );
    as("live", () => {
      const live = new LiveFigure();
      live.update(lossCurveFigure([{ step: 1, loss: 1 }], { title: EVIL }));
    });
    as("live-final", () => {
      const live = new LiveFigure();
      live.update(lossCurveFigure([{ step: 1, loss: 1 }], { title: EVIL }));
      live.finish(
        lossCurveFigure(
          [
            { step: 1, loss: 1 },
            { step: 2, loss: 0.5 },
          ],
          { title: EVIL },
        ),
      );
    });
    as("entities", () => showEntities(`${EVIL} Bonn`, [{ start: 0, end: EVIL.length, entity_group: EVIL }]));
    as("tagged", () => showTaggedTokens([EVIL, "Bonn"], [`B-${EVIL}`, "O"]));
    as("gold-vs-pred", () => showGoldVsPred([EVIL, "Bonn"], [`B-${EVIL}`, "B-LOC"], ["O", `B-${EVIL}`]));
    as("run-card", () =>
      showRunCard({
        settings: { ...notebookSettings("conll2003_distilbert", "smoke"), title: EVIL },
        backend: EVIL,
        splitSizes: { [EVIL]: 1 },
        metrics: { f1: 0.5 },
        metricsSplit: EVIL,
        extra: { [EVIL]: EVIL },
      }),
    );
  } finally {
    setDisplaySink(null);
  }
  // Markdown forms (the run card's) must not open HTML either.
  for (const s of sent) {
    const md = s.bundle["text/markdown"];
    if (typeof md === "string") assert.ok(!md.includes("<"), `${s.name}: raw "<" in its text/markdown`);
  }
  const html = sent.map((s) => ({ name: s.name, html: s.bundle["text/html"] as string }));
  html.push({
    name: "epoch-table",
    html: epochTableHtml(
      [{ epoch: 1, trainingLoss: 0.5, validationLoss: null, precision: 1, recall: 1, f1: 1, accuracy: 1 }],
      EVIL,
    ),
  });
  for (const s of sent) {
    const svg = s.bundle["image/svg+xml"];
    if (typeof svg === "string")
      html.push({
        name: `${s.name} (image/svg+xml)`,
        html: `<img class="svg-mime" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}">`,
      });
  }
  return html;
}

interface PageCheck {
  sections: number;
  sentinels: number;
  comments: number;
  pwned: boolean;
  foreignScripts: string[];
  brokenImages: string[];
  staticImages: number;
  drawnCharts: number;
  evilTexts: string[];
  title: string;
}

const CHECK = `(() => {
  const all = (s) => Array.from(document.querySelectorAll(s));
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
  let comments = 0;
  while (walker.nextNode()) comments++;
  return {
    sections: all("body > section.out").length,
    sentinels: all("body > p.sentinel").length,
    comments,
    pwned: window.__pwned !== undefined,
    foreignScripts: all("script").map((s) => s.textContent || "")
      .filter((t) => !t.startsWith("(function(){var f=") && !t.includes("Plotly")).map((t) => t.slice(0, 80)),
    brokenImages: all("img").filter((i) => !i.complete || i.naturalWidth === 0)
      .map((i) => i.className + " " + (i.closest("section") || {}).id),
    staticImages: all("img.ner-chart-static").length,
    drawnCharts: all(".ner-plot svg.main-svg").length,
    evilTexts: all("section.out").filter((s) => (s.textContent || "").includes(${JSON.stringify(EVIL)}))
      .map((s) => s.dataset.name),
    title: document.title,
  };
})()`;

test(
  "hostile text through every HTML display path keeps the page structure (scripts on and off)",
  { timeout: 180_000 },
  async () => {
    const sections = outputs();
    assert.ok(sections.length >= 15, `display paths: ${sections.map((s) => s.name).join(", ")}`);
    const body = sections
      .map(
        (s, i) =>
          `<section class="out" id="s${i}" ` +
          `data-name="${s.name.replace(/[^\w -]/g, "")}">${s.html}</section><p class="sentinel" ` +
          `id="after-${i}">after ${i}</p>`,
      )
      .join("\n");
    const page = htmlPage(EVIL, body);

    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      for (const javaScriptEnabled of [false, true]) {
        const context = await browser.newContext({ javaScriptEnabled });
        const tab = await context.newPage();
        await tab.setContent(page, { waitUntil: "load" });
        if (javaScriptEnabled) {
          // The interactive charts replace their pictures once plotly.js (inlined in the first one) runs.
          await tab.waitForFunction(`document.querySelectorAll(".ner-plot svg.main-svg").length >= 5`, null, {
            timeout: 60_000,
            polling: 250,
          });
        }
        const r = (await tab.evaluate(CHECK)) as PageCheck;
        const mode = javaScriptEnabled ? "scripts on" : "scripts off";
        assert.equal(r.sections, sections.length, `${mode}: every output is a section of its own`);
        assert.equal(r.sentinels, sections.length, `${mode}: nothing swallowed the text after an output`);
        assert.equal(r.comments, 0, `${mode}: "<!--" opened a comment`);
        assert.equal(r.pwned, false, `${mode}: an injected script ran`);
        assert.deepEqual(r.foreignScripts, [], `${mode}: script elements that are not ours`);
        assert.deepEqual(r.brokenImages, [], `${mode}: static SVGs that do not load (invalid SVG)`);
        assert.equal(r.title, EVIL, `${mode}: the page title reads back literally`);
        // Charts carry their text inside images; every other output shows it as text.
        const textual = ["table", "notes", "entities", "tagged", "gold-vs-pred", "run-card", "epoch-table"];
        assert.deepEqual(r.evilTexts, textual, `${mode}: outputs where the hostile text reads back literally`);
        if (javaScriptEnabled) assert.ok(r.drawnCharts >= 5, `${mode}: interactive charts drawn: ${r.drawnCharts}`);
        else assert.ok(r.staticImages >= 7, `${mode}: static pictures shown: ${r.staticImages}`);
        await context.close();
      }
    } finally {
      await browser?.close();
    }
  },
);
