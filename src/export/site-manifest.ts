/**
 * site.json: what the exported page loads besides the weights — written by `ner export web`,
 * read by the page. Plain data, shared by both sides so they cannot drift.
 */
import type { AggregationStrategy } from "../pipeline/types";
import type { TokenizerSettings } from "./web-tokenizer";

export const SITE_MANIFEST_FILE = "site.json";

/** The run card shown on the page (from the model's run_card.json / metrics.json when present). */
export interface SiteRunCard {
  model: string;
  data?: string;
  f1?: number;
  date?: string;
  parameters?: number;
}

export interface SiteManifest {
  /** Format version of this file. */
  version: 1;
  /** Files of the site, relative to index.html. */
  files: { config: string; weights: string; tokenizer: string; tokenizerConfig: string };
  /** "F32" or "F16": how the weights are stored (the page computes in float32 either way). */
  weightsDtype: "F32" | "F16";
  tokenizer: TokenizerSettings;
  runCard: SiteRunCard;
  examples: string[];
  /** Where the examples came from ("mit_restaurant:test", "built-in", a file). */
  examplesSource: string;
  aggregationStrategy: AggregationStrategy;
}

/**
 * The wasm binaries of @tensorflow/tfjs-backend-wasm the site carries (beside index.html: a save is one flat folder).
 */
export const WASM_FILES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
] as const;
export const BUNDLE_FILE = "ner-web.js";
