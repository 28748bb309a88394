// Fault injection for the output directory (issue 18 items 1–5 and 18): concurrent runs on one
// --output, signals and a stale lock, a mount point as --output, a full disk, a user's project as
// --output, --model X --output X, and `ner data convert x -o x`. Each refusal is one line and
// answers in under 5 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Trainer } from "../../src/training/trainer";
import { SAVE_MARKER, incompleteSaveReason } from "../../src/training/checkpoint";
import { runEvaluateJob, runTrainJob } from "../../src/training/job";
import { LOCK_FILE } from "../../src/util/lock";
import { ToyModel, toyFeatures } from "../training/toy-model";

const ROOT = path.join(__dirname, "..", "..");
const CHILD = path.join(__dirname, "fault-child.ts");
const NER = path.join(ROOT, "bin", "ner.js");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-guards-"));

interface Child {
  pid: number;
  /** Resolves with the exit, and when it printed "start" (ms since the epoch; NaN if never). */
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    startedAt: number;
    exitedAt: number;
  }>;
  /** Resolves when the child prints `marker`. */
  printed(marker: string): Promise<void>;
  kill(sig: NodeJS.Signals): void;
}

/** The fault child on `outputDir`, optionally through `wrap` (e.g. unshare), with env overrides. */
function child(outputDir: string, env: Record<string, string> = {}, wrap: string[] = []): Child {
  const argv = [...wrap, process.execPath, "--import", "tsx", CHILD, outputDir];
  const p = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let startedAt = NaN;
  const waiters: { marker: string; resolve: () => void }[] = [];
  p.stdout.on("data", (d) => {
    stdout += d;
    if (Number.isNaN(startedAt) && stdout.includes("start\n")) startedAt = Date.now();
    for (const w of waiters) if (stdout.includes(`${w.marker}\n`)) w.resolve();
  });
  p.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<Awaited<Child["done"]>>((resolve) =>
    p.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, startedAt, exitedAt: Date.now() })),
  );
  return {
    pid: p.pid!,
    done,
    printed: (marker) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.includes(`${marker}\n`)) return resolve();
        waiters.push({ marker, resolve });
        void done.then((r) =>
          reject(new Error(`child exited (${r.code ?? r.signal}) before printing ${marker}: ${r.stderr}`)),
        );
      }),
    kill: (sig) => p.kill(sig),
  };
}

/**
 * The child's error message: the first line of stderr after TensorFlow.js's banner (which says it could use tfjs-node).
 */
function firstErrorLine(stderr: string): string {
  return (
    stderr
      .split("\n")
      .filter((l) => l.trim() !== "" && !/^=+$|^Hi, looks like you are running TensorFlow\.js/.test(l))[0] ?? ""
  );
}

/** Whether this machine lets a child use a private mount namespace (root, or unprivileged user namespaces). */
function canMount(): boolean {
  const dir = tmp();
  const r = spawnSync("unshare", ["-m", "sh", "-c", `mount -t tmpfs -o size=64k tmpfs "${dir}"`], { encoding: "utf8" });
  return r.status === 0;
}

