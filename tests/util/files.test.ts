// File checks with plain-words errors: output locations checked before any work, strict UTF-8
// with file:line, sha256 of a file, capped and escaped values in messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkReadableFile, checkWritableOutput, isDirectory, isFile, sha256OfFile } from "../../src/util/files";
import { decodeUtf8Strict, firstInvalidUtf8, readUtf8File } from "../../src/util/utf8";
import { quoteForMessage } from "../../src/util/message";
import { argmax } from "../../src/util/argmax";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-fs-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const listing = (): string[] => fs.readdirSync(dir, { recursive: true }).map(String).sort();

test("checkWritableOutput: creatable and existing targets pass and leave nothing behind", () => {
  fs.mkdirSync(path.join(dir, "existing"));
  fs.writeFileSync(path.join(dir, "existing", "keep.txt"), "x");
  const before = listing();
  checkWritableOutput(path.join(dir, "new", "deep", "run"), "--output");
  checkWritableOutput(path.join(dir, "existing"), "--output");
  checkWritableOutput(path.join(dir, "existing", "keep.txt"), "--html", "file");
  checkWritableOutput(path.join(dir, "new2", "page.html"), "--html", "file");
  assert.deepEqual(listing(), before);
});

test("checkWritableOutput: a file for a directory, a directory for a file, a file as parent, in words", () => {
  const f = path.join(dir, "a-file");
  fs.writeFileSync(f, "x");
  assert.throws(
    () => checkWritableOutput(f, "--output"),
    new RegExp(`^Error: --output ${f}: is a file, not a directory$`.replace(": is", " is")),
  );
  assert.throws(() => checkWritableOutput(dir, "--html", "file"), /--html .* is a directory, not a file/);
  assert.throws(
    () => checkWritableOutput(path.join(f, "run"), "--output"),
    /--output .*a-file\/run: .*a-file is a file, not a directory/,
  );
  assert.throws(
    () => checkWritableOutput(path.join(f, "x", "y.html"), "--html", "file"),
    /--html .*: .*a-file is a file, not a directory/,
  );
});

test("checkWritableOutput: a directory we may not write in is refused up front", () => {
  // root writes through file modes, so as root use /sys, where even root may not create files.
  const asRoot = process.getuid?.() === 0;
  const ro = asRoot ? "/sys" : path.join(dir, "ro");
  if (!asRoot) {
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
  }
  try {
    assert.throws(
      () => checkWritableOutput(path.join(ro, "run"), "--output"),
      /--output .*\/run: permission denied \(cannot write in/,
    );
    assert.throws(
      () => checkWritableOutput(path.join(ro, "page.html"), "--html", "file"),
      /--html .*page\.html: permission denied/,
    );
  } finally {
    if (!asRoot) fs.chmodSync(ro, 0o755);
  }
});

test("isFile / isDirectory / checkReadableFile / sha256OfFile", () => {
  const f = path.join(dir, "data.bin");
  const bytes = Buffer.alloc(3 << 20, 7);
  fs.writeFileSync(f, bytes);
  assert.equal(isFile(f), true);
  assert.equal(isFile(dir), false);
  assert.equal(isDirectory(dir), true);
  assert.equal(isDirectory(f), false);
  assert.equal(isFile(path.join(dir, "missing")), false);
  assert.equal(sha256OfFile(f), createHash("sha256").update(bytes).digest("hex"));
  checkReadableFile(f);
  assert.throws(() => checkReadableFile(dir, "--input"), /--input .*: is a directory, not a file/);
  assert.throws(() => checkReadableFile(path.join(dir, "missing"), "--input"), /--input .*missing: no such file/);
});

test("strict UTF-8: the first invalid byte is found by line and column, as the decoder rejects it", () => {
  const enc = (s: string) => Buffer.from(s, "utf8");
  assert.equal(firstInvalidUtf8(enc("héllo €𝄞")), -1);
  const bad: [number[], number][] = [
    [[0x41, 0xff], 1],
    [[0xc0, 0x80], 0], // overlong
    [[0xed, 0xa0, 0x80], 0], // surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
    [[0x41, 0xe2, 0x82], 1], // truncated
  ];
  for (const [bytes, at] of bad) {
    assert.equal(firstInvalidUtf8(Uint8Array.from(bytes)), at, bytes.join(","));
    assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes)));
  }
  assert.throws(
    () => decodeUtf8Strict(Buffer.concat([enc("ok\nE"), Buffer.from([0xff]), enc("U\n")]), "c.txt"),
    /^Utf8Error: c\.txt:2: invalid UTF-8 \(byte 0xff at byte column 2\)/,
  );
  assert.equal(decodeUtf8Strict(enc("\uFEFFa\uFEFFb"), "x"), "a\uFEFFb", "only the leading BOM is dropped");
  assert.throws(() => readUtf8File(dir), /: is a directory, not a file/);
});

test("quoteForMessage: capped, quoted, invisible characters escaped", () => {
  assert.equal(quoteForMessage("X-PER"), '"X-PER"');
  assert.equal(quoteForMessage("a\u0000\u200b\ufffd\u202e"), '"a\\u0000\\u200b\\ufffd\\u202e"');
  assert.equal(quoteForMessage("x".repeat(100), 10), `"${"x".repeat(10)}"… (90 more characters)`);
});

test("argmax is numpy's: first index on ties, first NaN wins", () => {
  assert.equal(argmax([0.1, 0.7, 0.7, 0.2]), 1);
  assert.equal(argmax(Float32Array.from([-3, -1, -2])), 1);
  assert.equal(argmax([1, NaN, 5, NaN]), 1);
  assert.equal(argmax([NaN, 9]), 0);
  assert.equal(argmax([4]), 0);
});
