// The resume forms (true / "auto" / a path), the final save into a user's directory (files staged,
// moved in one by one, completion marker last; nothing the save does not write is touched), and
// recovery after a kill.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Trainer } from "../../src/training/trainer";
import {
  SAVE_MARKER,
  incompleteSaveReason,
  latestCheckpoint,
  listCheckpoints,
  recoverOutputDir,
  rotateCheckpoints,
} from "../../src/training/checkpoint";
import { ToyModel, toyFeatures, weightsOf } from "./toy-model";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-resume-"));
const args = {
  progress: "none" as const,
  learningRate: 0.02,
  perDeviceTrainBatchSize: 4,
  numTrainEpochs: 1,
  saveStrategy: "steps" as const,
  saveSteps: 2,
};

test(
  'resumeFromCheckpoint: true without a checkpoint is an error (as HF), "auto" starts fresh, a path ' +
    "must be a complete checkpoint",
  async () => {
    await tf.setBackend("cpu");
    const dir = tmp();
    const model = new ToyModel(21);
    const trainer = new Trainer({ model, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
    await assert.rejects(
      trainer.train({ resumeFromCheckpoint: true }),
      /^Error: No valid checkpoint found in output directory \(.*\); use resumeFromCheckpoint "auto"/,
    );

    const out = await trainer.train({ resumeFromCheckpoint: "auto" });
    assert.equal(out.globalStep, 4, "auto with nothing to resume trains from step 0");
    assert.equal(path.basename(latestCheckpoint(dir)!), "checkpoint-4");

    // "auto" with a checkpoint resumes from it (here: the end, so no step is trained again).
    const againModel = new ToyModel(22);
    const again = new Trainer({
      model: againModel,
      args: { ...args, outputDir: dir, resumeFromCheckpoint: "auto" },
      trainDataset: toyFeatures(16),
    });
    assert.equal((await again.train()).globalStep, 4);
    assert.deepEqual(weightsOf(againModel), weightsOf(model));

    // A checkpoint directory missing a file is refused, naming what is missing.
    const broken = path.join(dir, "checkpoint-2");
    fs.rmSync(path.join(broken, "optimizer.safetensors"));
    await assert.rejects(
      trainer.train({ resumeFromCheckpoint: broken }),
      new RegExp(`checkpoint-2: not a complete checkpoint \\(missing optimizer\\.safetensors\\)`),
    );
    assert.deepEqual(
      listCheckpoints(dir).map((d) => path.basename(d)),
      ["checkpoint-4"],
      "an incomplete checkpoint does not count",
    );
    await assert.rejects(
      trainer.train({ resumeFromCheckpoint: path.join(dir, "nope") }),
      /nope: no such checkpoint directory/,
    );
    for (const t of [trainer, again]) t.dispose();
    for (const m of [model, againModel]) m.dispose();
  },
);

/** Everything under `dir` (not following links): relative path → kind, mode and content or link target. */
function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel))) {
      const r = path.join(rel, name);
      if (skip(r)) continue;
      const st = fs.lstatSync(path.join(dir, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link -> ${fs.readlinkSync(path.join(dir, r))}`;
      else if (st.isFIFO()) out[r] = `fifo ${mode}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        walk(r);
      } else out[r] = `file ${mode} ${fs.readFileSync(path.join(dir, r), "utf8")}`;
    }
  };
  walk("");
  return out;
}

/** A directory as a user's project looks: a git repository, an .env, a symlink, a FIFO, a notes file, mode 700. */
function userProject(dir: string): void {
  fs.mkdirSync(path.join(dir, ".git", "objects"), { recursive: true });
  fs.writeFileSync(path.join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
  fs.writeFileSync(path.join(dir, ".env"), "SECRET=1\n", { mode: 0o600 });
  fs.mkdirSync(path.join(dir, "data"));
  fs.symlinkSync("../notes.txt", path.join(dir, "data", "link"));
  fs.symlinkSync("/nonexistent/target", path.join(dir, "dangling"));
  execFileSync("mkfifo", [path.join(dir, "pipe")]);
  fs.writeFileSync(path.join(dir, "notes.txt"), "my notes\n");
  fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "an earlier model's weights, not this run's");
  fs.chmodSync(dir, 0o700);
}

