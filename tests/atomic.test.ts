import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeDirAtomic, writeDirAtomicAsync, writeFileAtomic } from "../src/util/atomic";

function tmpRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ner-atomic-"));
}

test("writeFileAtomic creates parents and leaves no temporaries", () => {
  const root = tmpRoot();
  writeFileAtomic(path.join(root, "a", "f.txt"), "one");
  writeFileAtomic(path.join(root, "a", "f.txt"), "two");
  assert.equal(fs.readFileSync(path.join(root, "a", "f.txt"), "utf8"), "two");
  assert.deepEqual(fs.readdirSync(path.join(root, "a")), ["f.txt"]);
  fs.rmSync(root, { recursive: true, force: true });
});

test("writeDirAtomic / writeDirAtomicAsync replace a directory whole; a failing fill keeps the old one", async () => {
  const root = tmpRoot();
  const target = path.join(root, "out");
  writeDirAtomic(target, (tmp) => fs.writeFileSync(path.join(tmp, "old.txt"), "old"));
  assert.throws(
    () =>
      writeDirAtomic(target, () => {
        throw new Error("boom");
      }),
    /boom/,
  );
  assert.deepEqual(fs.readdirSync(target), ["old.txt"]);
  await assert.rejects(
    writeDirAtomicAsync(target, async (tmp) => {
      fs.writeFileSync(path.join(tmp, "half.txt"), "x");
      throw new Error("async boom");
    }),
    /async boom/,
  );
  assert.deepEqual(fs.readdirSync(target), ["old.txt"]);
  await writeDirAtomicAsync(target, async (tmp) => fs.writeFileSync(path.join(tmp, "new.txt"), "new"));
  assert.deepEqual(fs.readdirSync(target), ["new.txt"], "old contents replaced, not merged");
  assert.deepEqual(fs.readdirSync(root), ["out"], "no temporary directories left");
  fs.rmSync(root, { recursive: true, force: true });
});
