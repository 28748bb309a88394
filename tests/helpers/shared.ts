/**
 * Where the read-only ../shared folder (corpora, tokenizer files, golden fixtures) lives:
 * NER_SHARED_DIR, else ../shared beside the repository. Tests that need it fail with a
 * clear message when it is missing (CI always has it).
 */
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");

export function sharedDir(): string {
  const dir = process.env.NER_SHARED_DIR ?? path.resolve(repoRoot, "..", "shared");
  if (!fs.existsSync(path.join(dir, "fixtures"))) {
    throw new Error(`../shared not found at ${dir}; set NER_SHARED_DIR to the shared folder`);
  }
  return dir;
}

export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir(), ...parts);
}

export function readSharedJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(sharedPath(...parts), "utf8")) as T;
}
