// Fault injection: kill -9 a training process at seeded random moments (it spends most of its
// time writing, rotating and saving checkpoints and the final model), then check what a kill may
// leave behind: every directory that looks complete loads, the final model's weights match its
// run card, an "auto" resume ends bit for bit where an uninterrupted run ends, and after the next
// start no temporary directory and no tensor is left over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/random";
import { AdamW } from "../../src/training/adamw";
import {
  SAVE_MARKER,
  assertCompleteCheckpoint,
  incompleteSaveReason,
  loadModelWeights,
  loadOptimizerState,
  readRngState,
  readTrainerState,
} from "../../src/training/checkpoint";
import { ToyModel } from "../training/toy-model";
import { FAULT_RUN, faultRun, weightsDigest } from "./fault-child";

const CHILD = path.join(__dirname, "fault-child.ts");
/**
 * Kills at a uniform moment of what is left of the run, then kills early in the final save (its
 * first half: a child's save runs about as long as the in-process reference's, and the kill itself
 * takes a few milliseconds to land).
 */
const KILLS_ANYWHERE = 4;
const KILLS_IN_FINAL_SAVE = 2;
const SEED = 20261202;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from "ready" (the training loop starts) to exit; NaN when it never got there. */
  readyToExitMs: number;
}

/** Run the child on `outputDir`; with `kill`, SIGKILL it `afterMs` after it prints `marker`. */
function runChild(outputDir: string, kill?: { marker: "ready" | "saving"; afterMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, outputDir], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let readyAt = NaN;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d) => {
      stdout += d;
      if (Number.isNaN(readyAt) && stdout.includes("ready\n")) readyAt = performance.now();
      if (kill && !timer && stdout.includes(`${kill.marker}\n`))
        timer = setTimeout(() => child.kill("SIGKILL"), kill.afterMs);
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, readyToExitMs: performance.now() - readyAt });
    });
  });
}

