/** Help text shared by the `ner` commands: the environment variables they honour, and examples. */

/**
 * The backend names `--backend` and NER_BACKEND accept, best first (src/backend's BACKEND_NAMES,
 * spelled out so that `ner --help` does not load TensorFlow.js; a test keeps the two equal).
 */
export const BACKEND_CHOICES = "tfjs-node-gpu | tfjs-node | wasm+blas | wasm | cpu";

const ENV_VARS: Record<string, string> = {
  NER_DATA_DIR: "local corpus mirror laid out <corpus>/<file> (tried before the cache and the network)",
  NER_MODELS_DIR: "local model/tokenizer mirror laid out <repo-name>/<file> (tried before the Hub cache)",
  NER_CACHE_DIR: "download cache (default $XDG_CACHE_HOME/ner-notebooks or ~/.cache/ner-notebooks)",
  NER_OFFLINE: "=1: never touch the network; a missing file is an error naming what to set",
  NER_BACKEND: `${BACKEND_CHOICES} (default: the best one installed; wasm+blas = wasm with native BLAS products)`,
  NER_DEBUG: "=1: print stack traces with errors",
};

/** Variables a command that loads models (and runs tfjs) depends on. */
export const MODEL_ENV = ["NER_MODELS_DIR", "NER_CACHE_DIR", "NER_OFFLINE", "NER_BACKEND", "NER_DEBUG"];
/** Variables a command that reads corpora depends on. */
export const DATA_ENV = ["NER_DATA_DIR", "NER_CACHE_DIR", "NER_OFFLINE", "NER_DEBUG"];

/** An "Environment:" help section listing the given variables. */
export function environmentHelp(names: readonly string[] = Object.keys(ENV_VARS)): string {
  const lines = names.map((n) => {
    const desc = ENV_VARS[n];
    if (desc === undefined) throw new Error(`undocumented environment variable ${n}`);
    return `  ${n.padEnd(15)} ${desc}`;
  });
  return `\nEnvironment:\n${lines.join("\n")}`;
}

/** "Examples:" and "Environment:" sections for `addHelpText("after", ...)`. */
export function helpAfter(examples: readonly string[], env: readonly string[]): string {
  const text = `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}`;
  return env.length > 0 ? `${text}\n${environmentHelp(env)}` : text;
}
