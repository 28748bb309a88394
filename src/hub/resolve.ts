/**
 * Find a model/tokenizer file on disk, downloading it from the Hugging Face Hub if needed.
 *
 * Resolution order (the same for tokenizers, configs and weights):
 *   1. `repoOrDir` is an existing directory → `<dir>/<file>`
 *   2. the local mirror `$NER_MODELS_DIR/<repo>/<file>` (also `<name>` without the org)
 *   3. the files embedded in this repository under `data/models/<repo>/`
 *   4. the Hub cache, laid out exactly like Python's huggingface_hub
 *      (`models--org--name/{refs,snapshots,blobs}`), so either side reuses the other's downloads
 *   5. the network (`<endpoint>/<repo>/resolve/<revision>/<file>` through `@huggingface/hub`),
 *      unless NER_OFFLINE=1, which gives a clear error instead.
 * Downloaded files are verified against the Hub's checksum (sha256 for LFS files, the git
 * blob sha1 otherwise); a mismatch removes the file and fails.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isOffline, modelsDir } from "../env";
import { writeFileAtomic } from "../util/atomic";
import { isDirectory, readTextFileBounded } from "../util/files";
import { timedFetch } from "../util/http";

export interface ResolveOptions {
  /** Branch, tag or commit hash on the Hub (default "main"). */
  revision?: string;
  /** Return null instead of throwing when the file does not exist in the repo. */
  optional?: boolean;
  /** Hub endpoint (default: $HF_ENDPOINT, else https://huggingface.co); tests point it at 127.0.0.1. */
  hubUrl?: string;
  /** Hub cache directory (default: see {@link hubCacheDir}). */
  cacheDir?: string;
}

const DEFAULT_ENDPOINT = "https://huggingface.co";
const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** Where this repository embeds default model files (`data/models/<repo>`). */
export const EMBEDDED_MODELS_DIR = path.resolve(__dirname, "..", "..", "data", "models");

/**
 * The Hub cache: $HF_HUB_CACHE, else $NER_CACHE_DIR/hub, else $HF_HOME/hub, else
 * ~/.cache/huggingface/hub (Python's default, so downloads are shared with transformers).
 */
export function hubCacheDir(): string {
  const env = process.env;
  if (env.HF_HUB_CACHE) return path.resolve(env.HF_HUB_CACHE);
  if (env.NER_CACHE_DIR) return path.resolve(env.NER_CACHE_DIR, "hub");
  if (env.HF_HOME) return path.resolve(env.HF_HOME, "hub");
  const xdg = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(xdg, "huggingface", "hub");
}

/** True when `s` should be read as a filesystem path rather than a Hub repo id. */
export function looksLikePath(s: string): boolean {
  return (
    s.startsWith(".") ||
    s.startsWith("/") ||
    s.startsWith("~") ||
    s.includes(path.sep + path.sep) ||
    s.split("/").length > 2 ||
    fs.existsSync(s)
  );
}

/** Validate a Hub repo id (`name` or `org/name`). */
export function validateRepoId(repo: string): void {
  if (!/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(repo) || repo.includes("..")) {
    throw new Error(
      `"${repo}" is neither an existing directory nor a valid Hugging Face repo id (like ` +
        `"bert-base-cased" or "org/name")`,
    );
  }
}

function validateFilename(filename: string): void {
  if (filename === "" || path.isAbsolute(filename) || filename.split(/[\\/]/).includes("..")) {
    throw new Error(`invalid file name in repo: ${JSON.stringify(filename)}`);
  }
}

/** Python's folder name for a model repo in the Hub cache: `models--org--name`. */
export function repoFolderName(repo: string): string {
  return ["models", ...repo.split("/")].join("--");
}

/** Look a file up in the Hub cache (refs/<revision> → snapshots/<commit>/<file>), without network. */
export function findInHubCache(
  repo: string,
  filename: string,
  revision = "main",
  cacheDir = hubCacheDir(),
): string | null {
  const storage = path.join(cacheDir, repoFolderName(repo));
  let commit = revision;
  if (!COMMIT_HASH.test(revision)) {
    const ref = path.join(storage, "refs", revision);
    if (!fs.existsSync(ref)) return null;
    commit = readTextFileBounded(ref, 1024, "Hub cache ref").trim();
    // A ref holds a commit hash; anything else (a path like "../..") must not pick the snapshot.
    if (!COMMIT_HASH.test(commit)) throw new Error(`${ref}: Hub cache ref does not hold a commit hash`);
  }
  const file = path.join(storage, "snapshots", commit, filename);
  return fs.existsSync(file) ? file : null;
}

function localCandidates(repo: string, filename: string): string[] {
  const out: string[] = [];
  const mirror = modelsDir();
  const name = repo.split("/").pop() as string;
  if (mirror) {
    out.push(path.join(mirror, repo, filename));
    if (name !== repo) out.push(path.join(mirror, name, filename));
  }
  out.push(path.join(EMBEDDED_MODELS_DIR, repo, filename));
  return out;
}

/**
 * Resolve `filename` of a model repo or local directory to an absolute path on disk.
 * See the module comment for the order. Returns null only with `optional` when the file
 * does not exist (in the directory, or in the repo on the Hub).
 */