test(
  "saveModel keeps every file it does not write (dotfiles, .git, symlinks, FIFOs, user files) and the " +
    "directory's mode",
  async () => {
    await tf.setBackend("cpu");
    const dir = tmp();
    userProject(dir);
    const before = snapshot(dir);
    const ino = fs.statSync(dir).ino;
    const model = new ToyModel(23);
    const trainer = new Trainer({ model, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
    await trainer.train();
    await trainer.saveModel(dir, { files: { "run_card.json": "{}\n" } });

    const after = snapshot(dir, (r) => r.startsWith("checkpoint-"));
    for (const [rel, what] of Object.entries(before)) assert.equal(after[rel], what, `${rel} untouched`);
    const written = Object.keys(after)
      .filter((r) => !(r in before))
      .sort();
    assert.deepEqual(
      written,
      ["config.json", "model.safetensors", "run_card.json", SAVE_MARKER, "training_args.json"].sort(),
    );
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700, "mode 700 kept");
    assert.equal(fs.statSync(dir).ino, ino, "the directory itself was never replaced");
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, SAVE_MARKER), "utf8"));
    assert.deepEqual(Object.keys(manifest.files).sort(), [
      "config.json",
      "model.safetensors",
      "run_card.json",
      "training_args.json",
    ]);
    assert.equal(manifest.files["model.safetensors"], fs.statSync(path.join(dir, "model.safetensors")).size);
    assert.equal(incompleteSaveReason(dir), null);

    // A second save replaces its own files in place; a file it replaces keeps its mode.
    fs.chmodSync(path.join(dir, "config.json"), 0o600);
    await trainer.saveModel(dir, { files: { "run_card.json": '{"second": true}\n' } });
    assert.equal(fs.readFileSync(path.join(dir, "run_card.json"), "utf8"), '{"second": true}\n');
    assert.equal(fs.statSync(path.join(dir, "config.json")).mode & 0o777, 0o600);
    for (const [rel, what] of Object.entries(before))
      assert.equal(snapshot(dir)[rel], what, `${rel} untouched by the second save`);
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n.startsWith(".ner")),
      [],
      "no staging or lock left",
    );

    // The checkpoints beside the model still resume.
    const fresh = new ToyModel(24);
    const resumed = new Trainer({ model: fresh, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
    await resumed.train({ resumeFromCheckpoint: true });
    assert.deepEqual(weightsOf(fresh), weightsOf(model), "checkpoints beside the model still resume");
    for (const t of [trainer, resumed]) t.dispose();
    for (const m of [model, fresh]) m.dispose();
  },
);

