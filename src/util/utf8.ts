/**
 * Strict UTF-8 decoding for every text file we read: invalid bytes are an error naming the file,
 * line and column (a replacement character would silently become a different token: `E\xffU`
 * must not train as `EU`). A UTF-8 byte-order mark at the start is accepted and dropped.
 */
import * as fs from "node:fs";
import { TextDecoder } from "node:util"; // "node:" like fs above: tslab joins bare ids with this folder (src/util/)
import { readableFileError } from "./files";

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A file (or buffer) is not valid UTF-8; the message is `file:line: invalid UTF-8 …`. */
export class Utf8Error extends Error {
  constructor(
    readonly file: string,
    /** 1-based line and byte column of the first invalid byte. */
    readonly line: number,
    readonly column: number,
    readonly byte: number,
  ) {
    super(
      `${file}:${line}: invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, "0")} at byte column ` +
        `${column}); save the file as UTF-8`,
    );
    this.name = "Utf8Error";
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (i + 1 >= n || bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= need; k++) if (i + k >= n || (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** Decode `bytes` strictly; `file` names the source in the error. The BOM, if any, is dropped. */
export function decodeUtf8Strict(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const pos = at < 0 ? 0 : at; // the decoder and the scan agree; 0 only guards the impossible case
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < pos; k++) {
      if (bytes[k] === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    }
    throw new Utf8Error(file, line, pos - lineStart + 1, bytes[pos] ?? 0);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Read a text file strictly as UTF-8 (BOM dropped). A missing file, a directory or an unreadable
 * file is an error that says which.
 */
export function readUtf8File(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw readableFileError(file, err);
  }
  return decodeUtf8Strict(bytes, file);
}
