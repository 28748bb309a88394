/**
 * A minimal stand-in for the Hugging Face Hub on 127.0.0.1, speaking the two endpoints
 * `@huggingface/hub` uses to download a file: POST /api/models/<repo>/paths-info/<rev>
 * and GET /<repo>/resolve/<rev>/<file> (with Range support). Serves files from memory.
 */
import * as crypto from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";

export interface FakeHubFile {
  content: Buffer;
  /** Serve as an LFS file (sha256 oid) instead of a git blob (sha1 oid). */
  lfs?: boolean;
  /** Advertise this oid instead of the real one (to simulate corruption). */
  advertisedOid?: string;
}

export interface FakeHub {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export const FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567";

function oidOf(f: FakeHubFile): string {
  if (f.advertisedOid) return f.advertisedOid;
  return f.lfs
    ? crypto.createHash("sha256").update(f.content).digest("hex")
    : crypto.createHash("sha1").update(`blob ${f.content.length}\0`).update(f.content).digest("hex");
}

/** Start a fake hub serving `repos[repo][file]`. */
export async function startFakeHub(repos: Record<string, Record<string, FakeHubFile>>): Promise<FakeHub> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? "").split("?")[0]);
    requests.push(`${req.method} ${url}`);
    const api = /^\/api\/models\/(.+)\/paths-info\/([^/]+)$/.exec(url);
    if (api && req.method === "POST") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const repo = repos[api[1]];
        if (!repo) {
          res.writeHead(404, { "Content-Type": "application/json", "X-Error-Code": "RepoNotFound" });
          res.end(JSON.stringify({ error: "Repository not found" }));
          return;
        }
        const paths = (JSON.parse(body).paths ?? []) as string[];
        const out = paths
          .filter((p) => repo[p])
          .map((p) => {
            const f = repo[p];
            const oid = oidOf(f);
            return {
              type: "file",
              path: p,
              size: f.content.length,
              oid: f.lfs ? crypto.createHash("sha1").update(p).digest("hex") : oid,
              ...(f.lfs ? { lfs: { oid, size: f.content.length, pointerSize: 134 } } : {}),
              lastCommit: { id: FAKE_COMMIT, title: "init", date: "2024-01-01T00:00:00.000Z" },
            };
          });
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(out));
      });
      return;
    }
    const resolve = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url);
    const file = resolve ? repos[resolve[1]]?.[resolve[3]] : undefined;
    if (!resolve || !file) {
      res.writeHead(404, { "X-Error-Code": "EntryNotFound" });
      res.end("Entry not found");
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ETag: `"${oidOf(file)}"`, "Accept-Ranges": "bytes" };
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""));
    if (range) {
      const start = Number(range[1]);
      const end = range[2] === "" ? file.content.length - 1 : Math.min(Number(range[2]), file.content.length - 1);
      res.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${file.content.length}` });
      res.end(file.content.subarray(start, end + 1));
    } else {
      res.writeHead(200, { ...headers, "Content-Length": file.content.length });
      res.end(file.content);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
