/**
 * A static server for an exported site on 127.0.0.1, for browsers that do not let a file://
 * page read the files beside it (Chromium). It sends the cross-origin isolation headers
 * (COOP/COEP), so the page can use tfjs-wasm's threaded build. GET/HEAD only, files under the
 * folder only, no directory listings, no hidden names (the folder may hold the user's `.env`, `.git`).
 */
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".safetensors": "application/octet-stream",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

export interface SiteServer {
  url: string;
  close(): Promise<void>;
}

/** Serve `dir` on 127.0.0.1:`port` (0 = any free port). */
export async function serveSite(dir: string, port = 0): Promise<SiteServer> {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, "index.html"))) throw new Error(`${dir}: no index.html (not an exported site)`);
  const server = http.createServer((req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-cache",
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...headers, Allow: "GET, HEAD" }).end();
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    } catch {
      res.writeHead(400, headers).end("bad path");
      return;
    }
    if (rel.endsWith("/")) rel += "index.html";
    if (rel.split("/").some((part) => part.startsWith("."))) {
      res.writeHead(404, headers).end("not found");
      return;
    }
    const file = path.resolve(root, "." + rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403, headers).end("forbidden");
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, headers).end("not found");
        return;
      }
      res.writeHead(200, {
        ...headers,
        "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "Content-Length": st.size,
      });
      if (req.method === "HEAD") res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE")
        reject(new Error(`port ${port} on 127.0.0.1 is in use: serve on another (0 = any free port)`));
      else reject(err);
    });
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
