/**
 * Training checkpoints and the output directory, in the Hugging Face layout.
 *
 * `<outputDir>/checkpoint-<step>/` holds the model (`config.json`, `model.safetensors`), the
 * optimizer moments (`optimizer.safetensors`), `trainer_state.json` (step, epoch, log history,
 * best metric, fingerprints of the training data and the label list, and what resuming needs:
 * the epoch's data order and position, the loss accumulators) and `rng_state.json`. Each
 * checkpoint is written into a hidden temporary directory and renamed into place only when
 * complete; rotation renames a checkpoint out of its name before deleting it. Resuming checks
 * the checkpoint against the run ({@link checkResumable}) and refuses, in one line, what would
 * silently train on the wrong state.
 *
 * The output directory itself is the user's: the final save ({@link saveIntoOutputDir}) never
 * renames, replaces or deletes it or anything in it the save does not write. Its files are
 * staged in a hidden directory inside it, then moved in one by one (each rename atomic), and a
 * completion marker (`save_complete.json`, listing them) is moved in last. One run at a time
 * writes an output directory (src/util/lock). Leftovers of killed writes are removed, and a save
 * killed while moving its files in is finished, at the next start ({@link recoverOutputDir});
 * docs/training.md lists what survives a kill.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { RngState } from "../util/random";
import { isTransposed, type ParamSpec } from "../models/weights";
import type { AdamW } from "./adamw";
import { encodeSafetensors, readSafetensors, type SafetensorsDtype, type TensorData } from "../models/safetensors";
import { errorNamingPath, fsyncDir, writeDirAtomicAsync, writeFileAtomic, writeFileSynced } from "../util/atomic";
import { READ_LIMITS, readTextFileBounded } from "../util/files";
import { acquireDirLock, describeHolder, holdsDirLock, liveLockHolder, LOCK_FILE } from "../util/lock";
import type {
  LogEntry,
  LoopPosition,
  LoopTotals,
  ResumeFrom,
  ResumeState,
  TrainableModel,
  TrainingFeature,
} from "./types";

export type { LogEntry, ResumeState };

/** HF-like trainer_state.json. */
export interface TrainerStateFile {
  global_step: number;
  epoch: number;
  max_steps: number;
  num_train_epochs: number;
  train_batch_size: number;
  log_history: LogEntry[];
  best_metric: number | null;
  best_model_checkpoint: string | null;
  /** Number of training examples and sha256 of their input ids and labels ({@link fingerprintFeatures}). */
  train_examples?: number;
  train_data_sha256?: string;
  /** The label names in id order (the classifier's rows). */
  labels?: string[];
  resume: ResumeState;
}

export interface RngStateFile {
  data: RngState;
  dropout: RngState;
}

const CHECKPOINT_RE = /^checkpoint-(\d+)$/;

/** The files every complete checkpoint holds; `trainer_state.json` is written last. */
export const CHECKPOINT_FILES = [
  "config.json",
  "model.safetensors",
  "optimizer.safetensors",
  "rng_state.json",
  "trainer_state.json",
] as const;

/** Directory name of the checkpoint at `step`. */
export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/** The files of {@link CHECKPOINT_FILES} that `dir` lacks (all of them when it is not a directory). */
export function missingCheckpointFiles(dir: string): string[] {
  return CHECKPOINT_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
}

