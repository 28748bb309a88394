/**
 * Pipeline throughput on the tiny fixture checkpoints (the model is tiny, so this measures the
 * tokenization + post-processing overhead around the forward pass). The texts are CoNLL-2003 test
 * sentences, found as any run finds them (NER_DATA_DIR mirror → cache → download); the checkpoints are
 * the repository's own fixtures (tests/fixtures).
 *   npx tsx bench/pipeline.ts [numTexts=200]
 */
import * as fs from "fs";
import * as path from "path";
import { initBackend } from "../src/backend";
import { pipeline, type AggregationStrategy } from "../src/pipeline";
import { resolveCorpusFile } from "../src/data";

const FIXTURES = path.resolve(__dirname, "..", "tests", "fixtures");

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const testFile = await resolveCorpusFile("conll2003", "test");
  const lines = fs.readFileSync(testFile.path, "utf8").split("\n");
  const texts: string[] = [];
  let words: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") {
      if (words.length) texts.push(words.join(" "));
      words = [];
      if (texts.length >= n) break;
    } else words.push(line.split(" ")[0]);
  }
  const backend = await initBackend(undefined, { quiet: true });
  const rows: string[][] = [];
  for (const model of ["tiny-distilbert", "tiny-bert"]) {
    const ner = await pipeline("ner", { model: path.join(FIXTURES, model) });
    await ner(texts.slice(0, 8)); // warm-up
    for (const strategy of ["none", "simple", "first", "average", "max"] as AggregationStrategy[]) {
      for (const batchSize of [1, 16]) {
        const t0 = process.hrtime.bigint();
        await ner(texts, { aggregationStrategy: strategy, batchSize });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        rows.push([model, strategy, String(batchSize), ms.toFixed(0), ((texts.length / ms) * 1000).toFixed(0)]);
      }
    }
    ner.dispose();
  }
  const header = ["model", "strategy", "batch", "ms", "texts/s"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(`backend ${backend}, ${texts.length} CoNLL-2003 test sentences`);
  console.log(fmt(header));
  for (const r of rows) console.log(fmt(r));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
