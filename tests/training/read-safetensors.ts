// Test-only reader of float32 safetensors files (8-byte LE header length, JSON header, raw data),
// used by the optimizer parity tests so they stay independent of the model code.
import * as fs from "fs";

export function readSafetensorsF32(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const buf = fs.readFileSync(file);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString("utf8")) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLen;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (info.dtype !== "F32") throw new Error(`${file}: ${name} has dtype ${info.dtype}, expected F32`);
    const [start, end] = info.data_offsets;
    const bytes = buf.subarray(base + start, base + end);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    out.set(name, { shape: info.shape, data });
  }
  return out;
}
