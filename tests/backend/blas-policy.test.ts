/**
 * The small-product threading policy (src/backend/native.ts SMALL_GEMM_FLOPS) is fixed: it must not follow
 * the machine's load, since OpenBLAS's one-thread and all-thread products differ in the last bits and a
 * seeded run would then give different results on a busy and on a quiet machine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { loadNativeBlas, SMALL_GEMM_FLOPS } from "../../src/backend/native";

const root = path.join(__dirname, "..", "..");
const native = loadNativeBlas();

test("the loaded addon runs products under SMALL_GEMM_FLOPS on one thread", () => {
  if (native.addon === undefined) assert.fail(`the native addon is part of the test setup: ${native.reason}`);
  assert.equal(native.addon.blasPolicy?.().smallFlops, SMALL_GEMM_FLOPS);
});

test("the policy is the same whatever the load average says when the addon loads", () => {
  if (native.addon === undefined) assert.fail(`the native addon is part of the test setup: ${native.reason}`);
  const policies = [0, 2, 99].map((load) => {
    const script = `require("os").loadavg = () => [${load}, ${load}, ${load}];
      const n = require(${JSON.stringify(path.join(root, "src", "backend", "native.ts"))});
      console.log(JSON.stringify(n.loadNativeBlas().addon.blasPolicy()));`;
    const res = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(res.status, 0, res.stderr);
    return (JSON.parse(res.stdout.trim().split("\n").pop() ?? "") as { smallFlops: number }).smallFlops;
  });
  assert.deepEqual(policies, [SMALL_GEMM_FLOPS, SMALL_GEMM_FLOPS, SMALL_GEMM_FLOPS]);
});
