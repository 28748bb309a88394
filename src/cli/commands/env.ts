/**
 * `ner env`: what this installation runs on, like `transformers env` / `spacy info`: the backend
 * ladder (the tier chosen and why the others were skipped), BLAS and threads, CUDA/cuDNN libraries
 * for tfjs-node-gpu (found on disk, never loaded), versions, caches, NER_* settings, offline state.
 * `ner env --check` runs the self-test of src/training/selftest.ts on the chosen backend.
 */
import type { Command } from "commander";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { helpAfter, MODEL_ENV } from "../help";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export interface BlasInfo {
  library: string;
  version?: string;
  threads: number;
  coretype?: string;
}

/** What runs tensors: the shape of src/backend's `backendInfo()`, filled in here when it is absent. */
export interface BackendSummary {
  name: string;
  /** e.g. "wasm+openblas (2 threads)" or "wasm". */
  label: string;
  blas?: BlasInfo;
  skipped: { name: string; reason: string }[];
}

type BackendModule = typeof import("../../backend") & { backendInfo?: () => BackendSummary | undefined };

/** Start the backend (`name`, else NER_BACKEND, else the best available) and describe it. */
export async function startBackend(name?: string): Promise<BackendSummary> {
  const backend = require("../../backend/index") as BackendModule;
  await backend.initBackend(name, { quiet: true });
  return backendSummary(name ?? (process.env.NER_BACKEND?.trim() || undefined));
}

/**
 * Describe the active backend with the whole ladder: src/backend's own reasons for the rungs it
 * tried, and for the others "not requested" (a forced backend) or "not needed" (below the chosen one).
 */
export function backendSummary(requested?: string): BackendSummary {
  const backend = require("../../backend/index") as BackendModule;
  const info = typeof backend.backendInfo === "function" ? backend.backendInfo() : undefined;
  const active = info?.name ?? backend.activeBackend();
  const base: BackendSummary = info
    ? { ...info, skipped: [...info.skipped] }
    : { name: active ?? "none", label: active ?? "none", skipped: [] };
  const ladder = [...backend.BACKEND_NAMES] as string[];
  for (const name of ladder) {
    if (name === active || base.skipped.some((s) => s.name === name)) continue;
    let reason: string;
    if (requested) reason = `not requested (${requested} was asked for)`;
    else if (active && ladder.indexOf(name) > ladder.indexOf(active))
      reason = `not needed (${active} ranks higher and started)`;
    else reason = packageProblem(name) ?? "failed to start";
    base.skipped.push({ name, reason });
  }
  base.skipped.sort((x, y) => ladder.indexOf(x.name) - ladder.indexOf(y.name));
  return base;
}

/** Why a backend's package cannot load (not installed), without loading it. */
function packageProblem(name: string): string | undefined {
  const pkg =
    name === "tfjs-node-gpu" ? "@tensorflow/tfjs-node-gpu" : name === "tfjs-node" ? "@tensorflow/tfjs-node" : undefined;
  if (!pkg) return undefined;
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    // danfojs's shim is also called @tensorflow/tfjs-node: it re-exports tfjs and has no native binding.
    if (!fs.existsSync(path.join(dir, "lib")) && !fs.existsSync(path.join(dir, "deps")))
      return `${pkg} is a shim without native bindings`;
    return undefined;
  } catch {
    return (
      `${pkg} is not installed (optional; needs ` +
      `${name === "tfjs-node-gpu" ? "CUDA 11.2 + cuDNN 8.1" : "libtensorflow"})`
    );
  }
}

export interface CudaLibrary {
  name: "libcudart" | "libcudnn";
  /** From the file name: "11.0" for libcudart.so.11.0. */
  version?: string;
  /** The real file (symlinks resolved). */
  path: string;
  /** Where it was found: LD_LIBRARY_PATH, /usr/local/cuda, ldconfig. */
  via: string[];
}

/** What tfjs-node-gpu 4.x's libtensorflow (TF 2.9) links against. */
export const TFJS_GPU_NEEDS = { libcudart: "11", libcudnn: "8" } as const;

/**
 * libcudart / libcudnn as tfjs-node-gpu's libtensorflow would find them: LD_LIBRARY_PATH,
 * /usr/local/cuda, and the ldconfig cache. Only file names are looked at; nothing is loaded.
 */