test(
  "concurrent runs on one --output: the others fail at once naming the holder; the holder finishes whole",
  { timeout: 120_000 },
  async (t) => {
    const out = tmp();
    // The holder checkpoints every update and sleeps a little after each, so it holds the directory for a while.
    const a = child(out, { FAULT_SAVE_STEPS: "1", FAULT_HOLD_MS: "400" });
    await a.printed("ready");
    const others = [child(out, { FAULT_SAVE_STEPS: "1" }), child(out, { FAULT_SAVE_STEPS: "1" })];
    for (const b of others) {
      const r = await b.done;
      assert.equal(r.code, 1, `a second run fails: ${r.stdout} ${r.stderr}`);
      const first = firstErrorLine(r.stderr);
      const holder = `PID ${a.pid} on ${os.hostname()} since \\S+ \\(.*fault-child\\.ts ${out}\\)`;
      assert.match(
        first,
        new RegExp(
          `^${out} is in use by ${holder}; wait for it to finish, or remove ${out}/\\.ner\\.lock if ` +
            `that process is gone$`,
        ),
      );
      assert.ok(r.exitedAt - r.startedAt < 5000, `answered in ${r.exitedAt - r.startedAt} ms`);
      t.diagnostic(`refused in ${r.exitedAt - r.startedAt} ms after start: ${first}`);
      assert.doesNotMatch(r.stderr, /ENOTEMPTY|rename/);
    }
    // `ner train` checks the lock before loading its modules: one line, process start-up included.
    const t0 = Date.now();
    const cli = spawnSync(process.execPath, [NER, "train", "--output", out, "--progress", "none"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    const ms = Date.now() - t0;
    assert.equal(cli.status, 1);
    assert.match(
      cli.stderr,
      new RegExp(`^ner train: ${out} is in use by PID ${a.pid} on .*\\.ner\\.lock if that process is gone\\n$`),
    );
    assert.ok(ms < 5000, `ner train answered in ${ms} ms, process start-up included`);
    t.diagnostic(`ner train refused in ${ms} ms, process start-up included`);
    const ra = await a.done;
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(incompleteSaveReason(out), null);
    assert.ok(fs.existsSync(path.join(out, SAVE_MARKER)));
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)), "released at the end");
  },
);

test(
  "SIGTERM releases the lock; kill -9 leaves a stale lock (dead PID) that the next run takes over",
  { timeout: 120_000 },
  async () => {
    const out = tmp();
    const a = child(out, { FAULT_HOLD_MS: "300" });
    await a.printed("ready");
    assert.ok(fs.existsSync(path.join(out, LOCK_FILE)));
    a.kill("SIGTERM");
    const ra = await a.done;
    assert.equal(ra.signal, "SIGTERM", "still dies of the signal");
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)), "released on SIGTERM");

    const b = child(out, { FAULT_HOLD_MS: "300" });
    await b.printed("ready");
    b.kill("SIGKILL");
    await b.done;
    const stale = JSON.parse(fs.readFileSync(path.join(out, LOCK_FILE), "utf8"));
    assert.equal(stale.pid, b.pid, "kill -9 cannot release: the lock names the dead process");
    const c = child(out);
    const rc = await c.done;
    assert.equal(rc.code, 0, `the stale lock is taken over: ${rc.stderr}`);
    assert.equal(incompleteSaveReason(out), null);
  },
);

test(
  "a lock held by a live process of this host refuses in-process runs at " + "once; a dead holder's lock is taken over",
  async () => {
    await tf.setBackend("cpu");
    const out = tmp();
    const sleeper = spawn("sleep", ["30"]);
    const write = (holder: object) => fs.writeFileSync(path.join(out, LOCK_FILE), JSON.stringify(holder));
    const run = async () => {
      const model = new ToyModel(3);
      const trainer = new Trainer({
        model,
        args: { outputDir: out, progress: "none", maxSteps: 2, perDeviceTrainBatchSize: 4 },
        trainDataset: toyFeatures(8),
      });
      try {
        return await trainer.train();
      } finally {
        trainer.dispose();
        model.dispose();
      }
    };
    try {
      write({
        pid: sleeper.pid,
        host: os.hostname(),
        started: "2026-01-01T00:00:00Z",
        procStart: null,
        command: "ner train -o x",
      });
      const t0 = Date.now();
      await assert.rejects(
        run(),
        new RegExp(
          `^LockHeldError: ${out} is in use by PID ${sleeper.pid} on ${os.hostname()} since ` +
            `2026-01-01T00:00:00Z \\(ner train -o x\\)`,
        ),
      );
      assert.ok(Date.now() - t0 < 5000);
      assert.ok(fs.existsSync(path.join(out, LOCK_FILE)), "someone else's lock is left alone");
      // The same PID started at another time (the PID was reused): stale.
      write({ pid: sleeper.pid, host: os.hostname(), started: "x", procStart: 1, command: "" });
      assert.equal((await run()).globalStep, 2);
      // Another host's lock cannot be checked from here: held.
      write({ pid: 999999, host: "elsewhere", started: "x", procStart: null, command: "" });
      await assert.rejects(run(), /in use by PID 999999 on elsewhere/);
      // An unreadable lock is being written if fresh, debris if old.
      fs.writeFileSync(path.join(out, LOCK_FILE), "");
      await assert.rejects(run(), /in use by a process that is still writing the lock file/);
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(out, LOCK_FILE), old, old);
      assert.equal((await run()).globalStep, 2);
      assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)));
    } finally {
      sleeper.kill();
    }
  },
);

