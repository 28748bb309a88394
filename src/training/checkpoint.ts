/**
 * Training checkpoints in the Hugging Face layout: `<outputDir>/checkpoint-<step>/` holding the
 * model (`config.json`, `model.safetensors`), the optimizer moments (`optimizer.safetensors`),
 * `trainer_state.json` (step, epoch, log history, best metric, and what resuming needs: the
 * epoch's data order and position, the loss accumulators) and `rng_state.json`.
 *
 * Each checkpoint is written into a hidden temporary directory and renamed into place only when
 * complete, so an interrupted write never damages the previous checkpoint, and a half-written
 * one is never mistaken for a checkpoint.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { RngState } from "../util/random";
import { isTransposed, type ParamSpec } from "../models/weights";
import type { AdamW } from "./adamw";
import { encodeSafetensors, readSafetensors, type SafetensorsDtype, type TensorData } from "../models/safetensors";
import { writeDirAtomicAsync, writeFileAtomic } from "../util/atomic";
import type { TrainableModel } from "./types";

/** One entry of `log_history` (loss, learning_rate, epoch, step, eval_* metrics, ...). */
export type LogEntry = Record<string, number>;

/** What resuming a run needs beyond model and optimizer, stored under `trainer_state.json#resume`. */
export interface ResumeState {
  epochIndex: number;
  /** Micro-batches of `epochOrder` already consumed in this epoch. */
  stepInEpoch: number;
  /** The shuffled example order of the current epoch. */
  epochOrder: number[];
  trLossSum: number;
  trLossCount: number;
  epochLossSum: number;
  epochLossCount: number;
  earlyStoppingCounter: number;
  trainedTokens: number;
  trainedSamples: number;
  elapsedSeconds: number;
}

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

/** Directory name of the checkpoint at `step`. */
export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/** Complete checkpoints under `outputDir`, oldest first. */
export function listCheckpoints(outputDir: string): string[] {
  if (!fs.existsSync(outputDir)) return [];
  return fs
    .readdirSync(outputDir)
    .map((name) => ({ name, m: CHECKPOINT_RE.exec(name) }))
    .filter((e) => e.m && fs.existsSync(path.join(outputDir, e.name, "trainer_state.json")))
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

/** Remove temporary directories left by checkpoint writes that were killed. */
export function removeStaleTemporaries(outputDir: string): void {
  if (!fs.existsSync(outputDir)) return;
  for (const name of fs.readdirSync(outputDir)) {
    if (/^\.checkpoint-\d+\.tmp-/.test(name)) fs.rmSync(path.join(outputDir, name), { recursive: true, force: true });
  }
}

export interface CheckpointContents {
  model: TrainableModel;
  optimizer: AdamW;
  state: TrainerStateFile;
  rng: RngStateFile;
  trainingArgs: unknown;
}

/** Write a complete checkpoint to `dir` atomically. */
export async function saveCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  await writeDirAtomicAsync(dir, async (tmp) => {
    await c.model.savePretrained(tmp);
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
  return readJson<TrainerStateFile>(path.join(dir, "trainer_state.json"));
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

/** Keep the newest `limit` checkpoints plus `keep` (e.g. the best one, as HF does); delete the rest. */
export function rotateCheckpoints(outputDir: string, limit: number, keep: string | null): void {
  if (!(limit > 0)) return;
  const all = listCheckpoints(outputDir);
  const newest = new Set(all.slice(-limit).map((d) => path.resolve(d)));
  for (const dir of all) {
    const abs = path.resolve(dir);
    if (newest.has(abs) || (keep && abs === path.resolve(keep))) continue;
    fs.rmSync(dir, { recursive: true, force: true });
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