/** Throw a one-line error unless `dir` is a complete checkpoint. */
export function assertCompleteCheckpoint(dir: string): void {
  if (!fs.existsSync(dir)) throw new Error(`${dir}: no such checkpoint directory`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir}: is a file, not a checkpoint directory`);
  const missing = missingCheckpointFiles(dir);
  if (missing.length) throw new Error(`${dir}: not a complete checkpoint (missing ${missing.join(", ")})`);
}

/**
 * The checkpoint a `resumeFromCheckpoint` value names, or null for a fresh start (see
 * {@link ResumeFrom}). Errors as Hugging Face's Trainer: `true` with no checkpoint is one.
 */
export function resumeCheckpointFor(resume: ResumeFrom | undefined, outputDir: string | undefined): string | null {
  if (resume === undefined || resume === false) return null;
  if (typeof resume === "string" && resume !== "auto") {
    assertCompleteCheckpoint(resume);
    return resume;
  }
  if (!outputDir)
    throw new Error(`resumeFromCheckpoint=${JSON.stringify(resume)} needs outputDir (where the checkpoints are)`);
  const latest = latestCheckpoint(outputDir);
  if (!latest && resume === true) {
    throw new Error(
      `No valid checkpoint found in output directory (${outputDir}); ` +
        `use resumeFromCheckpoint "auto" (ner train --resume auto) to start fresh when there is none`,
    );
  }
  return latest;
}

/** Complete checkpoints under `outputDir`, oldest first. */
export function listCheckpoints(outputDir: string): string[] {
  if (!fs.existsSync(outputDir)) return [];
  return fs
    .readdirSync(outputDir)
    .map((name) => ({ name, m: CHECKPOINT_RE.exec(name) }))
    .filter((e) => e.m && missingCheckpointFiles(path.join(outputDir, e.name)).length === 0)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((e) => path.join(outputDir, e.name));
}

/** The newest complete checkpoint under `outputDir`, or null. */
export function latestCheckpoint(outputDir: string): string | null {
  const all = listCheckpoints(outputDir);
  return all.length ? all[all.length - 1] : null;
}

/**
 * Names of leftovers inside an output directory: checkpoint temporaries of src/util/atomic
 * (`.checkpoint-<n>.tmp-…`), checkpoints renamed out by rotation (`.checkpoint-<n>.deleted-…`),
 * temporary files of src/util/atomic (`.<file>.tmp-<pid>-<ms>-<random>`), and the per-file
 * model saves of earlier versions (`.save-…`). None of these names is one a user would pick.
 */
const LEFTOVER_RE = /^(\.checkpoint-\d+\.(tmp|deleted)-|\.save-|\..+\.tmp-\d+-\d+-[a-z0-9]+$)/;

/**
 * Clean up checkpoints after a killed run: a checkpoint that was being replaced when the process
 * died (its old copy renamed out, the new one not yet in) is put back first (see
 * {@link recoverInterruptedSwap}), then the leftovers inside `outputDir` are removed.
 */
export function removeStaleTemporaries(outputDir: string): void {
  if (!fs.existsSync(outputDir) || !fs.statSync(outputDir).isDirectory()) return;
  const names = fs.readdirSync(outputDir);
  const swapped = new Set(names.map((n) => /^\.(checkpoint-\d+)\.tmp-/.exec(n)?.[1]).filter((n): n is string => !!n));
  for (const base of swapped) recoverInterruptedSwap(path.join(outputDir, base), "trainer_state.json");
  for (const name of fs.readdirSync(outputDir)) {
    if (LEFTOVER_RE.test(name)) fs.rmSync(path.join(outputDir, name), { recursive: true, force: true });
  }
}

/**
 * A checkpoint directory replaced with src/util/atomic (`fill` a temporary `.<name>.tmp-…`
 * sibling, rename the old `<name>` out to another `.<name>.tmp-…`, rename the new one in, delete
 * the old) is missing for an instant between the two renames. If a kill hit that instant, both
 * siblings are complete: put back the newer one, i.e. the one whose `marker` (a file written
 * last) is the most recent; then delete every other sibling. Partial fills lack the marker.
 */
export function recoverInterruptedSwap(target: string, marker: string): void {
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  const prefix = `.${path.basename(target)}.tmp-`;
  const leftovers = fs
    .readdirSync(parent)
    .filter((n) => n.startsWith(prefix))
    .map((n) => path.join(parent, n));
  if (leftovers.length === 0) return;
  if (!fs.existsSync(target)) {
    const complete = leftovers
      .filter((d) => fs.existsSync(path.join(d, marker)))
      .sort((a, b) => fs.statSync(path.join(b, marker)).mtimeMs - fs.statSync(path.join(a, marker)).mtimeMs);
    if (complete.length) fs.renameSync(complete[0], target);
  }
  for (const d of leftovers) if (fs.existsSync(d)) fs.rmSync(d, { recursive: true, force: true });
}

// ---------------------------------------------------------------- the output directory

/** The final save's completion marker, moved in last; it lists the files of the save and their sizes. */
export const SAVE_MARKER = "save_complete.json";

/** What {@link SAVE_MARKER} holds. */
export interface SaveManifest {
  /** Each file of the save and its size in bytes. */
  files: Record<string, number>;
  completed: string;
}

/** A save's staging directory inside the output directory: `.ner-save.tmp-<pid>-<ms>`. */
const STAGING_RE = /^\.ner-save\.tmp-\d+-\d+$/;
/**
 * In a staging directory: the files to move in, written once every file is staged; from then on the
 * save is rolled forward.
 */
const COMMIT_FILE = ".commit.json";

/**
 * The directory a save into `dir` writes: its real path (a symlink is followed, never replaced).
 * Refuses, in one line, a dangling symlink, a file, the filesystem root and the home directory.
 * `what` names `dir` in messages (e.g. "--output runs/x").
 */
export function resolveOutputDir(dir: string, what = dir): string {
  const abs = path.resolve(dir);
  let real = abs;
  const st = lstatOrNull(abs);
  if (st?.isSymbolicLink()) {
    try {
      real = fs.realpathSync(abs);
    } catch {
      throw new Error(`${what} is a symlink to ${fs.readlinkSync(abs)}, which does not exist; create it first`);
    }
  } else if (!st) {
    real = path.join(realpathOfExistingAncestor(path.dirname(abs)), path.basename(abs));
  } else {
    real = fs.realpathSync(abs);
  }
  const target = statOrNull(real);
  if (target && !target.isDirectory()) throw new Error(`${what} is a file, not a directory`);
  if (real === path.parse(real).root)
    throw new Error(
      `${what}: refusing to write a model into the filesystem root; give a directory of its own (e.g. runs/x)`,
    );
  if (real === realpathOrSelf(os.homedir()))
    throw new Error(
      `${what}: refusing to write a model into your home directory itself; give a directory of its own (e.g. ~/runs/x)`,
    );
  return real;
}

/** Names in an output directory that an earlier `ner train` run (or this code) put there. */
const RUN_OUTPUT_RE =
  /^(checkpoint-\d+|save_complete\.json|training_args\.json|run_card\.json|\.ner\.lock(\.break)?|\.ner-save\.tmp-.*)$/;

/**
 * Refuse an output directory a run must not write into (Hugging Face's run_ner.py rule, plus
 * the model being fine-tuned), each with one line:
 * - one of `inputs` (e.g. `--model X --output X`: the save would replace the input's weights);
 * - an existing directory that is not empty and holds no earlier run's output (a project, `..`).
 * `overwrite` (`--overwrite-output-dir`) allows both; the root and the home directory are never
 * allowed ({@link resolveOutputDir}). Even when allowed, a save replaces only the files it writes.
 */
export function checkOutputDir(
  dir: string,
  opts: { what?: string; overwrite?: boolean; inputs?: { flag: string; path: string }[] } = {},
): void {
  const what = opts.what ?? dir;
  const real = resolveOutputDir(dir, what);
  if (opts.overwrite) return;
  for (const input of opts.inputs ?? []) {
    const st = statOrNull(input.path);
    if (st?.isDirectory() && realpathOrSelf(input.path) === real) {
      throw new Error(
        `${what} is the ${input.flag} directory: the save would replace its files (config, weights, tokenizer); ` +
          `choose another output directory, or pass --overwrite-output-dir`,
      );
    }
  }
  if (!statOrNull(real)) return;
  const names = fs.readdirSync(real);
  if (names.length === 0 || names.some((n) => RUN_OUTPUT_RE.test(n))) return;
  const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "");
  throw new Error(
    `Output directory (${what}) already exists and is not empty (it holds ${shown}, and no earlier run's output). ` +
      `Use --overwrite-output-dir to overcome (files the run does not write are kept).`,
  );
}