test(
  "a mount point as --output: the final save moves files into it and never renames it (no EBUSY)",
  { timeout: 120_000 },
  async (t) => {
    if (!canMount()) {
      // Without a mount namespace, tests/training/resume-and-save.test.ts's rename spy is the check.
      t.diagnostic("no private mount namespace on this machine: the bind-mount run was not possible here");
      return;
    }
    const root = tmp();
    const volume = path.join(root, "volume");
    const out = path.join(root, "out");
    fs.mkdirSync(volume);
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(volume, ".keep"), "");
    // Inside a private mount namespace: bind `volume` onto `out`, show that `out` cannot be renamed, then run.
    const script =
      `mount --bind "$1" "$2" && { mv "$2" "$2.moved" 2>/dev/null && echo RENAMED || echo ` +
      `EBUSY-confirmed; } && exec "$3" --import tsx "$4" "$2"`;
    const r = spawnSync("unshare", ["-m", "sh", "-c", script, "sh", volume, out, process.execPath, CHILD], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 110_000,
    });
    assert.match(r.stdout, /EBUSY-confirmed/, "renaming the mount point fails, as with a Docker volume");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(incompleteSaveReason(volume), null);
    for (const f of ["config.json", "model.safetensors", SAVE_MARKER, ".keep"])
      assert.ok(fs.existsSync(path.join(volume, f)), `${f} in the volume`);
    assert.deepEqual(fs.readdirSync(out), [], "everything went through the mount");
  },
);

test(
  "a full disk: the error names the path that filled up; the previous save stays whole",
  { timeout: 120_000 },
  async (t) => {
    await tf.setBackend("cpu");
    const dir = tmp();
    const model = new ToyModel(4);
    const trainer = new Trainer({
      model,
      args: { outputDir: dir, progress: "none", maxSteps: 2, perDeviceTrainBatchSize: 4 },
      trainDataset: toyFeatures(8),
    });
    await trainer.train();
    await trainer.saveModel(dir, { files: { "run_card.json": "first\n" } });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS fs is patchable (ES's is frozen)
    const nodeFs = require("fs") as { writeSync: typeof fs.writeSync };
    const realWrite = nodeFs.writeSync;
    let calls = 0;
    nodeFs.writeSync = ((...a: Parameters<typeof fs.writeSync>) => {
      if (++calls === 2)
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
          code: "ENOSPC",
          errno: -28,
          syscall: "write",
        });
      return (realWrite as (...x: unknown[]) => number)(...a);
    }) as typeof fs.writeSync;
    try {
      await assert.rejects(
        trainer.saveModel(dir, { files: { "run_card.json": "second\n" } }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, "ENOSPC");
          assert.match(
            err.message,
            new RegExp(
              `^${dir}/\\.ner-save\\.tmp-\\d+-\\d+/\\S+: cannot write: ENOSPC: no space left on device, write$`,
            ),
          );
          return true;
        },
      );
    } finally {
      nodeFs.writeSync = realWrite;
      trainer.dispose();
      model.dispose();
    }
    assert.equal(incompleteSaveReason(dir), null, "the first save is whole");
    assert.equal(fs.readFileSync(path.join(dir, "run_card.json"), "utf8"), "first\n");
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.startsWith(".")),
      [],
      "no staging, no lock left",
    );

    if (!canMount()) {
      t.diagnostic("no private mount namespace: the real full-disk run (tmpfs) was not possible here");
      return;
    }
    // A real full disk: a 16 KB tmpfs as --output fills at the first checkpoint.
    const out = tmp();
    const script = `mount -t tmpfs -o size=16k tmpfs "$1" && exec "$2" --import tsx "$3" "$1"`;
    const r = spawnSync("unshare", ["-m", "sh", "-c", script, "sh", out, process.execPath, CHILD], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 110_000,
    });
    assert.equal(r.status, 1);
    const first = firstErrorLine(r.stderr);
    assert.match(
      first,
      new RegExp(`^${out}/\\S+: cannot (write|create directory|move into place): ENOSPC: no space left on device`),
    );
    t.diagnostic(`16 KB tmpfs: ${first}`);
  },
);

