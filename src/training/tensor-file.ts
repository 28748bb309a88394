/**
 * Read and write named float32/int32 tensors in the safetensors format (8-byte little-endian
 * header length, JSON header, raw little-endian data), for optimizer state and checkpoint
 * weights. Kept minimal on purpose: the training state only ever holds F32/I32 tensors.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../util/atomic";

type Dtype = "F32" | "I32";

/** Serialise tensors (sorted by name, as the Python library does) with optional string metadata. */
export function encodeSafetensors(tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const dtype: Dtype = t.dtype === "int32" ? "I32" : "F32";
    const values = t.dtype === "int32" ? new Int32Array(t.dataSync() as Int32Array) : new Float32Array(t.dataSync() as Float32Array);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += " "; // align data to 8 bytes
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/** Write tensors to `file` atomically. */
export function saveTensorFile(file: string, tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

/** Read every tensor of a safetensors file (F32, I32 or I64 within int32 range). Caller disposes them. */
export function loadTensorFile(file: string): Map<string, tf.Tensor> {
  const buf = fs.readFileSync(file);
  if (buf.byteLength < 8) throw new Error(`${file}: not a safetensors file (too short)`);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (8 + headerLen > buf.byteLength) throw new Error(`${file}: truncated safetensors header`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLen).toString("utf8"));
  } catch (err) {
    throw new Error(`${file}: unreadable safetensors header (${(err as Error).message})`);
  }
  const base = 8 + headerLen;
  const out = new Map<string, tf.Tensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [start, end] = info.data_offsets;
    if (base + end > buf.byteLength) throw new Error(`${file}: tensor ${name} runs past the end of the file`);
    const bytes = buf.subarray(base + start, base + end);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    if (info.dtype === "F32") out.set(name, tf.tensor(new Float32Array(ab), info.shape, "float32"));
    else if (info.dtype === "I32") out.set(name, tf.tensor(new Int32Array(ab), info.shape, "int32"));
    else if (info.dtype === "I64") {
      const big = new BigInt64Array(ab);
      out.set(name, tf.tensor(Int32Array.from(big, (v) => Number(v)), info.shape, "int32"));
    } else throw new Error(`${file}: tensor ${name} has unsupported dtype ${info.dtype}`);
  }
  return out;
}
