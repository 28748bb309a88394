// The one HTTP client: response and idle timeouts against a silent and a stalling server on
// 127.0.0.1, a slow but steady server that must not time out, bounded retries on 5xx with backoff,
// 4xx returned without retry, errors naming the URL and the hint, progress lines.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as http from "http";
import * as net from "net";
import { Writable } from "stream";
import { HttpError, fetchWithRetry, timedFetch } from "../../src/util/http";

const closers: (() => void)[] = [];
after(() => closers.forEach((c) => c()));

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  closers.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const fast = { timeoutMs: 300, backoffMs: 10 };

test(
  "a server that accepts and never answers: bounded attempts, then an " + "error naming URL, timeout and hint",
  async () => {
    // Count requests, not sockets: a loaded machine can see the client open a socket it never sends on.
    let requests = 0;
    const base = await listen(net.createServer((s) => s.once("data", () => requests++)));
    const t0 = Date.now();
    await assert.rejects(
      fetchWithRetry(`${base}/model.safetensors`, {}, { ...fast, retries: 1, hint: "Set NER_OFFLINE=1" }),
      (e: Error) => {
        assert.ok(e instanceof HttpError);
        assert.match(
          e.message,
          new RegExp(
            `^${base}/model\\.safetensors: no response within 0\\.3 s \\(NER_HTTP_TIMEOUT\\) \\(2 ` +
              `attempts\\)\\. Set NER_OFFLINE=1$`,
          ),
        );
        return true;
      },
    );
    assert.equal(requests, 2);
    assert.ok(Date.now() - t0 < 5000);
  },
);

test("a server that stalls mid-body: the idle timeout ends the read with the byte count", async () => {
  const base = await listen(
    http.createServer((_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write(Buffer.alloc(100)); // then nothing
    }),
  );
  // 1 s, not 0.3: on a loaded machine the headers alone may take longer than 0.3 s.
  const res = await fetchWithRetry(`${base}/f`, {}, { timeoutMs: 1000, backoffMs: 10, retries: 0 });
  await assert.rejects(res.arrayBuffer(), /\/f: no data for 1 s after 100 bytes/);
});

test(
  "a slow but steady server (a chunk every 300 ms, 2.4 s in all) completes within a 1.5 s timeout: it " +
    "is per chunk",
  async () => {
    const base = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { "content-length": "8" });
        res.flushHeaders();
        let n = 0;
        const t = setInterval(() => {
          res.write(Buffer.from([n]));
          if (++n === 8) {
            clearInterval(t);
            res.end();
          }
        }, 300);
      }),
    );
    const res = await fetchWithRetry(`${base}/slow`, {}, { timeoutMs: 1500, retries: 0 });
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 1, 2, 3, 4, 5, 6, 7]);
  },
);

test("5xx is retried with backoff until it succeeds; spent retries report the status; 404 is not retried", async () => {
  let hits = 0;
  let failFirst = 2;
  const base = await listen(
    http.createServer((req, res) => {
      hits++;
      if (req.url === "/missing") {
        res.writeHead(404, "Not Found");
        res.end();
      } else if (failFirst-- > 0) {
        res.writeHead(503, "Service Unavailable");
        res.end("busy");
      } else {
        res.end("ok");
      }
    }),
  );
  // A generous response timeout: under load a 300 ms timeout could fire and add an attempt.
  const patient = { timeoutMs: 10_000, backoffMs: 10 };
  const res = await fetchWithRetry(`${base}/x`, {}, { ...patient, retries: 2 });
  assert.equal(await res.text(), "ok");
  assert.equal(hits, 3);
  hits = 0;
  failFirst = 5;
  await assert.rejects(fetchWithRetry(`${base}/x`, {}, { ...patient, retries: 1 }), (e: Error) => {
    assert.ok(e instanceof HttpError);
    assert.equal(e.status, 503);
    assert.match(e.message, /\/x: HTTP 503 Service Unavailable \(2 attempts\)/);
    return true;
  });
  assert.equal(hits, 2);
  hits = 0;
  assert.equal((await fetchWithRetry(`${base}/missing`, {}, patient)).status, 404);
  assert.equal(hits, 1);
});

test("refused connections, env settings and progress lines", async () => {
  const probe = net.createServer();
  const base = await listen(probe);
  probe.close(); // the port is now closed
  await assert.rejects(fetchWithRetry(`${base}/x`, {}, { ...fast, retries: 0 }), /connection refused \(1 attempt\)/);

  const body = Buffer.alloc(5000, 1);
  const served = await listen(http.createServer((_req, res) => res.end(body)));
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const saved = process.env.NER_HTTP_TIMEOUT;
  process.env.NER_HTTP_TIMEOUT = "0.5";
  try {
    const f = timedFetch({ progressMinBytes: 1000, progressStream: sink, label: "corpus.txt" });
    const res = await f(`${served}/corpus.txt`);
    assert.equal((await res.arrayBuffer()).byteLength, 5000);
  } finally {
    if (saved === undefined) delete process.env.NER_HTTP_TIMEOUT;
    else process.env.NER_HTTP_TIMEOUT = saved;
  }
  assert.match(lines[0], /^downloading corpus\.txt \(0\.0 MB\) from http:\/\/127\.0\.0\.1:\d+\/corpus\.txt\n$/);
  assert.match(lines.at(-1)!, /corpus\.txt: done/);
  process.env.NER_HTTP_TIMEOUT = "soon";
  try {
    await assert.rejects(fetchWithRetry(`${served}/x`), /NER_HTTP_TIMEOUT must be a number >= 0, got "soon"/);
  } finally {
    if (saved === undefined) delete process.env.NER_HTTP_TIMEOUT;
    else process.env.NER_HTTP_TIMEOUT = saved;
  }
});
