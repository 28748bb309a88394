/**
 * Corpus loading speed: parse (readCorpusFile) and full loadCorpus (parse + ids) per corpus,
 * from a local mirror of the corpora. Run: NER_DATA_DIR=<mirror> npx tsx bench/data-load.ts
 */
import * as path from "path";
import { CORPUS_NAMES, getCorpus, loadCorpus, readCorpusFile } from "../src/data";

const dataDir = process.env.NER_DATA_DIR ?? "";
if (dataDir === "") {
  console.error("bench/data-load: set NER_DATA_DIR to a local mirror of the corpora (<corpus>/<file>)");
  process.exit(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const rows: string[][] = [
    ["corpus", "sentences", "tokens", "parse ms (median of 5)", "loadCorpus ms (median of 5)", "tokens/s (parse)"],
  ];
  for (const name of CORPUS_NAMES) {
    const spec = getCorpus(name);
    const parse: number[] = [];
    let sentences = 0;
    let tokens = 0;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      sentences = 0;
      tokens = 0;
      for (const f of spec.files) {
        const r = readCorpusFile(path.join(dataDir, name, f.file), spec.format, { vocab: { tags: spec.labelList } });
        sentences += r.sentences.length;
        for (const s of r.sentences) tokens += s.tokens.length;
      }
      parse.push(performance.now() - t0);
    }
    const load: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      await loadCorpus(name, { dataDir, offline: true });
      load.push(performance.now() - t0);
    }
    const p = median(parse);
    rows.push([
      name,
      String(sentences),
      String(tokens),
      p.toFixed(1),
      median(load).toFixed(1),
      Math.round((tokens / p) * 1000).toLocaleString("en"),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => v.padStart(widths[c])).join("  "));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
