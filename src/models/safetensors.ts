/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?}`,
 * then the raw little-endian tensor bytes (offsets relative to the end of the header).
 * Reads F32/F16/BF16 (converted to float32), F64 and integer types on request; writes F32 and
 * I32. The library's one safetensors implementation: model weights (src/models) and optimizer
 * state (src/training/checkpoint.ts) both go through it.
 */
import * as fs from "fs";
import { TextDecoder } from "node:util";
import { describeJsonValue, openRegularFile } from "../util/files";

export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = BYTES;

/**
 * One tensor of a checkpoint in any format (safetensors, pytorch_model.bin), decoded lazily.
 * The dtype names are safetensors' for every format.
 */
export interface CheckpointTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Values as float32 (F32 copied, F16/BF16/F64/integers converted). */
  toFloat32(): Float32Array;
  /** The values' raw little-endian bytes in row-major order (what a safetensors file stores). */
  rawBytes(): Uint8Array;
}

/** One tensor of a safetensors file, decoded lazily. */
export interface SafetensorsEntry extends CheckpointTensor {
  /** Raw little-endian bytes (a view into the file buffer). */
  bytes: Uint8Array;
  /** Values of an integer tensor as int32 (I64 wrapped to 32 bits); throws for float dtypes. */
  toInt32(): Int32Array;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsEntry>;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  count: number;
}

/** The safetensors library's cap on the JSON header (HeaderTooLarge above it). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Validate a parsed header against the data size that follows it, with the safetensors library's
 * rules (`Metadata::validate` and `read_metadata`): known dtypes, shapes of non-negative integers,
 * byte counts matching shapes, and data offsets that, sorted, tile the data exactly — each
 * tensor starts where the previous one ended (no overlap, no gap, nothing out of order that
 * sorting cannot mend) and the last one ends at the end of the file.
 * Shared by the full reader and the header-only check.
 */
function validateHeader(
  headerBytes: Uint8Array,
  dataLen: number,
  fail: (msg: string) => never,
): { metadata: Record<string, string>; entries: HeaderEntry[] } {
  let headerText: string;
  try {
    headerText = strictUtf8.decode(headerBytes);
  } catch {
    return fail("header is not valid UTF-8");
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerText) as Record<string, unknown>;
  } catch {
    // V8's message quotes the text; a header is not shown (the file may be anything).
    return fail("header is not valid JSON");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("header is not a JSON object");
  const rawMeta = header.__metadata__ ?? {};
  if (
    typeof rawMeta !== "object" ||
    rawMeta === null ||
    Array.isArray(rawMeta) ||
    Object.values(rawMeta).some((v) => typeof v !== "string")
  ) {
    fail('"__metadata__" is not an object of strings');
  }
  const metadata = rawMeta as Record<string, string>;
  const entries: (HeaderEntry & { end: number })[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e?.dtype as SafetensorsDtype;
    if (typeof dtype !== "string" || !Object.prototype.hasOwnProperty.call(BYTES, dtype))
      fail(`tensor "${name}" has unsupported dtype ${describeJsonValue(e?.dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor "${name}" has invalid shape ${describeJsonValue(shape)}`);
    const offs = e.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offs[0] > offs[1]
    ) {
      fail(`tensor "${name}" has invalid data_offsets ${describeJsonValue(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLen)
      fail(
        `tensor "${name}" data [${begin}, ${end}) runs past the end of the data (${dataLen} bytes; truncated file?)`,
      );
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count * BYTES[dtype]))
      fail(`tensor "${name}" has a shape whose size overflows: [${shape}]`);
    if (end - begin !== count * BYTES[dtype]) {
      fail(`tensor "${name}" has ${end - begin} bytes but shape [${shape}] of ${dtype} needs ${count * BYTES[dtype]}`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, count, end });
  }
  // Sorted by offsets, the tensors must tile [0, dataLen) exactly.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let next = 0;
  for (const e of entries) {
    if (e.begin !== next) {
      fail(
        e.begin < next
          ? `tensor "${e.name}" data [${e.begin}, ${e.end}) overlaps the previous tensor's, which ends at ${next}`
          : `tensor "${e.name}" data starts at ${e.begin}, leaving a gap after the previous tensor's end at ${next}`,
      );
    }
    next = e.end;
  }
  if (next !== dataLen) {
    fail(
      next > dataLen
        ? `tensor data ends at ${next}, past the end of the data (${dataLen} bytes; truncated file?)`
        : `tensors cover ${next} of the ${dataLen} data bytes (the rest belongs to no tensor)`,
    );
  }
  return { metadata, entries };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The header length field, checked as `read_metadata` does (HeaderTooLarge, InvalidHeaderLength). */
