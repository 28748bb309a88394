/**
 * The part of the zip format that `torch.save` writes (torch >= 1.6): uncompressed (stored)
 * entries, found through the central directory (zip64 records when the archive is large).
 * Reads through a {@link ByteSource}, so a header-only check touches only the directory and the
 * small entries it asks for.
 */
import * as fs from "fs";

/** Random access to a file's bytes, whole or through a descriptor. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export function bufferSource(buf: Uint8Array): ByteSource {
  return { size: buf.byteLength, read: (offset, length) => buf.subarray(offset, offset + length) };
}

/** A source over an open file descriptor (the caller closes it). */
export function fdSource(fd: number): ByteSource {
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const out = Buffer.alloc(n);
      if (n > 0) fs.readSync(fd, out, 0, n, offset);
      return out;
    },
  };
}

export interface ZipEntry {
  name: string;
  /** Where the entry's data starts (after its local header). */
  dataOffset: number;
  size: number;
  method: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when the bytes start like a zip archive. */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * All entries of the archive by name; every data range is checked against the file size, and
 * every record against the bytes it sits in, so a malformed archive is a one-line error naming
 * the file (never a raw DataView RangeError).
 */
export function readZipEntries(src: ByteSource, source: string): Map<string, ZipEntry> {
  try {
    return readEntries(src, source);
  } catch (err) {
    // Belt and braces: any bounds error the checks below missed is still one line naming the file.
    if (err instanceof RangeError) throw new Error(`${source}: invalid zip archive: ${err.message}`);
    throw err;
  }
}

function readEntries(src: ByteSource, source: string): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: invalid zip archive: ${msg}`);
  };
  const u64 = (dv: DataView, at: number, what: string): number => {
    const v = dv.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${v} is too large`);
    return Number(v);
  };
  // The end-of-central-directory record sits in the last 22 + 65535 bytes.
  const tailLen = Math.min(src.size, 22 + 65535);
  const tail = src.read(src.size - tailLen, tailLen);
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tdv.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(`no end-of-central-directory record (the file is truncated or not a zip; ${src.size} bytes)`);
  let count = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  if (eocd >= 20 && tdv.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
    const at = u64(tdv, eocd - 20 + 8, "zip64 end-of-central-directory offset");
    if (at + 56 > src.size)
      fail(`zip64 end-of-central-directory record at ${at} lies past the end of the file (${src.size} bytes)`);
    const rec = src.read(at, 56);
    const rdv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rec.length < 56 || rdv.getUint32(0, true) !== EOCD64) fail("broken zip64 end-of-central-directory record");
    count = u64(rdv, 32, "zip64 entry count");
    cdSize = u64(rdv, 40, "zip64 central directory size");
    cdOffset = u64(rdv, 48, "zip64 central directory offset");
  }
  if (cdOffset + cdSize > src.size)
    fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the file (${src.size} bytes)`);
  // Each entry takes at least 46 bytes of the directory: a larger count is a lie, not a loop to run.
  if (count > cdSize / 46) fail(`central directory of ${cdSize} bytes cannot hold ${count} entries`);
  const cd = src.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL) fail(`central directory entry ${n} is broken`);
    const method = dv.getUint16(p + 10, true);
    let compressed = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length)
      fail(`central directory entry ${n} runs past the directory's end`);
    const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen)).toString("utf8");
    // zip64 extra field: the 0xFFFFFFFF fields, in order size, compressed size, offset.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd)
        fail(`extra field of "${name}" (${len} bytes) runs past the entry's ${extraLen}-byte extra data`);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (what: string): number => {
          if (q + 8 > e + 4 + len) fail(`zip64 extra field of "${name}" is ${len} bytes, too short for its ${what}`);
          const v = u64(dv, q, `zip64 ${what} of "${name}"`);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next("size");
        if (compressed === 0xffffffff) compressed = next("compressed size");
        if (localOffset === 0xffffffff) localOffset = next("local header offset");
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    if (localOffset + 30 > src.size)
      fail(`local header of "${name}" at ${localOffset} lies past the end of the file (${src.size} bytes; truncated?)`);
    const local = src.read(localOffset, 30);
    const ldv = new DataView(local.buffer, local.byteOffset, local.byteLength);
    if (local.length < 30 || ldv.getUint32(0, true) !== LOCAL)
      fail(`local header of "${name}" is missing (file truncated?)`);
    const dataOffset = localOffset + 30 + ldv.getUint16(26, true) + ldv.getUint16(28, true);
    if (method === 0 && compressed !== size)
      fail(`stored entry "${name}" has different sizes (${compressed} vs ${size})`);
    if (dataOffset + compressed > src.size) {
      fail(
        `entry "${name}" data [${dataOffset}, ${dataOffset + compressed}) runs past the end of the ` +
          `file (${src.size} bytes; truncated download?)`,
      );
    }
    entries.set(name, { name, dataOffset, size, method });
  }
  return entries;
}

/** The bytes of a stored entry (torch.save never compresses). */
export function readZipEntry(src: ByteSource, entry: ZipEntry, source: string): Uint8Array {
  if (entry.method !== 0)
    throw new Error(
      `${source}: zip entry "${entry.name}" is compressed (method ${entry.method}); torch.save ` +
        `writes stored entries only`,
    );
  return src.read(entry.dataOffset, entry.size);
}