/**
 * Take the exclusive lock on the output directory `dir` (created if missing) for this process,
 * then make it whole after a kill ({@link recoverOutputDir}). Returns the release function.
 * A second run on the same directory fails at once naming the holder.
 */
export function lockOutputDir(dir: string, what = dir): () => void {
  const real = resolveOutputDir(dir, what);
  try {
    fs.mkdirSync(real, { recursive: true });
  } catch (err) {
    throw errorNamingPath(real, err, "cannot create directory");
  }
  const release = acquireDirLock(real, what);
  try {
    recoverOutputDir(real);
  } catch (err) {
    release();
    throw err;
  }
  return release;
}

/**
 * Make an output directory whole after a kill: a final save killed while moving its files in is
 * finished (its staging was complete, so rolling forward gives the whole new save), one killed
 * while staging is dropped (the previous save is untouched), and the leftovers of checkpoint
 * writes are removed. Only the holder of the directory's lock may call this.
 */
export function recoverOutputDir(outputDir: string): void {
  const dir = path.resolve(outputDir);
  if (!statOrNull(dir)?.isDirectory()) return;
  for (const name of fs.readdirSync(dir)) {
    if (!STAGING_RE.test(name)) continue;
    const staging = path.join(dir, name);
    if (readCommit(staging)) commitStaging(dir, staging);
    else fs.rmSync(staging, { recursive: true, force: true });
  }
  removeStaleTemporaries(dir);
}

