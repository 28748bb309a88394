/**
 * Lines of a text file, streamed: read in 64 KiB chunks and decoded strictly as UTF-8 one line at
 * a time, so memory stays flat in the file's size (a pipe or /dev/stdin works too). CRLF endings
 * and a leading BOM are accepted; errors name the file and line.
 */
import * as fs from "node:fs";
import { TextDecoder } from "node:util";
import { readableFileError } from "./files";
import { firstInvalidUtf8, Utf8Error } from "./utf8";

/** No line of a text input may be longer: the rest of the file cannot pile up in one line. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const CHUNK = 64 * 1024;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Each line of `file` with its 1-based number (the last line may lack its newline). */
export function* textLines(file: string, maxLineBytes = MAX_LINE_BYTES): Generator<{ text: string; line: number }> {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    throw readableFileError(file, err);
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let line = 0;
    const decode = (bytes: Buffer): string => {
      line++;
      const body = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
      let text: string;
      try {
        text = decoder.decode(body);
      } catch {
        const at = Math.max(0, firstInvalidUtf8(body));
        throw new Utf8Error(file, line, at + 1, body[at] ?? 0);
      }
      return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    };
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, CHUNK, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EAGAIN") continue; // a non-blocking pipe with nothing yet
        throw readableFileError(file, err);
      }
      if (n === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(0x0a, 0); nl !== -1 && nl < n; nl = buf.indexOf(0x0a, start)) {
        const piece = buf.subarray(start, nl);
        const bytes = pendingBytes === 0 ? Buffer.from(piece) : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        if (bytes.length > maxLineBytes)
          throw new Error(`${file}:${line + 1}: line of ${bytes.length} bytes, longer than ${maxLineBytes}`);
        yield { text: decode(bytes), line };
        start = nl + 1;
      }
      if (start < n) {
        pending.push(Buffer.from(buf.subarray(start, n)));
        pendingBytes += n - start;
        if (pendingBytes > maxLineBytes) throw new Error(`${file}:${line + 1}: line longer than ${maxLineBytes} bytes`);
      }
    }
    if (pendingBytes > 0) yield { text: decode(Buffer.concat(pending)), line };
  } finally {
    fs.closeSync(fd);
  }
}
