/**
 * Checking mirror, embedded and cached corpus files against the registry's size and sha256, once:
 * a file that passed is recorded under `<cacheDir>/verified/` keyed by its path, and trusted again
 * while its size and mtime are unchanged, so the sha256 is computed only after a file changes.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../util/atomic";
import { sha256OfFile } from "../util/files";
import { CorpusFileError } from "./errors";
import type { CorpusFile } from "./registry";

/** What was last verified for one path. */
interface VerifiedRecord {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

function recordPath(cacheDir: string, file: string): string {
  return path.join(
    cacheDir,
    "verified",
    `${createHash("sha256").update(path.resolve(file)).digest("hex").slice(0, 32)}.json`,
  );
}

function readRecord(at: string): VerifiedRecord | null {
  try {
    return JSON.parse(fs.readFileSync(at, "utf8")) as VerifiedRecord;
  } catch {
    return null;
  }
}

/**
 * Check `file` (the local copy of `<rel>`) against `expected`. `what` says where it came from and
 * `fix` what to do, both for the error. Throws CorpusFileError naming the file, the expected and
 * actual size or sha256, and the fix.
 */
export function verifyCorpusFile(
  file: string,
  expected: CorpusFile,
  rel: string,
  cacheDir: string,
  where: { what: string; fix: string },
): void {
  const st = fs.statSync(file);
  const at = recordPath(cacheDir, file);
  const seen = readRecord(at);
  if (
    seen &&
    seen.path === path.resolve(file) &&
    seen.size === st.size &&
    seen.mtimeMs === st.mtimeMs &&
    seen.sha256 === expected.sha256
  )
    return;
  if (st.size !== expected.size) {
    throw new CorpusFileError(
      `${file} (${rel}, ${where.what}) is ${st.size} bytes but the published file is ${expected.size} bytes: ` +
        `it is ${st.size < expected.size ? "cut short" : "longer"} or a different version. ${where.fix}`,
    );
  }
  const actual = sha256OfFile(file);
  if (actual !== expected.sha256) {
    throw new CorpusFileError(
      `${file} (${rel}, ${where.what}) has sha256 ${actual} but the published file has ${expected.sha256} ` +
        `(same size: edited or corrupted). ${where.fix}`,
    );
  }
  try {
    writeFileAtomic(
      at,
      JSON.stringify({
        path: path.resolve(file),
        size: st.size,
        mtimeMs: st.mtimeMs,
        sha256: actual,
      } satisfies VerifiedRecord),
    );
  } catch {
    // A read-only cache only costs a re-check next time.
  }
}
