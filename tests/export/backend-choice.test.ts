/**
 * The exported page's backend choice (src/export/browser/backend-choice.ts) for browsers the test
 * machine does not have: WebGPU with an adapter, WebGPU without one, WebGPU failing to start, no
 * WebGPU at all, and ?backend= forcing one. The real page (headless Chromium, no WebGPU) is
 * checked in web-page.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { backendLabel, chooseBackend, type WasmFacts, type WebGpuProbe } from "../../src/export/browser/backend-choice";

const ISOLATED: WasmFacts = { simd: true, threaded: true, threads: 4, crossOriginIsolated: true };
const NOT_ISOLATED: WasmFacts = { simd: true, threaded: false, threads: 1, crossOriginIsolated: false };

function pick(requested: string | null, gpu: WebGpuProbe, wasm?: WasmFacts): [string, string] {
  const choice = chooseBackend(requested, gpu);
  return [choice.name, backendLabel(choice, { gpu, wasm: choice.name === "wasm" ? wasm : undefined })];
}

test("WebGPU when the browser gives an adapter, named on the page", () => {
  assert.deepEqual(pick(null, { api: true, adapter: true, adapterName: "nvidia hopper" }), [
    "webgpu",
    "WebGPU (nvidia hopper)",
  ]);
  assert.deepEqual(pick(null, { api: true, adapter: true }), ["webgpu", "WebGPU (adapter found)"]);
});

test("wasm otherwise, saying why WebGPU was not used and which wasm build ran", () => {
  assert.deepEqual(pick(null, { api: false, adapter: false }, NOT_ISOLATED), [
    "wasm",
    "wasm (SIMD, 1 thread, not cross-origin isolated; no WebGPU in this browser)",
  ]);
  assert.deepEqual(pick(null, { api: true, adapter: false }, ISOLATED), [
    "wasm",
    "wasm (SIMD, 4 threads; WebGPU: no adapter)",
  ]);
  const failed = { api: true, adapter: true, failed: "tfjs could not initialise it (see the console)" };
  assert.deepEqual(pick(null, failed, ISOLATED), [
    "wasm",
    "wasm (SIMD, 4 threads; WebGPU failed to start: tfjs could not initialise it (see the console))",
  ]);
  const noSimd: WasmFacts = { simd: false, threaded: false, threads: 1, crossOriginIsolated: true };
  assert.deepEqual(pick(null, { api: false, adapter: false }, noSimd), [
    "wasm",
    "wasm (no SIMD, 1 thread, no wasm threads in this browser; no WebGPU in this browser)",
  ]);
});

test("?backend= forces a backend even when WebGPU is there", () => {
  const gpu: WebGpuProbe = { api: true, adapter: true };
  assert.deepEqual(pick("wasm", gpu, ISOLATED), ["wasm", "wasm (SIMD, 4 threads; chosen by ?backend=wasm)"]);
  assert.deepEqual(pick("cpu", gpu), ["cpu", "cpu (chosen by ?backend=cpu)"]);
  assert.deepEqual(pick("webgpu", { api: false, adapter: false }), ["webgpu", "WebGPU (chosen by ?backend=webgpu)"]);
});
