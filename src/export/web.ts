/**
 * `ner export web`: a trained model as a static site that runs it in the reader's browser —
 * index.html, site.json, config.json, model.safetensors (float32, or fp16 on request), the
 * tokenizer files, the page's script and TensorFlow.js's wasm binaries, all in one flat folder.
 * Saved as `ner train` saves its model (src/training/checkpoint saveIntoOutputDir): under the
 * folder's lock, each file staged and renamed in on its own, the completion marker last; the
 * folder itself (a mount point, a symlink's target) and the user's other files are left alone.
 */
import * as fs from "fs";
import * as path from "path";
import { resolveModelFile } from "../hub/resolve";
import { configFromHf, readHfConfigFile } from "../models/config";
import { encodeSafetensors, type CheckpointTensor, type RawTensorData, type TensorData } from "../models/safetensors";
import { readWeightFiles, resolveWeightFiles, WEIGHT_FILE_NAMES } from "../models/weightFiles";
import type { AggregationStrategy } from "../pipeline/types";
import { NerTokenizer } from "../tokenization/tokenizer";
import { LOCK_FILE } from "../util/lock";
import {
  assertCompleteSave,
  lockOutputDir,
  resolveOutputDir,
  SAVE_MARKER,
  saveIntoOutputDir,
} from "../training/checkpoint";
import { readJsonFileBounded } from "../util/files";
import { builtInExamples, corpusExamples, EXAMPLE_COUNT } from "./examples";
import { buildBrowserBundle } from "./bundle";
import { toHalfBytes } from "./fp16";
import { pageHtml } from "./page-html";
import { BUNDLE_FILE, SITE_MANIFEST_FILE, WASM_FILES, type SiteManifest, type SiteRunCard } from "./site-manifest";
import { tokenizerSettings } from "./tokenizer-settings";

export interface ExportWebOptions {
  /** Model directory or hub name (config.json, weights, tokenizer files). */
  model: string;
  /**
   * The site folder to write: new, empty, or a previous export (whose files are replaced; other files are
   * kept). A non-empty folder that is not an export is refused.
   */
  out: string;
  /** Store the weights as fp16 (half the size; the page computes in float32). */
  fp16?: boolean;
  /** Example texts (default: from the run card's eval data, else built-in). */
  examples?: string[];
  /** Run-card fields to show instead of (or besides) what run_card.json / metrics.json say. */
  runCard?: Partial<SiteRunCard>;
  /** The page's initial aggregation strategy (default "simple", as `ner predict`). */
  aggregationStrategy?: AggregationStrategy;
  /** Where progress messages go (default: nowhere). */
  log?: (message: string) => void;
}

export interface ExportWebResult {
  out: string;
  /** Bytes of each file written, by name (the folder is flat), the completion marker included. */
  files: Record<string, number>;
  totalBytes: number;
  weightsDtype: "F32" | "F16";
}

/** The run card of a `ner train` output (run_card.json, metrics.json), or just the model's name. */
function readRunCard(
  modelDir: string | null,
  model: string,
  parameters: number,
): { card: SiteRunCard; evalData?: string; labels?: string[] } {
  const card: SiteRunCard = { model: path.basename(path.resolve(model)), parameters };
  if (modelDir === null) return { card: { ...card, model } };
  const read = (file: string): Record<string, unknown> | undefined => {
    const p = path.join(modelDir, file);
    if (!fs.existsSync(p)) return undefined;
    // regular file, size-capped, content never echoed
    return readJsonFileBounded(p, "run record") as Record<string, unknown>;
  };
  const rc = read("run_card.json");
  const metrics = read("metrics.json");
  const data = rc?.data as { eval?: string; spec?: string } | undefined;
  const modelInfo = rc?.model as { kind?: string } | undefined;
  if (modelInfo?.kind) card.model = `${card.model} (${modelInfo.kind})`;
  if (data?.spec) card.data = data.eval ? `${data.spec} (eval: ${data.eval})` : data.spec;
  const f1 = rc?.eval_f1 ?? metrics?.eval_f1;
  if (typeof f1 === "number") card.f1 = f1;
  const created = rc?.created;
  card.date =
    typeof created === "string" ? created.slice(0, 10) : fs.statSync(modelDir).mtime.toISOString().slice(0, 10);
  return { card, evalData: data?.eval };
}

/** The checkpoint's tensors as a safetensors file, float tensors in F32 or F16. */
function weightsFile(tensors: Map<string, CheckpointTensor>, fp16: boolean): Uint8Array {
  const out = new Map<string, TensorData | RawTensorData>();
  for (const [name, t] of tensors) {
    const isFloat = t.dtype === "F32" || t.dtype === "F16" || t.dtype === "BF16" || t.dtype === "F64";
    if (!isFloat) out.set(name, { shape: t.shape, dtype: t.dtype, bytes: t.rawBytes() });
    else if (fp16) out.set(name, { shape: t.shape, dtype: "F16", bytes: toHalfBytes(t.toFloat32()) });
    else out.set(name, { shape: t.shape, data: t.toFloat32() });
  }
  return encodeSafetensors(out, { format: "pt", exported_by: "ner export web" });
}

/** Names this module's save machinery leaves in a folder while it works (the lock, a staging folder). */
function isOurHousekeeping(name: string): boolean {
  return name === LOCK_FILE || name === `${LOCK_FILE}.break` || name.startsWith(".ner-save.tmp-");
}

