/**
 * Measures an exported site in headless Chromium (the numbers in docs/export.md):
 * folder size (float32 and fp16 weights), time from navigation to the first entities shown
 * (median of --runs fresh page loads, served on 127.0.0.1), the backend the page reports, and
 * whether fp16 changes any entity of the page's examples (or --texts file).
 *
 *   npx tsx tests/export/measure-page.ts --model runs/mit [--runs 3] [--texts file]
 *   npx tsx tests/export/measure-page.ts --distilbert-base   # random distilbert-base, real layout
 *   (--screenshot page.png saves the float32 page as first shown)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { initBackend } from "../../src/backend";
import { configFromHf, randomInit } from "../../src/models";
import { exportWebSite } from "../../src/export/web";
import { serveSite } from "../../src/export/serve";
import type { PipelineEntity } from "../../src/pipeline/types";
import { fixturePath } from "../helpers/fixtures";
import { launchChromium, openPage, pageState } from "./browser";

const CONLL = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A distilbert-base-uncased-sized model with random weights, saved with the real tokenizer files. */
async function randomDistilbertBase(dir: string): Promise<string> {
  await initBackend(undefined, { quiet: true });
  const src = fixturePath("models", "distilbert-base-uncased");
  const raw = JSON.parse(fs.readFileSync(path.join(src, "config.json"), "utf8")) as Record<string, unknown>;
  const config = configFromHf(raw, { id2label: Object.fromEntries(CONLL.map((l, i) => [i, l])) });
  const model = randomInit(config, 42);
  await model.savePretrained(dir);
  model.dispose();
  for (const f of ["tokenizer.json", "tokenizer_config.json", "vocab.txt"])
    fs.copyFileSync(path.join(src, f), path.join(dir, f));
  return dir;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-export-measure-"));
  const runs = Number(arg("--runs") ?? 3);
  try {
    const model = process.argv.includes("--distilbert-base")
      ? await randomDistilbertBase(path.join(tmp, "distilbert-base"))
      : arg("--model");
    if (!model) throw new Error("pass --model <dir> or --distilbert-base");
    const texts = arg("--texts")
      ? fs
          .readFileSync(arg("--texts")!, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
      : undefined;
    console.log(
      `model ${model}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}; ${os.cpus().length} cores`,
    );
    const browser = await launchChromium();
    const entities: Record<string, PipelineEntity[][]> = {};
    try {
      for (const fp16 of [false, true]) {
        const t0 = Date.now();
        const site = await exportWebSite({
          model,
          out: path.join(tmp, fp16 ? "site-fp16" : "site"),
          fp16,
          examples: texts,
        });
        const name = fp16 ? "fp16" : "float32";
        console.log(
          `${name}: export ${((Date.now() - t0) / 1000).toFixed(1)} s, folder ${megabytes(site.totalBytes)} ` +
            `(weights ${megabytes(site.files["model.safetensors"])}, script ${megabytes(site.files["ner-web.js"])})`,
        );
        const server = await serveSite(site.out);
        try {
          const firsts: number[] = [];
          let backend = "";
          for (let r = 0; r < runs; r++) {
            const context = await browser.newContext();
            const { page } = await openPage(context, server.url, 600_000);
            const state = await pageState(page);
            if (state.state !== "ready") throw new Error(`page failed: ${state.status}`);
            const stats = await page.evaluate(() => window.nerPage.stats);
            firsts.push(Number(stats.firstPredictionMs));
            backend = String(stats.backend);
            if (r === 0 && !fp16 && arg("--screenshot")) await page.screenshot({ path: arg("--screenshot")! });
            if (r === 0) {
              const manifest = JSON.parse(fs.readFileSync(path.join(site.out, "site.json"), "utf8")) as {
                examples: string[];
              };
              entities[name] = await page.evaluate(
                async (ts) => Promise.all(ts.map((t) => window.nerPage.predict(t, "simple"))),
                manifest.examples,
              );
            }
            await context.close();
          }
          console.log(
            `${name}: time to first prediction ${median(firsts)} ms ` +
              `(median of ${runs}: ${firsts.join(", ")}), backend ${backend}`,
          );
        } finally {
          await server.close();
        }
      }
    } finally {
      await browser.close();
    }
    const key = (es: PipelineEntity[]): string =>
      JSON.stringify(es.map((e) => [e.start, e.end, "entity_group" in e ? e.entity_group : e.entity]));
    const a = entities.float32;
    const b = entities.fp16;
    const changed = a.filter((es, i) => key(es) !== key(b[i])).length;
    const maxScore = Math.max(
      0,
      ...a.flatMap((es, i) => (key(es) === key(b[i]) ? es.map((e, k) => Math.abs(e.score - b[i][k].score)) : [])),
    );
    console.log(
      `fp16 vs float32 on ${a.length} texts (simple): ${changed} change entities; ` +
        `max score difference elsewhere ${maxScore.toExponential(2)}`,
    );
    console.log(
      `load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
