/// <reference lib="dom" />
// One notebook run in JupyterLab 4 (pip; scripts/setup-jupyter.sh's venv) in headless Chromium,
// from the corpus found through NER_DATA_DIR and the tokenizer files in tests/fixtures,
// twice: with plotly's JupyterLab extension (the README's `pip install jupyterlab plotly`) and
// with it disabled. Each run: Run All in the smoke profile, offline; asserts every code cell
// numbered, no error or stderr outputs, no markup printed as text, every chart drawn as SVG, and
// a live loss chart whose point count grows while the training cell runs. Then the notebook
// executed with the extension is opened on the other server and in classic Notebook 6 (other
// notaries: untrusted), where every chart must still show its static picture. Screenshots go to
// out/browser/.
//
// NER_BROWSER_NOTEBOOK picks another notebook; NER_JUPYTERLAB_PYTHON another Python.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import { getCorpus } from "../../src/data";
import { corpusMirrorFor, corpusPath, modelsMirror, repoRoot } from "../helpers/fixtures";
import {
  jupyterLabPython,
  startJupyterLab,
  startNotebookServer,
  withNotebookRunLock,
  type NotebookServer,
} from "./notebook-server";

const NOTEBOOK = process.env.NER_BROWSER_NOTEBOOK ?? "02_conll2003_distilbert.ipynb";
const OUT_DIR = path.join(repoRoot, "out", "browser");
// The other browser test runs the same notebook in this checkout: wait for it (withNotebookRunLock).
const LOCK_WAIT_MS = 30 * 60_000;
// Per run of the notebook; generous for small, busy CI machines (see docs/display.md).
const RUN_ALL_TIMEOUT_MS = 12 * 60_000;

// Strings, not functions: tsx (esbuild keepNames) would wrap inner arrow functions in a `__name`
// helper that does not exist in the page. `window.jupyterapp` exists with --expose-app-in-browser.
const NOTEBOOK_READY = `(() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  const kernel = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(kernel && kernel.status === "idle" && kernel.connectionStatus === "connected" && w.content
    && w.content.widgets.length > 0);
})()`;

const RUN_STATE = `(() => {
  const w = window.jupyterapp.shell.currentWidget;
  const prompts = w.content.widgets.filter((c) => c.model.type === "code")
    .map((c) => ((c.node.querySelector(".jp-InputPrompt") || {}).textContent || "").trim());
  return {
    running: prompts.filter((p) => p.includes("*")).length,
    live: Array.from(document.querySelectorAll(".jp-OutputArea-output .ner-live-chart"))
      .map((d) => Number(d.getAttribute("data-points"))),
    liveImageLoaded: Array.from(document.querySelectorAll(".ner-live-chart img"))
      .some((i) => i.complete && i.naturalWidth > 0),
    status: w.sessionContext.session.kernel.status,
  };
})()`;

// Only the notebook in front: JupyterLab may restore other tabs, whose outputs stay in the page.
const REPORT = `(() => {
  const w = window.jupyterapp.shell.currentWidget;
  const all = (sel) => Array.from(w.node.querySelectorAll(sel));
  const outputs = all(".jp-OutputArea-output");
  const mime = (o) => o.getAttribute("data-mime-type") || "";
  // plotly's renderer is the output node itself (no data-mime-type); our HTML holds a .ner-plot div.
  const plotly = (o) => o.classList.contains("jp-RenderedPlotly");
  const charts = outputs.filter((o) => plotly(o) || o.querySelector(".ner-plot, .ner-live-chart"));
  return {
    prompts: w.content.widgets.filter((c) => c.model.type === "code").map((c) => c.model.executionCount),
    errors: outputs
      .filter((o) => mime(o) === "application/vnd.jupyter.error"
        || o.querySelector(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"))
      .map((o) => (o.textContent || "").slice(0, 600)),
    stderr: outputs.filter((o) => mime(o) === "application/vnd.jupyter.stderr")
      .map((o) => (o.textContent || "").slice(0, 600)),
    texts: outputs.filter((o) => mime(o) === "text/plain" || mime(o) === "application/vnd.jupyter.stdout")
      .map((o) => o.textContent || ""),
    charts: charts
      .map((o) => ({ mime: mime(o), svg: o.querySelector("svg.main-svg") !== null, plotlyRenderer: plotly(o) })),
    staticImages: all(".jp-OutputArea-output img.ner-chart-static").map((i) => i.complete && i.naturalWidth > 0),
    untrustedNotices: all(".jp-OutputArea-output").filter((o) => /untrusted/i.test(o.textContent || "")).length,
    // Per entity view: its marks, or 1 for its "no entities found" note (a smoke model may find none).
    entityViews: all(".jp-OutputArea-output .ner-entities")
      .map((v) => v.querySelectorAll("mark.ner-entity").length + v.querySelectorAll(".ner-none").length),
    goldVsPred: all(".jp-OutputArea-output .ner-gvp").length,
    mimeTypes: Array.from(new Set(outputs.map(mime))),
  };
})()`;

