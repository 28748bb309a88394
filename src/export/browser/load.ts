/// <reference lib="dom" />
/**
 * Loading the exported site in the page: the wasm backend (SIMD; threads when the page is
 * cross-origin isolated), the model (our src/models from config.json + safetensors) and the
 * tokenizer, then the library's own pipeline (src/pipeline/classifier) on them.
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerExtraKernels } from "../../backend/kernels";
import { loadFromTensors } from "../../models/auto";
import { configFromHf } from "../../models/config";
import { readSafetensors } from "../../models/safetensors";
import { createTokenClassifier, type TokenClassifier } from "../../pipeline/classifier";
import { SITE_MANIFEST_FILE, WASM_DIR, WASM_FILES, type SiteManifest } from "../site-manifest";
import { WebTokenizer } from "../web-tokenizer";

/** Which backend ran, in words ("wasm (SIMD, 4 threads)"). */
export interface BackendReport {
  name: string;
  label: string;
}

/** What to do when the browser will not read the site's files from file:// (Chromium). */
const FILE_URL_HELP =
  "this browser does not let a page opened from file:// read the files beside it (the model, the wasm binaries). " +
  "Serve the folder instead: npx ner export web --out <folder> --serve (127.0.0.1 only)";

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    if (location.protocol === "file:") throw new Error(FILE_URL_HELP);
    throw new Error(`cannot load ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot load ${url}: HTTP ${res.status}`);
  return res;
}

async function fetchJson<T>(url: string): Promise<T> {
  return (await (await fetchOk(url)).json()) as T;
}

/**
 * Pick the backend: `requested` (from ?backend=) or wasm. tfjs-wasm itself takes the SIMD binary
 * when the browser has SIMD and the threaded one when SharedArrayBuffer is usable, which needs
 * cross-origin isolation (the --serve server sends the COOP/COEP headers; file:// never has it).
 */
export async function initPageBackend(requested: string | null): Promise<BackendReport> {
  const wanted = requested ?? "wasm";
  if (wanted === "wasm") {
    const base = new URL(`${WASM_DIR}/`, location.href).href;
    setWasmPaths(Object.fromEntries(WASM_FILES.map((f) => [f, base + f])));
  }
  if (!(await tf.setBackend(wanted))) {
    if (location.protocol === "file:") throw new Error(FILE_URL_HELP);
    throw new Error(`backend ${wanted} could not start in this browser`);
  }
  await tf.ready();
  registerExtraKernels();
  if (wanted !== "wasm") return { name: wanted, label: wanted };
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threaded = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  const count = threaded ? getThreadsCount() : 1;
  const parts = [simd ? "SIMD" : "no SIMD", `${count} thread${count === 1 ? "" : "s"}`];
  if (!threaded)
    parts.push(globalThis.crossOriginIsolated ? "no wasm threads in this browser" : "not cross-origin isolated");
  return { name: "wasm", label: `wasm (${parts.join(", ")})` };
}

/** The site's manifest, model and tokenizer as a pipeline. */
export async function loadSite(): Promise<{
  manifest: SiteManifest;
  classifier: TokenClassifier;
  tokenizer: WebTokenizer;
}> {
  const manifest = await fetchJson<SiteManifest>(SITE_MANIFEST_FILE);
  const [configJson, tokenizerJson, tokenizerConfig, weights] = await Promise.all([
    fetchJson<Record<string, unknown>>(manifest.files.config),
    fetchJson<Record<string, unknown>>(manifest.files.tokenizer),
    fetchJson<Record<string, unknown>>(manifest.files.tokenizerConfig),
    fetchOk(manifest.files.weights).then(async (r) => new Uint8Array(await r.arrayBuffer())),
  ]);
  const config = configFromHf(configJson, {}, manifest.files.config);
  const { tensors } = readSafetensors(weights, manifest.files.weights);
  const model = loadFromTensors(config, tensors, { source: manifest.files.weights, log: (m) => console.warn(m) });
  const tokenizer = new WebTokenizer(tokenizerJson, tokenizerConfig, manifest.tokenizer);
  const classifier = createTokenClassifier(
    model,
    tokenizer,
    { aggregationStrategy: manifest.aggregationStrategy },
    true,
  );
  return { manifest, classifier, tokenizer };
}
