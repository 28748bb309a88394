/// <reference lib="dom" />
/**
 * The exported page's entry (bundled by esbuild into ner-web.js): load the model, then tag the
 * text box as the reader types, with the selected aggregation strategy. `window.nerPage`
 * exposes the same pipeline to scripts (the browser test reads the entities it shows).
 */
import {
  AGGREGATION_STRATEGIES,
  type AggregationStrategy,
  type EncodedWindow,
  type PipelineEntity,
} from "../../pipeline/types";
import type { WebTokenizer } from "../web-tokenizer";
import { renderEntitiesHtml } from "../../viz/entities";
import { initPageBackend, loadSite } from "./load";

interface PageApi {
  /** Resolves when the model is loaded (or rejects with the reason shown on the page). */
  ready: Promise<void>;
  predict(text: string, strategy?: AggregationStrategy): Promise<PipelineEntity[]>;
  /** The page tokenizer's encoding of `text` (ids, tokens, UTF-16 offsets; no truncation). */
  tokenize(text: string): EncodedWindow;
  /** Timings in ms since navigation start, and the backend that ran. */
  stats: Record<string, number | string>;
}

declare global {
  interface Window {
    nerPage: PageApi;
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} missing`);
  return el as T;
}

function scoreTitle(label: string, score: number | undefined): string {
  return score === undefined ? label : `${label} · score ${score.toFixed(4)}`;
}

async function start(): Promise<{ predict: PageApi["predict"]; tokenizer: WebTokenizer }> {
  const status = byId<HTMLElement>("status");
  const textBox = byId<HTMLTextAreaElement>("text");
  const examples = byId<HTMLSelectElement>("examples");
  const strategyBox = byId<HTMLSelectElement>("aggregation");
  const output = byId<HTMLElement>("entities");
  const stats = window.nerPage.stats;

  const backend = await initPageBackend(new URLSearchParams(location.search).get("backend"));
  stats.backend = backend.label;
  byId<HTMLElement>("backend").textContent = backend.label;
  status.textContent = "loading the model…";
  const { manifest, classifier, tokenizer } = await loadSite();
  stats.loadedMs = Math.round(performance.now());

  for (const s of AGGREGATION_STRATEGIES) {
    const opt = new Option(s, s, false, s === manifest.aggregationStrategy);
    strategyBox.add(opt);
  }
  const predict = async (text: string, strategy?: AggregationStrategy): Promise<PipelineEntity[]> =>
    classifier(text, { aggregationStrategy: strategy ?? (strategyBox.value as AggregationStrategy) });

  // One prediction at a time; typing during one schedules exactly one more with the latest text.
  let running = false;
  let pending = false;
  const refresh = async (): Promise<void> => {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    try {
      do {
        pending = false;
        const text = textBox.value;
        const strategy = strategyBox.value as AggregationStrategy;
        const began = performance.now();
        const entities = text.trim() === "" ? [] : await predict(text, strategy);
        const ms = performance.now() - began;
        if (stats.firstPredictionMs === undefined) stats.firstPredictionMs = Math.round(performance.now());
        output.innerHTML = renderEntitiesHtml(text, entities, {
          spanTitle: (span) => scoreTitle(span.label, span.score),
        });
        output.dataset.text = text;
        output.dataset.strategy = strategy;
        output.dataset.entities = JSON.stringify(entities);
        status.textContent = `${entities.length} entities in ${ms.toFixed(0)} ms`;
      } while (pending);
    } catch (err) {
      status.textContent = `error: ${(err as Error).message}`;
    } finally {
      running = false;
    }
  };
  textBox.addEventListener("input", () => void refresh());
  strategyBox.addEventListener("change", () => void refresh());
  examples.addEventListener("change", () => {
    if (examples.value !== "") textBox.value = examples.value;
    void refresh();
  });
  textBox.disabled = false;
  if (textBox.value === "" && manifest.examples.length > 0) {
    textBox.value = manifest.examples[0];
    examples.selectedIndex = 1;
  }
  await refresh();
  return { predict, tokenizer };
}

const stats: Record<string, number | string> = {};
let loaded: { predict: PageApi["predict"]; tokenizer: WebTokenizer } | undefined;
window.nerPage = {
  stats,
  ready: Promise.resolve(),
  predict: (text, strategy) => {
    if (!loaded) return Promise.reject(new Error("the model is not loaded yet"));
    return loaded.predict(text, strategy);
  },
  tokenize: (text) => {
    if (!loaded) throw new Error("the tokenizer is not loaded yet");
    return loaded.tokenizer.encodeTextSync(text, { truncation: false });
  },
};
window.nerPage.ready = start().then(
  (page) => {
    loaded = page;
    document.body.dataset.state = "ready";
  },
  (err: Error) => {
    document.body.dataset.state = "error";
    const status = document.getElementById("status");
    if (status) status.textContent = `error: ${err.message}`;
    throw err;
  },
);
