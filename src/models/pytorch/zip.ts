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

/** All entries of the archive by name; every data range is checked against the file size. */
export function readZipEntries(src: ByteSource, source: string): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: invalid zip archive: ${msg}`);
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
    const at = Number(tdv.getBigUint64(eocd - 20 + 8, true));
    const rec = src.read(at, 56);
    const rdv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rec.length < 56 || rdv.getUint32(0, true) !== EOCD64) fail("broken zip64 end-of-central-directory record");
    count = Number(rdv.getBigUint64(32, true));
    cdSize = Number(rdv.getBigUint64(40, true));
    cdOffset = Number(rdv.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > src.size) fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) runs past the end of the file (${src.size} bytes)`);
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
    const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen)).toString("utf8");
    // zip64 extra field: the 0xFFFFFFFF fields, in order size, compressed size, offset.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = Number(dv.getBigUint64(q, true))), (q += 8);
        if (compressed === 0xffffffff) (compressed = Number(dv.getBigUint64(q, true))), (q += 8);
        if (localOffset === 0xffffffff) localOffset = Number(dv.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    const local = src.read(localOffset, 30);
    const ldv = new DataView(local.buffer, local.byteOffset, local.byteLength);
    if (local.length < 30 || ldv.getUint32(0, true) !== LOCAL) fail(`local header of "${name}" is missing (file truncated?)`);
    const dataOffset = localOffset + 30 + ldv.getUint16(26, true) + ldv.getUint16(28, true);
    if (method === 0 && compressed !== size) fail(`stored entry "${name}" has different sizes (${compressed} vs ${size})`);
    if (dataOffset + compressed > src.size) {
      fail(`entry "${name}" data [${dataOffset}, ${dataOffset + compressed}) runs past the end of the file (${src.size} bytes; truncated download?)`);
    }
    entries.set(name, { name, dataOffset, size, method });
  }
  return entries;
}

/** The bytes of a stored entry (torch.save never compresses). */
export function readZipEntry(src: ByteSource, entry: ZipEntry, source: string): Uint8Array {
  if (entry.method !== 0) throw new Error(`${source}: zip entry "${entry.name}" is compressed (method ${entry.method}); torch.save writes stored entries only`);
  return src.read(entry.dataOffset, entry.size);
}