test(
  "a symlinked output directory is followed, never replaced; the save " + "never renames the output directory",
  async () => {
    await tf.setBackend("cpu");
    const root = tmp();
    const real = path.join(root, "real");
    fs.mkdirSync(real);
    const link = path.join(root, "out");
    fs.symlinkSync(real, link);
    const renames: [string, string][] = [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS fs is patchable (ES's is frozen)
    const nodeFs = require("fs") as { renameSync: typeof fs.renameSync };
    const realRename = nodeFs.renameSync;
    nodeFs.renameSync = (a, b) => {
      renames.push([path.resolve(String(a)), path.resolve(String(b))]);
      realRename(a, b);
    };
    const model = new ToyModel(25);
    const trainer = new Trainer({ model, args: { ...args, outputDir: link }, trainDataset: toyFeatures(16) });
    try {
      await trainer.train();
      await trainer.saveModel(link);
    } finally {
      nodeFs.renameSync = realRename;
      trainer.dispose();
      model.dispose();
    }
    assert.ok(fs.lstatSync(link).isSymbolicLink(), "still a symlink");
    assert.equal(fs.readlinkSync(link), real);
    assert.ok(fs.existsSync(path.join(real, "model.safetensors")) && fs.existsSync(path.join(real, "checkpoint-4")));
    assert.ok(renames.length > 0);
    for (const [from, to] of renames) {
      for (const p of [from, to]) {
        const inside = p.startsWith(real + path.sep) || p.startsWith(link + path.sep);
        assert.ok(inside, `every rename stays inside the output directory: ${from} -> ${to}`);
      }
    }
    // A dangling symlink is refused in one line (never replaced by a directory).
    const dangling = path.join(root, "dangling");
    fs.symlinkSync(path.join(root, "missing"), dangling);
    const m2 = new ToyModel(26);
    const t2 = new Trainer({ model: m2, args: { ...args, outputDir: dangling }, trainDataset: toyFeatures(16) });
    await assert.rejects(t2.train(), /dangling is a symlink to .*missing, which does not exist/);
    assert.ok(fs.lstatSync(dangling).isSymbolicLink());
    t2.dispose();
    m2.dispose();
  },
);

test(
  "a save killed while staging is dropped (the previous save stays " + "whole); one killed while moving in is finished",
  async () => {
    await tf.setBackend("cpu");
    const dir = tmp();
    const model = new ToyModel(27);
    const trainer = new Trainer({ model, args: { ...args, outputDir: dir }, trainDataset: toyFeatures(16) });
    await trainer.train();
    await trainer.saveModel(dir, { files: { "run_card.json": "old\n" } });
    const oldWeights = fs.readFileSync(path.join(dir, "model.safetensors"));

    // Killed while staging: a staging directory without its commit list.
    const half = path.join(dir, `.ner-save.tmp-999999-1`);
    fs.mkdirSync(half);
    fs.writeFileSync(path.join(half, "config.json"), "half");
    assert.equal(incompleteSaveReason(dir), null, "the previous save is still complete");
    recoverOutputDir(dir);
    assert.ok(!fs.existsSync(half));
    assert.ok(fs.readFileSync(path.join(dir, "model.safetensors")).equals(oldWeights));

    // Killed while moving in: the commit list exists, the old marker is gone, some files are moved already.
    const staging = path.join(dir, `.ner-save.tmp-999999-2`);
    fs.mkdirSync(staging);
    fs.writeFileSync(path.join(dir, "run_card.json"), "new\n"); // moved in before the kill
    fs.writeFileSync(path.join(staging, "config.json"), '{"new": true}');
    fs.writeFileSync(
      path.join(staging, SAVE_MARKER),
      JSON.stringify({ files: { "config.json": 13, "run_card.json": 4 }, completed: "x" }),
    );
    fs.writeFileSync(path.join(staging, ".commit.json"), JSON.stringify({ files: ["config.json", "run_card.json"] }));
    fs.rmSync(path.join(dir, SAVE_MARKER));
    assert.match(
      incompleteSaveReason(dir)!,
      /its last save was interrupted while moving files in .*--resume auto to finish it/,
    );
    recoverOutputDir(dir);
    assert.equal(fs.readFileSync(path.join(dir, "config.json"), "utf8"), '{"new": true}');
    assert.equal(incompleteSaveReason(dir), null, "finished: every listed file with its size");
    assert.ok(!fs.existsSync(staging));

    // A file listed by the marker but damaged afterwards is named.
    fs.writeFileSync(path.join(dir, "run_card.json"), "truncated?");
    assert.equal(
      incompleteSaveReason(dir),
      `${dir}: incomplete save: run_card.json has 10 bytes, the save wrote 4 (${SAVE_MARKER})`,
    );
    trainer.dispose();
    model.dispose();
  },
);

test("rotation renames a checkpoint out of its name before deleting it", () => {
  const out = tmp();
  for (const step of [1, 2, 3]) {
    const d = path.join(out, `checkpoint-${step}`);
    fs.mkdirSync(d);
    for (const f of [
      "config.json",
      "model.safetensors",
      "optimizer.safetensors",
      "rng_state.json",
      "trainer_state.json",
    ])
      fs.writeFileSync(path.join(d, f), "x");
  }
  const renamed: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS fs is patchable (ES's is frozen)
  const nodeFs = require("fs") as { renameSync: typeof fs.renameSync };
  const realRename = nodeFs.renameSync;
  nodeFs.renameSync = (a, b) => {
    renamed.push(`${path.basename(String(a))} -> ${path.basename(String(b)).replace(/-\d+-\d+$/, "")}`);
    realRename(a, b);
  };
  try {
    rotateCheckpoints(out, 1, null);
  } finally {
    nodeFs.renameSync = realRename;
  }
  assert.deepEqual(renamed, ["checkpoint-1 -> .checkpoint-1.deleted", "checkpoint-2 -> .checkpoint-2.deleted"]);
  assert.deepEqual(fs.readdirSync(out), ["checkpoint-3"]);
});