/** A directory as a user's project looks: a git repository, an .env, a symlink, a FIFO, mode 700. */
function userProject(dir: string): Record<string, string> {
  fs.mkdirSync(path.join(dir, ".git"));
  fs.writeFileSync(path.join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
  fs.writeFileSync(path.join(dir, ".env"), "SECRET=1\n");
  fs.mkdirSync(path.join(dir, "data"));
  fs.symlinkSync("../README", path.join(dir, "data", "link"));
  fs.writeFileSync(path.join(dir, "README"), "my project\n");
  execFileSync("mkfifo", [path.join(dir, "fifo")]);
  fs.chmodSync(dir, 0o700);
  return {
    ".git/HEAD": "ref: refs/heads/main\n",
    ".env": "SECRET=1\n",
    README: "my project\n",
  };
}

function writeCorpus(dir: string): { data: string; labels: string; config: string } {
  const labels = ["O", "B-Cuisine", "B-Price"];
  const rows = [
    { tokens: ["cheap", "pizza"], ner_tags: [2, 1] },
    { tokens: ["any", "thai", "places"], ner_tags: [0, 1, 0] },
  ];
  const data = path.join(dir, "train.jsonl");
  fs.writeFileSync(data, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "labels.txt"), labels.join("\n"));
  const config = path.join(dir, "tiny.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      model_type: "bert",
      vocab_size: 30522,
      hidden_size: 8,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 16,
      max_position_embeddings: 32,
    }),
  );
  return { data, labels: path.join(dir, "labels.txt"), config };
}

