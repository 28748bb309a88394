/**
 * Backend selection: the best TensorFlow.js backend available in this process.
 *
 * Ladder: tfjs-node-gpu (CUDA) → tfjs-node (libtensorflow) → wasm+blas (wasm with its matrix
 * products on a native BLAS, native/) → wasm (XNNPACK, SIMD) → cpu (pure JS).
 * `NER_BACKEND=tfjs-node-gpu|tfjs-node|wasm+blas|wasm|cpu` (or the `name` argument) forces one; asking
 * for one that is not available is an error saying why rather than a silent fallback.
 */
import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { requestedBackend } from "../env";
import { useBlasKernels } from "./blas-kernels";
import { registerExtraKernels } from "./kernels";
import { loadNativeBlas, type BlasLibraryInfo } from "./native";
import { useNativeKernels } from "./native-kernels";

/** Backend names accepted by {@link initBackend} / `NER_BACKEND`, best first. */
export const BACKEND_NAMES = ["tfjs-node-gpu", "tfjs-node", "wasm+blas", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** tfjs's own registry name for each of ours (both node packages register "tensorflow"). */
const TF_NAME: Record<BackendName, string> = {
  "tfjs-node-gpu": "tensorflow",
  "tfjs-node": "tensorflow",
  "wasm+blas": "wasm",
  wasm: "wasm",
  cpu: "cpu",
};

/** Which tier runs, for the backend line, run cards, `ner env` and benchmarks. */
export interface BackendInfo {
  name: BackendName;
  /** e.g. "wasm+openblas (2 threads)", "wasm", "tfjs-node-gpu" */
  label: string;
  blas?: { library: string; version?: string; threads: number; coretype?: string /* OPENBLAS_CORETYPE if set */ };
  /** Why each higher rung was not chosen. */
  skipped: { name: BackendName; reason: string }[];
}

let active: BackendName | undefined;
let activeInfo: BackendInfo | undefined;

/** The tier chosen by {@link initBackend}; undefined before it ran. */
export function backendInfo(): BackendInfo | undefined {
  return activeInfo;
}

/**
 * Make `name` (or NER_BACKEND, or the best available backend) the active tfjs backend and
 * return its name. Idempotent: a second call with the same (or no) request is free.
 * Logs the choice once on stderr unless `opts.quiet`.
 */
export async function initBackend(name?: string, opts: { quiet?: boolean } = {}): Promise<BackendName> {
  const wanted = name ?? requestedBackend();
  if (wanted !== undefined && !isBackendName(wanted)) {
    throw new Error(
      `Unknown backend ${JSON.stringify(wanted)} (NER_BACKEND or initBackend): expected one of ` +
        `${BACKEND_NAMES.join(", ")}`,
    );
  }
  if (active !== undefined && (wanted === undefined || wanted === active) && tf.getBackend() === TF_NAME[active]) {
    return active;
  }
  const candidates: BackendName[] = wanted ? [wanted as BackendName] : [...BACKEND_NAMES];
  const failures: string[] = [];
  const skipped: BackendInfo["skipped"] = [];
  for (const candidate of candidates) {
    const problem = await tryActivate(candidate);
    if (problem === undefined) {
      active = candidate;
      registerExtraKernels();
      activeInfo = describe(candidate, skipped);
      if (!opts.quiet && process.env.NER_QUIET_BACKEND !== "1") {
        process.stderr.write(`[ner] TensorFlow.js backend: ${activeInfo.label}${wanted ? " (requested)" : ""}\n`);
      }
      return candidate;
    }
    failures.push(`${candidate}: ${problem}`);
    skipped.push({ name: candidate, reason: problem });
  }
  if (wanted) throw new Error(`Backend "${wanted}" is not available: ${failures.join("; ")}`);
  throw new Error(`No TensorFlow.js backend could be started: ${failures.join("; ")}`);
}

/** The backend chosen by {@link initBackend}, or undefined before it ran. */
export function activeBackend(): BackendName | undefined {
  return active;
}

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

function describe(name: BackendName, skipped: BackendInfo["skipped"]): BackendInfo {
  if (name !== "wasm+blas") return { name, label: name, skipped };
  const load = loadNativeBlas();
  const lib: BlasLibraryInfo = (load.addon as NonNullable<typeof load.addon>).info();
  const coretype = process.env.OPENBLAS_CORETYPE;
  const blas = {
    library: lib.library,
    version: lib.version,
    threads: lib.threads,
    ...(lib.library === "openblas" && coretype ? { coretype } : {}),
  };
  const threads = lib.threads > 0 ? ` (${lib.threads} thread${lib.threads === 1 ? "" : "s"})` : "";
  return { name, label: `wasm+${lib.library}${threads}`, blas, skipped };
}

/** Load and activate one backend; returns undefined on success, else why it failed. */
async function tryActivate(name: BackendName): Promise<string | undefined> {
  if (name === "wasm+blas") {
    const load = loadNativeBlas();
    // The cast: tslab compiles without strictNullChecks, where this check does not narrow the union.
    if (load.addon === undefined) return `native BLAS addon ${(load as { reason: string }).reason}`;
    const problem = await tryActivate("wasm");
    if (problem !== undefined) return problem;
    useBlasKernels(load.addon);
    useNativeKernels(load.addon);
    return undefined;
  }
  if (name === "wasm") {
    useBlasKernels(undefined);
    useNativeKernels(undefined);
  }
  try {
    if (name === "tfjs-node-gpu" || name === "tfjs-node") {
      const pkg = name === "tfjs-node-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the backend package is chosen at run time
      require(pkg);
      // danfojs's shim package is also called @tensorflow/tfjs-node: real bindings register "tensorflow".
      if (tf.findBackend("tensorflow") === null && !tf.engine().registryFactory["tensorflow"]) {
        return `${pkg} is installed but registered no "tensorflow" backend (not the native bindings)`;
      }
    } else if (name === "wasm") {
      // require, not import(): under tsx's CommonJS hook import() may load the ESM build, whose
      // tfjs-core is a second engine instance that our `tf` never sees.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- wasm loads only when that tier is tried
      const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
      if (tf.findBackend("wasm") === null) {
        // Point the loader at the package's .wasm binaries explicitly (bundlers and tslab move __dirname).
        const dist =
          path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
        wasm.setWasmPaths(dist);
      }
    }
    const ok = await tf.setBackend(TF_NAME[name]);
    if (!ok) return "tf.setBackend returned false";
    await tf.ready();
    return undefined;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return msg;
  }
}