/**
 * The final save into a user's directory. `fill(staging)` writes the save's files (flat, regular
 * files) into a hidden staging directory inside `outputDir`; then each is renamed over its name
 * in `outputDir` (a file it replaces keeps its mode) and the completion marker
 * {@link SAVE_MARKER}, listing them, is renamed in last. Nothing else in `outputDir` is touched,
 * and `outputDir` itself is never renamed (it may be a mount point, or a symlink, which is followed).
 * Holds the directory's lock throughout. Returns the names of the files written.
 */
export async function saveIntoOutputDir(
  outputDir: string,
  fill: (staging: string) => Promise<void>,
): Promise<string[]> {
  const release = lockOutputDir(outputDir);
  try {
    const dir = resolveOutputDir(outputDir);
    const staging = path.join(dir, `.ner-save.tmp-${process.pid}-${Date.now()}`);
    try {
      fs.mkdirSync(staging);
    } catch (err) {
      throw errorNamingPath(staging, err, "cannot create directory");
    }
    let names: string[];
    try {
      await fill(staging);
      names = fs.readdirSync(staging).sort();
      const files: Record<string, number> = {};
      for (const name of names) {
        const st = fs.lstatSync(path.join(staging, name));
        if (!st.isFile() || name === SAVE_MARKER || name.startsWith(".")) {
          throw new Error(
            `${path.join(staging, name)}: a save holds plain files only, not named ${SAVE_MARKER} or hidden`,
          );
        }
        files[name] = st.size;
      }
      const manifest: SaveManifest = { files, completed: new Date().toISOString() };
      writeFileSynced(path.join(staging, SAVE_MARKER), JSON.stringify(manifest, null, 2) + "\n");
      fsyncDir(staging);
      // From here on the staging is complete: a kill is finished at the next start (roll forward).
      writeFileAtomic(path.join(staging, COMMIT_FILE), JSON.stringify({ files: names }));
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    commitStaging(dir, staging);
    return names;
  } finally {
    release();
  }
}

/** Move a complete staging's files into `dir`: the old marker out first, each file, the new marker last. */
function commitStaging(dir: string, staging: string): void {
  const commit = readCommit(staging);
  if (!commit) throw new Error(`${staging}: not a complete save (no ${COMMIT_FILE})`);
  try {
    fs.rmSync(path.join(dir, SAVE_MARKER), { force: true });
    for (const name of [...commit.files, SAVE_MARKER]) {
      const from = path.join(staging, name);
      if (!lstatOrNull(from)) continue; // moved in before a kill
      const to = path.join(dir, name);
      const old = lstatOrNull(to);
      if (old?.isFile()) fs.chmodSync(from, old.mode & 0o7777);
      fs.renameSync(from, to);
    }
  } catch (err) {
    throw errorNamingPath(dir, err, "cannot move the saved files in");
  }
  fsyncDir(dir);
  fs.rmSync(staging, { recursive: true, force: true });
}

function readCommit(staging: string): { files: string[] } | null {
  try {
    const c = JSON.parse(readTextFileBounded(path.join(staging, COMMIT_FILE), READ_LIMITS.json)) as { files?: unknown };
    const ok =
      Array.isArray(c.files) &&
      c.files.every((f) => typeof f === "string" && f === path.basename(f) && !f.startsWith("."));
    return ok ? { files: c.files as string[] } : null;
  } catch {
    return null;
  }
}

/**
 * Why `dir` does not hold a complete final save, or null when it does (or holds no save of
 * ours: a downloaded model has no marker). Read-only: for `ner evaluate` and loaders.
 */
export function incompleteSaveReason(dir: string): string | null {
  if (!statOrNull(dir)?.isDirectory()) return null;
  // A committed staging still holding the marker (moved in last) has files left to move in.
  const pending = fs.readdirSync(dir).filter((n) => {
    const staging = path.join(dir, n);
    return STAGING_RE.test(n) && readCommit(staging) && lstatOrNull(path.join(staging, SAVE_MARKER));
  });
  if (pending.length) {
    const holder = liveLockHolder(dir);
    if (holder && !holdsDirLock(dir))
      return `${dir}: a save is in progress (${describeHolder(holder)}); try again when it has finished`;
    return (
      `${dir}: its last save was interrupted while moving files in (${pending[0]} remains); ` +
      `run the same ner train command with --resume auto to finish it`
    );
  }
  const markerFile = path.join(dir, SAVE_MARKER);
  if (!lstatOrNull(markerFile)) return null;
  let manifest: SaveManifest;
  try {
    manifest = JSON.parse(readTextFileBounded(markerFile, READ_LIMITS.json)) as SaveManifest;
    if (typeof manifest.files !== "object" || manifest.files === null) throw new Error('no "files"');
  } catch (err) {
    return `${markerFile}: not a save manifest (${(err as Error).message}); the save is incomplete or damaged`;
  }
  for (const [name, size] of Object.entries(manifest.files)) {
    const st = statOrNull(path.join(dir, name));
    if (!st) return `${dir}: incomplete save: ${name} is missing (listed in ${SAVE_MARKER})`;
    if (st.size !== size)
      return `${dir}: incomplete save: ${name} has ${st.size} bytes, the save wrote ${size} (${SAVE_MARKER})`;
  }
  return null;
}

/** Throw {@link incompleteSaveReason} when there is one. */
export function assertCompleteSave(dir: string): void {
  const reason = incompleteSaveReason(dir);
  if (reason) throw new Error(reason);
}

/** The lock file name, for listings that hide what is not the run's output. */
export { LOCK_FILE };

export interface CheckpointContents {
  model: TrainableModel;
  /** Saved beside the model, as Hugging Face's Trainer does, so a checkpoint can be evaluated or served as it is. */
  tokenizer?: { save(dir: string): void | Promise<void> };
  optimizer: AdamW;
  state: TrainerStateFile;
  rng: RngStateFile;
  trainingArgs: unknown;
}

/** Write a complete checkpoint to `dir` atomically. */
export async function saveCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  await writeDirAtomicAsync(dir, async (tmp) => {
    await c.model.savePretrained(tmp);
    if (c.tokenizer) await c.tokenizer.save(tmp);
    const opt = c.optimizer.exportState();
    try {
      saveTensorFile(path.join(tmp, "optimizer.safetensors"), opt.tensors, {
        steps: JSON.stringify(opt.steps),
        hyper: JSON.stringify(opt.hyper),
      });
    } finally {
      tf.dispose([...opt.tensors.values()]);
    }
    writeFileSynced(path.join(tmp, "rng_state.json"), JSON.stringify(c.rng));
    writeFileSynced(path.join(tmp, "training_args.json"), JSON.stringify(c.trainingArgs, null, 2));
    // Written last: its presence marks the checkpoint complete.
    writeFileSynced(path.join(tmp, "trainer_state.json"), JSON.stringify(c.state, null, 2));
  });
}

