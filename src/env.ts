/**
 * The environment variables every tool, notebook and CI job agree on.
 * Read them through these functions (never cache at import time) so tests can set them.
 */
import * as os from "os";
import * as path from "path";

/** Local mirror of the corpora, laid out `<corpus>/<file>` like ../shared/data. */
export function dataDir(): string | undefined {
  return nonEmpty(process.env.NER_DATA_DIR);
}

/** Local mirror of model/tokenizer repos, laid out `<repo-name>/<file>` like ../shared/models. */
export function modelsDir(): string | undefined {
  return nonEmpty(process.env.NER_MODELS_DIR);
}

/** Cache for downloads: NER_CACHE_DIR, else $XDG_CACHE_HOME/ner-notebooks, else ~/.cache/ner-notebooks. */
export function cacheDir(): string {
  const explicit = nonEmpty(process.env.NER_CACHE_DIR);
  if (explicit) return path.resolve(explicit);
  const xdg = nonEmpty(process.env.XDG_CACHE_HOME) ?? path.join(os.homedir(), ".cache");
  return path.join(xdg, "ner-notebooks");
}

/** NER_OFFLINE=1 (or HF_HUB_OFFLINE=1): never touch the network. */
export function isOffline(): boolean {
  const v = (process.env.NER_OFFLINE ?? process.env.HF_HUB_OFFLINE ?? "").trim().toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}

export type Profile = "smoke" | "workshop" | "full";

/** NER_PROFILE=smoke|workshop|full (default full). */
export function profile(): Profile {
  const v = (process.env.NER_PROFILE ?? "full").trim().toLowerCase();
  if (v === "smoke" || v === "workshop" || v === "full") return v;
  throw new Error(`NER_PROFILE must be "smoke", "workshop" or "full", got ${JSON.stringify(process.env.NER_PROFILE)}`);
}

/** NER_BACKEND: tfjs-node-gpu | tfjs-node | wasm+blas | wasm | cpu, or undefined for automatic choice. */
export function requestedBackend(): string | undefined {
  return nonEmpty(process.env.NER_BACKEND);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v : undefined;
}
