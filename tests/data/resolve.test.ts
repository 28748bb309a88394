import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { corpusPath } from "../helpers/fixtures";
import {
  CorpusFileError,
  EMBEDDED_DATA_DIR,
  getCorpus,
  loadCorpus,
  resolveCorpusFile,
  sha256OfFile,
} from "../../src/data";

// The real MIT Restaurant test file (embedded in the repository) is what the server publishes.
const GOOD = fs.readFileSync(path.join(EMBEDDED_DATA_DIR, "mit_restaurant", "test.bio"));
const requests: string[] = [];
let server: http.Server;
let base = "";

before(async () => {
  delete process.env.NER_DATA_DIR;
  delete process.env.NER_OFFLINE;
  delete process.env.NER_DATA_BASE_URL;
  process.env.NER_HTTP_BACKOFF = "0.01"; // the 500 case is retried: keep the test fast
  server = http.createServer((req, res) => {
    const url = req.url ?? "";
    requests.push(url);
    const [, mode] = url.split("/");
    if (mode === "good") {
      res.writeHead(200, { "content-length": GOOD.length });
      res.end(GOOD);
    } else if (mode === "redirect") {
      res.writeHead(302, { location: url.replace("/redirect/", "/good/") });
      res.end();
    } else if (mode === "corrupt") {
      const bad = Buffer.from(GOOD);
      bad[10] ^= 1;
      res.writeHead(200, { "content-length": bad.length });
      res.end(bad);
    } else if (mode === "truncated") {
      res.writeHead(200, { "content-length": GOOD.length });
      res.write(GOOD.subarray(0, 1000), () => res.socket?.destroy());
    } else if (mode === "missing") {
      res.writeHead(404, "Not Found");
      res.end("no such file");
    } else {
      res.writeHead(500, "Internal Server Error");
      res.end("boom");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const tempDirs: string[] = [];

after(() => {
  server.close();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpCache(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ner-data-cache-"));
  tempDirs.push(d);
  return d;
}

/** Every file left anywhere under `dir` (temporary files included). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

const noLocal = { embeddedDir: null, offline: false } as const;

test("download: verified file lands in <cache>/datasets/<corpus>/<file>, then is served from the cache", async () => {
  const cacheDir = tmpCache();
  requests.length = 0;
  const first = await resolveCorpusFile("mit_restaurant", "test", { ...noLocal, cacheDir, baseUrl: `${base}/good` });
  assert.equal(first.source, "download");
  assert.equal(first.path, path.join(cacheDir, "datasets", "mit_restaurant", "test.bio"));
  assert.equal(sha256OfFile(first.path), getCorpus("mit_restaurant").files[1].sha256);
  assert.deepEqual(requests, ["/good/mit_restaurant/test.bio"]);
  assert.deepEqual(filesUnder(cacheDir), ["test.bio"]);

  const again = await resolveCorpusFile("mit_restaurant", "test.bio", {
    ...noLocal,
    cacheDir,
    baseUrl: `${base}/good`,
    offline: true,
  });
  assert.equal(again.source, "cache");
  assert.equal(requests.length, 1, "a cached file is not fetched again");
});

test("download follows redirects; NER_DATA_BASE_URL sets the base", async () => {
  const cacheDir = tmpCache();
  process.env.NER_DATA_BASE_URL = `${base}/redirect/`;
  try {
    const r = await resolveCorpusFile("mit_restaurant", "test", { ...noLocal, cacheDir });
    assert.equal(r.source, "download");
    assert.equal(sha256OfFile(r.path), getCorpus("mit_restaurant").files[1].sha256);
  } finally {
    delete process.env.NER_DATA_BASE_URL;
  }
});

test("checksum mismatch: clear error and nothing left in the cache", async () => {
  const cacheDir = tmpCache();
  await assert.rejects(
    resolveCorpusFile("mit_restaurant", "test", { ...noLocal, cacheDir, baseUrl: `${base}/corrupt` }),
    (e: Error) =>
      e instanceof CorpusFileError &&
      new RegExp(
        "checksum mismatch for " +
          "http:\\/\\/127\\.0\\.0\\.1:\\d+\\/corrupt\\/mit_restaurant\\/test\\.bio: expected " +
          "sha256 82d5224801",
      ).test(e.message),
  );
  assert.deepEqual(filesUnder(cacheDir), []);
});

test("truncated transfer: error and nothing left in the cache", async () => {
  const cacheDir = tmpCache();
  await assert.rejects(
    resolveCorpusFile("mit_restaurant", "test", { ...noLocal, cacheDir, baseUrl: `${base}/truncated` }),
    (e: Error) => e instanceof CorpusFileError && /truncated\/mit_restaurant\/test\.bio/.test(e.message),
  );
  assert.deepEqual(filesUnder(cacheDir), []);
});

test("HTTP 404 and 500 give an error naming the URL and status", async () => {
  const cacheDir = tmpCache();
  await assert.rejects(
    resolveCorpusFile("conll2003", "test", { ...noLocal, cacheDir, baseUrl: `${base}/missing` }),
    /download of http:\/\/127\.0\.0\.1:\d+\/missing\/conll2003\/test\.txt failed: HTTP 404 Not Found/,
  );
  await assert.rejects(
    resolveCorpusFile("conll2003", "test", { ...noLocal, cacheDir, baseUrl: `${base}/error` }),
    /failed: HTTP 500 Internal Server Error/,
  );
  assert.deepEqual(filesUnder(cacheDir), []);
});

test("offline mode never touches the network and names NER_DATA_DIR", async () => {
  const cacheDir = tmpCache();
  requests.length = 0;
  process.env.NER_OFFLINE = "1";
  try {
    await assert.rejects(
      resolveCorpusFile("wnut17", "validation", { embeddedDir: null, cacheDir, baseUrl: `${base}/good` }),
      (e: Error) =>
        e instanceof CorpusFileError &&
        /wnut17\/dev\.conll is not available offline \(NER_OFFLINE=1\)\. Set NER_DATA_DIR/.test(e.message) &&
        e.message.includes(path.join(cacheDir, "datasets", "wnut17", "dev.conll")),
    );
  } finally {
    delete process.env.NER_OFFLINE;
  }
  assert.deepEqual(requests, []);
});

test("resolution order: mirror, then embedded data/, then cache (edited copies read with verify: false)", async () => {
  const mirror = fs.mkdtempSync(path.join(os.tmpdir(), "ner-mirror-"));
  tempDirs.push(mirror);
  fs.mkdirSync(path.join(mirror, "mit_restaurant"));
  fs.writeFileSync(path.join(mirror, "mit_restaurant", "test.bio"), "B-Dish\tpizza\nO\tplease");
  const cacheDir = tmpCache();
  const viaMirror = await resolveCorpusFile("mit_restaurant", "test", {
    dataDir: mirror,
    cacheDir,
    offline: true,
    verify: false,
  });
  assert.deepEqual(viaMirror, { path: path.join(mirror, "mit_restaurant", "test.bio"), source: "mirror" });

  process.env.NER_DATA_DIR = mirror;
  try {
    const ds = await loadCorpus("mit_restaurant", { splits: ["test"], cacheDir, offline: true, verify: false });
    assert.deepEqual(ds.keys(), ["test"]);
    assert.equal(ds.test.numRows, 1, "NER_DATA_DIR is used when no option is given");
  } finally {
    delete process.env.NER_DATA_DIR;
  }

  const viaEmbedded = await resolveCorpusFile("mit_restaurant", "train", { cacheDir, offline: true });
  assert.deepEqual(viaEmbedded, {
    path: path.join(EMBEDDED_DATA_DIR, "mit_restaurant", "train.bio"),
    source: "embedded",
  });

  // A corpus that is not embedded falls through the mirror to the cache.
  fs.mkdirSync(path.join(cacheDir, "datasets", "wnut17"), { recursive: true });
  fs.writeFileSync(path.join(cacheDir, "datasets", "wnut17", "test.conll"), "x\tO\n");
  const viaCache = await resolveCorpusFile("wnut17", "test", {
    dataDir: mirror,
    cacheDir,
    offline: true,
    verify: false,
  });
  assert.equal(viaCache.source, "cache");
});

test("the embedded MIT Restaurant files match the registry's sha256", () => {
  for (const f of getCorpus("mit_restaurant").files) {
    assert.equal(sha256OfFile(path.join(EMBEDDED_DATA_DIR, "mit_restaurant", f.file)), f.sha256, f.file);
  }
});

test("mirror and cache files are checked against the registry's size and sha256, once per file version", async () => {
  const mirror = fs.mkdtempSync(path.join(os.tmpdir(), "ner-mirror-"));
  tempDirs.push(mirror);
  const cacheDir = tmpCache();
  const full = fs.readFileSync(await corpusPath("conll2003", "test.txt"));
  const target = path.join(mirror, "conll2003", "test.txt");
  fs.mkdirSync(path.dirname(target));
  // Cut at a sentence boundary: still a well-formed corpus file, so only the check can catch it.
  const cut = full.indexOf("\n\n", 5000) + 2;
  fs.writeFileSync(target, full.subarray(0, cut));
  await assert.rejects(
    loadCorpus("conll2003", { splits: ["test"], dataDir: mirror, cacheDir, offline: true }),
    (e: Error) =>
      e instanceof CorpusFileError &&
      e.message.startsWith(
        `${target} (conll2003/test.txt, local mirror NER_DATA_DIR / --data-dir) is ${cut} bytes but ` +
          `the published file is 743011 bytes: it is cut short`,
      ) &&
      /Replace it with the published file \(https:\/\/.*test\.txt\)/.test(e.message),
  );

  fs.writeFileSync(target, full);
  const stamp = new Date("2024-01-01T00:00:00Z");
  fs.utimesSync(target, stamp, stamp); // whole seconds: restorable exactly below
  const ok = await resolveCorpusFile("conll2003", "test", { dataDir: mirror, cacheDir, offline: true });
  assert.equal(ok.source, "mirror");
  assert.equal(fs.readdirSync(path.join(cacheDir, "verified")).length, 1, "the result is recorded");

  // Same size, one byte changed: caught by the sha256 once the mtime shows the file changed.
  const edited = Buffer.from(full);
  edited[100] ^= 1;
  fs.writeFileSync(target, edited);
  fs.utimesSync(target, stamp, stamp);
  // unchanged size and mtime: not re-hashed
  await resolveCorpusFile("conll2003", "test", { dataDir: mirror, cacheDir, offline: true });
  fs.utimesSync(target, stamp, new Date(stamp.getTime() + 5000));
  await assert.rejects(
    resolveCorpusFile("conll2003", "test", { dataDir: mirror, cacheDir, offline: true }),
    new RegExp(
      "conll2003\\/test\\.txt, local mirror .*\\) has sha256 [0-9a-f]{64} but the " +
        "published file has 450543d05ea7.*\\(same size: edited or corrupted\\)",
    ),
  );

  // A damaged cache file says to delete it.
  const cached = path.join(cacheDir, "datasets", "wnut17", "dev.conll");
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  fs.writeFileSync(cached, "x\tO\n");
  await assert.rejects(
    resolveCorpusFile("wnut17", "validation", { cacheDir, embeddedDir: null, offline: true }),
    new RegExp(
      "dev\\.conll \\(wnut17\\/dev\\.conll, download cache\\) is 4 bytes .* Delete it; it is downloaded again",
    ),
  );
});