export function findCudaLibraries(env: NodeJS.ProcessEnv = process.env, ldconfigOutput?: string): CudaLibrary[] {
  const byReal = new Map<string, CudaLibrary>();
  const consider = (file: string, via: string) => {
    const m = /^(libcudart|libcudnn)\.so(?:\.(\d+(?:\.\d+)*))?$/.exec(path.basename(file));
    if (!m) return;
    let real = file;
    try {
      real = fs.realpathSync(file);
    } catch {
      return; // dangling link
    }
    const version = /\.so\.(\d+(?:\.\d+)*)$/.exec(real)?.[1] ?? m[2];
    const known = byReal.get(real);
    if (known) {
      if (!known.via.includes(via)) known.via.push(via);
    } else byReal.set(real, { name: m[1] as CudaLibrary["name"], version, path: real, via: [via] });
  };
  const dirs: [string, string][] = [];
  for (const d of (env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean)) dirs.push([d, "LD_LIBRARY_PATH"]);
  for (const d of ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib"])
    dirs.push([d, "/usr/local/cuda"]);
  for (const [dir, via] of dirs) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const e of entries) consider(path.join(dir, e), via);
  }
  const ldconfig = ldconfigOutput ?? ldconfigCache();
  for (const line of ldconfig.split("\n")) {
    const m = /=>\s*(\S+)$/.exec(line.trim());
    if (m) consider(m[1], "ldconfig");
  }
  return [...byReal.values()];
}

function ldconfigCache(): string {
  if (process.platform !== "linux") return "";
  for (const ldconfig of ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"]) {
    const res = spawnSync(ldconfig, ["-p"], { encoding: "utf8", timeout: 5000 });
    if (!res.error && res.status === 0) return res.stdout;
  }
  return "";
}

/** One line per library kind: what was found and whether tfjs-node-gpu can use it. */
export function describeCuda(libs: CudaLibrary[]): string[] {
  return (Object.keys(TFJS_GPU_NEEDS) as (keyof typeof TFJS_GPU_NEEDS)[]).map((name) => {
    const need = TFJS_GPU_NEEDS[name];
    const found = libs.filter((l) => l.name === name);
    if (found.length === 0) return `${name}: not found (tfjs-node-gpu needs ${name}.so.${need})`;
    const ok = found.some((l) => l.version?.split(".")[0] === need);
    const list = found.map((l) => `${l.version ?? "?"} at ${l.path} (${l.via.join(", ")})`).join("; ");
    return `${name}: ${list}${ok ? "" : ` — tfjs-node-gpu needs ${name}.so.${need}`}`;
  });
}

