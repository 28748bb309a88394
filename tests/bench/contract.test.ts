/**
 * The contract of `npm run bench -- train|infer --json` on a tiny configuration (main-job model,
 * batch 2 × 8, one timed step): stdout is only JSON lines with the documented fields, progress goes
 * to stderr, tensors do not leak (the bench itself fails on a leak), and the PyTorch peer's numbers
 * are combined into ratio = peer time / our time (checked with a stand-in "python" that answers
 * like bench/torch_peer.py, so CI needs no torch).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadNativeBlas } from "../../src/backend/native";
import { repoRoot } from "../helpers/fixtures";

const TINY = ["--models", "main-job", "--seqs", "8", "--batch", "2", "--reps", "1"];

function bench(args: string[]) {
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "bench", "main.ts"), ...args], {
    encoding: "utf8",
    cwd: repoRoot,
    env: { ...process.env, NER_DEBUG: "" },
    timeout: 240_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split("\n").filter((l) => l !== "");
  return lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`stdout line is not JSON: ${l.slice(0, 200)}`);
    }
  });
}

function checkRecord(r: Record<string, unknown>, kind: string): void {
  assert.equal(r.bench, kind);
  assert.equal(r.model, "main-job");
  assert.equal(r.batch, 2);
  assert.equal(r.seq, 8);
  assert.equal(r.error, undefined, `no error: ${String(r.error)}`);
  for (const k of ["ms_per_step", "tokens_per_s", "peak_mb", "min_ms"]) {
    assert.equal(typeof r[k], "number", `${k} is a number`);
    assert.ok((r[k] as number) > 0, `${k} > 0`);
  }
  assert.ok(typeof r.gflops === "number" && r.gflops >= 0, "gflops (rounded to 0.1: 0 at this tiny size)");
  // tokens/s is batch × seq per unrounded step time; ms_per_step is rounded to 0.1 ms, so at a few
  // milliseconds the rounding alone moves tokens/s by a few percent: check against the interval.
  const ms = r.ms_per_step as number;
  const [lo, hi] = [(2 * 8 * 1000) / (ms + 0.05), (2 * 8 * 1000) / Math.max(ms - 0.05, 1e-9)];
  const tps = r.tokens_per_s as number;
  assert.ok(tps >= lo - 0.1 && tps <= hi + 0.1, `tokens_per_s ${tps} within [${lo}, ${hi}] from ms_per_step ${ms}`);
  assert.ok(typeof r.backend === "string" && r.backend.length > 0);
  assert.equal(r.openblas_coretype, process.env.OPENBLAS_CORETYPE ?? "unset");
  assert.equal(r.reps, 1);
  assert.equal(typeof r.load_1m, "number");
  // The sgemm peak of the same run, beside the step's GFLOP/s, whenever the native addon is there.
  if (loadNativeBlas().addon !== undefined)
    assert.ok(typeof r.sgemm_peak_gflops === "number" && r.sgemm_peak_gflops > 0);
}

for (const kind of ["train", "infer"]) {
  test(`bench ${kind} --json --no-peer: only JSON lines on stdout, with the contract's fields`, () => {
    const { code, stdout, stderr } = bench([kind, "--json", "--no-peer", ...TINY]);
    assert.equal(code, 0, stderr);
    const records = jsonLines(stdout);
    assert.equal(records.length, 1);
    checkRecord(records[0], kind);
    assert.equal(records[0].ratio, undefined);
    assert.equal(records[0].peer_ms_per_step, undefined);
    assert.match(stderr, new RegExp(`\\[bench\\] ${kind} main-job 2×8`));
  });
}

test("bench with a peer: ratio = peer ms / our ms, peer threads as asked", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-bench-"));
  // A stand-in interpreter: answers the torch probe, then one result line per job, like torch_peer.py.
  const fake = path.join(dir, "python");
  fs.writeFileSync(
    fake,
    [
      "#!/bin/sh",
      'if [ "$1" = "-c" ]; then echo "9.9.9-fake"; exit 0; fi',
      "cat > /dev/null",
      'echo "{\\"ms_per_step\\": 500, \\"min_ms\\": 450, \\"threads\\": $3, \\"torch\\": \\"9.9.9-fake\\"}"',
    ].join("\n") + "\n",
    { mode: 0o755 },
  );
  try {
    const { code, stdout, stderr } = bench(["infer", "--json", "--python", fake, "--peer-threads", "3", ...TINY]);
    assert.equal(code, 0, stderr);
    const [r] = jsonLines(stdout);
    checkRecord(r, "infer");
    assert.equal(r.peer, "torch 9.9.9-fake");
    assert.equal(r.peer_threads, 3);
    assert.equal(r.peer_ms_per_step, 500);
    assert.equal(r.ratio, Math.round((500 / (r.ms_per_step as number)) * 100) / 100);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bench without a usable torch says how to install it and still measures", () => {
  const { code, stdout, stderr } = bench(["infer", "--python", "/nonexistent/python3", ...TINY]);
  assert.equal(code, 0, stderr);
  assert.match(
    stderr,
    /PyTorch peer skipped: .*(cannot import torch|not found).*pip install torch transformers.*--no-peer/,
  );
  // The table: header, rule, one row for main-job.
  assert.match(stdout, /ms\/step +tokens\/s/);
  assert.match(stdout, /^infer +main-job +2×8 /m);
});

test("bench rejects an unknown model with a one-line error", () => {
  const { code, stderr } = bench(["train", "--json", "--no-peer", "--models", "gpt2"]);
  assert.equal(code, 1);
  assert.match(stderr, /^bench: --models: unknown model "gpt2" \(expected distilbert-base, bert-base, main-job\)$/m);
});

test("bench main-job --json: ours and a stand-in twin back to back, ratio = twin s / our s", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-bench-"));
  // A stand-in interpreter answering the torch probe and, for the twin script, one result line.
  const fake = path.join(dir, "python");
  fs.writeFileSync(
    fake,
    [
      "#!/bin/sh",
      'if [ "$1" = "-c" ]; then echo "2.99.0-fake"; exit 0; fi',
      'echo "{\\"f1\\": 0.5, \\"torch\\": \\"2.99.0-fake\\", \\"transformers\\": \\"9.9\\", \\"threads\\": 1}"',
    ].join("\n") + "\n",
    { mode: 0o755 },
  );
  try {
    const { code, stdout, stderr } = bench([
      "main-job",
      "--json",
      "--python",
      fake,
      "--max-steps",
      "2",
      "--threads",
      "1",
    ]);
    assert.equal(code, 0, stderr);
    const [r] = jsonLines(stdout);
    assert.deepEqual(Object.keys(r).slice(0, 6), ["bench", "ours_s", "twin_s", "ours_f1", "twin_f1", "ratio"]);
    assert.equal(r.bench, "main-job");
    assert.ok((r.ours_s as number) > 0 && (r.twin_s as number) >= 0);
    assert.equal(typeof r.ours_f1, "number");
    assert.equal(r.twin_f1, 0.5);
    assert.equal(r.twin_peer, "torch 2.99.0-fake, transformers 9.9");
    assert.ok(Math.abs((r.ratio as number) - (r.twin_s as number) / (r.ours_s as number)) <= 0.01, `ratio ${r.ratio}`);
    assert.equal(r.openblas_coretype, process.env.OPENBLAS_CORETYPE ?? "unset");
    assert.match(stderr, /\[bench\] ours: node bin\/ner\.js train --output .* --max-steps 2/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
