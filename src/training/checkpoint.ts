/**
 * Training checkpoints in the Hugging Face layout: `<outputDir>/checkpoint-<step>/` holding the
 * model (`config.json`, `model.safetensors`), the optimizer moments (`optimizer.safetensors`),
 * `trainer_state.json` (step, epoch, log history, best metric, and what resuming needs: the
 * epoch's data order and position, the loss accumulators) and `rng_state.json`.
 *
 * Each checkpoint is written into a hidden temporary directory and renamed into place only when
 * complete, so an interrupted write never damages the previous checkpoint, and a half-written
 * one is never mistaken for a checkpoint. Rotation renames a checkpoint out of its name before
 * deleting it. Leftovers of killed writes and deletions are removed at the next start
 * (`removeStaleTemporaries`); docs/training.md lists what survives a kill.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { RngState } from "../util/random";
import { isTransposed, type ParamSpec } from "../models/weights";
import type { AdamW } from "./adamw";
import { encodeSafetensors, readSafetensors, type SafetensorsDtype, type TensorData } from "../models/safetensors";
import { writeDirAtomicAsync, writeFileAtomic } from "../util/atomic";
import type { LogEntry, LoopPosition, LoopTotals, ResumeFrom, ResumeState, TrainableModel } from "./types";

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
  resume: ResumeState;
}

export interface RngStateFile {
  data: RngState;
  dropout: RngState;
}

const CHECKPOINT_RE = /^checkpoint-(\d+)$/;

/** The files every complete checkpoint holds; `trainer_state.json` is written last. */
export const CHECKPOINT_FILES = ["config.json", "model.safetensors", "optimizer.safetensors", "rng_state.json", "trainer_state.json"] as const;

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
  if (!outputDir) throw new Error(`resumeFromCheckpoint=${JSON.stringify(resume)} needs outputDir (where the checkpoints are)`);
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

/** Checkpoints are written with src/util/atomic's directory helper (kept exported here too). */
export { writeDirAtomicAsync };

/**
 * Names of leftovers inside an output directory: checkpoint temporaries of src/util/atomic
 * (`.checkpoint-<n>.tmp-…`), checkpoints renamed out by rotation (`.checkpoint-<n>.deleted-…`),
 * and the per-file model saves of earlier versions (`.save-…`).
 */
const LEFTOVER_RE = /^(\.checkpoint-\d+\.(tmp|deleted)-|\.save-)/;

/**
 * Clean up after a killed run: leftovers inside `outputDir` are removed, and a checkpoint that
 * was being replaced when the process died (its old copy renamed out, the new one not yet in)
 * is put back first (see {@link recoverInterruptedSwap}).
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

/** The file a model save (`Trainer.saveModel`) writes last: a directory holding it is a complete save. */
export const MODEL_SAVE_MARKER = "training_args.json";

/**
 * Make an output directory whole again after a kill: put it back if a kill hit the instant of a
 * model save's swap (see {@link recoverInterruptedSwap}), then remove the leftovers inside it.
 * The Trainer calls this before training and before saving.
 */
export function recoverOutputDir(outputDir: string): void {
  recoverInterruptedSwap(path.resolve(outputDir), MODEL_SAVE_MARKER);
  removeStaleTemporaries(outputDir);
}

/**
 * A directory replaced with src/util/atomic (`fill` a temporary `.<name>.tmp-…` sibling, rename
 * the old `<name>` out to another `.<name>.tmp-…`, rename the new one in, delete the old) is
 * missing for an instant between the two renames. If a kill hit that instant, both siblings are
 * complete: put back the newer one, i.e. the one whose `marker` (a file written last by every
 * save) is the most recent; then delete every other sibling. Partial fills lack the marker.
 */
export function recoverInterruptedSwap(target: string, marker: string): void {
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  const prefix = `.${path.basename(target)}.tmp-`;
  const leftovers = fs.readdirSync(parent).filter((n) => n.startsWith(prefix)).map((n) => path.join(parent, n));
  if (leftovers.length === 0) return;
  if (!fs.existsSync(target)) {
    const complete = leftovers
      .filter((d) => fs.existsSync(path.join(d, marker)))
      .sort((a, b) => fs.statSync(path.join(b, marker)).mtimeMs - fs.statSync(path.join(a, marker)).mtimeMs);
    if (complete.length) fs.renameSync(complete[0], target);
  }
  for (const d of leftovers) if (fs.existsSync(d)) fs.rmSync(d, { recursive: true, force: true });
}

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
    fs.writeFileSync(path.join(tmp, "rng_state.json"), JSON.stringify(c.rng));
    fs.writeFileSync(path.join(tmp, "training_args.json"), JSON.stringify(c.trainingArgs, null, 2));
    // Written last: its presence marks the checkpoint complete.
    fs.writeFileSync(path.join(tmp, "trainer_state.json"), JSON.stringify(c.state, null, 2));
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
    tensors.set(name, INTEGER_DTYPES.has(e.dtype) ? tf.tensor(e.toInt32(), e.shape, "int32") : tf.tensor(e.toFloat32(), e.shape, "float32"));
  }
  return { tensors, metadata: parsed.metadata };
}

/** Read the trainer state of a checkpoint (throws naming the file when missing or corrupt). */
export function readTrainerState(dir: string): TrainerStateFile {
  const file = path.join(dir, "trainer_state.json");
  const saved = readJson<TrainerStateFile>(file);
  if (typeof saved !== "object" || saved === null || typeof saved.global_step !== "number" || typeof saved.resume !== "object" || saved.resume === null) {
    throw new Error(`${file}: not a trainer state (needs "global_step" and "resume")`);
  }
  // Checkpoints of earlier versions kept position and totals in one flat object.
  if (!("position" in saved.resume)) saved.resume = splitFlatResume(saved.resume as unknown as LoopPosition & LoopTotals);
  return saved;
}

function splitFlatResume(flat: LoopPosition & LoopTotals): ResumeState {
  const { epochIndex, stepInEpoch, epochOrder, ...totals } = flat;
  return { position: { epochIndex, stepInEpoch, epochOrder }, totals };
}

/** Read the RNG states of a checkpoint. */
export function readRngState(dir: string): RngStateFile {
  return readJson<RngStateFile>(path.join(dir, "rng_state.json"));
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
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`${file}: missing (not a complete checkpoint)`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
}
