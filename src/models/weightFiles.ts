/**
 * Which weight files a checkpoint has, in Hugging Face's order of preference, and reading them:
 *   model.safetensors → model.safetensors.index.json (shards) → pytorch_model.bin →
 *   pytorch_model.bin.index.json (shards).
 * Each file is resolved like any model file (directory, NER_MODELS_DIR, Hub cache, Hub), so a
 * Hub repository without safetensors gets its `.bin` (or its index and shards) downloaded.
 */
import * as fs from "fs";
import { resolveModelFile } from "../hub/resolve";
import { describeJsonValue, READ_LIMITS, readJsonFileBounded } from "../util/files";
import { WEIGHTS_FILE } from "./base";
import { inspectPytorchCheckpoint, readPytorchCheckpoint } from "./pytorch/reader";
import {
  readSafetensors,
  readSafetensorsHeader,
  scanSafetensorsNonFinite,
  type CheckpointTensor,
  type SafetensorsDtype,
} from "./safetensors";

export const SAFETENSORS_INDEX_FILE = "model.safetensors.index.json";
export const PYTORCH_FILE = "pytorch_model.bin";
export const PYTORCH_INDEX_FILE = "pytorch_model.bin.index.json";

export type WeightFormat = "safetensors" | "pytorch";

/** The weight files of one checkpoint. */
export interface WeightFiles {
  format: WeightFormat;
  /** Absolute paths: one file, or every shard in index order. */
  files: string[];
  /** The shard index, when sharded, and the tensor → shard file name map it gives. */
  index?: { file: string; weightMap: Map<string, string> };
}

const CANDIDATES: { name: string; format: WeightFormat; sharded: boolean }[] = [
  { name: WEIGHTS_FILE, format: "safetensors", sharded: false },
  { name: SAFETENSORS_INDEX_FILE, format: "safetensors", sharded: true },
  { name: PYTORCH_FILE, format: "pytorch", sharded: false },
  { name: PYTORCH_INDEX_FILE, format: "pytorch", sharded: true },
];

/** The file names looked for, in order (for messages). */
export const WEIGHT_FILE_NAMES = CANDIDATES.map((c) => c.name);

/** Parse a shard index (`weight_map`: tensor name → shard file name); errors name the file. */
export function readShardIndex(file: string): Map<string, string> {
  const raw = readJsonFileBounded(file, "shard index", READ_LIMITS.json);
  const map = (raw as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== "object" || Array.isArray(map))
    throw new Error(`${file}: not a valid shard index (no "weight_map" object)`);
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (typeof v !== "string" || v === "" || v.includes("/") || v.includes("\\"))
      throw new Error(`${file}: weight_map entry "${k}" names an invalid shard file ${describeJsonValue(v)}`);
    out.set(k, v);
  }
  if (out.size === 0) throw new Error(`${file}: not a valid shard index (empty "weight_map")`);
  return out;
}

/**
 * Find the weight files of `nameOrDir` (safetensors preferred, as in Hugging Face); null when
 * there are none.
 */
export async function resolveWeightFiles(
  nameOrDir: string,
  opts: { revision?: string } = {},
): Promise<WeightFiles | null> {
  for (const c of CANDIDATES) {
    const file = await resolveModelFile(nameOrDir, c.name, { revision: opts.revision, optional: true });
    if (file === null) continue;
    if (!c.sharded) return { format: c.format, files: [file] };
    const weightMap = readShardIndex(file);
    const shards = [...new Set(weightMap.values())];
    const files: string[] = [];
    for (const shard of shards) {
      const shardFile = await resolveModelFile(nameOrDir, shard, { revision: opts.revision, optional: true });
      if (shardFile === null)
        throw new Error(`${file}: shard ${shard} is listed in the index but not found next to it`);
      files.push(shardFile);
    }
    return { format: c.format, files, index: { file, weightMap } };
  }
  return null;
}

/** Every tensor of the checkpoint (decoded on demand), checked against the shard index if any. */
export function readWeightFiles(w: WeightFiles): Map<string, CheckpointTensor> {
  const out = new Map<string, CheckpointTensor>();
  for (const file of w.files) {
    const tensors = w.format === "safetensors" ? readSafetensors(file).tensors : readPytorchCheckpoint(file, file);
    for (const [k, t] of tensors) out.set(k, t);
  }
  if (w.index) checkAgainstIndex(w, new Set(out.keys()));
  return out;
}

/**
 * Names, dtypes and shapes of every tensor, with sizes and offsets checked against the files'
 * sizes, without reading tensor data (for `ner model info`). Throws on a truncated or malformed
 * file. With `checkValues`, every float tensor is also read, in bounded chunks, and counted for
 * NaN/Inf values (`nonFinite`: tensor name → count).
 */
export function inspectWeightFiles(
  w: WeightFiles,
  opts: { checkValues?: boolean } = {},
): {
  tensors: Map<string, { dtype: SafetensorsDtype; shape: number[] }>;
  bytes: number;
  nonFinite: Map<string, number>;
} {
  const tensors = new Map<string, { dtype: SafetensorsDtype; shape: number[] }>();
  const nonFinite = new Map<string, number>();
  let bytes = 0;
  for (const file of w.files) {
    bytes += fs.statSync(file).size;
    if (w.format === "safetensors") {
      for (const [k, t] of readSafetensorsHeader(file).tensors) tensors.set(k, { dtype: t.dtype, shape: t.shape });
      if (opts.checkValues) for (const [k, n] of scanSafetensorsNonFinite(file)) nonFinite.set(k, n);
    } else {
      const found = inspectPytorchCheckpoint(file, file, opts);
      for (const [k, t] of found.tensors) tensors.set(k, t);
      for (const [k, n] of found.nonFinite) nonFinite.set(k, n);
    }
  }
  if (w.index) checkAgainstIndex(w, new Set(tensors.keys()));
  return { tensors, bytes, nonFinite };
}

function checkAgainstIndex(w: WeightFiles, found: Set<string>): void {
  for (const [k, shard] of w.index!.weightMap) {
    if (!found.has(k))
      throw new Error(`${w.index!.file}: tensor "${k}" is mapped to ${shard}, which does not contain it`);
  }
}
