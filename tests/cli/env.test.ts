/**
 * `ner env` and `ner env --check`: the report's JSON shape, offline state and hidden tokens, the
 * CUDA library search (on a fake LD_LIBRARY_PATH; nothing is loaded), the self-test's PASS on the
 * chosen backend and on cpu, and exit 1 with FAIL on a forced mismatch.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeCuda, findCudaLibraries } from "../../src/cli/commands/env";
import { readSelfTestReference } from "../../src/training/selftest";
import { repoRoot } from "../helpers/fixtures";

const bin = path.join(repoRoot, "bin", "ner.js");

function ner(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    cwd: repoRoot,
    env: { ...process.env, NER_DEBUG: "", ...env },
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ner-env-"));
}

test("ner env --json: versions, backend ladder, caches, offline state; tokens hidden", () => {
  const { code, stdout, stderr } = ner(["env", "--json"], {
    NER_OFFLINE: "1",
    HF_TOKEN: "hf_secret_value",
    NER_CACHE_DIR: "/tmp/ner-env-cache",
  });
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim().split("\n").length, 1, "one JSON line");
  const r = JSON.parse(stdout);
  assert.equal(r.versions.node, process.versions.node);
  assert.match(r.versions["@tensorflow/tfjs"], /^\d+\.\d+\.\d+/);
  assert.ok(typeof r.backend.name === "string" && typeof r.backend.label === "string" && r.backend.label.length > 0);
  assert.ok(Array.isArray(r.backend.skipped));
  for (const s of r.backend.skipped)
    assert.ok(typeof s.name === "string" && typeof s.reason === "string" && s.reason.length > 0);
  assert.ok(Array.isArray(r.cuda));
  assert.equal(r.caches.NER_CACHE_DIR, "/tmp/ner-env-cache");
  assert.equal(
    r.caches.hub_cache,
    process.env.HF_HUB_CACHE ? path.resolve(process.env.HF_HUB_CACHE) : "/tmp/ner-env-cache/hub",
  );
  assert.equal(r.offline, true);
  assert.equal(r.settings.NER_OFFLINE, "1");
  assert.equal(r.settings.HF_TOKEN, "(set, hidden)");
  assert.ok(!stdout.includes("hf_secret_value"), "the token is never printed");
  assert.equal(r.cpu.cores, os.cpus().length);
});

test("ner env (text) names the backend and why the other tiers were skipped", () => {
  const { code, stdout, stderr } = ner(["env"], { NER_BACKEND: "cpu" });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^backend +cpu$/m);
  assert.match(stdout, /^ +skipped wasm +\S/m);
  assert.match(stdout, /^CUDA libraries +libcudart: /m);
  assert.match(stdout, /^offline +(yes|no)/m);
});

test("CUDA libraries are found by file name on LD_LIBRARY_PATH, links resolved, versions checked", () => {
  const dir = tmp();
  try {
    fs.writeFileSync(path.join(dir, "libcudart.so.11.2.152"), "");
    fs.symlinkSync("libcudart.so.11.2.152", path.join(dir, "libcudart.so.11.0"));
    fs.writeFileSync(path.join(dir, "libcudnn.so.8"), "");
    fs.writeFileSync(path.join(dir, "libcudnn.so.8.txt"), ""); // not a library name
    const libs = findCudaLibraries({ LD_LIBRARY_PATH: `${dir}:/nonexistent` }, "").filter((l) =>
      l.path.startsWith(fs.realpathSync(dir)),
    );
    assert.deepEqual(libs.map((l) => [l.name, l.version, path.basename(l.path), l.via]).sort(), [
      ["libcudart", "11.2.152", "libcudart.so.11.2.152", ["LD_LIBRARY_PATH"]],
      ["libcudnn", "8", "libcudnn.so.8", ["LD_LIBRARY_PATH"]],
    ]);
    const lines = describeCuda(libs);
    assert.equal(lines.length, 2);
    for (const l of lines) assert.doesNotMatch(l, /needs/, l);
    assert.match(
      describeCuda(libs.filter((l) => l.name === "libcudart"))[1],
      /^libcudnn: not found \(tfjs-node-gpu needs libcudnn\.so\.8\)$/,
    );
    const ld = `\tlibcudart.so.13 (libc6,x86-64) => ${path.join(dir, "libcudart.so.11.0")}\n`;
    assert.deepEqual(
      findCudaLibraries({}, ld)
        .filter((l) => l.path.startsWith(fs.realpathSync(dir)))
        .map((l) => l.via),
      [["ldconfig"]],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("ner env --check passes on the chosen backend and prints tokens/s", () => {
  const { code, stdout, stderr } = ner(["env", "--check"]);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /^self-test on /m);
  assert.match(stdout, /^ +ok +logits max \|diff\|/m);
  assert.match(stdout, /training step: [\d.]+ ms, [\d,]+ tokens\/s/);
  assert.match(stdout, /^PASS \(/m);
});

test("ner env --check --json on cpu: every check passes, no tensors left", () => {
  const { code, stdout, stderr } = ner(["env", "--check", "--json"], { NER_BACKEND: "cpu" });
  assert.equal(code, 0, stderr);
  const r = JSON.parse(stdout);
  assert.equal(r.backend.name, "cpu");
  assert.equal(r.check.pass, true);
  assert.deepEqual(
    r.check.checks.map((c: { name: string }) => c.name),
    ["logits max |diff|", "loss |diff|", "loss after one AdamW step |diff|", "tensors left behind"],
  );
  for (const c of r.check.checks) assert.ok(c.pass && c.value <= c.limit, JSON.stringify(c));
  assert.ok(r.check.train_tokens_per_s > 0);
});

test("ner env --check fails with exit 1 on a forced logit mismatch", () => {
  const dir = tmp();
  try {
    for (const f of fs.readdirSync(path.join(repoRoot, "data", "env-check")))
      fs.copyFileSync(path.join(repoRoot, "data", "env-check", f), path.join(dir, f));
    const ref = readSelfTestReference(dir);
    ref.logits[1][2][3] += 0.01;
    fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(ref));
    const { code, stdout } = ner(["env", "--check", "--reference", dir]);
    assert.equal(code, 1);
    assert.match(stdout, /^ +FAIL logits max \|diff\| +1\.00e-2 \(limit 1e-4\)$/m);
    assert.match(stdout, /^ +ok +loss \|diff\|/m, "only the perturbed check fails");
    assert.match(stdout, /^FAIL \(/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("ner env --check: a missing reference is a one-line error naming the file", () => {
  const dir = tmp();
  try {
    const { code, stderr } = ner(["env", "--check", "--reference", dir]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(
        `^ner env: ${path.join(dir, "expected.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: cannot ` +
          `read the self-test reference`,
        "m",
      ),
    );
    assert.equal(stderr.trim().split("\n").length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