interface Report {
  prompts: (number | null)[];
  errors: string[];
  stderr: string[];
  texts: string[];
  charts: { mime: string; svg: boolean; plotlyRenderer: boolean }[];
  staticImages: boolean[];
  untrustedNotices: number;
  entityViews: number[];
  goldVsPred: number;
  mimeTypes: string[];
}

/** Markup that should have been rendered, not printed (e.g. a show helper's return value). */
const RAW_HTML = /<\/?(div|table|tr|td|span|mark|script|style|svg|ul|li|img)\b[^>]*>|<plotly figure/i;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openNotebook(page: Page, server: NotebookServer, file: string): Promise<void> {
  await page.goto(`${server.baseUrl}/lab/tree/${encodeURIComponent(file)}?token=${server.token}`, {
    waitUntil: "domcontentloaded",
  });
  await page.waitForFunction(NOTEBOOK_READY, null, { timeout: 180_000, polling: 500 });
}

/** Screenshots of the top of the notebook and of every chart, table and entity view. */
async function screenshots(page: Page, stem: string): Promise<number> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUT_DIR, `${stem}-top.png`) });
  const outputs = page.locator(
    ".jp-NotebookPanel:not(.lm-mod-hidden) :is(.jp-OutputArea-output.jp-RenderedPlotly, " +
      ".jp-OutputArea-output:has(.ner-plot, .ner-live-chart, table, .ner-entities, .ner-gvp))",
  );
  const n = await outputs.count();
  let shots = 1;
  for (let i = 0; i < n; i++) {
    const el = outputs.nth(i);
    const box = await el.boundingBox();
    // Outputs taller than the window come out garbled (JupyterLab's panels are fixed): skip them.
    if (!box || box.height < 4 || box.height > 950) continue;
    await el.screenshot({ path: path.join(OUT_DIR, `${stem}-output-${String(i).padStart(2, "0")}.png`) });
    shots++;
  }
  return shots;
}

/** Run All, watching the live chart and the kernel status while cells run; then the report. */
async function runAll(page: Page, label: string) {
  await page.evaluate(`(() => { void window.jupyterapp.commands.execute("notebook:run-all-cells"); return true; })()`);
  const livePoints: number[] = [];
  let liveImageWhileRunning = false;
  const statusWhileRunning = { idle: 0, busy: 0 };
  const deadline = Date.now() + RUN_ALL_TIMEOUT_MS;
  let sawRunning = false;
  for (;;) {
    const s = (await page.evaluate(RUN_STATE)) as {
      running: number;
      live: number[];
      liveImageLoaded: boolean;
      status: string;
    };
    if (s.running > 0) {
      sawRunning = true;
      if (s.live.length) livePoints.push(s.live[s.live.length - 1]);
      if (s.liveImageLoaded) liveImageWhileRunning = true;
      if (s.status === "idle") statusWhileRunning.idle++;
      else statusWhileRunning.busy++;
    } else if (sawRunning) break;
    if (Date.now() > deadline)
      throw new Error(`${label}: Run All did not finish within ${RUN_ALL_TIMEOUT_MS / 1000} s`);
    await sleep(300);
  }
  // Charts draw asynchronously after their output is added.
  await page
    .waitForFunction(
      `Array.from(document.querySelectorAll(".jp-OutputArea-output")).filter((o) => ` +
        `o.classList.contains("jp-RenderedPlotly") || o.querySelector(".ner-plot")).every((o) => ` +
        `o.querySelector("svg.main-svg"))`,
      null,
      { timeout: 60_000, polling: 500 },
    )
    .catch(() => undefined); // reported below
  const report = (await page.evaluate(REPORT)) as Report;
  return { report, livePoints, liveImageWhileRunning, statusWhileRunning };
}

