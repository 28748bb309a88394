import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { findInHubCache, repoFolderName, resolveModelFile, EMBEDDED_MODELS_DIR } from "../../src/hub/resolve";
import { FAKE_COMMIT, startFakeHub } from "../helpers/fake-hub";

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(vars)) {
    saved[k] = process.env[k];
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  return fn().finally(() => {
    for (const k of Object.keys(saved)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-hub-"));
const config = Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 8 }));
const weights = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));

test("downloads into a Python-layout cache, verifies, then serves from cache without network", async () => {
  const hub = await startFakeHub({
    "org/tiny": { "config.json": { content: config }, "model.safetensors": { content: weights, lfs: true } },
  });
  const cache = tmp();
  try {
    await withEnv({ NER_OFFLINE: undefined, NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache }, async () => {
      const cfg = await resolveModelFile("org/tiny", "config.json", { hubUrl: hub.url });
      const w = await resolveModelFile("org/tiny", "model.safetensors", { hubUrl: hub.url });
      assert.ok(cfg && w);
      assert.deepEqual(fs.readFileSync(cfg), config);
      assert.deepEqual(fs.readFileSync(w), weights);
      // Python's layout: refs/main holds the commit; snapshots/<commit>/<file> links to blobs/<etag>.
      const storage = path.join(cache, repoFolderName("org/tiny"));
      assert.equal(fs.readFileSync(path.join(storage, "refs", "main"), "utf8"), FAKE_COMMIT);
      assert.equal(cfg, path.join(storage, "snapshots", FAKE_COMMIT, "config.json"));
      assert.ok(fs.realpathSync(w).startsWith(path.join(storage, "blobs")));
      const before = hub.requests.length;
      await withEnv({ NER_OFFLINE: "1" }, async () => {
        assert.equal(await resolveModelFile("org/tiny", "model.safetensors", { hubUrl: hub.url }), w);
      });
      assert.equal(hub.requests.length, before, "a cached file must not touch the network");
      assert.equal(findInHubCache("org/tiny", "config.json", FAKE_COMMIT, cache), cfg);
    });
  } finally {
    await hub.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test("a checksum mismatch leaves nothing in the cache", async () => {
  const hub = await startFakeHub({
    bad: { "model.safetensors": { content: weights, lfs: true, advertisedOid: "0".repeat(64) } },
  });
  const cache = tmp();
  try {
    await withEnv({ NER_OFFLINE: undefined, NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache }, async () => {
      await assert.rejects(resolveModelFile("bad", "model.safetensors", { hubUrl: hub.url }), /checksum mismatch/);
      const blobs = path.join(cache, repoFolderName("bad"), "blobs");
      const left = fs.existsSync(blobs) ? fs.readdirSync(blobs) : [];
      assert.deepEqual(left, []);
      assert.equal(findInHubCache("bad", "model.safetensors", "main", cache), null);
    });
  } finally {
    await hub.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test("missing files: optional gives null, required names the file and the endpoint", async () => {
  const hub = await startFakeHub({ "org/tiny": { "config.json": { content: config } } });
  const cache = tmp();
  try {
    await withEnv({ NER_OFFLINE: undefined, NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache }, async () => {
      assert.equal(await resolveModelFile("org/tiny", "tokenizer.json", { hubUrl: hub.url, optional: true }), null);
      await assert.rejects(
        resolveModelFile("org/tiny", "tokenizer.json", { hubUrl: hub.url }),
        /tokenizer\.json does not exist in http:\/\/127\.0\.0\.1/,
      );
      await assert.rejects(
        resolveModelFile("org/nope", "config.json", { hubUrl: hub.url }),
        /could not reach .*org\/nope/,
      );
    });
  } finally {
    await hub.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test("offline mode errors name NER_MODELS_DIR instead of touching the network", async () => {
  const cache = tmp();
  try {
    await withEnv({ NER_OFFLINE: "1", NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache }, async () => {
      await assert.rejects(
        resolveModelFile("distilbert-base-uncased", "model.safetensors", { hubUrl: "http://127.0.0.1:9" }),
        /not available offline \(NER_OFFLINE=1\).*NER_MODELS_DIR/,
      );
    });
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test("local directories, the NER_MODELS_DIR mirror and the embedded files come first", async () => {
  const mirror = tmp();
  const cache = tmp();
  try {
    fs.mkdirSync(path.join(mirror, "bert-base-cased"));
    fs.writeFileSync(path.join(mirror, "bert-base-cased", "config.json"), "{}");
    fs.mkdirSync(path.join(mirror, "tiny"));
    fs.writeFileSync(path.join(mirror, "tiny", "vocab.txt"), "[PAD]\n");
    await withEnv({ NER_OFFLINE: "1", NER_MODELS_DIR: mirror, HF_HUB_CACHE: cache }, async () => {
      assert.equal(
        await resolveModelFile("bert-base-cased", "config.json"),
        path.join(mirror, "bert-base-cased", "config.json"),
      );
      assert.equal(await resolveModelFile("someorg/tiny", "vocab.txt"), path.join(mirror, "tiny", "vocab.txt"));
      assert.equal(
        await resolveModelFile(path.join(mirror, "tiny"), "vocab.txt"),
        path.join(mirror, "tiny", "vocab.txt"),
      );
      assert.equal(await resolveModelFile(path.join(mirror, "tiny"), "config.json", { optional: true }), null);
      await assert.rejects(resolveModelFile(path.join(mirror, "absent"), "config.json"), /model directory not found/);
      // The embedded bert-base-uncased tokenizer ships with the repo and works offline with no mirror.
      assert.equal(
        await resolveModelFile("bert-base-uncased", "vocab.txt"),
        path.join(EMBEDDED_MODELS_DIR, "bert-base-uncased", "vocab.txt"),
      );
      await assert.rejects(resolveModelFile("../etc", "passwd"), /model directory not found|not a valid/);
      await assert.rejects(resolveModelFile("bert-base-cased", "../config.json"), /invalid file name/);
    });
  } finally {
    fs.rmSync(mirror, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

/** A proxy in front of `upstream` that can stall or fail chosen requests. */
async function startFaultyProxy(
  upstream: string,
  fault: (req: http.IncomingMessage, n: number) => "pass" | "silent" | "stall" | "503",
) {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const kind = fault(req, n++);
    if (kind === "silent") return; // accept, never answer
    if (kind === "503") {
      res.writeHead(503, "Service Unavailable");
      res.end();
      return;
    }
    const up = http.request(
      `${upstream}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } },
      (ur) => {
        res.writeHead(ur.statusCode ?? 500, ur.headers);
        if (kind === "stall") {
          ur.once("data", (chunk: Buffer) => res.write(chunk.subarray(0, 100))); // then nothing more
        } else {
          ur.pipe(res);
        }
      },
    );
    req.pipe(up);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const fastHttp = { NER_HTTP_TIMEOUT: "0.3", NER_HTTP_RETRIES: "1", NER_HTTP_BACKOFF: "0.01" };

test("a hub that accepts and never answers: an error within the timeout naming the URL and what to set", async () => {
  const silent = net.createServer(() => undefined);
  const sockets: net.Socket[] = [];
  silent.on("connection", (s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const cache = tmp();
  const t0 = Date.now();
  try {
    await withEnv({ ...fastHttp, NER_OFFLINE: undefined, NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache }, async () => {
      await assert.rejects(resolveModelFile("org/tiny", "config.json", { hubUrl: url }), (e: Error) => {
        assert.match(
          e.message,
          new RegExp(
            "could not reach http:\\/\\/127\\.0\\.0\\.1:\\d+\\/org\\/tiny .*: " +
              "http:\\/\\/127\\.0\\.0\\.1:\\d+\\/api\\/models\\/org\\/tiny\\/paths-info\\/main: " +
              "no response within 0\\.3 s",
          ),
        );
        assert.match(
          e.message,
          /\(2 attempts\)\. Set NER_MODELS_DIR to a folder holding org\/tiny\/ and NER_OFFLINE=1 .*HF_ENDPOINT/,
        );
        return true;
      });
    });
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test(
  "a download that stalls mid-file fails with the byte count and leaves " + "no complete file; 5xx are retried",
  async () => {
    const hub = await startFakeHub({
      "org/tiny": { "config.json": { content: config }, "model.safetensors": { content: weights, lfs: true } },
    });
    const isBody = (req: http.IncomingMessage) =>
      req.method === "GET" && /model\.safetensors$/.test(req.url ?? "") && req.headers.range !== "bytes=0-0";
    const stalling = await startFaultyProxy(hub.url, (req) => (isBody(req) ? "stall" : "pass"));
    let served503 = 0;
    const flaky = await startFaultyProxy(hub.url, (req) =>
      req.method === "POST" && served503++ === 0 ? "503" : "pass",
    );
    const cache = tmp();
    try {
      await withEnv(
        { ...fastHttp, NER_OFFLINE: undefined, NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache },
        async () => {
          await assert.rejects(
            resolveModelFile("org/tiny", "model.safetensors", { hubUrl: stalling.url }),
            /no data for 0\.3 s after 100 bytes/,
          );
          assert.equal(findInHubCache("org/tiny", "model.safetensors", "main", cache), null);
          const w = await resolveModelFile("org/tiny", "model.safetensors", { hubUrl: flaky.url });
          assert.ok(w);
          assert.deepEqual(fs.readFileSync(w), weights);
          assert.ok(served503 >= 2, "the first paths-info request got a 503 and was retried");
        },
      );
    } finally {
      stalling.close();
      flaky.close();
      await hub.close();
      fs.rmSync(cache, { recursive: true, force: true });
    }
  },
);