/** Refuse a non-empty folder that is not a previous export (no site.json): it is somebody else's. */
function checkTarget(out: string, what: string): void {
  if (!fs.existsSync(out)) return;
  const entries = fs.readdirSync(out).filter((n) => !isOurHousekeeping(n));
  if (entries.length > 0 && !entries.includes(SITE_MANIFEST_FILE)) {
    throw new Error(
      `${what} is a non-empty folder that is not a previous export (no ${SITE_MANIFEST_FILE}); ` +
        "choose a new folder",
    );
  }
}

/** The topmost folder of `dir` that does not exist yet (what a failed export removes again), or null. */
function firstMissingFolder(dir: string): string | null {
  let missing: string | null = null;
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing = d;
  return missing;
}

/** Remove the folders this export created, from `dir` up to `top`, while they are empty. */
function removeEmptyFolders(dir: string, top: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d); // only an empty folder
    } catch {
      return;
    }
    if (d === top) return;
  }
}

/** Write the site; see {@link ExportWebOptions}. */
export async function exportWebSite(opts: ExportWebOptions): Promise<ExportWebResult> {
  const what = `--out ${opts.out}`;
  assertCompleteSave(opts.model); // a local model whose save was cut short is named, not exported
  // A symlink is followed; the filesystem root, the home folder and a file are refused.
  const out = resolveOutputDir(opts.out, what);
  checkTarget(out, what);
  const created = firstMissingFolder(out);
  // One writer per folder (another export, or a ner train): refused at once, naming the holder.
  const release = lockOutputDir(out, what);
  try {
    checkTarget(out, what); // again under the lock, after an interrupted save was finished
    return await exportLocked(opts, out);
  } finally {
    release();
    if (created !== null) removeEmptyFolders(out, created); // a failed export into a new folder leaves none
  }
}

async function exportLocked(opts: ExportWebOptions, out: string): Promise<ExportWebResult> {
  const log = opts.log ?? (() => undefined);
  const configPath = (await resolveModelFile(opts.model, "config.json"))!;
  const rawConfig = readHfConfigFile(configPath, opts.model);
  const config = configFromHf(rawConfig, {}, configPath); // validates before anything is written
  const weights = await resolveWeightFiles(opts.model);
  if (weights === null) throw new Error(`${opts.model}: no weights found (looked for ${WEIGHT_FILE_NAMES.join(", ")})`);
  const tensors = readWeightFiles(weights);
  const parameters = [...tensors.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const tokenizer = await NerTokenizer.fromPretrained(opts.model);
  const modelDir = fs.existsSync(opts.model) && fs.statSync(opts.model).isDirectory() ? opts.model : null;
  const { card, evalData } = readRunCard(modelDir, opts.model, parameters);

  let examples = opts.examples;
  let examplesSource = "your examples";
  if (!examples && evalData) {
    try {
      examples = await corpusExamples(evalData, EXAMPLE_COUNT);
      examplesSource = `from ${evalData}`;
    } catch (err) {
      log(`examples: ${evalData} could not be read (${(err as Error).message}); using built-in examples`);
    }
  }
  if (!examples || examples.length === 0) {
    examples = builtInExamples(Object.values(config.id2label));
    examplesSource = "built-in examples";
  }
  const pageExamples: string[] = examples;

  log("bundling the page's script (esbuild)…");
  const bundle = await buildBrowserBundle();
  const files: Record<string, number> = {};
  const fp16 = opts.fp16 ?? false;
  await saveIntoOutputDir(out, async (dir) => {
    const write = (name: string, data: string | Uint8Array): void => {
      fs.writeFileSync(path.join(dir, name), data);
      files[name] = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    };
    const tokenizerDir = path.join(dir, ".tokenizer"); // inside the staging folder: removed with it on failure
    tokenizer.save(tokenizerDir);
    const tokenizerJsonText = fs.readFileSync(path.join(tokenizerDir, "tokenizer.json"), "utf8");
    const tokenizerJson = JSON.parse(tokenizerJsonText) as Record<string, unknown>;
    write("tokenizer.json", tokenizerJsonText);
    write("tokenizer_config.json", fs.readFileSync(path.join(tokenizerDir, "tokenizer_config.json")));
    fs.rmSync(tokenizerDir, { recursive: true, force: true });
    const manifest: SiteManifest = {
      version: 1,
      files: {
        config: "config.json",
        weights: "model.safetensors",
        tokenizer: "tokenizer.json",
        tokenizerConfig: "tokenizer_config.json",
      },
      weightsDtype: fp16 ? "F16" : "F32",
      tokenizer: tokenizerSettings(tokenizer, tokenizerJson, opts.model),
      runCard: { ...card, ...opts.runCard },
      examples: pageExamples,
      examplesSource,
      aggregationStrategy: opts.aggregationStrategy ?? "simple",
    };
    write("config.json", JSON.stringify(rawConfig, null, 2) + "\n");
    write("model.safetensors", weightsFile(tensors, fp16));
    const wasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    for (const f of WASM_FILES) write(f, fs.readFileSync(path.join(wasmDir, f)));
    write(BUNDLE_FILE, bundle);
    write(SITE_MANIFEST_FILE, JSON.stringify(manifest, null, 2) + "\n");
    write("index.html", pageHtml(manifest));
  });
  files[SAVE_MARKER] = fs.statSync(path.join(out, SAVE_MARKER)).size; // the completion marker, moved in last
  const totalBytes = Object.values(files).reduce((a, b) => a + b, 0);
  return { out, files, totalBytes, weightsDtype: fp16 ? "F16" : "F32" };
}
