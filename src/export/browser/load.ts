/// <reference lib="dom" />
/**
 * Loading the exported site in the page: the backend (WebGPU when the browser gives an adapter,
 * else wasm: SIMD, threads when the page is cross-origin isolated), the model (our src/models from config.json +
 * safetensors) and the
 * tokenizer, then the library's own pipeline (src/pipeline/classifier) on them.
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu"; // registers the "webgpu" backend where navigator.gpu exists
import { registerExtraKernels } from "../../backend/kernels";
import { loadFromTensors } from "../../models/auto";
import { configFromHf } from "../../models/config";
import { readSafetensors } from "../../models/safetensors";
import { createTokenClassifier, type TokenClassifier } from "../../pipeline/classifier";
import { SITE_MANIFEST_FILE, WASM_FILES, type SiteManifest } from "../site-manifest";
import { backendLabel, chooseBackend, type WasmFacts, type WebGpuProbe } from "./backend-choice";
import { WebTokenizer } from "../web-tokenizer";

/** Which backend ran, and in words ("wasm (SIMD, 4 threads; no WebGPU in this browser)"). */
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

/** The part of the WebGPU API the page uses (TypeScript's DOM lib here has no WebGPU types). */
interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null>;
}

/** Whether the browser has WebGPU and gives an adapter. */
async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { api: false, adapter: false };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { api: true, adapter: false };
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture || info?.description].filter(Boolean).join(" ");
    return { api: true, adapter: true, adapterName: name || undefined };
  } catch {
    return { api: true, adapter: false };
  }
}

/** tfjs-backend-wasm's own feature tests and the thread count it chose (after it started). */
async function wasmFacts(): Promise<WasmFacts> {
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean;
  const threaded = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) as boolean;
  return {
    simd,
    threaded,
    threads: threaded ? getThreadsCount() : 1,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

/**
 * Start the backend {@link chooseBackend} picks: `requested` (from ?backend=), else WebGPU when the
 * browser gives an adapter, else wasm (also when WebGPU fails to start). tfjs-wasm itself takes
 * the SIMD binary when the browser has SIMD and the threaded one when SharedArrayBuffer is usable,
 * which needs cross-origin isolation (the --serve server sends the COOP/COEP headers; file:// never has it).
 */
export async function initPageBackend(requested: string | null): Promise<BackendReport> {
  const gpu: WebGpuProbe = requested ? { api: false, adapter: false } : await probeWebGpu();
  let choice = chooseBackend(requested, gpu);
  let started = false;
  if (choice.name === "webgpu" && !requested) {
    started = await tf.setBackend("webgpu");
    if (!started) {
      gpu.failed = "tfjs could not initialise it (see the console)";
      choice = chooseBackend(requested, gpu);
    }
  }
  if (!started) {
    if (choice.name === "wasm")
      setWasmPaths(Object.fromEntries(WASM_FILES.map((f) => [f, new URL(f, location.href).href])));
    if (!(await tf.setBackend(choice.name))) {
      if (location.protocol === "file:") throw new Error(FILE_URL_HELP);
      throw new Error(`backend ${choice.name} could not start in this browser`);
    }
  }
  await tf.ready();
  registerExtraKernels();
  const wasm = choice.name === "wasm" ? await wasmFacts() : undefined;
  return { name: choice.name, label: backendLabel(choice, { gpu, wasm }) };
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
