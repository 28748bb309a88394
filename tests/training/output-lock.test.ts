// The output directory's lock (src/util/lock.ts) and the refused output directories
// (checkpoint.ts checkOutputDir), as units: no process is started here.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOCK_FILE, acquireDirLock, holdsDirLock } from "../../src/util/lock";
import { checkOutputDir } from "../../src/training/checkpoint";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-lock-"));
/** A PID that is not alive: beyond the kernel's default pid_max. */
const DEAD_PID = 4_194_305;

test(
  "the lock is re-entrant in a process and removed with the last release; a release never removes a " +
    "lock taken over",
  () => {
    const dir = tmp();
    const file = path.join(dir, LOCK_FILE);
    const outer = acquireDirLock(dir);
    const inner = acquireDirLock(path.join(dir, "."));
    const holder = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.host, os.hostname());
    assert.match(holder.started, /^\d{4}-\d\d-\d\dT/);
    inner();
    inner(); // a second call of the same release is a no-op
    assert.ok(fs.existsSync(file) && holdsDirLock(dir), "still held by the outer caller");
    // Someone judged our lock stale and took it over: our release must leave their lock alone.
    fs.rmSync(file);
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: os.hostname(), started: "x", procStart: null, command: "" }));
    outer();
    assert.ok(fs.existsSync(file), "the other process's lock stays");
    assert.ok(!holdsDirLock(dir));
  },
);

test("two processes breaking one stale lock serialize on .break: a fresh .break blocks, an old one is debris", () => {
  const dir = tmp();
  const file = path.join(dir, LOCK_FILE);
  const stale = JSON.stringify({ pid: DEAD_PID, host: os.hostname(), started: "x", procStart: null, command: "" });
  fs.writeFileSync(file, stale);
  fs.writeFileSync(`${file}.break`, "");
  assert.throws(() => acquireDirLock(dir), /could not take .*\.ner\.lock \(other processes keep taking it\)/);
  assert.equal(fs.readFileSync(file, "utf8"), stale, "the stale lock is left to the process breaking it");
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.break`, old, old);
  const release = acquireDirLock(dir);
  assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).pid, process.pid, "taken over");
  assert.ok(!fs.existsSync(`${file}.break`));
  release();
  assert.deepEqual(fs.readdirSync(dir), []);
});

test(
  "checkOutputDir: empty, missing and earlier outputs are allowed; inputs and unrelated non-empty " +
    "directories need --overwrite-output-dir",
  () => {
    const root = tmp();
    checkOutputDir(path.join(root, "missing", "deeper"));
    const empty = path.join(root, "empty");
    fs.mkdirSync(empty);
    checkOutputDir(empty);
    const earlier = path.join(root, "earlier");
    fs.mkdirSync(path.join(earlier, "checkpoint-500"), { recursive: true });
    fs.writeFileSync(path.join(earlier, "notes.txt"), "");
    checkOutputDir(earlier);
    const tokenizer = path.join(root, "tok");
    fs.mkdirSync(tokenizer);
    fs.writeFileSync(path.join(tokenizer, "vocab.txt"), "");
    assert.throws(
      () => checkOutputDir(tokenizer, { inputs: [{ flag: "--tokenizer", path: tokenizer }] }),
      /tok is the --tokenizer directory: the save would replace its files/,
    );
    checkOutputDir(tokenizer, { inputs: [{ flag: "--tokenizer", path: tokenizer }], overwrite: true });
    // The same directory through a symlink is the same directory.
    fs.symlinkSync(tokenizer, path.join(root, "tok-link"));
    assert.throws(
      () =>
        checkOutputDir(path.join(root, "tok-link"), {
          what: "--output tok-link",
          inputs: [{ flag: "--model", path: tokenizer }],
        }),
      /^Error: --output tok-link is the --model directory/,
    );
    assert.throws(
      () => checkOutputDir(tokenizer),
      /^Error: Output directory \(.*tok\) already exists and is not empty \(it holds vocab\.txt/,
    );
    fs.writeFileSync(path.join(root, "file"), "");
    assert.throws(() => checkOutputDir(path.join(root, "file")), /file is a file, not a directory/);
  },
);
