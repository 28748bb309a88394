/**
 * `ner export web` end to end in a real browser: the tiny fixture models are exported, served on
 * 127.0.0.1 and opened in headless Chromium; texts are typed into the page and the entities it
 * shows must equal `ner predict --json` on the same model and texts (same groups and offsets,
 * scores within 1e-4) and transformers' pipeline goldens, for every aggregation strategy. The
 * tokenizer goldens run through the page's own tokenizer. Screenshots go to out/export/.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { exportWebSite, type ExportWebResult } from "../../src/export/web";
import { serveSite, type SiteServer } from "../../src/export/serve";
import { AGGREGATION_STRATEGIES, type AggregationStrategy, type PipelineEntity } from "../../src/pipeline/types";
import { fixturePath, readFixtureJson, repoRoot } from "../helpers/fixtures";
import { launchChromium, openPage, pageState, selectStrategy, typeAndRead } from "./browser";
import { goldenTexts, TRICKY_TEXTS, type TokenizerGolden } from "./golden-texts";

const SCREENSHOTS = path.join(repoRoot, "out", "export");
const SCORE_TOLERANCE = 1e-4;

interface GoldenPipeline {
  texts: string[];
  outputs: Record<AggregationStrategy, Record<string, unknown>[][]>;
}

/** The golden pipeline texts plus strings with accents, emoji and literal special tokens. */
function testTexts(model: string): string[] {
  const golden = readFixtureJson<{ pipeline: GoldenPipeline }>(model, "golden.json").pipeline;
  return [
    ...golden.texts,
    ...TRICKY_TEXTS.filter((t) => t.trim() !== "" && !t.includes("\n")),
    "Zürich 😀 Café ﬁne [MASK] city",
  ];
}

/** `ner predict --json --aggregation <s> --input <file>` on `texts`, one entity list per text. */
function nerPredict(model: string, texts: string[], strategy: AggregationStrategy, tmp: string): PipelineEntity[][] {
  const input = path.join(tmp, `texts-${strategy}.txt`);
  fs.writeFileSync(input, texts.join("\n") + "\n");
  const res = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, "bin", "ner.js"),
      "predict",
      "--model",
      model,
      "--aggregation",
      strategy,
      "--json",
      "--input",
      input,
    ],
    { encoding: "utf8", env: { ...process.env, NER_BACKEND: "wasm" }, timeout: 300_000 },
  );
  assert.equal(res.status, 0, `ner predict failed: ${res.stderr}`);
  const lines = res.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { text: string; entities: PipelineEntity[] });
  assert.deepEqual(
    lines.map((l) => l.text),
    texts,
  );
  return lines.map((l) => l.entities);
}

