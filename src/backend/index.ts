/**
 * Backend selection: the best TensorFlow.js backend available in this process.
 *
 * Order: tfjs-node-gpu (CUDA) → tfjs-node (libtensorflow) → wasm (XNNPACK, SIMD) → cpu (pure JS).
 * `NER_BACKEND=tfjs-node-gpu|tfjs-node|wasm|cpu` (or the `name` argument) forces one; asking for one
 * that is not installed is an error rather than a silent fallback.
 */
import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { requestedBackend } from "../env";
import { registerExtraKernels } from "./kernels";

/** Backend names accepted by {@link initBackend} / `NER_BACKEND`. */
export const BACKEND_NAMES = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** tfjs's own registry name for each of ours (both node packages register "tensorflow"). */
const TF_NAME: Record<BackendName, string> = {
  "tfjs-node-gpu": "tensorflow",
  "tfjs-node": "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
};

let active: BackendName | undefined;

/**
 * Make `name` (or NER_BACKEND, or the best available backend) the active tfjs backend and
 * return its name. Idempotent: a second call with the same (or no) request is free.
 * Logs the choice once on stderr unless `opts.quiet`.
 */
export async function initBackend(name?: string, opts: { quiet?: boolean } = {}): Promise<BackendName> {
  const wanted = name ?? requestedBackend();
  if (wanted !== undefined && !isBackendName(wanted)) {
    throw new Error(`Unknown backend ${JSON.stringify(wanted)} (NER_BACKEND or initBackend): expected one of ${BACKEND_NAMES.join(", ")}`);
  }
  if (active !== undefined && (wanted === undefined || wanted === active) && tf.getBackend() === TF_NAME[active]) {
    return active;
  }
  const candidates: BackendName[] = wanted ? [wanted as BackendName] : [...BACKEND_NAMES];
  const failures: string[] = [];
  for (const candidate of candidates) {
    const problem = await tryActivate(candidate);
    if (problem === undefined) {
      active = candidate;
      registerExtraKernels();
      if (!opts.quiet && process.env.NER_QUIET_BACKEND !== "1") {
        process.stderr.write(`[ner] TensorFlow.js backend: ${candidate}${wanted ? " (requested)" : ""}\n`);
      }
      return candidate;
    }
    failures.push(`${candidate}: ${problem}`);
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

/** Load and activate one backend; returns undefined on success, else why it failed. */
async function tryActivate(name: BackendName): Promise<string | undefined> {
  try {
    if (name === "tfjs-node-gpu" || name === "tfjs-node") {
      const pkg = name === "tfjs-node-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      require(pkg);
      // danfojs's shim package is also called @tensorflow/tfjs-node: real bindings register "tensorflow".
      if (tf.findBackend("tensorflow") === null && !tf.engine().registryFactory["tensorflow"]) {
        return `${pkg} is installed but registered no "tensorflow" backend (not the native bindings)`;
      }
    } else if (name === "wasm") {
      // require, not import(): under tsx's CommonJS hook import() may load the ESM build, whose
      // tfjs-core is a second engine instance that our `tf` never sees.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
      if (tf.findBackend("wasm") === null) {
        // Point the loader at the package's .wasm binaries explicitly (bundlers and tslab move __dirname).
        const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
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
