/**
 * Download one corpus file with sha256 verification, through the library's HTTP client
 * (src/util/http.ts: response and idle timeouts, bounded retries, progress). Bytes stream into a
 * temporary file beside the target while being hashed; only a complete, matching file is renamed
 * into place, so an HTTP error, a stalled or truncated transfer or a checksum mismatch leaves
 * nothing behind.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { HttpError, HttpOptions, fetchWithRetry } from "../util/http";
import { CorpusFileError } from "./errors";

export type DownloadOptions = HttpOptions;

/** Fetch `url` into `target` if its sha256 equals `expectedSha256` (hex); throws CorpusFileError otherwise. */
export async function downloadVerified(
  url: string,
  target: string,
  expectedSha256: string,
  opts: DownloadOptions = {},
): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.download-${process.pid}-${Date.now()}`);
  try {
    const actual = await fetchToFile(url, tmp, opts);
    if (actual !== expectedSha256.toLowerCase()) {
      throw new CorpusFileError(
        `checksum mismatch for ${url}: expected sha256 ${expectedSha256}, got ${actual}; the file was not saved`,
      );
    }
    fs.renameSync(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Stream `url` into `dest`, returning the sha256 of the bytes; errors are CorpusFileErrors naming the URL. */
async function fetchToFile(url: string, dest: string, opts: DownloadOptions): Promise<string> {
  const protocol = safeProtocol(url);
  if (protocol === null) throw new CorpusFileError(`invalid download URL ${JSON.stringify(url)}`);
  if (protocol !== "http:" && protocol !== "https:")
    throw new CorpusFileError(`unsupported protocol in ${url} (http and https only)`);
  const fail = (reason: string): CorpusFileError => new CorpusFileError(`download of ${url} failed: ${reason}`);
  let res: Response;
  try {
    res = await fetchWithRetry(url, { headers: { "user-agent": "ner-notebooks" } }, opts);
  } catch (err) {
    throw fail(err instanceof HttpError ? err.reason : (err as Error).message);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw fail(`HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
  const expectedLength =
    res.headers.get("content-length") === null ? undefined : Number(res.headers.get("content-length"));
  const hash = createHash("sha256");
  const fd = fs.openSync(dest, "w");
  let received = 0;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      let chunk: { done: boolean; value?: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (err) {
        throw fail(
          err instanceof HttpError
            ? err.reason
            : `connection closed before the end of the file (${received} bytes): ${(err as Error).message}`,
        );
      }
      if (chunk.done || !chunk.value) break;
      received += chunk.value.byteLength;
      hash.update(chunk.value);
      fs.writeSync(fd, chunk.value);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (expectedLength !== undefined && received !== expectedLength) {
    throw new CorpusFileError(`download of ${url} was incomplete: received ${received} of ${expectedLength} bytes`);
  }
  return hash.digest("hex");
}

function safeProtocol(url: string): string | null {
  try {
    return new URL(url).protocol;
  } catch {
    return null;
  }
}
