/**
 * The page's WebGPU path cannot run here (headless Chromium has no WebGPU adapter), so this checks
 * what can be checked without a GPU: every tfjs kernel the pipeline runs on a non-wasm backend
 * (cpu: the same op choices as webgpu, src/backend/ops capabilities) has a WebGPU kernel in
 * @tensorflow/tfjs-backend-webgpu, so the page will not stop on a missing kernel. WebGPU's numbers
 * are not checked (no parity run on a GPU).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu"; // registers its kernels (the backend itself needs navigator.gpu)
import { initBackend } from "../../src/backend";
import { GATHER_ROWS, SCATTER_ADD_ROWS } from "../../src/backend/kernels";
import { pipeline } from "../../src/pipeline/pipeline";
import { AGGREGATION_STRATEGIES } from "../../src/pipeline/types";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";

/** Our own kernels: ops.ts uses them only where the backend has them, else tf.gather / unsortedSegmentSum. */
const OWN_KERNELS: Record<string, string> = { [GATHER_ROWS]: "GatherV2", [SCATTER_ADD_ROWS]: "UnsortedSegmentSum" };

for (const name of ["tiny-distilbert", "tiny-bert"]) {
  test(`${name}: every kernel the page's pipeline runs exists on tfjs's WebGPU backend`, async () => {
    await initBackend("cpu", { quiet: true });
    const texts = readFixtureJson<{ pipeline: { texts: string[] } }>(name, "golden.json").pipeline.texts;
    const ner = await pipeline("token-classification", { model: fixturePath(name) });
    try {
      const info = await tf.profile(async () => {
        for (const strategy of AGGREGATION_STRATEGIES) await ner(texts, { aggregationStrategy: strategy });
      });
      // "<op>__op" names are custom-gradient wrappers (tf.fused.matMul), not kernels: their kernels are listed too.
      const used = [...new Set(info.kernelNames)].filter((k) => !k.endsWith("__op")).map((k) => OWN_KERNELS[k] ?? k);
      assert.ok(used.includes("_FusedMatMul") && used.includes("Softmax"), `ran a model: ${used.join(", ")}`);
      const missing = used.filter((k) => tf.getKernel(k, "webgpu") === undefined);
      assert.deepEqual(missing, [], `kernels without a WebGPU implementation (of ${used.length} used)`);
    } finally {
      ner.dispose();
    }
  });
}