test(
  "ner train's --output guards: root, home, a non-empty project, the input model; " +
    "--overwrite-output-dir keeps the user's files",
  { timeout: 300_000 },
  async () => {
    const inputs = writeCorpus(tmp());
    const job = {
      data: inputs.data,
      labels: inputs.labels,
      model: inputs.config,
      maxSteps: 2,
      perDeviceTrainBatchSize: 2,
      backend: "cpu",
      progress: "none" as const,
      evalStrategy: "no" as const,
    };
    const refusedFast = async (outputDir: string, re: RegExp, extra: object = {}) => {
      const t0 = Date.now();
      await assert.rejects(
        runTrainJob({ ...job, ...extra, outputDir }, () => undefined),
        (err: Error) => {
          assert.doesNotMatch(err.message, /\n/);
          assert.match(err.message, re);
          return true;
        },
      );
      assert.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
    };
    await refusedFast("/", /^\/: refusing to write a model into the filesystem root; give a directory of its own/, {
      overwriteOutputDir: true,
    });
    const home = tmp();
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    try {
      await refusedFast(home, /refusing to write a model into your home directory itself/, {
        overwriteOutputDir: true,
      });
    } finally {
      process.env.HOME = savedHome;
    }

    // The case: `--output .` inside a project. Refused as HF's run_ner.py refuses a non-empty directory…
    const project = tmp();
    const kept = userProject(project);
    const cwd = process.cwd();
    process.chdir(project);
    try {
      await refusedFast(
        ".",
        new RegExp(
          "^Output directory \\(\\.\\) already exists and is not empty \\(it holds " +
            ".*\\)\\. Use --overwrite-output-dir to overcome",
        ),
      );
      // …and with --overwrite-output-dir it trains and saves beside the user's files, deleting none.
      const result = await runTrainJob({ ...job, outputDir: ".", overwriteOutputDir: true }, () => undefined);
      assert.equal(result.metrics.step, 2);
    } finally {
      process.chdir(cwd);
    }
    for (const [rel, text] of Object.entries(kept))
      assert.equal(fs.readFileSync(path.join(project, rel), "utf8"), text, `${rel} kept`);
    assert.equal(fs.readlinkSync(path.join(project, "data", "link")), "../README");
    assert.ok(fs.lstatSync(path.join(project, "fifo")).isFIFO());
    assert.equal(fs.statSync(project).mode & 0o777, 0o700);
    assert.equal(incompleteSaveReason(project), null);
    assert.ok(fs.existsSync(path.join(project, "model.safetensors")) && fs.existsSync(path.join(project, SAVE_MARKER)));

    // --model X --output X: refused (the save would replace the input's weights), even though X is an earlier output.
    await refusedFast(
      project,
      /is the --model directory: the save would replace its files .*pass --overwrite-output-dir/,
      { model: project },
    );
    const weights = fs.readFileSync(path.join(project, "model.safetensors"));
    // Through the CLI the same refusal is one line on stderr, exit 1.
    const r = spawnSync(
      process.execPath,
      [
        NER,
        "train",
        "--data",
        inputs.data,
        "--labels",
        inputs.labels,
        "--model",
        project,
        "--output",
        project,
        "--max-steps",
        "1",
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^ner train: .* is the --model directory: the save would replace its files/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(fs.readFileSync(path.join(project, "model.safetensors")).equals(weights), "the input model is untouched");
    assert.ok(fs.existsSync(path.join(project, ".git", "HEAD")));

    // A save cut short while moving its files in: ner evaluate and ner train --model refuse it, in one line.
    const staging = path.join(project, ".ner-save.tmp-999999-1");
    fs.mkdirSync(staging);
    fs.writeFileSync(path.join(staging, SAVE_MARKER), "{}");
    fs.writeFileSync(path.join(staging, ".commit.json"), JSON.stringify({ files: [] }));
    const interrupted =
      /: its last save was interrupted while moving files in \(\.ner-save\.tmp-999999-1 remains\); run the same/;
    await assert.rejects(runEvaluateJob({ model: project, data: inputs.data, backend: "cpu" }), interrupted);
    await refusedFast(tmp(), interrupted, { model: project });
    // ner predict and ner export web refuse it too, before loading anything, and write nothing.
    const site = path.join(tmp(), "site");
    for (const args of [
      ["predict", "--model", project, "a text"],
      ["export", "web", "--model", project, "--out", site],
    ]) {
      const p = spawnSync(process.execPath, [NER, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      assert.equal(p.status, 1, p.stderr);
      assert.match(p.stderr, interrupted);
      assert.equal(p.stderr.trim().split("\n").length, 1, p.stderr);
      assert.equal(p.stdout, "");
    }
    assert.ok(!fs.existsSync(site), "no site written");
    fs.rmSync(staging, { recursive: true });
  },
);

test(
  "ner data convert refuses to write onto its own input (same path, a symlink, a hard link)",
  { timeout: 60_000 },
  () => {
    const dir = tmp();
    const input = path.join(dir, "train.txt");
    const text = "cheap B-Price\npizza B-Cuisine\n\n";
    fs.writeFileSync(input, text);
    fs.symlinkSync(input, path.join(dir, "via-link.txt"));
    fs.linkSync(input, path.join(dir, "hard.txt"));
    for (const [from, to] of [
      [input, input],
      [path.join(dir, "via-link.txt"), input],
      [input, path.join(dir, "hard.txt")],
    ]) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [NER, "data", "convert", from, "--format", "iob1", "-o", to], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(r.status, 1, r.stdout);
      assert.match(
        r.stderr,
        new RegExp(
          `^ner data convert: --output ${to} is the input file ${from}: converting would overwrite ` +
            `it; choose another output file\\n$`,
        ),
      );
      assert.ok(Date.now() - t0 < 10_000, `refused in ${Date.now() - t0} ms, process start-up included`);
      assert.equal(fs.readFileSync(input, "utf8"), text, "the input is untouched");
    }
  },
);
