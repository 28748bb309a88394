/**
 * `npm run bench -- main-job`: the main job end to end, ours against its transformers + torch twin,
 * back to back in one invocation. Ours is `npm start`'s command (`node bin/ner.js train` with the job
 * defaults) writing to a scratch folder; the twin is bench/main_job_twin.py with as many torch threads
 * as our BLAS uses. Both are timed as whole processes (start-up, data, training, per-epoch evaluation,
 * save); ratio = twin's wall time / ours (> 1: we are faster).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadNativeBlas } from "../src/backend/native";
import { findPeer } from "./peer";

export interface MainJobOptions {
  json?: boolean;
  python?: string;
  peerInstall: boolean;
  pipArgs: string;
  threads?: string;
  twin: boolean;
  maxSteps?: string;
}

/** The `--json` line (the first six keys are the contract). */
export interface MainJobRecord {
  bench: "main-job";
  ours_s: number | null;
  twin_s: number | null;
  ours_f1: number | null;
  twin_f1: number | null;
  ratio: number | null;
  backend?: string;
  /** The training loops alone (start-up, data, evaluation and saving excluded): run_card / the twin's own clock. */
  ours_train_s?: number;
  twin_train_s?: number;
  twin_peer?: string;
  twin_threads?: number;
  openblas_coretype: string;
  load_1m: number;
  twin_error?: string;
}

const ROOT = path.join(__dirname, "..");
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Our job in a child process; its F1 and backend from the run card it writes. */
function runOurs(outDir: string, maxSteps: number | undefined, log: (s: string) => void) {
  const args = [path.join(ROOT, "bin", "ner.js"), "train", "--output", outDir, "--progress", "none"];
  if (maxSteps !== undefined) args.push("--max-steps", String(maxSteps));
  log(`[bench] ours: node ${args.map((a) => path.relative(ROOT, a) || a).join(" ")}`);
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 3 * 3600_000,
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (res.error || res.status !== 0) {
    const last = (res.stderr || res.error?.message || "").trim().split("\n").slice(-3).join(" | ");
    throw new Error(`our main job failed (exit ${res.status}): ${last}`);
  }
  const card = JSON.parse(fs.readFileSync(path.join(outDir, "run_card.json"), "utf8")) as {
    eval_f1: number | null;
    backend: string;
    train_runtime_seconds?: number;
  };
  return { seconds, f1: card.eval_f1, backend: card.backend, trainSeconds: card.train_runtime_seconds };
}

function runTwin(python: string, threads: number, maxSteps: number | undefined, log: (s: string) => void) {
  const script = path.join(__dirname, "main_job_twin.py");
  const args = [
    script,
    "--threads",
    String(threads),
    ...(maxSteps !== undefined ? ["--max-steps", String(maxSteps), "--epochs", "1"] : []),
  ];
  log(`[bench] twin: ${python} bench/main_job_twin.py ${args.slice(1).join(" ")}`);
  const n = String(threads);
  const t0 = performance.now();
  const res = spawnSync(python, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 3 * 3600_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (res.error || res.status !== 0) {
    throw new Error(
      `twin failed (exit ${res.status}): ${(res.stderr || res.error?.message || "").trim().split("\n").pop()}`,
    );
  }
  const out = JSON.parse(res.stdout.trim().split("\n").pop() ?? "") as {
    f1: number;
    train_s: number;
    torch: string;
    transformers: string;
    threads: number;
  };
  return { seconds, ...out };
}

export async function runMainJob(opts: MainJobOptions): Promise<MainJobRecord> {
  const log = (s: string) => process.stderr.write(s + "\n");
  const maxSteps = opts.maxSteps !== undefined ? positiveInt("--max-steps", opts.maxSteps) : undefined;
  const blas = loadNativeBlas().addon?.info();
  const threads = opts.threads
    ? positiveInt("--threads", opts.threads)
    : blas && blas.threads > 0
      ? blas.threads
      : os.availableParallelism();
  const peer = opts.twin
    ? findPeer({ python: opts.python, install: opts.peerInstall, pipArgs: opts.pipArgs, log })
    : undefined;
  const rec: MainJobRecord = {
    bench: "main-job",
    ours_s: null,
    twin_s: null,
    ours_f1: null,
    twin_f1: null,
    ratio: null,
    openblas_coretype: process.env.OPENBLAS_CORETYPE ?? "unset",
    load_1m: 0,
  };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ner-bench-main-job-"));
  try {
    const ours = runOurs(path.join(scratch, "ours"), maxSteps, log);
    Object.assign(rec, {
      ours_s: round(ours.seconds, 2),
      ours_f1: ours.f1 === null ? null : round(ours.f1, 4),
      backend: ours.backend,
    });
    if (typeof ours.trainSeconds === "number") rec.ours_train_s = round(ours.trainSeconds, 1);
    log(`[bench] ours: ${ours.seconds.toFixed(1)} s, F1 ${ours.f1}, ${ours.backend}`);
    if (peer?.ok) {
      try {
        const twin = runTwin(peer.python, threads, maxSteps, log);
        Object.assign(rec, {
          twin_s: round(twin.seconds, 2),
          twin_f1: round(twin.f1, 4),
          twin_peer: `${peer.label}, transformers ${twin.transformers}`,
          twin_threads: twin.threads,
          ratio: round(twin.seconds / ours.seconds, 2),
          ...(typeof twin.train_s === "number" ? { twin_train_s: round(twin.train_s, 1) } : {}),
        });
      } catch (err) {
        rec.twin_error = (err as Error).message;
      }
    } else if (peer && !peer.ok) {
      rec.twin_error = peer.reason;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true }); // only what this run wrote
  }
  rec.load_1m = round(os.loadavg()[0], 2);
  if (opts.json) process.stdout.write(JSON.stringify(rec) + "\n");
  else process.stdout.write(formatMainJob(rec));
  if (rec.twin_error) {
    log(`[bench] twin: ${rec.twin_error}`);
    process.exitCode = 1;
  }
  return rec;
}

export function formatMainJob(r: MainJobRecord): string {
  const s = (x: number | null, d = 1) => (x === null ? "—" : x.toFixed(d));
  return [
    "",
    `main job (npm start) vs its transformers + torch twin, whole processes, OPENBLAS_CORETYPE=${r.openblas_coretype}, load ${r.load_1m.toFixed(1)}`,
    `  ours  ${s(r.ours_s).padStart(8)} s (training ${s(r.ours_train_s ?? null)} s)  F1 ${s(r.ours_f1, 4)}  ${r.backend ?? ""}`,
    `  twin  ${s(r.twin_s).padStart(8)} s (training ${s(r.twin_train_s ?? null)} s)  F1 ${s(r.twin_f1, 4)}  ` +
      `${r.twin_peer ?? r.twin_error ?? ""}${r.twin_threads ? `, ${r.twin_threads} threads` : ""}`,
    `  ratio ${s(r.ratio, 2)} (twin s / our s; > 1: we are faster)`,
    "",
  ].join("\n");
}
