/**
 * Which tfjs backend the exported page runs, and how the page names it. Pure functions of what
 * the browser offers, so the choice is tested in Node for browsers the test machine lacks
 * (headless Chromium here has no WebGPU); src/export/browser/load.ts gathers the facts.
 */

/** What the browser said about WebGPU. */
export interface WebGpuProbe {
  /** `navigator.gpu` exists. */
  api: boolean;
  /** `navigator.gpu.requestAdapter()` gave an adapter; its description when the browser tells one. */
  adapter: boolean;
  adapterName?: string;
  /** Why tfjs's WebGPU backend failed to start on that adapter (set after a failed try). */
  failed?: string;
}

/** What tfjs-backend-wasm found (its own feature tests) and the thread count it chose. */
export interface WasmFacts {
  simd: boolean;
  /** The threaded build can run: SharedArrayBuffer is usable, which needs cross-origin isolation. */
  threaded: boolean;
  threads: number;
  crossOriginIsolated: boolean;
}

export interface BackendChoice {
  /** The tfjs backend name to start: "webgpu", "wasm", or what `?backend=` asked for. */
  name: string;
  /** Why, in words, when it is not the first choice ("no WebGPU in this browser"). */
  note?: string;
}

/**
 * `?backend=` wins; else WebGPU when the browser gives an adapter and tfjs's WebGPU backend has
 * not failed on it; else wasm, with the reason WebGPU was not used.
 */
export function chooseBackend(requested: string | null, gpu: WebGpuProbe): BackendChoice {
  if (requested) return { name: requested, note: `chosen by ?backend=${requested}` };
  if (gpu.adapter && gpu.failed === undefined) return { name: "webgpu" };
  if (!gpu.api) return { name: "wasm", note: "no WebGPU in this browser" };
  if (!gpu.adapter) return { name: "wasm", note: "WebGPU: no adapter" };
  return { name: "wasm", note: `WebGPU failed to start: ${gpu.failed}` };
}

/** The line the page shows, e.g. "wasm (SIMD, 1 thread, not cross-origin isolated; no WebGPU in this browser)". */
export function backendLabel(choice: BackendChoice, facts: { gpu: WebGpuProbe; wasm?: WasmFacts }): string {
  const note = choice.note ? `; ${choice.note}` : "";
  if (choice.name === "webgpu") {
    const adapter = facts.gpu.adapterName ?? (facts.gpu.adapter ? "adapter found" : undefined);
    const words = [adapter, choice.note].filter((w) => w !== undefined).join("; ");
    return words ? `WebGPU (${words})` : "WebGPU";
  }
  if (choice.name !== "wasm" || !facts.wasm) return `${choice.name}${choice.note ? ` (${choice.note})` : ""}`;
  const w = facts.wasm;
  const parts = [w.simd ? "SIMD" : "no SIMD", `${w.threads} thread${w.threads === 1 ? "" : "s"}`];
  if (!w.threaded) parts.push(w.crossOriginIsolated ? "no wasm threads in this browser" : "not cross-origin isolated");
  return `wasm (${parts.join(", ")}${note})`;
}