const INTEGER_DTYPES: ReadonlySet<SafetensorsDtype> = new Set(["I64", "I32", "I16", "I8", "U8", "BOOL"]);

/**
 * Write tf tensors (int32 ones as I32, the rest as F32) to a safetensors file atomically, sorted
 * by name as the Python library does; `metadata` becomes the header's `__metadata__`.
 */
export function saveTensorFile(file: string, tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): void {
  const data = new Map<string, TensorData>();
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    const values = t.dtype === "int32" ? Int32Array.from(t.dataSync()) : Float32Array.from(t.dataSync());
    data.set(name, { shape: t.shape, data: values });
  }
  writeFileAtomic(file, encodeSafetensors(data, metadata ?? null));
}

/**
 * Read every tensor of a safetensors file as tf tensors (integer dtypes as int32, float dtypes
 * as float32) with the header's metadata. The caller disposes the tensors.
 */
export function loadTensorFile(file: string): { tensors: Map<string, tf.Tensor>; metadata: Record<string, string> } {
  const parsed = readSafetensors(file);
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, e] of parsed.tensors) {
    tensors.set(
      name,
      INTEGER_DTYPES.has(e.dtype)
        ? tf.tensor(e.toInt32(), e.shape, "int32")
        : tf.tensor(e.toFloat32(), e.shape, "float32"),
    );
  }
  return { tensors, metadata: parsed.metadata };
}

