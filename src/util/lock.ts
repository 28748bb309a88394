/**
 * One writer per directory: an exclusive lock file (`<dir>/.ner.lock`) holding the holder's PID,
 * host, process start and command. It is created with O_EXCL, so of two runs exactly one gets
 * it; the other fails at once with a one-line error naming the holder. A lock whose holder is
 * gone (same host, PID not alive, or alive but started at another time: the PID was reused) is
 * stale and is taken over. Locks are re-entrant within a process (the job locks the output, then
 * the Trainer locks it again) and released on exit and on SIGINT/SIGTERM/SIGHUP.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The lock file's name inside the locked directory. */
export const LOCK_FILE = ".ner.lock";

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock (ISO 8601). */
  started: string;
  /** The holder's process start time in clock ticks since boot (Linux /proc), to tell a reused PID. */
  procStart: number | null;
  command: string;
}

/** Thrown when another live process holds the lock. */
export class LockHeldError extends Error {
  constructor(
    message: string,
    readonly holder: LockHolder | null,
  ) {
    super(message);
    this.name = "LockHeldError";
  }
}

/** An unreadable lock file younger than this is being written by its creator; older, it is debris. */
const UNREADABLE_GRACE_MS = 10_000;

interface Held {
  file: string;
  /** The lock file we created: its inode and text (an inode number alone may be reused at once). */
  ino: number;
  text: string;
  count: number;
}

const held = new Map<string, Held>();
let handlersInstalled = false;

/**
 * Take the lock on `dir` (created if missing) or throw {@link LockHeldError}. Returns the release
 * function; call it in a `finally`. `what` names the directory in messages (e.g. "--output runs/x").
 */
export function acquireDirLock(dir: string, what = dir): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const key = fs.realpathSync(dir);
  const mine = held.get(key);
  if (mine) {
    mine.count++;
    return once(() => releaseOne(key));
  }
  const file = path.join(key, LOCK_FILE);
  const { ino, text } = createLock(file, what);
  held.set(key, { file, ino, text, count: 1 });
  installHandlers();
  return once(() => releaseOne(key));
}

/** Whether this process holds the lock on `dir`. */
export function holdsDirLock(dir: string): boolean {
  try {
    return held.has(fs.realpathSync(dir));
  } catch {
    return false;
  }
}

/** The holder named in `dir`'s lock file, or null when there is none (or it cannot be read). */
export function readLockHolder(dir: string): LockHolder | null {
  return parseHolder(readOrNull(path.join(dir, LOCK_FILE)));
}

/**
 * Fail at once, without taking the lock, when another live process holds `dir`'s lock: a cheap
 * early check (it loads nothing) for commands that take the lock only after loading their modules.
 */
export function assertNotLockedByOther(dir: string, what = dir): void {
  let key: string;
  try {
    key = fs.realpathSync(dir);
  } catch {
    return; // no directory, no lock
  }
  if (held.has(key)) return;
  const file = path.join(key, LOCK_FILE);
  const text = readOrNull(file);
  if (text === null) return;
  const holder = parseHolder(text);
  if (!isStale(holder, file)) throw heldError(what, file, holder);
}

function heldError(what: string, file: string, holder: LockHolder | null): LockHeldError {
  const who = holder ? describeHolder(holder) : "a process that is still writing the lock file";
  return new LockHeldError(
    `${what} is in use by ${who}; wait for it to finish, or remove ${file} if that process is gone`,
    holder,
  );
}

/** The holder of `dir`'s lock when that process is alive (or cannot be checked: another host), else null. */
export function liveLockHolder(dir: string): LockHolder | null {
  const file = path.join(dir, LOCK_FILE);
  const holder = parseHolder(readOrNull(file));
  return holder && !isStale(holder, file) ? holder : null;
}

/** One line naming a holder, e.g. "PID 123 on host-a since 2026-12-03T08:00:00Z (ner train …)". */
export function describeHolder(h: LockHolder): string {
  return `PID ${h.pid} on ${h.host} since ${h.started}${h.command ? ` (${h.command})` : ""}`;
}

