/**
 * Checkpoint conversion: model.safetensors written beside a pytorch_model.bin-only checkpoint (one
 * file or shards), every tensor's dtype and bytes kept, checked by reading it back before it is
 * written atomically. The loaders then prefer it (`ner model convert`).
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../util/atomic";
import { WEIGHTS_FILE } from "./base";
import { encodeSafetensors, readSafetensors, type RawTensorData } from "./safetensors";
import { readWeightFiles, resolveWeightFiles } from "./weightFiles";

export type ConvertResult =
  | { converted: false; file: string }
  | { converted: true; file: string; tensors: number; dtypes: string[]; bytes: number; from: string[]; source: string };

/** Convert the .bin weights of the checkpoint directory `dir` (one with safetensors already is left alone). */
export async function convertToSafetensors(dir: string): Promise<ConvertResult> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${dir}: not a model directory (convert works on a local checkpoint directory)`);
  }
  const files = await resolveWeightFiles(dir);
  if (files === null) throw new Error(`${dir}: no pytorch_model.bin or pytorch_model.bin.index.json to convert`);
  if (files.format === "safetensors") {
    return { converted: false, file: path.join(dir, files.index ? path.basename(files.index.file) : WEIGHTS_FILE) };
  }
  const raw = new Map<string, RawTensorData>();
  for (const [name, t] of readWeightFiles(files))
    raw.set(name, { shape: t.shape, dtype: t.dtype, bytes: t.rawBytes() });
  const target = path.join(dir, WEIGHTS_FILE);
  const bytes = encodeSafetensors(raw, { format: "pt" });
  // Check the encoding before it replaces anything: every tensor must read back identical.
  const back = readSafetensors(bytes, target).tensors;
  for (const [name, t] of raw) {
    const b = back.get(name);
    if (!b || b.dtype !== t.dtype || Buffer.compare(Buffer.from(b.bytes), Buffer.from(t.bytes)) !== 0) {
      throw new Error(`${target}: tensor "${name}" did not round-trip; nothing was written`);
    }
  }
  writeFileAtomic(target, bytes);
  return {
    converted: true,
    file: target,
    tensors: raw.size,
    dtypes: [...new Set([...raw.values()].map((t) => t.dtype))],
    bytes: bytes.byteLength,
    from: files.files.map((f) => path.basename(f)),
    source: files.index
      ? `${files.files.length} shards of ${path.basename(files.index.file)}`
      : path.basename(files.files[0]),
  };
}