/** Read the trainer state of a checkpoint (throws naming the file when missing or corrupt). */
export function readTrainerState(dir: string): TrainerStateFile {
  const file = path.join(dir, "trainer_state.json");
  const saved = readJson<TrainerStateFile>(file);
  if (
    typeof saved !== "object" ||
    saved === null ||
    typeof saved.global_step !== "number" ||
    typeof saved.resume !== "object" ||
    saved.resume === null
  ) {
    throw new Error(`${file}: not a trainer state (needs "global_step" and "resume")`);
  }
  // Checkpoints of earlier versions kept position and totals in one flat object.
  if (!("position" in saved.resume))
    saved.resume = splitFlatResume(saved.resume as unknown as LoopPosition & LoopTotals);
  return saved;
}

function splitFlatResume(flat: LoopPosition & LoopTotals): ResumeState {
  const { epochIndex, stepInEpoch, epochOrder, ...totals } = flat;
  return { position: { epochIndex, stepInEpoch, epochOrder }, totals };
}

/** Read the RNG states of a checkpoint; each stream must be four 32-bit integers (signed or not). */
export function readRngState(dir: string): RngStateFile {
  const file = path.join(dir, "rng_state.json");
  const rng = readJson<RngStateFile>(file);
  for (const key of ["data", "dropout"] as const) {
    const v = (rng as Partial<RngStateFile> | null)?.[key] as unknown;
    const ok =
      Array.isArray(v) && v.length === 4 && v.every((x) => Number.isInteger(x) && x >= -0x80000000 && x <= 0xffffffff);
    if (!ok) throw new Error(`${file}: not an RNG state: "${key}" must be 4 32-bit integers, got ${preview(v)}`);
  }
  return rng;
}

// ---------------------------------------------------------------- what a resume checks

/** sha256 of the training features in order (input ids and labels): a resume must see the same data. */
export function fingerprintFeatures(features: readonly TrainingFeature[]): string {
  const h = createHash("sha256");
  for (const f of features) {
    h.update(Int32Array.of(f.inputIds.length, f.labels.length));
    h.update(Int32Array.from(f.inputIds));
    h.update(Int32Array.from(f.labels));
  }
  return h.digest("hex");
}

/** The label names of an id2label map in id order. */
export function labelNames(id2label: Record<number, string>): string[] {
  return Object.keys(id2label)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => id2label[i]);
}

/** What the run resuming a checkpoint looks like, to compare with what the checkpoint saved. */
export interface RunShape {
  maxSteps: number;
  batchSize: number;
  gradientAccumulationSteps: number;
  batchesPerEpoch: number;
  updatesPerEpoch: number;
  numEpochs: number;
  trainExamples: number;
  trainDataSha256: string;
  labels: string[];
}

/**
 * Refuse to resume from checkpoint `dir` when its state does not fit this run, with one line
 * naming the reason (as Hugging Face's Trainer does for its own checks): other steps or batch
 * size, a step beyond the run, a position or data order that cannot be, other training data,
 * other labels or the same labels in another order (the classifier's rows would be read as the
 * wrong labels), garbage running totals. Checkpoints of earlier versions lack the fingerprints;
 * their data size is still checked through the data order.
 */