function assertRun(label: string, r: Awaited<ReturnType<typeof runAll>>, plotlyExtension: boolean): void {
  const { report } = r;
  const unnumbered = report.prompts.map((p, i) => ({ p, i })).filter(({ p }) => typeof p !== "number");
  assert.deepEqual(
    unnumbered,
    [],
    `${label}: code cells without an execution number; stderr:\n${report.stderr.join("\n---\n")}`,
  );
  assert.deepEqual(report.errors, [], `${label}: error outputs`);
  assert.deepEqual(report.stderr, [], `${label}: stderr outputs`);
  assert.deepEqual(
    report.texts.filter((t) => RAW_HTML.test(t)).map((t) => t.slice(0, 300)),
    [],
    `${label}: markup printed as text`,
  );
  assert.ok(report.charts.length >= 5, `${label}: charts found: ${report.charts.length}`);
  assert.deepEqual(
    report.charts.filter((c) => !c.svg),
    [],
    `${label}: charts that did not draw an SVG`,
  );
  // With the extension, plotly's renderer draws every chart; without it, our HTML does.
  assert.equal(
    report.charts.every((c) => c.plotlyRenderer),
    plotlyExtension,
    `${label}: renderer of the charts: ${JSON.stringify(report.charts)}`,
  );
  assert.ok(report.entityViews.length > 0, `${label}: no entity view`);
  assert.ok(
    report.entityViews.every((n) => n > 0),
    `${label}: an entity view with neither marks nor its note`,
  );
  assert.ok(report.goldVsPred > 0, `${label}: no gold-vs-predicted view`);
  const grew = r.livePoints.length > 1 && r.livePoints[r.livePoints.length - 1] > r.livePoints[0];
  assert.ok(grew, `${label}: the live loss chart's point count while cells ran: ${r.livePoints.join(", ") || "none"}`);
  assert.ok(r.liveImageWhileRunning, `${label}: the live chart's picture never loaded while cells ran`);
  // The status bar says "Busy" while cells run (tslab alone said "Idle" after the first queued
  // cell ended; jupyter/kernels/tslab/status-order.js fixes it). A sample may catch the last idle
  // before the prompts update.
  const { busy, idle } = r.statusWhileRunning;
  assert.ok(
    idle <= Math.max(2, 0.02 * (busy + idle)),
    `${label}: kernel status "idle" in ${idle} of ${busy + idle} samples while cells ran`,
  );
}