function versionOf(pkg: string): string | null {
  try {
    const file = require.resolve(`${pkg}/package.json`, { paths: [ROOT] });
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/**
 * Settings that change what runs: NER_*, the Hugging Face hub's, and the BLAS/OpenMP ones. Tokens are never printed.
 */
function settings(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const names = Object.keys(env)
    .filter((k) =>
      new RegExp(
        "^(NER_|HF_|HUGGINGFACE_|OPENBLAS_|OMP_NUM_THREADS$|TF_CPP_MIN_LOG_LEVEL$|" +
          "TF_FORCE_GPU_ALLOW_GROWTH$|NVIDIA_TF32_OVERRIDE$|CUDA_VISIBLE_DEVICES$)",
      ).test(k),
    )
    .sort();
  for (const k of names) out[k] = /TOKEN/i.test(k) ? "(set, hidden)" : env[k]!;
  return out;
}

export interface EnvReport {
  ner: string | null;
  platform: string;
  cpu: { model: string; cores: number; memory_gb: number };
  versions: Record<string, string | null>;
  backend: BackendSummary;
  cuda: CudaLibrary[];
  caches: Record<string, string | null>;
  offline: boolean;
  settings: Record<string, string>;
}

export async function collectEnv(backendName?: string): Promise<EnvReport> {
  const envMod = require("../../env") as typeof import("../../env");
  const { hubCacheDir } = require("../../hub/resolve") as typeof import("../../hub/resolve");
  const backend = await startBackend(backendName);
  const cpus = os.cpus();
  return {
    ner:
      versionOf("ner-notebooks") ??
      (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version?: string }).version ??
      null,
    platform: `${process.platform}-${process.arch} (${os.release()})`,
    cpu: {
      model: cpus[0]?.model.trim() ?? "unknown",
      cores: cpus.length,
      memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    },
    versions: {
      node: process.versions.node,
      "@tensorflow/tfjs": versionOf("@tensorflow/tfjs"),
      "@tensorflow/tfjs-backend-wasm": versionOf("@tensorflow/tfjs-backend-wasm"),
      "@tensorflow/tfjs-node-gpu": versionOf("@tensorflow/tfjs-node-gpu"),
      tokenizers: versionOf("tokenizers"),
      tslab: versionOf("tslab"),
    },
    backend,
    cuda: findCudaLibraries(),
    caches: {
      NER_CACHE_DIR: envMod.cacheDir(),
      hub_cache: hubCacheDir(),
      NER_DATA_DIR: envMod.dataDir() ?? null,
      NER_MODELS_DIR: envMod.modelsDir() ?? null,
    },
    offline: envMod.isOffline(),
    settings: settings(process.env),
  };
}

export function formatEnv(r: EnvReport): string {
  const rows: [string, string][] = [
    ["ner-notebooks", r.ner ?? "?"],
    ["platform", r.platform],
    ["cpu", `${r.cpu.model} (${r.cpu.cores} cores, ${r.cpu.memory_gb} GB)`],
    ...Object.entries(r.versions).map(([k, v]) => [k, v ?? "not installed"] as [string, string]),
    ["backend", r.backend.label],
    ...r.backend.skipped.map((s) => [`  skipped ${s.name}`, s.reason] as [string, string]),
    [
      "BLAS",
      r.backend.blas
        ? `${r.backend.blas.library}${r.backend.blas.version ? ` ${r.backend.blas.version}` : ""}, ` +
          `${r.backend.blas.threads} ` +
          `threads${r.backend.blas.coretype ? `, OPENBLAS_CORETYPE=${r.backend.blas.coretype}` : ""}`
        : "none (tensor products run in the backend itself)",
    ],
    ...describeCuda(r.cuda).map((line, i) => [i === 0 ? "CUDA libraries" : "", line] as [string, string]),
    ["cache", r.caches.NER_CACHE_DIR ?? ""],
    ["hub cache", r.caches.hub_cache ?? ""],
    ["data mirror", r.caches.NER_DATA_DIR ?? "(NER_DATA_DIR not set)"],
    ["model mirror", r.caches.NER_MODELS_DIR ?? "(NER_MODELS_DIR not set)"],
    ["offline", r.offline ? "yes (NER_OFFLINE / HF_HUB_OFFLINE)" : "no"],
    ...Object.entries(r.settings).map(([k, v]) => [k, v] as [string, string]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n") + "\n";
}

interface EnvOptions {
  json?: boolean;
  check?: boolean;
  backend?: string;
  reference?: string;
  tolerance: string;
}

async function envAction(opts: EnvOptions): Promise<void> {
  const { DEFAULT_REFERENCE, formatSelfTest, runSelfTest } =
    require("../../training/selftest") as typeof import("../../training/selftest");
  const tolerance = Number(opts.tolerance);
  if (!(tolerance > 0)) throw new Error(`--tolerance must be a positive number, got ${opts.tolerance}`);
  const report = await collectEnv(opts.backend);
  if (!opts.check) {
    process.stdout.write(opts.json ? JSON.stringify(report) + "\n" : formatEnv(report));
    return;
  }
  const result = await runSelfTest(opts.reference ?? DEFAULT_REFERENCE, tolerance);
  if (opts.json) process.stdout.write(JSON.stringify({ ...report, check: result }) + "\n");
  else process.stdout.write(formatEnv(report) + "\n" + formatSelfTest(result, report.backend.label));
  if (!result.pass) process.exitCode = 1;
}

export function register(program: Command): void {
  program
    .command("env")
    .description(
      "show the backend ladder, BLAS, CUDA libraries, versions, caches and settings; --check runs a self-test",
    )
    .option("--json", "one JSON object on stdout")
    .option(
      "--check",
      "self-test on the chosen backend: a bundled tiny model's logits against stored values, one " +
        "training step, tokens/s; exit 1 on mismatch",
    )
    .option("--backend <name>", "use this backend instead of NER_BACKEND / the best available")
    .option("--reference <dir>", "self-test checkpoint with expected.json (default: the bundled data/env-check)")
    .option(
      "--tolerance <x>",
      "largest allowed |logit difference| (GPUs with TF32: set NVIDIA_TF32_OVERRIDE=0)",
      "1e-4",
    )
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner env",
          "ner env --json",
          "ner env --check                 # PASS/FAIL, exit 1 on mismatch",
          "NER_BACKEND=tfjs-node-gpu ner env --check",
        ],
        MODEL_ENV,
      ),
    );
  // commander passes (options, command) to the action.
  program.commands[program.commands.length - 1].action((opts: EnvOptions) => envAction(opts));
}
