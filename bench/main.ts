/**
 * `npm run bench -- train|infer [options]`: ms per step, tokens/s and peak memory of one full
 * training update (the library's trainingStep: forward + backward + clip 1.0 + AdamW) or one
 * inference pass, for distilbert-base and bert-base at batch 16 × 32/64 and the main job's model,
 * beside a PyTorch peer (bench/torch_peer.py) run in the same invocation with as many threads as
 * our BLAS uses. ratio = PyTorch's time / ours (> 1: we are faster).
 *
 * A table by default; with --json, stdout carries only JSON lines (one per configuration) and
 * progress goes to stderr. Random weights and a fixed full batch (no padding): tokens = batch × seq.
 */
import { Command, Option } from "commander";
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { startBackend, type BackendSummary } from "../src/cli/commands/env";
import { BENCH_MODELS, benchConfig, forwardFlops, hfConfigOf, numLabelsOf, type BenchModel } from "./configs";
import { kernelProfile, measure, type BenchKind } from "./measure";
import { defaultPipArgs, findPeer, runPeer, type PeerStatus } from "./peer";
import { runMainJob } from "./main-job";
import { sgemmPeak } from "./sgemm-peak";

interface BenchOptions {
  json?: boolean;
  models: string;
  seqs?: string;
  batch: string;
  reps: string;
  backends?: string;
  peer: boolean;
  peerThreads?: string;
  python?: string;
  peerInstall: boolean;
  pipArgs: string;
  profile?: boolean;
}

/** One output line: the contract of `npm run bench -- … --json`. */
export interface BenchRecord {
  bench: BenchKind;
  model: BenchModel;
  batch: number;
  seq: number;
  ms_per_step: number | null;
  tokens_per_s: number | null;
  peak_mb: number | null;
  backend: string;
  min_ms?: number;
  reps: number;
  gflops?: number;
  /** OpenBLAS sgemm on 1024×768 @ 768×3072 measured in the same run (the native tier only). */
  sgemm_peak_gflops?: number;
  blas_threads?: number;
  openblas_coretype: string;
  /** 1-minute load average when the configuration finished (the machine may be shared). */
  load_1m: number;
  peer?: string;
  peer_threads?: number;
  peer_ms_per_step?: number;
  peer_tokens_per_s?: number;
  ratio?: number;
  peer_error?: string;
  error?: string;
}

/** main-job at its training length (32); the base models at 32 and 64. */
const DEFAULT_SEQS: Record<BenchModel, number[]> = {
  "distilbert-base": [32, 64],
  "bert-base": [32, 64],
  "main-job": [32],
};

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