export function checkResumable(dir: string, saved: TrainerStateFile, run: RunShape): void {
  const refuse = (why: string): never => {
    throw new Error(`${dir}: cannot resume: ${why}`);
  };
  if (saved.max_steps !== run.maxSteps || saved.train_batch_size !== run.batchSize) {
    refuse(
      `checkpoint was made for ${saved.max_steps} steps at batch size ${saved.train_batch_size}, ` +
        `this run has ${run.maxSteps} steps at batch size ${run.batchSize}`,
    );
  }
  const step = saved.global_step;
  if (!Number.isInteger(step) || step < 0 || step > run.maxSteps)
    refuse(`global_step ${step} is outside this run's 0..${run.maxSteps} (max_steps)`);
  if (saved.train_examples !== undefined && saved.train_examples !== run.trainExamples) {
    refuse(
      `the checkpoint was trained on ${saved.train_examples} examples, ` +
        `this run has ${run.trainExamples} (other training data)`,
    );
  }
  if (saved.train_data_sha256 !== undefined && saved.train_data_sha256 !== run.trainDataSha256) {
    refuse(
      `the training data differs from the checkpoint's (sha256 of input ids and labels ` +
        `${run.trainDataSha256.slice(0, 12)}… vs ${String(saved.train_data_sha256).slice(0, 12)}…)`,
    );
  }
  checkLabels(dir, saved, run.labels, refuse);
  checkPosition(saved.resume?.position, step, run, refuse);
  checkTotals(saved.resume?.totals, refuse);
}

function checkLabels(dir: string, saved: TrainerStateFile, labels: string[], refuse: (why: string) => never): void {
  const fromConfig = readJsonOrNull<{ id2label?: Record<number, string> }>(path.join(dir, "config.json"))?.id2label;
  for (const theirs of [saved.labels, fromConfig ? labelNames(fromConfig) : undefined]) {
    if (theirs === undefined) continue;
    if (!Array.isArray(theirs) || theirs.join("\u0000") === labels.join("\u0000")) continue;
    const same =
      theirs.length === labels.length && [...theirs].sort().join("\u0000") === [...labels].sort().join("\u0000");
    const list = (l: readonly unknown[]) => (l.length > 8 ? [...l.slice(0, 8), "…"] : l).join(",");
    refuse(
      same
        ? `the checkpoint has the same labels in another order (${list(theirs)} vs this run's ${list(labels)}); ` +
            `its classifier rows would be read as the wrong labels`
        : `the checkpoint's labels (${list(theirs)}) differ from this run's (${list(labels)})`,
    );
  }
}

function checkPosition(
  pos: LoopPosition | undefined,
  step: number,
  run: RunShape,
  refuse: (why: string) => never,
): void {
  if (typeof pos !== "object" || pos === null) return refuse("trainer_state.json has no resume.position");
  const { epochIndex, stepInEpoch, epochOrder } = pos;
  if (!Number.isInteger(epochIndex) || epochIndex < 0 || epochIndex > run.numEpochs) {
    refuse(`resume.position.epochIndex ${preview(epochIndex)} is not an epoch of this run (0..${run.numEpochs})`);
  }
  if (!Number.isInteger(stepInEpoch) || stepInEpoch < 0 || stepInEpoch >= run.batchesPerEpoch) {
    refuse(
      `resume.position.stepInEpoch ${preview(stepInEpoch)} is not a batch of an epoch (0..${run.batchesPerEpoch - 1})`,
    );
  }
  const expected = epochIndex * run.updatesPerEpoch + Math.ceil(stepInEpoch / run.gradientAccumulationSteps);
  if (expected !== step)
    refuse(
      `global_step ${step} does not match the position (epoch ${epochIndex}, batch ${stepInEpoch}: step ${expected})`,
    );
  if (!Array.isArray(epochOrder)) return refuse(`resume.position.epochOrder is not a list`);
  // Mid-epoch the order is used; at an epoch's start a new one is drawn: an empty list or a valid one is accepted.
  if (stepInEpoch === 0 && epochOrder.length === 0) return;
  if (!isPermutation(epochOrder, run.trainExamples)) {
    refuse(
      `resume.position.epochOrder (${preview(epochOrder)}) is not an order of this run's ${run.trainExamples} examples`,
    );
  }
}

function checkTotals(totals: LoopTotals | undefined, refuse: (why: string) => never): void {
  if (typeof totals !== "object" || totals === null) return refuse("trainer_state.json has no resume.totals");
  const sums = ["trLossSum", "epochLossSum"] as const;
  const counts = ["trLossCount", "epochLossCount", "earlyStoppingCounter", "trainedTokens", "trainedSamples"] as const;
  for (const k of sums)
    if (!Number.isFinite(totals[k])) refuse(`resume.totals.${k} must be a finite number, got ${preview(totals[k])}`);
  for (const k of counts) {
    if (!(Number.isInteger(totals[k]) && totals[k] >= 0))
      refuse(`resume.totals.${k} must be an integer >= 0, got ${preview(totals[k])}`);
  }
  if (!(Number.isFinite(totals.elapsedSeconds) && totals.elapsedSeconds >= 0)) {
    refuse(`resume.totals.elapsedSeconds must be a number >= 0, got ${preview(totals.elapsedSeconds)}`);
  }
}

