/**
 * Atomic file writes: write to a temporary file in the same directory, fsync, then rename,
 * so a crash or a failed check never leaves a half-written file under the final name.
 */
import * as fs from "node:fs";
import * as path from "path";

function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
}

/** Write `data` to `target` atomically (creating parent directories). */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, data as never);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Move the completed `tmp` directory into place as `target` (the old `target` survives until the swap). */
function swapDirIntoPlace(tmp: string, target: string): void {
  if (fs.existsSync(target)) {
    const old = tempPathFor(target);
    fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, target);
  }
}

/** A fresh temporary directory beside `target` (creating parent directories). */
function makeTempDirFor(target: string): string {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  fs.mkdirSync(tmp);
  return tmp;
}

/**
 * Build a directory atomically: `fill(tmpDir)` writes its contents, then the temporary
 * directory replaces `target` (the previous `target`, if any, survives until the swap).
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