function parseModels(v: string): BenchModel[] {
  const names = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(BENCH_MODELS as readonly string[]).includes(n))
      throw new Error(`--models: unknown model ${JSON.stringify(n)} (expected ${BENCH_MODELS.join(", ")})`);
  }
  return names as BenchModel[];
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function run(kind: BenchKind, opts: BenchOptions): Promise<BenchRecord[]> {
  const models = parseModels(opts.models);
  const seqs = opts.seqs?.split(",").map((s) => positiveInt("--seqs", s.trim()));
  const batch = positiveInt("--batch", opts.batch);
  const reps = positiveInt("--reps", opts.reps);
  const log = (s: string) => process.stderr.write(s + "\n");
  const out = (s: string) => (opts.json ? process.stderr : process.stdout).write(s + "\n");
  let peer: PeerStatus = { ok: false, reason: "disabled (--no-peer)" };
  if (opts.peer) {
    peer = findPeer({ python: opts.python, install: opts.peerInstall, pipArgs: opts.pipArgs, log });
    if (!peer.ok) log(`[bench] PyTorch peer skipped: ${peer.reason}`);
  }
  const coretype = process.env.OPENBLAS_CORETYPE ?? "unset";
  const records: BenchRecord[] = [];
  for (const backendName of opts.backends ? opts.backends.split(",") : [undefined]) {
    let backend: BackendSummary;
    try {
      backend = await startBackend(backendName);
    } catch (err) {
      log(`[bench] backend ${backendName}: ${(err as Error).message}`);
      continue;
    }
    const peerThreads = opts.peerThreads
      ? positiveInt("--peer-threads", opts.peerThreads)
      : (backend.blas?.threads ?? os.availableParallelism());
    const peak = sgemmPeak();
    log(
      `[bench] ${kind} on ${backend.label}, OPENBLAS_CORETYPE=${coretype}${peer.ok ? `, ${peer.label} with ${peerThreads} threads` : ""}` +
        (peak === undefined ? "" : `, sgemm peak ${peak.toFixed(1)} GFLOP/s`),
    );
    for (const model of models) {
      const config = benchConfig(model);
      for (const seq of seqs ?? DEFAULT_SEQS[model]) {
        const tokens = batch * seq;
        const rec: BenchRecord = {
          bench: kind,
          model,
          batch,
          seq,
          ms_per_step: null,
          tokens_per_s: null,
          peak_mb: null,
          backend: backend.label,
          reps,
          openblas_coretype: coretype,
          load_1m: 0,
          ...(backend.blas ? { blas_threads: backend.blas.threads } : {}),
          ...(peak === undefined ? {} : { sgemm_peak_gflops: round(peak) }),
        };
        log(`[bench] ${kind} ${model} ${batch}×${seq} …`);
        try {
          const before = tf.memory().numTensors;
          const m = await measure(kind, config, batch, seq, reps);
          if (tf.memory().numTensors !== before) throw new Error(`${tf.memory().numTensors - before} tensors leaked`);
          const flops = forwardFlops(config, batch, seq) * (kind === "train" ? 3 : 1);
          Object.assign(rec, {
            ms_per_step: round(m.msPerStep),
            min_ms: round(m.minMs),
            tokens_per_s: round((tokens * 1000) / m.msPerStep),
            peak_mb: round(m.peakMb),
            gflops: round(flops / m.msPerStep / 1e6),
          });
        } catch (err) {
          rec.error = (err as Error).message.split("\n")[0];
        }
        if (opts.profile && rec.error === undefined) {
          const bd = await kernelProfile(kind, config, batch, seq);
          out(`\n${backend.label} ${kind} ${model} ${batch}×${seq}: kernel time (ms)`);
          for (const [k, ms] of Object.entries(bd)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 16))
            out(`  ${k.padEnd(40)} ${ms.toFixed(1)}`);
        }
        if (peer.ok) {
          try {
            const p = runPeer(
              peer.python,
              { bench: kind, name: model, model: hfConfigOf(model), batch, seq, reps, num_labels: numLabelsOf(model) },
              peerThreads,
            );
            Object.assign(rec, {
              peer: peer.label,
              peer_threads: p.threads,
              peer_ms_per_step: round(p.ms_per_step),
              peer_tokens_per_s: round((tokens * 1000) / p.ms_per_step),
            });
            if (rec.ms_per_step) rec.ratio = round(p.ms_per_step / rec.ms_per_step, 2);
          } catch (err) {
            rec.peer_error = (err as Error).message.split("\n")[0];
          }
        }
        rec.load_1m = round(os.loadavg()[0], 2);
        records.push(rec);
        if (opts.json) process.stdout.write(JSON.stringify(rec) + "\n");
      }
    }
  }
  if (!opts.json) process.stdout.write(formatTable(records));
  if (records.length === 0) throw new Error("no backend could be started");
  if (records.some((r) => r.error)) process.exitCode = 1;
  return records;
}

