/**
 * Atomic file writes: write to a temporary file in the same directory, fsync, then rename,
 * so a crash or a failed check never leaves a half-written file under the final name.
 * Every failure names the path it hit (Node's write errors, ENOSPC among them, name none).
 */
import * as fs from "node:fs";
import * as path from "path";

/** `err` rethrown as one line naming `file` (its `code` kept, e.g. "ENOSPC"), unless it already names it. */
export function errorNamingPath(file: string, err: unknown, doing = "cannot write"): Error {
  const e = err as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(err);
  if (message.includes(file)) return e instanceof Error ? e : new Error(message);
  const named = new Error(`${file}: ${doing}: ${message}`, { cause: err }) as NodeJS.ErrnoException;
  if (e && typeof e.code === "string") named.code = e.code;
  return named;
}

/** A hidden temporary name beside `target` (same directory, hence same filesystem, for rename). */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
}

/** Write `data` to `file` (created or truncated) and fsync it; errors name `file`. */
export function writeFileSynced(file: string, data: string | Uint8Array): void {
  try {
    writeAndSync(file, data);
  } catch (err) {
    throw errorNamingPath(file, err);
  }
}

function writeAndSync(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, data as never);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Write `data` to `target` atomically (creating parent directories); a file it replaces keeps its mode. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
  } catch (err) {
    throw errorNamingPath(path.dirname(target), err, "cannot create directory");
  }
  const tmp = tempPathFor(target);
  try {
    writeAndSync(tmp, data);
    const old = statOrNull(target);
    if (old?.isFile()) fs.chmodSync(tmp, old.mode & 0o7777);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw errorNamingPath(target, err);
  }
}

/** fsync a directory, so renames into it survive a power cut (a no-op where directories cannot be opened). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the renames themselves are still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Move the completed `tmp` directory into place as `target` (the old `target` survives until the swap). */
function swapDirIntoPlace(tmp: string, target: string): void {
  try {
    if (fs.existsSync(target)) {
      const old = tempPathFor(target);
      fs.renameSync(target, old);
      fs.renameSync(tmp, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, target);
    }
  } catch (err) {
    throw errorNamingPath(target, err, "cannot move into place");
  }
}

/** A fresh temporary directory beside `target` (creating parent directories). */
function makeTempDirFor(target: string): string {
  const tmp = tempPathFor(target);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.mkdirSync(tmp);
  } catch (err) {
    throw errorNamingPath(tmp, err, "cannot create directory");
  }
  return tmp;
}

/**
 * Build a directory atomically: `fill(tmpDir)` writes its contents, then the temporary
 * directory replaces `target` (the previous `target`, if any, survives until the swap).
 * For directories the caller owns whole (a `checkpoint-<n>`), never for a user's directory.
 */
export function writeDirAtomic(target: string, fill: (tmpDir: string) => void): void {
  const tmp = makeTempDirFor(target);
  try {
    fill(tmp);
    swapDirIntoPlace(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** `writeDirAtomic` for an async `fill` (e.g. saving a model). */
export async function writeDirAtomicAsync(target: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = makeTempDirFor(target);
  try {
    await fill(tmp);
    swapDirIntoPlace(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