/** The last JSON line the child printed on a complete run. */
function summary(run: Run): { tensorsBefore: number; tensorsAfter: number; step: number } {
  assert.equal(run.code, 0, `child failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!);
}

/** Hidden leftovers of interrupted writes inside the output directory and beside it. */
function leftovers(outputDir: string): string[] {
  const inside = fs.existsSync(outputDir) ? fs.readdirSync(outputDir).filter((n) => n.startsWith(".")) : [];
  const beside = fs.readdirSync(path.dirname(outputDir)).filter((n) => n.startsWith(`.${path.basename(outputDir)}.`));
  return [...inside, ...beside.map((n) => `../${n}`)];
}

/** Which write a kill interrupted, judged by what it left. */
function phaseOf(left: string[], outputDir: string): string {
  if (incompleteSaveReason(outputDir)) return "final save (moving files in)";
  if (left.some((n) => n.startsWith(".ner-save.tmp-"))) return "final save (staging)";
  if (left.some((n) => /\.deleted-/.test(n))) return "rotation";
  if (left.some((n) => /^\.checkpoint-\d+\.tmp-/.test(n))) return "checkpoint write";
  return "between writes";
}

/** Everything that looks complete must load: each checkpoint-<n>, and the model at the top. */
function checkEverythingLoads(outputDir: string): number {
  if (!fs.existsSync(outputDir)) return 0;
  let checked = 0;
  for (const name of fs.readdirSync(outputDir)) {
    if (!/^checkpoint-\d+$/.test(name)) continue;
    const dir = path.join(outputDir, name);
    assertCompleteCheckpoint(dir);
    const model = new ToyModel(99);
    const optimizer = new AdamW(model.namedWeights());
    try {
      loadModelWeights(model, dir);
      loadOptimizerState(optimizer, dir);
      assert.equal(readTrainerState(dir).global_step, Number(name.slice("checkpoint-".length)));
      assert.equal(readRngState(dir).data.length, 4);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
    checked++;
  }
  // A save killed while moving its files in says so (and the next start finishes it); otherwise the
  // model is all or nothing: config, weights, run card and completion marker together, the weights the run card's.
  const reason = incompleteSaveReason(outputDir);
  if (reason) {
    assert.match(reason, /its last save was interrupted while moving files in/);
    return checked;
  }
  const top = fs
    .readdirSync(outputDir)
    .filter((n) => !n.startsWith(".") && !fs.statSync(path.join(outputDir, n)).isDirectory());
  if (top.length > 0) {
    assert.deepEqual(
      top.sort(),
      ["config.json", "model.safetensors", SAVE_MARKER, "training_args.json", "weights_sha256.txt"].sort(),
      `top-level files ${top}`,
    );
    const model = new ToyModel(98);
    try {
      loadModelWeights(model, outputDir);
      assert.equal(weightsDigest(model), fs.readFileSync(path.join(outputDir, "weights_sha256.txt"), "utf8"));
    } finally {
      model.dispose();
    }
    checked++;
  }
  return checked;
}

/** Optimizer updates of the run (48 examples, batch 4). */
const MAX_STEPS = Math.ceil(48 / FAULT_RUN.perDeviceTrainBatchSize) * FAULT_RUN.numTrainEpochs;

/** The step of the newest complete checkpoint in `outputDir` (0 when none). */
function resumeStep(outputDir: string): number {
  if (!fs.existsSync(outputDir)) return 0;
  const steps = fs
    .readdirSync(outputDir)
    .map((n) => /^checkpoint-(\d+)$/.exec(n)?.[1])
    .filter((x): x is string => !!x)
    .map(Number);
  return steps.length ? Math.max(...steps) : 0;
}

test(
  "kill -9 during checkpoint writes, rotation and the final save: what is complete loads, resume is " +
    "bit-exact, nothing leaks",
  { timeout: 600_000 },
  async (t) => {
    await tf.setBackend("cpu");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ner-fault-"));
    try {
      // The uninterrupted run (in this process), timed: the loop, and the final save.
      const reference = path.join(root, "reference");
      const tensorsBefore = tf.memory().numTensors;
      const marks: Record<string, number> = {};
      const { step } = await faultRun(reference, (phase) => void (marks[phase] = performance.now()));
      const ended = performance.now();
      assert.equal(step, MAX_STEPS);
      assert.equal(tf.memory().numTensors, tensorsBefore, "no tensor outlives trainer.dispose() + model.dispose()");
      const loopMs = marks.saving - marks.ready;
      const saveMs = ended - marks.saving;
      const refWeights = fs.readFileSync(path.join(reference, "model.safetensors"));
      const refLosses = readTrainerState(path.join(reference, `checkpoint-${step}`)).log_history.filter(
        (e) => e.loss !== undefined,
      );

      // The same run, killed at random moments and restarted ("auto" resume) each time.
      const out = path.join(root, "faulted");
      const rng = new Rng(SEED);
      const phases: string[] = [];
      for (let k = 0; k < KILLS_ANYWHERE + KILLS_IN_FINAL_SAVE; k++) {
        const remaining = loopMs * (1 - resumeStep(out) / MAX_STEPS) + saveMs;
        const kill =
          k < KILLS_ANYWHERE
            ? { marker: "ready" as const, afterMs: Math.round(rng.next() * remaining) }
            : { marker: "saving" as const, afterMs: Math.round(rng.next() * saveMs * 0.5) };
        const run = await runChild(out, kill);
        if (run.signal !== "SIGKILL") assert.equal(run.code, 0, `run ${k} failed: ${run.stderr}`);
        phases.push(
          run.signal === "SIGKILL" ? `${phaseOf(leftovers(out), out)} (step ${resumeStep(out)})` : "after the end",
        );
        try {
          checkEverythingLoads(out);
        } catch (err) {
          const state = fs.existsSync(out) ? fs.readdirSync(out).join(", ") : "(missing)";
          throw new Error(
            `after kill ${k} (${JSON.stringify(kill)}; kills so far: ${phases.join("; ")}; output ` +
              `holds ${state}; leftovers ${leftovers(out)}): ${(err as Error).message}`,
          );
        }
      }
      t.diagnostic(
        `reference: loop ${loopMs.toFixed(0)} ms, final save ${saveMs.toFixed(0)} ms; kills landed: ` +
          `${phases.join(", ")}`,
      );

      // Resume to the end: the same bytes as the uninterrupted run, no leftovers, no leaked tensor.
      const last = await runChild(out);
      const lastSummary = summary(last);
      assert.equal(lastSummary.tensorsAfter, lastSummary.tensorsBefore, "no tensor outlives a resumed run either");
      assert.ok(checkEverythingLoads(out) >= 2);
      assert.ok(
        fs.readFileSync(path.join(out, "model.safetensors")).equals(refWeights),
        "resumed weights equal the uninterrupted run's, bit for bit",
      );
      const losses = readTrainerState(path.join(out, `checkpoint-${lastSummary.step}`)).log_history.filter(
        (e) => e.loss !== undefined,
      );
      assert.deepEqual(losses, refLosses, "the same logged losses");
      assert.deepEqual(leftovers(out), [], "the next start removed every temporary directory");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
);