export async function resolveModelFile(
  repoOrDir: string,
  filename: string,
  opts: ResolveOptions = {},
): Promise<string | null> {
  validateFilename(filename);
  if (looksLikePath(repoOrDir)) {
    const dir = path.resolve(repoOrDir.replace(/^~(?=$|\/)/, os.homedir()));
    if (!isDirectory(dir)) {
      throw new Error(`model directory not found: ${dir}`);
    }
    const file = path.join(dir, filename);
    if (fs.existsSync(file)) return file;
    if (opts.optional) return null;
    throw new Error(`${filename} not found in model directory ${dir}`);
  }

  validateRepoId(repoOrDir);
  const revision = opts.revision ?? "main";
  const defaultRevision = revision === "main";
  // Local mirrors hold one revision; use them only when no specific revision was asked for.
  if (defaultRevision) {
    for (const candidate of localCandidates(repoOrDir, filename)) {
      if (fs.existsSync(candidate)) return path.resolve(candidate);
    }
  }
  const cacheDir = opts.cacheDir ?? hubCacheDir();
  const cached = findInHubCache(repoOrDir, filename, revision, cacheDir);
  if (cached) return cached;

  if (isOffline()) {
    if (opts.optional) return null;
    throw new Error(
      `${repoOrDir}/${filename} is not available offline (NER_OFFLINE=1): put the model files in ` +
        `$NER_MODELS_DIR/${repoOrDir}/ (NER_MODELS_DIR=${modelsDir() ?? "<unset>"}), or in the Hub cache ` +
        `${cacheDir}, or unset NER_OFFLINE to download them`,
    );
  }
  return downloadToHubCache(repoOrDir, filename, { ...opts, revision, cacheDir });
}

interface PathInfo {
  path: string;
  type: string;
  oid?: string;
  size?: number;
  lfs?: { oid: string; size: number };
  lastCommit?: { id: string };
}

async function downloadToHubCache(
  repo: string,
  filename: string,
  opts: ResolveOptions & { revision: string; cacheDir: string },
): Promise<string | null> {
  const hub = await import("@huggingface/hub");
  const hubUrl = (opts.hubUrl ?? process.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const accessToken = process.env.HF_TOKEN || undefined;
  const where = `${hubUrl}/${repo} (revision ${opts.revision})`;
  // Timeouts, retries and progress for every request the hub library makes (src/util/http.ts).
  const fetch = timedFetch({
    label: `${repo}/${filename}`,
    hint:
      `Set NER_MODELS_DIR to a folder holding ${repo}/ and NER_OFFLINE=1 to use local files only, or ` +
      `HF_ENDPOINT to another hub mirror`,
  });
  let infos: PathInfo[];
  try {
    infos = (await hub.pathsInfo({
      repo: { type: "model", name: repo },
      paths: [filename],
      revision: opts.revision,
      expand: true,
      hubUrl,
      accessToken,
      fetch,
    })) as PathInfo[];
  } catch (err) {
    throw new Error(`could not reach ${where} for ${filename}: ${(err as Error).message}`);
  }
  const info = infos.find((i) => i.path === filename && i.type === "file");
  if (!info) {
    if (opts.optional) return null;
    throw new Error(`${filename} does not exist in ${where}`);
  }
  let pointer: string;
  const quiet = console.debug;
  console.debug = () => undefined; // @huggingface/hub announces each download on console.debug
  try {
    pointer = await hub.downloadFileToCacheDir({
      repo: { type: "model", name: repo },
      path: filename,
      revision: opts.revision,
      hubUrl,
      cacheDir: opts.cacheDir,
      accessToken,
      fetch,
    });
  } catch (err) {
    throw new Error(`download of ${filename} from ${where} failed: ${(err as Error).message}`);
  } finally {
    console.debug = quiet;
  }
  verifyDownloaded(pointer, info, `${where}/${filename}`);
  recordRef(repo, pointer, opts.revision, opts.cacheDir, filename);
  return pointer;
}

/** Check the downloaded bytes against the Hub's oid; remove blob and pointer on mismatch. */
function verifyDownloaded(pointer: string, info: PathInfo, what: string): void {
  const bytes = fs.readFileSync(pointer);
  let expected: string | undefined;
  let actual: string;
  if (info.lfs) {
    expected = info.lfs.oid;
    actual = crypto.createHash("sha256").update(bytes).digest("hex");
  } else {
    expected = info.oid;
    actual = crypto.createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
  }
  if (expected && expected !== actual) {
    const blob = fs.realpathSync(pointer);
    fs.rmSync(pointer, { force: true });
    fs.rmSync(blob, { force: true });
    throw new Error(`checksum mismatch for ${what}: expected ${expected}, got ${actual}; the file was removed`);
  }
}

/** Write refs/<revision> → commit, as Python does, so offline lookups find the snapshot. */
function recordRef(repo: string, pointer: string, revision: string, cacheDir: string, filename: string): void {
  if (COMMIT_HASH.test(revision)) return;
  const snapshotDir = path.resolve(pointer, ...filename.split("/").map(() => ".."));
  const commit = path.basename(snapshotDir);
  writeFileAtomic(path.join(cacheDir, repoFolderName(repo), "refs", revision), commit);
}