function createLock(file: string, what: string): { ino: number; text: string } {
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = openExclusive(file);
    if (fd !== null) return writeHolder(fd, file);
    const text = readOrNull(file);
    if (text === null) continue; // released between our open and our read: try again
    const holder = parseHolder(text);
    if (!isStale(holder, file)) throw heldError(what, file, holder);
    breakStaleLock(file, text);
  }
  throw new LockHeldError(`${what}: could not take ${file} (other processes keep taking it)`, null);
}

function openExclusive(file: string): number | null {
  try {
    return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw new Error(`${file}: cannot create the lock file: ${(err as Error).message}`);
  }
}

function writeHolder(fd: number, file: string): { ino: number; text: string } {
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    procStart: procStartTicks(process.pid),
    command: commandLine(),
  };
  try {
    const text = JSON.stringify(holder) + "\n";
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
    return { ino: fs.fstatSync(fd).ino, text };
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw new Error(`${file}: cannot write the lock file: ${(err as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Remove a stale lock file, unless it changed since it was judged stale. Two runs breaking the
 * same stale lock at once serialize on a second O_EXCL file, so neither removes the other's new lock.
 */
function breakStaleLock(file: string, judged: string): void {
  const breaker = `${file}.break`;
  const fd = openExclusive(breaker);
  if (fd === null) {
    // Another run is breaking it; its break file is debris only if it is old.
    const st = statOrNull(breaker);
    if (st && Date.now() - st.mtimeMs > UNREADABLE_GRACE_MS) fs.rmSync(breaker, { force: true });
    return;
  }
  fs.closeSync(fd);
  try {
    if (readOrNull(file) === judged) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function isStale(holder: LockHolder | null, file: string): boolean {
  if (!holder) {
    const st = statOrNull(file);
    return !!st && Date.now() - st.mtimeMs > UNREADABLE_GRACE_MS;
  }
  if (holder.host !== os.hostname()) return false; // another machine's process cannot be checked from here
  if (!pidAlive(holder.pid)) return true;
  const start = procStartTicks(holder.pid);
  return holder.procStart !== null && start !== null && start !== holder.procStart;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or null off Linux. */
function procStartTicks(pid: number): number | null {
  const text = readOrNull(`/proc/${pid}/stat`);
  if (!text) return null;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : null;
}

function parseHolder(text: string | null): LockHolder | null {
  if (!text) return null;
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h !== "object" || h === null || !Number.isInteger(h.pid) || typeof h.host !== "string") return null;
    return {
      pid: h.pid,
      host: h.host,
      started: String(h.started),
      procStart: typeof h.procStart === "number" ? h.procStart : null,
      command: String(h.command ?? ""),
    };
  } catch {
    return null;
  }
}

function releaseOne(key: string): void {
  const h = held.get(key);
  if (!h) return;
  if (--h.count > 0) return;
  held.delete(key);
  removeIfOurs(h);
}

function removeIfOurs(h: Held): void {
  // Only the file we created: a lock taken over after ours was judged stale is not ours to remove.
  const st = statOrNull(h.file);
  if (st && st.ino === h.ino && readOrNull(h.file) === h.text) fs.rmSync(h.file, { force: true });
}

function releaseAll(): void {
  for (const h of held.values()) removeIfOurs(h);
  held.clear();
}

/** Release every lock on exit, and on the signals that end a run, then die of the signal as before. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", releaseAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      // Someone else handles the signal too (e.g. a notebook kernel's interrupt): the process may go on,
      // so the lock stays.
      if (process.listenerCount(sig) > 1) return;
      releaseAll();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig); // die of the signal, as the process would have without us
    };
    process.on(sig, onSignal);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

function commandLine(): string {
  const text = process.argv.slice(1).join(" ").replace(/\s+/g, " ");
  return text.length > 200 ? text.slice(0, 197) + "..." : text;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
