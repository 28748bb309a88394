/**
 * Find a corpus file on disk, downloading it into the cache when needed.
 * Order: the local mirror (`--data-dir` / NER_DATA_DIR, laid out `<corpus>/<file>`) →
 * the repository's embedded data/ folder → the cache (NER_CACHE_DIR/datasets/<corpus>/<file>)
 * → the network (unless NER_OFFLINE=1), verified by sha256.
 */
import * as fs from "fs";
import * as path from "path";
import * as env from "../env";
import { isFile } from "../util/files";
import { downloadVerified } from "./download";
import { verifyCorpusFile } from "./verify";
import { CorpusFileError } from "./errors";
import { CorpusFile, CorpusSpec, getCorpus } from "./registry";

/** Where corpus files are looked for; every field defaults to the environment. */
export interface ResolveOptions {
  /** Local mirror directory (default NER_DATA_DIR). */
  dataDir?: string;
  /** Cache root (default cacheDir() from src/env.ts); files go to `<cacheDir>/datasets/<corpus>/<file>`. */
  cacheDir?: string;
  /** Never touch the network (default NER_OFFLINE). */
  offline?: boolean;
  /**
   * Download from `<baseUrl>/<corpus>/<file>` (a mirror laid out like NER_DATA_DIR) instead of
   * the canonical source (default NER_DATA_BASE_URL).
   */
  baseUrl?: string;
  /** The embedded data folder (default: the repository's data/); null disables it. */
  embeddedDir?: string | null;
  /**
   * Check local files against the registry's size and sha256 (default true; once per file
   * version, recorded in `<cacheDir>/verified/`). False reads edited copies as they are.
   */
  verify?: boolean;
}

export type FileSource = "mirror" | "embedded" | "cache" | "download";

export interface ResolvedFile {
  path: string;
  source: FileSource;
}

/**
 * The repository's data/ folder (src/data/ → ../../data). The real path is used so that a
 * `notebooks/src -> ../src` symlink (how tslab notebooks import src/) still finds it.
 */
export const EMBEDDED_DATA_DIR = path.resolve(realDir(__dirname), "..", "..", "data");

function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

/** Download URL of a corpus file under the given options. */
export function corpusFileUrl(spec: CorpusSpec, file: CorpusFile, opts: ResolveOptions = {}): string {
  const base = opts.baseUrl ?? nonEmpty(process.env.NER_DATA_BASE_URL);
  if (base) return `${base.replace(/\/+$/, "")}/${spec.name}/${file.file}`;
  return spec.baseUrl + file.remotePath;
}

/** The local path of `<corpus>/<file>` (file name or split name), fetching it if needed. */
export async function resolveCorpusFile(
  corpus: string,
  fileOrSplit: string,
  opts: ResolveOptions = {},
): Promise<ResolvedFile> {
  const spec = getCorpus(corpus);
  const file = spec.files.find((f) => f.file === fileOrSplit || f.split === fileOrSplit);
  if (!file) {
    throw new Error(
      `corpus ${spec.name} has no file or split ${JSON.stringify(fileOrSplit)} (files: ` +
        `${spec.files.map((f) => `${f.split}=${f.file}`).join(", ")})`,
    );
  }
  const rel = path.join(spec.name, file.file);
  const tried: string[] = [];

  const cacheDir = opts.cacheDir ?? env.cacheDir();
  const url = corpusFileUrl(spec, file, opts);
  const verified = (p: string, source: FileSource, what: string, fix: string): ResolvedFile => {
    if (opts.verify !== false) verifyCorpusFile(p, file, rel, cacheDir, { what, fix });
    return { path: p, source };
  };

  const mirror = opts.dataDir ?? env.dataDir();
  if (mirror) {
    const p = path.resolve(mirror, rel);
    if (isFile(p))
      return verified(
        p,
        "mirror",
        "local mirror NER_DATA_DIR / --data-dir",
        `Replace it with the published file (${url}), or point NER_DATA_DIR elsewhere.`,
      );
    tried.push(p);
  }
  const embedded = opts.embeddedDir === undefined ? EMBEDDED_DATA_DIR : opts.embeddedDir;
  if (embedded && spec.embedded) {
    const p = path.resolve(embedded, rel);
    if (isFile(p))
      return verified(p, "embedded", "embedded data/", `Restore it from git (git checkout -- data/${rel}).`);
    tried.push(p);
  }
  const cached = path.join(cacheDir, "datasets", rel);
  if (isFile(cached))
    return verified(cached, "cache", "download cache", "Delete it; it is downloaded again on the next run.");
  tried.push(cached);

  if (opts.offline ?? env.isOffline()) {
    throw new CorpusFileError(
      `${rel} is not available offline (NER_OFFLINE=1). Set NER_DATA_DIR (or --data-dir) to a folder holding ${rel}, ` +
        `or unset NER_OFFLINE to download it from ${url}. Looked in: ${tried.join(", ")}`,
    );
  }
  await downloadVerified(url, cached, file.sha256, {
    label: rel,
    hint:
      `Set NER_DATA_DIR (or --data-dir) to a folder holding ${rel}, NER_DATA_BASE_URL to another ` +
      `mirror, or NER_OFFLINE=1 to use local files only`,
  });
  return { path: cached, source: "download" };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}