function headerLength(lenField: bigint, size: number, fail: (msg: string) => never): number {
  if (lenField > BigInt(MAX_HEADER_BYTES)) fail(`header length ${lenField} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(lenField);
  if (headerLen > size - 8) fail(`header length ${headerLen} exceeds the file size ${size}`);
  return headerLen;
}

/** Parse a safetensors file (or its bytes); `source` names it in errors. */
export function readSafetensors(fileOrBytes: string | Uint8Array, source?: string): SafetensorsFile {
  const where = source ?? (typeof fileOrBytes === "string" ? fileOrBytes : "safetensors data");
  const buf = typeof fileOrBytes === "string" ? readWholeRegularFile(fileOrBytes, "safetensors file") : fileOrBytes;
  const fail = (msg: string): never => {
    throw new Error(`${where}: invalid safetensors file: ${msg}`);
  };
  if (buf.byteLength < 8) fail(`only ${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = headerLength(view.getBigUint64(0, true), buf.byteLength, fail);
  const dataStart = 8 + headerLen;
  const { metadata, entries } = validateHeader(buf.subarray(8, dataStart), buf.byteLength - dataStart, fail);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const { name, dtype, shape, begin, count } of entries) {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart + begin, count * BYTES[dtype]);
    tensors.set(name, {
      name,
      dtype,
      shape,
      bytes,
      rawBytes: () => bytes,
      toFloat32: () => decodeToFloat32(bytes, dtype, count),
      toInt32: () => decodeToInt32(bytes, dtype, count, `${where}: tensor "${name}"`),
    });
  }
  return { metadata, tensors };
}

/** A whole weights file, refusing anything but a regular file (a FIFO or /dev/zero would never end). */
function readWholeRegularFile(file: string, what: string): Buffer {
  const { fd } = openRegularFile(file, what);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Little-endian values of `dtype` → float32. */
export function decodeToFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, count: number): Float32Array {
  const out = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32":
      if (bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case "F16": {
      // A table of all 65536 values: ~10x faster than decoding each (fp16 web-export weights, 66M values).
      const table = halfTable();
      for (let i = 0; i < count; i++) out[i] = table[dv.getUint16(i * 2, true)];
      break;
    }
    case "BF16": {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = dv.getUint16(i * 2, true) << 16;
      break;
    }
    case "F64":
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case "I64":
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      break;
    case "I32":
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case "I16":
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(i * 2, true);
      break;
    case "I8":
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      break;
    case "U8":
    case "BOOL":
      for (let i = 0; i < count; i++) out[i] = bytes[i];
      break;
  }
  return out;
}

function decodeToInt32(bytes: Uint8Array, dtype: SafetensorsDtype, count: number, what: string): Int32Array {
  const out = new Int32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "I64":
      for (let i = 0; i < count; i++) out[i] = Number(BigInt.asIntN(32, dv.getBigInt64(i * 8, true)));
      break;
    case "I32":
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case "I16":
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(i * 2, true);
      break;
    case "I8":
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      break;
    case "U8":
    case "BOOL":
      out.set(bytes);
      break;
    default:
      throw new Error(`${what} has dtype ${dtype}, not an integer type`);
  }
  return out;
}

/** Float dtypes, the ones whose values can be NaN or Inf. */
export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return dtype === "F64" || dtype === "F32" || dtype === "F16" || dtype === "BF16";
}

/**
 * How many of `count` little-endian `dtype` values starting at byte `offset` of a file are NaN
 * or ±Inf, read through `read(offset, length)` in chunks of 1 Mi values, so memory stays
 * bounded whatever the tensor's size. Integer dtypes have none.
 */
export function countNonFinite(
  read: (offset: number, length: number) => Uint8Array,
  offset: number,
  count: number,
  dtype: SafetensorsDtype,
): number {
  if (!isFloatDtype(dtype)) return 0;
  const es = BYTES[dtype];
  const chunk = 1 << 20;
  let bad = 0;
  for (let i = 0; i < count; i += chunk) {
    const n = Math.min(chunk, count - i);
    const bytes = read(offset + i * es, n * es);
    if (bytes.length < n * es)
      throw new Error(`the file ends inside a tensor (at byte ${offset + i * es + bytes.length})`);
    const values = decodeToFloat32(bytes, dtype, n);
    for (let k = 0; k < n; k++) if (!Number.isFinite(values[k])) bad++;
  }
  return bad;
}

