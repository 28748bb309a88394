/**
 * Training throughput: tokens/s of one full update (forward + backward + clip + AdamW) at batch 16,
 * for the distilbert-base configuration and the main job's small BERT, on each available backend.
 *
 *   npx tsx bench/train.ts [--seq 32] [--steps 3] [--backends wasm,cpu] [--skip-distilbert]
 *
 * Random token ids (bert-base-uncased vocabulary size), no padding, so tokens = 16 × seq.
 * Reference (NOTES.md): PyTorch 2.13 CPU, 2 threads, distilbert-base, batch 16, length 32: ≈300–320 tokens/s.
 */
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, initBackend } from "../src/backend";
import { configFromHf, defaultHfConfig, randomInit, tokenClassificationLoss } from "../src/models";
import { AdamW } from "../src/training/adamw";
import { DEFAULT_TRAIN_JOB } from "../src/training/job";
import { trainingStep } from "../src/training/step";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const seq = Number(arg("seq", "32"));
const steps = Number(arg("steps", "3"));
const batch = 16;
const labels = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [i, i === 0 ? "O" : `B-T${i}`]));
const models: { name: string; hf: Record<string, unknown> }[] = [
  {
    name: `small BERT (main job: h${DEFAULT_TRAIN_JOB.hiddenSize}, ${DEFAULT_TRAIN_JOB.layers} layers)`,
    hf: defaultHfConfig("bert", {
      hidden_size: DEFAULT_TRAIN_JOB.hiddenSize,
      num_hidden_layers: DEFAULT_TRAIN_JOB.layers,
      num_attention_heads: DEFAULT_TRAIN_JOB.heads,
      intermediate_size: DEFAULT_TRAIN_JOB.intermediateSize,
    }),
  },
  ...(process.argv.includes("--skip-distilbert") ? [] : [{ name: "distilbert-base (66M)", hf: defaultHfConfig("distilbert") }]),
];

async function measure(hf: Record<string, unknown>): Promise<{ msPerStep: number; tokensPerSecond: number }> {
  const model = randomInit(configFromHf(hf, { id2label: labels }), 1);
  const optimizer = new AdamW(model.namedWeights(), { lr: 2e-5, weightDecay: 0.01 });
  const mk = () => ({
    inputIds: tf.randomUniform([batch, seq], 1000, 30000, "int32") as tf.Tensor2D,
    attentionMask: tf.ones([batch, seq], "int32") as tf.Tensor2D,
    labels: tf.randomUniform([batch, seq], 0, 17, "int32") as tf.Tensor2D,
  });
  const b = mk();
  const step = () => trainingStep({ model, batches: [b], optimizer, lr: 2e-5, maxGradNorm: 1, lossFn: tokenClassificationLoss, dropoutSeeds: [1] });
  await step(); // warm-up (kernel compilation, optimizer state allocation)
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const ms = (performance.now() - t0) / steps;
  tf.dispose(Object.values(b));
  optimizer.dispose();
  model.dispose();
  return { msPerStep: ms, tokensPerSecond: (batch * seq * 1000) / ms };
}

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
      if (backend === "cpu" && m.hf.model_type === "distilbert") continue;
      const r = await measure(m.hf);
      rows.push([backend, m.name, String(seq), r.msPerStep.toFixed(0), r.tokensPerSecond.toFixed(0)]);
      process.stderr.write(`${backend} ${m.name}: ${r.tokensPerSecond.toFixed(0)} tokens/s\n`);
    }
  }
  const header = ["backend", "model", "seq", "ms/step", "tokens/s"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(`Training throughput, batch ${batch}, forward+backward+clip+AdamW (${steps} timed steps after 1 warm-up)`);
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
  console.log("PyTorch 2.13 CPU (2 threads), distilbert-base, batch 16, length 32: ≈300–320 tokens/s (NOTES.md)");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
