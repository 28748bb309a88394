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

/** `label`: what the tables print, e.g. "torch 2.13.0+cpu" or "torch 1.13.1 (Debian fallback)". */
export type PeerStatus = { ok: true; python: string; torch: string; label: string } | { ok: false; reason: string };

const INSTALL_HINT =
  "pass --python <a Python with torch 2.x> (pip install torch transformers), let the bench create its venv (needs python3 -m venv), or run with --no-peer";

/** Where the bench keeps the venv it creates for the peer (git-ignored). */
export const PEER_VENV = path.join(__dirname, "..", ".cache", "bench-venv");

/** pip's arguments for that venv: this environment's local wheel mirror when it exists, else pip's own configuration. */
export function defaultPipArgs(): string {
  return fs.existsSync("/opt/pypi/simple")
    ? "--index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple --find-links /opt/wheels"
    : "";
}

/** Is `python` there, and can it import torch? */
export function detectPeer(python: string): PeerStatus {
  const res = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (res.error) return { ok: false, reason: `${python} not found (${res.error.message}); ${INSTALL_HINT}` };
  if (res.status !== 0) {
    const last = (res.stderr || "").trim().split("\n").pop() ?? "";
    return { ok: false, reason: `${python} cannot import torch (${last}); ${INSTALL_HINT}` };
  }
  const torch = res.stdout.trim();
  return { ok: true, python, torch, label: `torch ${torch}` };
}

const major = (version: string) => Number.parseInt(version, 10);

/**
 * The peer's Python: `--python` when given (whatever its torch); else the bench's venv with torch ≥ 2
 * (created with pip on first use unless `install` is false); else Debian's python3-torch, labelled
 * as a fallback (its 1.x OpenBLAS build is much slower than the wheels people install).
 */
export function findPeer(opts: {
  python?: string;
  install: boolean;
  pipArgs: string;
  log: (s: string) => void;
}): PeerStatus {
  if (opts.python) return detectPeer(opts.python);
  const venvPython = path.join(PEER_VENV, "bin", "python");
  let why = "";
  if (!fs.existsSync(venvPython) && opts.install) why = createPeerVenv(opts.pipArgs, opts.log);
  if (fs.existsSync(venvPython)) {
    const venv = detectPeer(venvPython);
    if (venv.ok && major(venv.torch) >= 2) return venv;
    why = venv.ok ? `${PEER_VENV} has torch ${venv.torch}, not 2.x` : venv.reason;
  } else if (!opts.install) {
    why = `no ${PEER_VENV} (--no-peer-install)`;
  }
  const debian = fs.existsSync("/usr/bin/python3") ? detectPeer("/usr/bin/python3") : undefined;
  if (debian?.ok) {
    opts.log(`[bench] PyTorch 2.x peer unavailable (${why}); falling back to ${debian.label} from /usr/bin/python3`);
    return { ...debian, label: major(debian.torch) >= 2 ? debian.label : `${debian.label} (Debian fallback)` };
  }
  return { ok: false, reason: `${why}; ${INSTALL_HINT}` };
}

/** Create the peer venv (torch + transformers) in a temporary folder renamed into place; returns why not, or "". */
function createPeerVenv(pipArgs: string, log: (s: string) => void): string {
  const tmp = `${PEER_VENV}.tmp-${process.pid}`;
  const base = ["python3", "/usr/bin/python3"].find(
    (p) => spawnSync(p, ["-c", "import venv, ensurepip"], { timeout: 30_000 }).status === 0,
  );
  if (base === undefined) return "no python3 with the venv module (Debian: apt install python3-venv)";
  log(
    `[bench] creating ${PEER_VENV} with torch and transformers (pip ${pipArgs || "with its own configuration"}; once, a few minutes)`,
  );
  fs.mkdirSync(path.dirname(PEER_VENV), { recursive: true });
  const run = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { encoding: "utf8", timeout: 20 * 60_000, maxBuffer: 64 << 20 });
  let res = run(base, ["-m", "venv", tmp]);
  if (res.status === 0) {
    const pip = [
      "-m",
      "pip",
      "install",
      "--disable-pip-version-check",
      "--timeout",
      "60",
      ...pipArgs.split(/\s+/).filter(Boolean),
    ];
    res = run(path.join(tmp, "bin", "python"), [...pip, "torch>=2", "transformers>=4.40"]);
  }
  if (res.status !== 0 || res.error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const last = (res.stderr || res.error?.message || "").trim().split("\n").pop() ?? "";
    return `creating the peer venv failed: ${last.slice(0, 200)}`;
  }
  fs.renameSync(tmp, PEER_VENV);
  return "";
}

/**
 * Run one job in a fresh Python process (memory is returned between configurations), with torch,
 * OpenMP and OpenBLAS all limited to `threads`. OPENBLAS_CORETYPE is inherited unchanged (pip's torch
 * wheels multiply with their own kernels; Debian's fallback torch goes through OpenBLAS like us).
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
  if (res.status !== 0)
    throw new Error(`PyTorch peer (${script}) exited ${res.status}: ${(res.stderr || "").trim().split("\n").pop()}`);
  const line = res.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as PeerResult;
  } catch {
    throw new Error(`PyTorch peer (${script}) printed no JSON result: ${JSON.stringify(line.slice(0, 200))}`);
  }
}
