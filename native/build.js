#!/usr/bin/env node
/*
 * Builds the optional native addon (native/build/ner_blas.node) from every native/*.c in one compiler call:
 * no node-gyp, so nothing is downloaded — Node's own headers are used (the `include/node` folder
 * every Node distribution ships beside `bin/`, Debian's /usr/include/node, or the node-api-headers
 * package when installed). Links OpenBLAS on Linux (system or $CONDA_PREFIX) and Accelerate on macOS.
 *
 * Optional by design: when it cannot build (no compiler, no BLAS headers, no Node headers) it says
 * why in one line, records the reason in native/build/status.json for the backend's error message,
 * and exits 0 so `npm ci` succeeds and everything runs on plain wasm. `--strict` exits 1 instead.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const here = __dirname;
const outDir = path.join(here, "build");
const target = path.join(outDir, "ner_blas.node");
const statusFile = path.join(outDir, "status.json");
const strict = process.argv.includes("--strict");

function writeAtomic(file, text) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function finish(status) {
  fs.mkdirSync(outDir, { recursive: true });
  writeAtomic(statusFile, JSON.stringify({ ...status, node: process.version, platform: process.platform, arch: process.arch }, null, 2) + "\n");
  if (status.built) {
    console.log(`[ner native] built ${path.relative(process.cwd(), target)} (${status.library})`);
    process.exit(0);
  }
  fs.rmSync(target, { force: true }); // a stale addon from an earlier build would contradict status.json
  console.log(`[ner native] BLAS addon not built: ${status.reason} — the wasm backend runs without it.`);
  process.exit(strict ? 1 : 0);
}

function nodeHeaders() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, "include", "node"),
    path.resolve(path.dirname(process.execPath), "..", "include", "node"),
    "/usr/include/node",
    "/usr/local/include/node",
  ];
  try {
    candidates.push(path.join(path.dirname(require.resolve("node-api-headers/package.json")), "include"));
  } catch {
    /* not installed: fine */
  }
  return candidates.find((d) => d && fs.existsSync(path.join(d, "node_api.h")));
}

function firstError(text) {
  const lines = String(text).split("\n").map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /error|not found|cannot find|no such/i.test(l)) ?? lines[0] ?? "unknown error").slice(0, 300);
}

function main() {
  if (process.platform === "win32") finish({ built: false, reason: "Windows is not supported by this build script" });
  const headers = nodeHeaders();
  if (!headers) finish({ built: false, reason: "Node's C headers (node_api.h) were not found (looked beside the node binary, /usr/include/node, node-api-headers)" });
  const cc = process.env.CC || "cc";
  const probe = spawnSync(cc, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) finish({ built: false, reason: `no C compiler (${cc}) found` });

  // -ffp-contract=off: no fused multiply-adds, so float32 kernels round like torch's op-by-op path;
  // -fno-math-errno lets sqrtf vectorise (results unchanged); -pthread for ner_threads.c.
  const args = ["-O3", "-std=c11", "-Wall", "-fPIC", "-pthread", "-ffp-contract=off", "-fno-math-errno", "-DNODE_GYP_MODULE_NAME=ner_blas", "-DNAPI_VERSION=8", `-I${headers}`, `-I${here}`];
  let library;
  if (process.platform === "darwin") {
    library = "accelerate";
    args.push("-DNER_USE_ACCELERATE", "-DACCELERATE_NEW_LAPACK", "-bundle", "-undefined", "dynamic_lookup");
  } else {
    library = "openblas";
    args.push("-shared");
    for (const dir of ["/usr/include/openblas", "/usr/local/include/openblas"]) if (fs.existsSync(dir)) args.push(`-I${dir}`);
  }
  const conda = process.env.CONDA_PREFIX;
  if (library === "openblas" && conda && fs.existsSync(path.join(conda, "include", "cblas.h"))) {
    args.push(`-I${path.join(conda, "include")}`, `-L${path.join(conda, "lib")}`, `-Wl,-rpath,${path.join(conda, "lib")}`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  // The temporary name keeps the .node suffix: require() loads only such files as addons.
  const tmp = path.join(outDir, `ner_blas.tmp-${process.pid}.node`);
  // Every native/*.c goes into the one addon (ner_addon.h's NER_MODULES lists their registrations).
  const sources = fs.readdirSync(here).filter((f) => f.endsWith(".c")).sort().map((f) => path.join(here, f));
  args.push("-o", tmp, ...sources);
  if (process.platform === "darwin") args.push("-framework", "Accelerate");
  else args.push("-lopenblas", "-lm");

  const res = spawnSync(cc, args, { encoding: "utf8" });
  if (res.status !== 0) {
    fs.rmSync(tmp, { force: true });
    const err = firstError(res.stderr || res.stdout);
    const why = /cblas\.h|Accelerate/.test(err) ? `no ${library} headers (${err})` : /-lopenblas|openblas/.test(err) ? `no ${library} library (${err})` : err;
    finish({ built: false, reason: `compile failed: ${why}` });
  }
  // Load it in a child process: a missing shared library shows up only at load time.
  const check = spawnSync(process.execPath, ["-e", `const m=require(${JSON.stringify(tmp)});process.stdout.write(JSON.stringify(m.info()))`], {
    encoding: "utf8",
  });
  if (check.status !== 0) {
    fs.rmSync(tmp, { force: true });
    finish({ built: false, reason: `built but does not load: ${firstError(check.stderr)}` });
  }
  fs.renameSync(tmp, target);
  const info = JSON.parse(check.stdout);
  finish({ built: true, library: info.library, version: info.version, compiler: cc, headers });
}

main();