test(
  `${NOTEBOOK} runs in JupyterLab 4 with and without plotly's extension; an untrusted copy shows static charts`,
  { timeout: 2 * RUN_ALL_TIMEOUT_MS + 6 * 60_000 + LOCK_WAIT_MS },
  async () =>
    withNotebookRunLock(
      repoRoot,
      async () => {
        const python = jupyterLabPython(repoRoot);
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "ner-lab-"));
        // The corpus as a user's run finds it (NER_DATA_DIR mirror → cache → download),
        // served to the kernel as a mirror.
        for (const f of getCorpus("conll2003").files) await corpusPath("conll2003", f.file);
        const dataDir = await corpusMirrorFor("conll2003", "test.txt");
        const stem = NOTEBOOK.replace(/\.ipynb$/, "");
        if (fs.existsSync(OUT_DIR)) {
          for (const f of fs.readdirSync(OUT_DIR))
            if (f.startsWith(`lab-`) && f.endsWith(".png")) fs.rmSync(path.join(OUT_DIR, f));
        }
        const servers: NotebookServer[] = [];
        let browser: Browser | null = null;
        const start = async (name: string, plotlyExtension: boolean) => {
          const dir = path.join(state, name, "notebooks");
          fs.mkdirSync(dir, { recursive: true });
          // The server serves a copy: autosave must never write outputs into the committed notebook.
          fs.copyFileSync(path.join(repoRoot, "notebooks", NOTEBOOK), path.join(dir, NOTEBOOK));
          const server = await startJupyterLab({
            python,
            notebookDir: dir,
            stateDir: path.join(state, name),
            jupyterPath: path.join(repoRoot, "jupyter"),
            plotlyExtension,
            env: {
              NER_PROFILE: "smoke",
              NER_OFFLINE: "1",
              NER_DATA_DIR: dataDir,
              NER_MODELS_DIR: modelsMirror,
              NER_CACHE_DIR: path.join(state, "cache"),
            },
          });
          servers.push(server);
          return { server, dir };
        };
        try {
          browser = await launchChromium();
          const results: Record<string, Awaited<ReturnType<typeof runAll>>> = {};
          let executedWithExtension = "";
          let withoutExtension: { server: NotebookServer; dir: string } | null = null;
          for (const plotlyExtension of [true, false]) {
            const label = plotlyExtension ? "lab-plotly" : "lab-noplotly";
            const t0 = Date.now();
            const s = await start(label, plotlyExtension);
            const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
            page.setDefaultTimeout(120_000);
            await openNotebook(page, s.server, NOTEBOOK);
            const r = await runAll(page, label);
            results[label] = r;
            const shots = await screenshots(page, `${label}-${stem}`);
            console.log(
              `${label}: ${r.report.prompts.length} code cells, ${r.report.charts.length} charts ` +
                `(${r.report.mimeTypes.join(", ")}), live points seen ` +
                `${r.livePoints[0]}…${r.livePoints[r.livePoints.length - 1]}, ` +
                `kernel status while cells ran: busy ${r.statusWhileRunning.busy} / idle ` +
                `${r.statusWhileRunning.idle} samples, ${shots} screenshots, ` +
                `${((Date.now() - t0) / 1000).toFixed(0)} s`,
            );
            assertRun(label, r, plotlyExtension);
            if (plotlyExtension) {
              await page.evaluate(`window.jupyterapp.commands.execute("docmanager:save")`);
              await sleep(1000);
              executedWithExtension = fs.readFileSync(path.join(s.dir, NOTEBOOK), "utf8");
              await page.close();
              await servers[0].stop();
            } else {
              withoutExtension = s;
              await page.close();
            }
          }

          // The executed notebook on another server (another notary database): untrusted, no plotly extension.
          assert.ok(withoutExtension);
          const untrustedName = `untrusted-${NOTEBOOK}`;
          fs.writeFileSync(path.join(withoutExtension.dir, untrustedName), executedWithExtension);
          const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
          await openNotebook(page, withoutExtension.server, untrustedName);
          await page.waitForFunction(
            `window.jupyterapp.shell.currentWidget.node.querySelectorAll("img.ner-chart-static").length > 0`,
            null,
            { timeout: 60_000, polling: 500 },
          );
          await sleep(1500); // images decode
          const u = (await page.evaluate(REPORT)) as Report;
          await screenshots(page, `lab-untrusted-${stem}`);
          console.log(
            `lab-untrusted: ${u.staticImages.length} static chart pictures, ` +
              `${u.staticImages.filter(Boolean).length} loaded; ` +
              `${u.charts.filter((c) => c.svg).length} interactive`,
          );
          const withExt = results["lab-plotly"].report;
          assert.equal(
            u.staticImages.length,
            withExt.charts.length,
            "every chart of the executed copy shows its static picture",
          );
          assert.ok(u.staticImages.every(Boolean), "static pictures that did not load");
          assert.equal(u.charts.filter((c) => c.svg).length, 0, "untrusted: no script ran, so no interactive chart");
          await page.close();

          // And in classic Notebook 6 (its own notary too: untrusted).
          const classicDir = path.join(state, "classic", "notebooks");
          fs.mkdirSync(classicDir, { recursive: true });
          fs.writeFileSync(path.join(classicDir, untrustedName), executedWithExtension);
          const classic = await startNotebookServer({
            notebookDir: classicDir,
            stateDir: path.join(state, "classic"),
            jupyterPath: path.join(repoRoot, "jupyter"),
          });
          servers.push(classic);
          const cpage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
          await cpage.goto(`${classic.baseUrl}/notebooks/${encodeURIComponent(untrustedName)}?token=${classic.token}`, {
            waitUntil: "domcontentloaded",
          });
          await cpage.waitForFunction(
            `document.querySelectorAll(".output_area img.ner-chart-static").length > 0`,
            null,
            {
              timeout: 120_000,
              polling: 500,
            },
          );
          await sleep(1500);
          const c = (await cpage.evaluate(`({
      trusted: Jupyter.notebook.trusted,
      images: Array.from(document.querySelectorAll(".output_area img.ner-chart-static"))
        .map((i) => i.complete && i.naturalWidth > 0),
      interactive: document.querySelectorAll(".output_area svg.main-svg").length,
    })`)) as { trusted: boolean; images: boolean[]; interactive: number };
          await cpage
            .locator(".output_area:has(img.ner-chart-static)")
            .first()
            .screenshot({ path: path.join(OUT_DIR, `lab-untrusted-classic-${stem}-chart.png`) });
          console.log(
            `classic untrusted: trusted=${c.trusted}, ${c.images.length} static chart pictures, ` +
              `${c.images.filter(Boolean).length} loaded`,
          );
          assert.equal(c.trusted, false, "classic Notebook must see the copy as untrusted");
          assert.equal(
            c.images.length,
            withExt.charts.length,
            "classic, untrusted: every chart shows its static picture",
          );
          assert.ok(c.images.every(Boolean), "classic, untrusted: static pictures that did not load");
          assert.equal(c.interactive, 0, "classic, untrusted: no script ran");
        } finally {
          await browser?.close().catch(() => undefined);
          for (const s of servers) await s.stop();
          fs.rmSync(state, { recursive: true, force: true });
        }
      },
      LOCK_WAIT_MS,
    ),
);