/**
 * Non-finite values of every float tensor of a safetensors file, read tensor by tensor in bounded
 * chunks: name → count, for the tensors that have any.
 */
export function scanSafetensorsNonFinite(file: string): Map<string, number> {
  const { tensors, dataStart } = readSafetensorsHeader(file);
  const { fd } = openRegularFile(file, "safetensors file");
  try {
    const read = (offset: number, length: number): Uint8Array => {
      const buf = Buffer.allocUnsafe(length);
      return buf.subarray(0, fs.readSync(fd, buf, 0, length, offset));
    };
    const out = new Map<string, number>();
    for (const [name, t] of tensors) {
      const bad = countNonFinite(read, dataStart + t.begin, (t.end - t.begin) / BYTES[t.dtype], t.dtype);
      if (bad > 0) out.set(name, bad);
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

let halfValues: Float32Array | undefined;

/** Every fp16 bit pattern's float32 value, built once. */
function halfTable(): Float32Array {
  if (halfValues === undefined) {
    halfValues = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) halfValues[h] = halfToFloat(h);
  }
  return halfValues;
}

/** IEEE 754 half precision bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A tensor to write: float32 data is stored as F32, int32 data as I32. */
export interface TensorData {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A tensor to write as it is stored elsewhere (any dtype, little-endian row-major bytes). */
export interface RawTensorData {
  shape: number[];
  dtype: SafetensorsDtype;
  bytes: Uint8Array;
}

/** A float32 tensor to write. */
export interface F32Tensor extends TensorData {
  data: Float32Array;
}

/**
 * Serialise tensors to safetensors bytes, in the given order. `metadata` defaults to
 * `{format: "pt"}`, which Python transformers requires to load model weights; `null` writes no
 * `__metadata__` entry.
 */
export function encodeSafetensors(
  tensors: Map<string, TensorData | RawTensorData>,
  metadata: Record<string, string> | null = { format: "pt" },
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  const payloads: Uint8Array[] = [];
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const dtype: SafetensorsDtype = "bytes" in t ? t.dtype : t.data instanceof Int32Array ? "I32" : "F32";
    const bytes = "bytes" in t ? t.bytes : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (count * BYTES[dtype] !== bytes.byteLength) {
      throw new Error(
        `safetensors: tensor "${name}" has ${bytes.byteLength / BYTES[dtype]} values but shape [${t.shape}]`,
      );
    }
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += " ".repeat(pad);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const bytes of payloads) {
    out.set(bytes, pos);
    pos += bytes.byteLength;
  }
  return out;
}

/**
 * Names, dtypes and shapes of a safetensors file, reading only its header (cheap for large
 * files). Offsets and sizes are checked against the file size, so a truncated file fails here.
 */
export function readSafetensorsHeader(file: string): {
  metadata: Record<string, string>;
  tensors: Map<string, { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }>;
  dataStart: number;
} {
  const fail = (msg: string): never => {
    throw new Error(`${file}: invalid safetensors file: ${msg}`);
  };
  const { fd, size } = openRegularFile(file, "safetensors file");
  try {
    const lenBuf = Buffer.alloc(8);
    if (size < 8 || fs.readSync(fd, lenBuf, 0, 8, 0) !== 8)
      fail(`only ${size} bytes, shorter than the 8-byte header length`);
    const headerLen = headerLength(lenBuf.readBigUInt64LE(0), size, fail);
    const header = Buffer.alloc(headerLen);
    if (fs.readSync(fd, header, 0, headerLen, 8) !== headerLen) fail("the file ends inside its header");
    const { metadata, entries } = validateHeader(header, size - 8 - headerLen, fail);
    const tensors = new Map(
      entries.map((e) => [
        e.name,
        { dtype: e.dtype, shape: e.shape, begin: e.begin, end: e.begin + e.count * BYTES[e.dtype] },
      ]),
    );
    return { metadata, tensors, dataStart: 8 + headerLen };
  } finally {
    fs.closeSync(fd);
  }
}