function isPermutation(order: readonly unknown[], n: number): boolean {
  if (order.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= n || seen[i as number]) return false;
    seen[i as number] = 1;
  }
  return true;
}

/** A short JSON preview of a value for messages. */
function preview(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

/** Copy the checkpoint's weights into the model's variables (every variable must be present). */
export function loadModelWeights(model: TrainableModel, dir: string): void {
  const file = path.join(dir, "model.safetensors");
  if (!fs.existsSync(file)) throw new Error(`${file}: missing (not a complete checkpoint)`);
  const { tensors } = loadTensorFile(file);
  try {
    assignWeights(model, tensors, file);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/**
 * Assign checkpoint `tensors` (HF layout, as `savePretrained` writes them) to the model's
 * variables by name. Models of src/models keep linear weights transposed; their parameter
 * specs say which, so those are transposed back here.
 */
export function assignWeights(model: TrainableModel, tensors: Map<string, tf.Tensor>, source: string): void {
  const specs = (model as { specs?: readonly ParamSpec[] }).specs;
  const transposed = new Set((specs ?? []).filter(isTransposed).map((s) => s.name));
  for (const [name, v] of model.namedWeights()) {
    const t = tensors.get(name);
    if (!t) throw new Error(`${source}: no tensor named "${name}"`);
    tf.tidy(() => {
      const value = transposed.has(name) ? t.transpose() : t;
      if (!tf.util.arraysEqual(value.shape, v.shape)) {
        throw new Error(`${source}: "${name}" has shape [${t.shape}], model expects [${v.shape}]`);
      }
      v.assign(value.dtype === v.dtype ? value : value.cast(v.dtype));
    });
  }
}

/** Restore the optimizer moments and step counts of a checkpoint. */
export function loadOptimizerState(optimizer: AdamW, dir: string): void {
  const file = path.join(dir, "optimizer.safetensors");
  const { tensors, metadata } = loadTensorFile(file);
  try {
    const steps = JSON.parse(metadata.steps ?? "{}") as Record<string, number>;
    optimizer.loadState({ steps, tensors });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/**
 * Keep the newest `limit` checkpoints plus `keep` (e.g. the best one, as HF does); delete the rest.
 * Each is renamed out of its `checkpoint-<n>` name first, so a kill mid-delete leaves a hidden
 * leftover (removed at the next start), never a half-deleted checkpoint under its real name.
 */
export function rotateCheckpoints(outputDir: string, limit: number, keep: string | null): void {
  if (!(limit > 0)) return;
  const all = listCheckpoints(outputDir);
  const newest = new Set(all.slice(-limit).map((d) => path.resolve(d)));
  for (const dir of all) {
    const abs = path.resolve(dir);
    if (newest.has(abs) || (keep && abs === path.resolve(keep))) continue;
    const doomed = path.join(outputDir, `.${path.basename(dir)}.deleted-${process.pid}-${Date.now()}`);
    fs.renameSync(dir, doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
  }
}

function readJson<T>(file: string): T {
  if (!fs.existsSync(file)) throw new Error(`${file}: missing (not a complete checkpoint)`);
  // Regular files only, size-capped (util/files); a parse error says where, never what the file holds.
  const text = readTextFileBounded(file, READ_LIMITS.json, "checkpoint record");
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const at = /position \d+/.exec((err as Error).message);
    throw new Error(`${file}: invalid JSON${at ? ` (at ${at[0]})` : ""}`);
  }
}

function readJsonOrNull<T>(file: string): T | null {
  try {
    return JSON.parse(readTextFileBounded(file, READ_LIMITS.json)) as T;
  } catch {
    return null;
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The real path of `p`, through its deepest existing ancestor (the rest of the path does not exist yet). */
function realpathOfExistingAncestor(p: string): string {
  const parent = path.dirname(p);
  if (lstatOrNull(p) || parent === p) return realpathOrSelf(p);
  return path.join(realpathOfExistingAncestor(parent), path.basename(p));
}
