/**
 * The one-line hint `ner train` prints on plain wasm when the native addon is missing: how to get the
 * native tier and the measured speed-up, once per process; nothing on other tiers or when plain wasm
 * was chosen with the addon present.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadNativeBlas, NATIVE_TIER_SPEEDUP, nativeTierHint } from "../../src/backend/native";

const root = path.join(__dirname, "..", "..");

test("no hint on the native tier, nor on plain wasm chosen although the addon loads", () => {
  assert.equal(nativeTierHint("wasm+blas"), undefined);
  assert.equal(nativeTierHint("cpu"), undefined);
  if (loadNativeBlas().addon !== undefined) assert.equal(nativeTierHint("wasm"), undefined);
});

test("without the addon: one line naming the setup command, the speed-up and why, printed once", () => {
  // A checkout whose addon was never built: native.ts finds its root by native/build.js beside it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-hint-"));
  try {
    fs.mkdirSync(path.join(dir, "src", "backend"), { recursive: true });
    fs.mkdirSync(path.join(dir, "native", "build"), { recursive: true });
    fs.copyFileSync(path.join(root, "src", "backend", "native.ts"), path.join(dir, "src", "backend", "native.ts"));
    fs.writeFileSync(path.join(dir, "native", "build.js"), "");
    const reason = "compile failed: no openblas headers (cblas.h: No such file or directory)";
    fs.writeFileSync(path.join(dir, "native", "build", "status.json"), JSON.stringify({ built: false, reason }));
    const script = `const n = require(${JSON.stringify(path.join(dir, "src", "backend", "native.ts"))});
      console.log(JSON.stringify([n.nativeTierHint("wasm"), n.nativeTierHint("wasm") ?? null]));`;
    const res = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(res.status, 0, res.stderr);
    const [first, second] = JSON.parse(res.stdout.trim().split("\n").pop() ?? "") as [string, string | null];
    assert.equal(second, null, "printed once");
    assert.ok(!first.includes("\n"), "one line");
    assert.ok(first.includes(NATIVE_TIER_SPEEDUP));
    assert.match(first, /npm run setup/);
    assert.match(
      first,
      process.platform === "darwin"
        ? /Accelerate/
        : /apt install build-essential libopenblas-dev && npm run build:native/,
    );
    assert.ok(first.endsWith(`not built: ${reason}`), first);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
