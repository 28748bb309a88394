/**
 * Download one file with sha256 verification. Bytes stream into a temporary file beside
 * the target while being hashed; only a complete, matching file is renamed into place,
 * so an HTTP error, a truncated transfer or a checksum mismatch leaves nothing behind.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { CorpusFileError } from "./errors";

export interface DownloadOptions {
  /** Abort when no data arrives for this long (default 60 s). */
  timeoutMs?: number;
  /** Redirects to follow (default 5). */
  maxRedirects?: number;
}

/** sha256 of a file, hex. */
export function sha256File(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Fetch `url` into `target` if its sha256 equals `expectedSha256` (hex); throws CorpusFileError otherwise. */
export async function downloadVerified(url: string, target: string, expectedSha256: string, opts: DownloadOptions = {}): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.download-${process.pid}-${Date.now()}`);
  try {
    const actual = await fetchToFile(url, tmp, opts.timeoutMs ?? 60_000, opts.maxRedirects ?? 5);
    if (actual !== expectedSha256.toLowerCase()) {
      throw new CorpusFileError(`checksum mismatch for ${url}: expected sha256 ${expectedSha256}, got ${actual}; the file was not saved`);
    }
    fs.renameSync(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function fetchToFile(url: string, dest: string, timeoutMs: number, redirectsLeft: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new CorpusFileError(`invalid download URL ${JSON.stringify(url)}`));
      return;
    }
    const client = parsed.protocol === "https:" ? https : parsed.protocol === "http:" ? http : null;
    if (!client) {
      reject(new CorpusFileError(`unsupported protocol in ${url} (http and https only)`));
      return;
    }
    const req = client.get(parsed, { headers: { "user-agent": "ner-notebooks" } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirectsLeft <= 0) {
          reject(new CorpusFileError(`too many redirects downloading ${url}`));
          return;
        }
        const next = new URL(res.headers.location, parsed).toString();
        fetchToFile(next, dest, timeoutMs, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new CorpusFileError(`download of ${url} failed: HTTP ${status} ${res.statusMessage ?? ""}`.trimEnd()));
        return;
      }
      const expectedLength = res.headers["content-length"] ? Number(res.headers["content-length"]) : undefined;
      const hash = createHash("sha256");
      const out = fs.createWriteStream(dest);
      let received = 0;
      let failed = false;
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        res.destroy();
        const error = err instanceof CorpusFileError ? err : new CorpusFileError(`download of ${url} failed: ${err.message}`);
        // Reject only once the temporary file is closed, so the caller's cleanup really removes it.
        if (out.closed) reject(error);
        else {
          out.once("close", () => reject(error));
          out.destroy();
        }
      };
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
      });
      res.on("aborted", () => fail(new Error("connection closed before the end of the file")));
      res.on("error", fail);
      out.on("error", fail);
      res.pipe(out);
      out.on("finish", () => {
        if (failed) return;
        if (!res.complete || (expectedLength !== undefined && received !== expectedLength)) {
          fail(new CorpusFileError(`download of ${url} was incomplete: received ${received} of ${expectedLength ?? "?"} bytes`));
          return;
        }
        out.close(() => resolve(hash.digest("hex")));
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
    req.on("error", (err) => reject(err instanceof CorpusFileError ? err : new CorpusFileError(`download of ${url} failed: ${err.message}`)));
  });
}
