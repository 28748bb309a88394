/**
 * File-system checks with plain-words errors: is it a file, a directory, can an output be written
 * there (checked before any long work starts), the sha256 of a file, and bounded reads of the
 * JSON and text files a model or tokenizer is made of (regular files only, size-capped).
 */
import { createHash } from "crypto";
import * as fs from "node:fs";
import * as path from "path";
import { TextDecoder } from "node:util";

/** True for an existing regular file (following symlinks). */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** True for an existing directory (following symlinks). */
export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** sha256 of a file's bytes, hex (read in chunks, so large files do not sit in memory). */
export function sha256OfFile(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** An Error for a file that could not be read, in words: no such file, a directory, permission. */
export function readableFileError(file: string, err: unknown): Error {
  const code = errnoCode(err);
  if (code === "ENOENT") return new Error(`${file}: no such file`);
  if (code === "EISDIR") return new Error(`${file}: is a directory, not a file`);
  if (code === "ENOTDIR") return new Error(`${file}: no such file (a parent of it is a file, not a directory)`);
  if (code === "EACCES" || code === "EPERM") return new Error(`${file}: permission denied (cannot read it)`);
  return new Error(`${file}: cannot read (${(err as Error)?.message ?? String(err)})`);
}

/** Check that `file` is an existing, readable regular file, with the error in words otherwise. */
export function checkReadableFile(file: string, flag?: string): void {
  const name = flag ? `${flag} ${file}` : file;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new Error(readableFileError(name, err).message);
  }
  if (st.isDirectory()) throw new Error(`${name}: is a directory, not a file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new Error(readableFileError(name, err).message);
  }
}

/** What an output flag names: a directory to create/fill, or a file to create/replace. */
export type OutputKind = "dir" | "file";

/**
 * Check, before any data or model is loaded, that the output `target` of `flag` (e.g. `--output`)
 * can be created and written, so that a long run is not lost at its first write. A directory
 * target may exist (it is filled) or not (it is created); a file target may exist as a file.
 * Nothing is left behind: the probe file and any directory this check created are removed.
 * Errors say what is wrong in words: `--output runs/x is a file`, `--html out is a directory`,
 * `--output runs/x: runs is a file, not a directory`, `--output /ro/x: permission denied`.
 */
export function checkWritableOutput(target: string, flag: string, kind: OutputKind = "dir"): void {
  const abs = path.resolve(target);
  const name = `${flag} ${target}`;
  const st = statOrNull(abs);
  if (st) {
    if (kind === "dir" && !st.isDirectory()) throw new Error(`${name} is a file, not a directory`);
    if (kind === "file" && st.isDirectory()) throw new Error(`${name} is a directory, not a file`);
  }
  // The deepest existing ancestor must be a directory we can write in.
  let existing = kind === "dir" && st ? abs : path.dirname(abs);
  while (!statOrNull(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const anc = statOrNull(existing);
  if (anc && !anc.isDirectory()) {
    throw new Error(`${name}: ${path.relative(process.cwd(), existing) || existing} is a file, not a directory`);
  }
  const probeDir = kind === "dir" && st ? abs : path.dirname(abs);
  const created = mkdirCreated(probeDir, name);
  try {
    const probe = path.join(probeDir, `.ner-write-check-${process.pid}-${Date.now()}`);
    try {
      fs.writeFileSync(probe, "");
      fs.rmSync(probe, { force: true });
    } catch (err) {
      throw writeError(name, probeDir, err);
    }
    if (kind === "file" && st) {
      try {
        fs.accessSync(abs, fs.constants.W_OK);
      } catch (err) {
        throw writeError(name, abs, err);
      }
    }
  } finally {
    // Leave the tree as it was: remove the directories this check made, deepest first.
    for (const d of created.reverse()) fs.rmSync(d, { recursive: true, force: true });
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** mkdir -p that returns the directories it created (outermost first) and words its errors. */
function mkdirCreated(dir: string, name: string): string[] {
  const missing: string[] = [];
  let d = dir;
  while (!statOrNull(d)) {
    missing.unshift(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(name, dir, err);
  }
  return missing;
}

function writeError(name: string, where: string, err: unknown): Error {
  const code = errnoCode(err);
  const rel = path.relative(process.cwd(), where) || where;
  if (code === "EACCES" || code === "EPERM") return new Error(`${name}: permission denied (cannot write in ${rel})`);
  if (code === "EROFS") return new Error(`${name}: ${rel} is on a read-only file system`);
  if (code === "ENOTDIR" || code === "EEXIST")
    return new Error(`${name}: ${rel} or one of its parents is a file, not a directory`);
  if (code === "EISDIR") return new Error(`${name}: ${rel} is a directory, not a file`);
  if (code === "ENOSPC") return new Error(`${name}: no space left on the device of ${rel}`);
  return new Error(`${name}: cannot write (${(err as Error)?.message ?? String(err)})`);
}

// ---------------------------------------------------------------- bounded reads

const MIB = 1024 * 1024;
/** Caps for whole-file reads: far above any real file of the kind, far below what hurts. */
export const READ_LIMITS = {
  /** config.json, tokenizer_config.json, special_tokens_map.json, shard indexes. */
  json: 16 * MIB,
  /** tokenizer.json and vocab.txt (the largest real ones are ~35 MB). */
  tokenizer: 256 * MIB,
} as const;

/**
 * Open `file` for reading and check that it is a regular file (a directory, a FIFO, a device or
 * a socket is refused at once: O_NONBLOCK keeps a FIFO without writer from blocking the open).
 * Returns the descriptor (the caller closes it) and the file's size.
 */
export function openRegularFile(file: string, what = "file"): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw readableFileError(file, err);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file}: ${what} is ${fileKind(st)}, not a regular file`);
    return { fd, size: st.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * The bytes of a regular file of at most `maxBytes` (checked on fstat's size before reading, and
 * again while reading, in case the file grows). Errors name the file and never show its content.
 */
export function readRegularFile(file: string, maxBytes: number, what = "file"): Buffer {
  const { fd, size } = openRegularFile(file, what);
  try {
    const tooBig = (n: number) =>
      new Error(`${file}: ${what} is ${n > size ? "more than " : ""}${n} bytes, over the ${maxBytes}-byte limit`);
    if (size > maxBytes) throw tooBig(size);
    const buf = Buffer.allocUnsafe(size + 1); // one byte more: sees a file that grew since fstat
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
      if (n === buf.length) throw tooBig(n);
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A regular text file, strictly UTF-8 (a leading BOM dropped), of at most `maxBytes`. */
export function readTextFileBounded(file: string, maxBytes: number, what = "text file"): string {
  const bytes = readRegularFile(file, maxBytes, what);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new Error(`${file}: ${what} is not valid UTF-8 text`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parse a regular JSON file of at most `maxBytes` (default {@link READ_LIMITS}.json). A parse
 * error gives the line and column only: V8's own message quotes the text, and a file that is not
 * JSON (a key, a binary file behind a symlink) must not be shown.
 */
export function readJsonFileBounded(file: string, what = "JSON file", maxBytes: number = READ_LIMITS.json): unknown {
  return parseJsonText(readTextFileBounded(file, maxBytes, what), file, what);
}

/** JSON.parse with an error that names `file` and the place, never the text (see {@link readJsonFileBounded}). */
export function parseJsonText(text: string, file: string, what = "JSON file"): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: ${what} is not valid JSON${jsonErrorPlace(text, (err as Error).message)}`);
  }
}

/** " (line L, column C)" from a JSON.parse message's "position N", or "" when it gives none. */
function jsonErrorPlace(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m && /Unexpected end of JSON input/.test(message)) return " (it ends too early)";
  if (!m) return "";
  const pos = Math.min(Number(m[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return ` (line ${line}, column ${pos - lineStart + 1})`;
}

/**
 * A value read from a JSON file, for an error message: short, and never recursive (a hostile
 * file can nest arrays deeper than JSON.stringify's call stack reaches).
 */
export function describeJsonValue(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length} items`;
  if (v !== null && typeof v === "object") return "an object";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
