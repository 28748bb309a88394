/**
 * seqeval benchmark: the full CoNLL-2003 test split (3453 sentences) as truth, the same
 * tags with 5% of tokens replaced by a random label (seeded) as prediction; default-mode
 * `classification_report(digits=4)` + `f1_score`, as in the Python reference timing.
 *
 *   npx tsx bench/seqeval.ts [path/to/conll2003/test.txt]
 * Without a path the split is found as any run finds it (NER_DATA_DIR mirror → cache → download).
 *
 * Python seqeval 1.2.2 (Debian Python 3.11) on the same data and machine: median 781 ms
 * (measured by the project maintainers, ../shared/NOTES.md).
 */
import * as fs from "fs";
import { classificationReport, computeMetrics, f1Score } from "../src/metrics/seqeval";
import { Rng } from "../src/util/random";
import { resolveCorpusFile } from "../src/data";

const PYTHON_MS = 781;
const LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

function readConll(file: string): string[][] {
  const sentences: string[][] = [];
  let cur: string[] = [];
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    if (!line.trim() || cols[0] === "-DOCSTART-") {
      if (cur.length) sentences.push(cur);
      cur = [];
      continue;
    }
    cur.push(cols[cols.length - 1]);
  }
  if (cur.length) sentences.push(cur);
  return sentences;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(fn: () => void, runs: number): number[] {
  for (let k = 0; k < 3; k++) fn(); // warm up the JIT
  const out: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function main(): Promise<void> {
  const file = process.argv[2] ?? (await resolveCorpusFile("conll2003", "test")).path;
  const yTrue = readConll(file);
  const rng = new Rng(2003);
  const yPred = yTrue.map((s) => s.map((tag) => (rng.next() < 0.05 ? LABELS[rng.int(LABELS.length)] : tag)));
  const tokens = yTrue.reduce((n, s) => n + s.length, 0);
  const quiet = { onWarning: () => undefined };
  const runs = 30;

  const reportAndF1 = time(() => {
    classificationReport(yTrue, yPred, { digits: 4, ...quiet });
    f1Score(yTrue, yPred, quiet);
  }, runs);
  const strict = time(() => {
    classificationReport(yTrue, yPred, { digits: 4, mode: "strict", scheme: "IOB2", ...quiet });
    f1Score(yTrue, yPred, { mode: "strict", scheme: "IOB2", ...quiet });
  }, runs);
  const label2id = new Map(LABELS.map((l, k) => [l, k]));
  const ids = (y: string[][]) => y.map((s) => s.map((t) => label2id.get(t)!));
  const predIds = ids(yPred);
  const goldIds = ids(yTrue);
  const compute = time(() => computeMetrics(predIds, goldIds, LABELS, quiet), runs);

  const f1 = f1Score(yTrue, yPred, quiet);
  const ours = median(reportAndF1);
  console.log(
    `seqeval on CoNLL-2003 test: ${yTrue.length} sentences, ${tokens} tokens, 5% corrupted predictions (seed 2003), micro F1 ${f1.toFixed(4)}`,
  );
  console.log(`median of ${runs} runs after 3 warm-up runs, Node ${process.version}`);
  console.log("");
  const rows: [string, string, string, string][] = [
    ["task", "ours (ms)", "Python seqeval 1.2.2 (ms)", "speed-up"],
    ["report(digits=4) + f1, default mode", ours.toFixed(2), String(PYTHON_MS), `${(PYTHON_MS / ours).toFixed(1)}x`],
    ["report(digits=4) + f1, strict IOB2", median(strict).toFixed(2), "-", "-"],
    ["computeMetrics (ids -> report + accuracy)", median(compute).toFixed(2), "-", "-"],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [k, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
    if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
  console.log("");
  console.log(`target >= 10x faster than Python: ${PYTHON_MS / ours >= 10 ? "met" : "NOT met"}`);
}

main().catch((err: unknown) => {
  console.error(`bench/seqeval: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