function assertSameEntities(
  actual: PipelineEntity[],
  expected: readonly object[],
  where: string,
  tolerance = SCORE_TOLERANCE,
): void {
  const strip = (e: object): Record<string, unknown> => {
    const { score: _score, ...rest } = e as Record<string, unknown>;
    return rest;
  };
  assert.deepEqual(actual.map(strip), expected.map(strip), where);
  actual.forEach((e, i) => {
    const want = (expected[i] as { score: number }).score;
    assert.ok(Math.abs(e.score - want) <= tolerance, `${where}, entity ${i}: score ${e.score} vs ${want}`);
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
}

let tmp: string;
let browser: Browser;
const sites: Record<string, { result: ExportWebResult; server: SiteServer }> = {};

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-export-test-"));
  for (const [name, model, fp16] of [
    ["tiny-distilbert", "tiny-distilbert", false],
    ["tiny-bert", "tiny-bert", false],
    ["tiny-distilbert-fp16", "tiny-distilbert", true],
  ] as const) {
    const result = await exportWebSite({ model: fixturePath(model), out: path.join(tmp, name), fp16 });
    sites[name] = { result, server: await serveSite(result.out) };
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const s of Object.values(sites)) await s.server.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("the site holds the page, script, weights, tokenizer and tfjs's wasm binaries, and nothing from a CDN", () => {
  const { result } = sites["tiny-distilbert"];
  for (const f of [
    "index.html",
    "site.json",
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "ner-web.js",
  ]) {
    assert.ok(result.files[f] > 0, f);
  }
  for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"])
    assert.ok(result.files[f] > 0, f);
  const html = fs.readFileSync(path.join(result.out, "index.html"), "utf8");
  assert.doesNotMatch(html, /https?:\/\//, "index.html references no remote URL");
  const fp16 = sites["tiny-distilbert-fp16"].result;
  const ratio = fp16.files["model.safetensors"] / result.files["model.safetensors"];
  assert.ok(ratio > 0.49 && ratio < 0.51, `fp16 weights are half the size (ratio ${ratio})`);
});

for (const [site, strategies] of [
  ["tiny-distilbert", AGGREGATION_STRATEGIES],
  ["tiny-bert", ["simple", "first"]],
] as const) {
  const title = `${site}: entities typed into the page equal ner predict --json and transformers`;
  test(`${title} (${strategies.join(", ")})`, async () => {
    const texts = testTexts(site);
    const golden = readFixtureJson<{ pipeline: GoldenPipeline }>(site, "golden.json").pipeline;
    const { page, errors } = await openPage(browser, sites[site].server.url);
    try {
      const state = await pageState(page);
      assert.equal(state.state, "ready", `page not ready: ${state.status} ${errors.join("; ")}`);
      // No WebGPU in headless Chromium here: the page falls back to wasm and says why.
      assert.match(
        state.backend,
        /^wasm \(SIMD, \d+ threads?.*; (no WebGPU in this browser|WebGPU: no adapter)\)$/,
        "the page says which backend ran",
      );
      for (const strategy of strategies) {
        const expected = nerPredict(fixturePath(site), texts, strategy, tmp);
        await selectStrategy(page, strategy);
        for (const [i, text] of texts.entries()) {
          const shown = await typeAndRead(page, text, strategy, i === 0);
          assertSameEntities(shown, expected[i], `${site} ${strategy} ${JSON.stringify(text)} vs ner predict`);
          const g = golden.texts.indexOf(text);
          if (g >= 0)
            assertSameEntities(
              shown,
              golden.outputs[strategy][g],
              `${site} ${strategy} ${JSON.stringify(text)} vs transformers`,
            );
          // The view shows one mark per entity (they never overlap), with the score on hover.
          const marks = await page.$$eval("#entities mark", (ms) => ms.map((m) => m.getAttribute("title") ?? ""));
          assert.equal(marks.length, shown.length);
          marks.forEach((title, k) => assert.match(title, new RegExp(`score ${shown[k].score.toFixed(4)}$`)));
        }
        if (strategy === "simple" || strategy === "first") {
          await typeAndRead(page, texts[texts.length - 1], strategy);
          await screenshot(page, `${site}-${strategy}.png`);
        }
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
}

test("the tokenizer goldens through the page's tokenizer: transformers' ids and offsets, both vocabs", async () => {
  const golden = readFixtureJson<TokenizerGolden>("tokenizer-golden.json");
  for (const [site, key] of [
    ["tiny-distilbert", "bert-base-uncased (tiny-distilbert/vocab.txt, do_lower_case=True)"],
    ["tiny-bert", "tiny-bert cased vocab (tiny-bert/vocab.txt, do_lower_case=False)"],
  ]) {
    const cases = goldenTexts(golden[key]);
    assert.ok(cases.length >= 400);
    const { page } = await openPage(browser, sites[site].server.url);
    try {
      const got = await page.evaluate(
        (texts) => texts.map((t) => window.nerPage.tokenize(t)),
        cases.map((c) => c.text),
      );
      cases.forEach((c, i) => {
        assert.deepEqual(got[i].inputIds, c.inputIds, `${site}: ids of ${JSON.stringify(c.text)}`);
        if (c.offsets) assert.deepEqual(got[i].offsets, c.offsets, `${site}: offsets of ${JSON.stringify(c.text)}`);
      });
    } finally {
      await page.close();
    }
  }
});

test("fp16: the page equals ner predict on the exported fp16 checkpoint; changes vs float32 reported", async (t) => {
  const texts = testTexts("tiny-distilbert");
  const read = async (site: string): Promise<PipelineEntity[][]> => {
    const { page } = await openPage(browser, sites[site].server.url);
    try {
      return await page.evaluate(async (ts) => Promise.all(ts.map((x) => window.nerPage.predict(x, "simple"))), texts);
    } finally {
      await page.close();
    }
  };
  const f16 = await read("tiny-distilbert-fp16");
  // The exported folder is itself a checkpoint (config.json, F16 model.safetensors, tokenizer files).
  const expected = nerPredict(sites["tiny-distilbert-fp16"].result.out, texts, "simple", tmp);
  texts.forEach((x, i) => assertSameEntities(f16[i], expected[i], `fp16 page vs ner predict ${JSON.stringify(x)}`));
  const f32 = await read("tiny-distilbert");
  const changed = texts.filter(
    (_, i) =>
      JSON.stringify(f16[i].map((e) => [e.start, e.end, "entity_group" in e ? e.entity_group : ""])) !==
      JSON.stringify(f32[i].map((e) => [e.start, e.end, "entity_group" in e ? e.entity_group : ""])),
  );
  t.diagnostic(
    `fp16 vs float32 (tiny-distilbert, near-uniform random weights): ` +
      `${changed.length} of ${texts.length} texts change entities`,
  );
});

test("opened from file://, Chromium refuses to read the site's files and the page says to use --serve", async () => {
  const { page } = await openPage(browser, `file://${path.join(sites["tiny-distilbert"].result.out, "index.html")}`);
  try {
    const state = await pageState(page);
    assert.equal(state.state, "error");
    assert.match(state.status, /file:\/\/.*--serve/);
    await screenshot(page, "file-url.png");
  } finally {
    await page.close();
  }
});