export function formatTable(records: BenchRecord[]): string {
  const header = [
    "bench",
    "model",
    "batch×seq",
    "backend",
    "ms/step",
    "tokens/s",
    "GFLOP/s",
    "peak MB",
    "torch ms",
    "torch tok/s",
    "ratio",
    "load",
  ];
  const num = (x: number | null | undefined, d = 0) => (x === null || x === undefined ? "—" : x.toFixed(d));
  const rows = records.map((r) => [
    r.bench,
    r.model,
    `${r.batch}×${r.seq}`,
    r.backend,
    r.error ? `error: ${r.error}` : num(r.ms_per_step),
    num(r.tokens_per_s),
    num(r.gflops, 1),
    num(r.peak_mb),
    r.peer_error ? "error" : num(r.peer_ms_per_step),
    num(r.peer_tokens_per_s),
    num(r.ratio, 2),
    num(r.load_1m, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const first = records[0];
  const notes = [
    "",
    `ms/step: median of ${first?.reps ?? "?"} steps after a warm-up; ratio = PyTorch ms / our ms (> 1: faster than PyTorch); load: 1-minute load average; OPENBLAS_CORETYPE=${first?.openblas_coretype ?? "?"}` +
      (first?.peer_threads ? `; PyTorch (${first.peer}) on ${first.peer_threads} threads` : ""),
  ];
  if (first?.sgemm_peak_gflops)
    notes.push(
      `GFLOP/s: matmul FLOPs per second of the whole step; sgemm peak in this run: ${first.sgemm_peak_gflops.toFixed(1)} GFLOP/s (1024×768 @ 768×3072)`,
    );
  for (const r of records)
    if (r.peer_error) notes.push(`PyTorch peer failed for ${r.model} ${r.batch}×${r.seq}: ${r.peer_error}`);
  return ["", line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), ...notes].join("\n") + "\n";
}

export function buildBenchProgram(): Command {
  const program = new Command("bench").description(
    "training and inference speed beside a PyTorch peer (npm run bench -- train|infer|main-job)",
  );
  for (const kind of ["train", "infer"] as const) {
    program
      .command(kind)
      .description(
        kind === "train"
          ? "one full update: forward + backward + clip 1.0 + AdamW (the library's trainingStep)"
          : "one eval-mode forward pass, logits read back",
      )
      .option("--json", "only JSON lines on stdout, one per configuration (progress on stderr)")
      .option("--models <list>", `comma list of ${BENCH_MODELS.join(", ")}`, "main-job,distilbert-base,bert-base")
      .option("--seqs <list>", "sequence lengths for every model (default: main-job 32; base models 32,64)")
      .option("--batch <n>", "batch size", "16")
      .option("--reps <n>", "timed steps per configuration (after one warm-up)", "3")
      .option("--backends <list>", "run each of these backends in turn (default: NER_BACKEND or the best available)")
      .option("--no-peer", "skip the PyTorch peer")
      .option("--peer-threads <n>", "PyTorch threads (default: our BLAS threads, else the number of CPUs)")
      .option(
        "--python <path>",
        "Python with torch for the peer (default: the bench's venv with torch 2.x, created on first use)",
      )
      .option("--no-peer-install", "do not create the peer venv with pip (fall back to Debian's python3-torch)")
      .addOption(new Option("--pip-args <args>", "pip arguments for creating the peer venv").default(defaultPipArgs()))
      .option("--profile", "also print the kernel-time breakdown of one step (stderr with --json)")
      .action(async (opts: BenchOptions) => {
        await run(kind, opts);
      });
  }
  program
    .command("main-job")
    .description(
      "`npm start`'s training and its transformers + torch twin (bench/main_job_twin.py), back to back: wall time and F1",
    )
    .option(
      "--json",
      'print only {"bench":"main-job","ours_s","twin_s","ours_f1","twin_f1","ratio"} (+ details) on stdout',
    )
    .option("--python <path>", "Python with torch 2.x and transformers for the twin (default: the bench's venv)")
    .option("--no-peer-install", "do not create the peer venv with pip")
    .addOption(new Option("--pip-args <args>", "pip arguments for creating the peer venv").default(defaultPipArgs()))
    .option("--threads <n>", "torch threads for the twin (default: our BLAS threads, else the number of CPUs)")
    .option("--no-twin", "run ours only")
    .option("--max-steps <n>", "stop both after n updates (a smoke run; F1 then means little)")
    .action(async (opts) => {
      await runMainJob(opts);
    });
  return program;
}

if (require.main === module) {
  buildBenchProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
