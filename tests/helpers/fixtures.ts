/**
 * Where tests find what they need, in a clone that has nothing beside it:
 * - golden fixtures and the hub models' tokenizer/config files live in the repository, under tests/fixtures/
 *   (provenance in tests/fixtures/README.md);
 * - the bert-base-uncased tokenizer and the MIT Restaurant corpus are the library's embedded copies in data/;
 * - the other corpora reach tests only through the library's own resolution, as they reach a user:
 *   NER_DATA_DIR mirror → download cache → download from the published URL (sha256-verified).
 */
import * as fs from "fs";
import * as path from "path";
import { ResolveOptions, resolveCorpusFile } from "../../src/data";
import * as env from "../../src/env";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const fixturesDir = path.join(repoRoot, "tests", "fixtures");

/** A path under tests/fixtures/, e.g. fixturePath("tiny-bert", "golden.json"). */
export function fixturePath(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}

export function readFixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(fixturePath(...parts), "utf8")) as T;
}

/** The three hub models whose tokenizer and config files (no weights) the tests carry. */
export type HubModelName = "bert-base-cased" | "bert-base-uncased" | "distilbert-base-uncased";

/**
 * A folder laid out like NER_MODELS_DIR (`<repo-name>/<file>`) holding the tokenizer and config files of
 * bert-base-cased and distilbert-base-uncased; bert-base-uncased is found by the library in data/models/.
 */
export const modelsMirror = fixturePath("models");

/** The directory holding a hub model's tokenizer and config files. */
export function modelDir(name: HubModelName): string {
  return name === "bert-base-uncased" ? path.join(repoRoot, "data", "models", name) : path.join(modelsMirror, name);
}

/**
 * The corpus variables as the test process started with them: some tests change NER_DATA_DIR / NER_OFFLINE /
 * NER_CACHE_DIR to exercise the resolver, and must not change where the reference corpora come from.
 */
const userCorpusOptions: ResolveOptions = {
  dataDir: env.dataDir(),
  cacheDir: env.cacheDir(),
  offline: env.isOffline(),
  baseUrl: process.env.NER_DATA_BASE_URL?.trim() || undefined,
};

/**
 * The local path of a corpus file (`corpusPath("conll2003", "test.txt")` or a split name), found as any user's
 * run finds it. Offline with no mirror this fails with the library's one-line error naming NER_DATA_DIR.
 */
export async function corpusPath(corpus: string, fileOrSplit: string): Promise<string> {
  return (await resolveCorpusFile(corpus, fileOrSplit, userCorpusOptions)).path;
}

/**
 * A folder laid out like NER_DATA_DIR (`<corpus>/<file>`) that holds this corpus file: the mirror itself, or the
 * download cache's datasets/ folder. For child `ner` processes that must read the file as a local mirror.
 */
export async function corpusMirrorFor(corpus: string, fileOrSplit: string): Promise<string> {
  return path.dirname(path.dirname(await corpusPath(corpus, fileOrSplit)));
}

/** A hub model's config.json as a plain object. */
export function readModelConfig(name: HubModelName): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(modelDir(name), "config.json"), "utf8")) as Record<string, unknown>;
}
