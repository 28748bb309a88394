/**
 * Training throughput: tokens/s of one full update (forward + backward + clip + AdamW) at batch 16,
 * for the main job's small BERT and distilbert-base, on each available backend. The same
 * measurement as `npm run bench -- train` (bench/measure.ts), without the PyTorch peer.
 *
 *   npx tsx bench/train.ts [--seq 32] [--steps 3] [--backends wasm,cpu] [--skip-distilbert]
 */
import { BACKEND_NAMES, initBackend } from "../src/backend";
import { benchConfig, type BenchModel } from "./configs";
import { measure } from "./measure";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const seq = Number(arg("seq", "32"));
const steps = Number(arg("steps", "3"));
const batch = 16;
const models: BenchModel[] = [
  "main-job",
  ...(process.argv.includes("--skip-distilbert") ? [] : ["distilbert-base" as const]),
];

async function main(): Promise<void> {
  const wanted = arg("backends", BACKEND_NAMES.join(",")).split(",");
  const rows: string[][] = [];
  for (const backend of wanted) {
    try {
      await initBackend(backend, { quiet: true });
    } catch {
      continue; // not installed here
    }
    for (const m of models) {
      // The pure-JS cpu backend is ~40x slower than wasm: one step of distilbert-base takes minutes.
      if (backend === "cpu" && m !== "main-job") continue;
      const r = await measure("train", benchConfig(m), batch, seq, steps);
      const tokensPerSecond = (batch * seq * 1000) / r.msPerStep;
      rows.push([backend, m, String(seq), r.msPerStep.toFixed(0), tokensPerSecond.toFixed(0), r.peakMb.toFixed(0)]);
      process.stderr.write(`${backend} ${m}: ${tokensPerSecond.toFixed(0)} tokens/s\n`);
    }
  }
  const header = ["backend", "model", "seq", "ms/step", "tokens/s", "peak MB"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(
    `Training throughput, batch ${batch}, forward+backward+clip+AdamW (median of ${steps} timed steps after 1 warm-up)`,
  );
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
  console.log("With the PyTorch peer side by side: npm run -s bench -- train");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
