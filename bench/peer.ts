/**
 * The PyTorch peer of `npm run bench`: finds a Python with torch, runs bench/torch_peer.py on the
 * same configurations with a given number of threads, and returns its timings.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface PeerJob {
  bench: "train" | "infer";
  name: string;
  model: Record<string, unknown>;
  batch: number;
  seq: number;
  reps: number;
  num_labels: number;
}

export interface PeerResult {
  ms_per_step: number;
  min_ms: number;
  threads: number;
  torch: string;
}

export type PeerStatus = { ok: true; python: string; torch: string } | { ok: false; reason: string };

const INSTALL_HINT = "install PyTorch (Debian/Ubuntu: apt install python3-torch; elsewhere: pip install torch), pass --python <path>, or run with --no-peer";

/** Debian's python first (its python3-torch is not on a pyenv python3 that may shadow it on PATH). */
export function defaultPython(): string {
  return fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/** Is `python` there, and can it import torch? */
export function detectPeer(python: string): PeerStatus {
  const res = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 60_000 });
  if (res.error) return { ok: false, reason: `${python} not found (${res.error.message}); ${INSTALL_HINT}` };
  if (res.status !== 0) {
    const last = (res.stderr || "").trim().split("\n").pop() ?? "";
    return { ok: false, reason: `${python} cannot import torch (${last}); ${INSTALL_HINT}` };
  }
  return { ok: true, python, torch: res.stdout.trim() };
}

/**
 * Run one job in a fresh Python process (memory is returned between configurations), with torch,
 * OpenMP and OpenBLAS all limited to `threads`. OPENBLAS_CORETYPE is inherited unchanged: Debian's
 * torch multiplies through OpenBLAS too, so both sides run under the same setting.
 */
export function runPeer(python: string, job: PeerJob, threads: number, timeoutMs = 600_000): PeerResult {
  const script = path.join(__dirname, "torch_peer.py");
  const n = String(threads);
  const res = spawnSync(python, [script, "--threads", n], {
    input: JSON.stringify(job) + "\n",
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
    maxBuffer: 1 << 20,
  });
  if (res.error) throw new Error(`PyTorch peer (${script}): ${res.error.message}`);
  if (res.status !== 0) throw new Error(`PyTorch peer (${script}) exited ${res.status}: ${(res.stderr || "").trim().split("\n").pop()}`);
  const line = res.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as PeerResult;
  } catch {
    throw new Error(`PyTorch peer (${script}) printed no JSON result: ${JSON.stringify(line.slice(0, 200))}`);
  }
}
