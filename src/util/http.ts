/**
 * The one HTTP client of the library (corpus and model downloads): every request has a response
 * timeout and, while a body streams, an idle timeout (AbortController); connection failures,
 * timeouts, 429 and 5xx are retried a bounded number of times with exponential backoff; long
 * downloads show progress on stderr. Errors name the URL, what happened and what to set instead.
 *
 * Environment (read on every call, so tests can set them):
 *   NER_HTTP_TIMEOUT  seconds to wait for a response, and for each chunk of a body (default 30)
 *   NER_HTTP_RETRIES  retries after the first attempt (default 2)
 *   NER_HTTP_BACKOFF  seconds before the first retry, doubled for each next one (default 1)
 */

/** Per-call settings; each defaults to the environment (see the module comment). */
export interface HttpOptions {
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  /** What the user can set instead, appended to every error (e.g. "Set NER_OFFLINE=1 …"). */
  hint?: string;
  /** Show progress for bodies of at least this many bytes (default 8 MiB); Infinity turns it off. */
  progressMinBytes?: number;
  /** Name shown on the progress line (default: the URL's last path segment). */
  label?: string;
  /** Where progress goes (default process.stderr). */
  progressStream?: NodeJS.WritableStream;
}

/** A request failed for good: names the URL, the reason, the attempts, and the hint. */
export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    /** HTTP status when the server answered with an error status. */
    readonly status?: number,
  ) {
    super(`${url}: ${reason}`);
    this.name = "HttpError";
  }
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}

/** The settings in force for `opts` (explicit values, else the environment, else the defaults). */
export function httpSettings(
  opts: HttpOptions = {},
): Required<Pick<HttpOptions, "timeoutMs" | "retries" | "backoffMs">> {
  return {
    timeoutMs: opts.timeoutMs ?? envNumber("NER_HTTP_TIMEOUT", 30) * 1000,
    retries: Math.floor(opts.retries ?? envNumber("NER_HTTP_RETRIES", 2)),
    backoffMs: opts.backoffMs ?? envNumber("NER_HTTP_BACKOFF", 1) * 1000,
  };
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** Statuses worth another try: the server or a proxy may recover. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

function withHint(reason: string, opts: HttpOptions): string {
  return opts.hint ? `${reason}. ${opts.hint}` : reason;
}

function describeFailure(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") return "host not found";
  if (cause?.code === "ECONNRESET" || cause?.code === "UND_ERR_SOCKET") return "connection reset";
  return cause?.message ?? e?.message ?? String(err);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `fetch(url, init)` with a response timeout, an idle timeout on the body, bounded retries with
 * backoff and progress. Resolves with the first response whose status is not retryable (4xx are
 * returned as they are: the caller decides), or throws HttpError (with `status` after 408/429/5xx)
 * once the retries are spent.
 */
export async function fetchWithRetry(url: string, init: RequestInit = {}, opts: HttpOptions = {}): Promise<Response> {
  const { timeoutMs, retries, backoffMs } = httpSettings(opts);
  let last = "";
  let lastStatus: number | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
    const controller = new AbortController();
    const outer = init.signal;
    if (outer?.aborted) throw new HttpError(url, "request cancelled");
    const forward = (): void => controller.abort(outer?.reason);
    outer?.addEventListener("abort", forward, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: controller.signal });
    } catch (err) {
      outer?.removeEventListener("abort", forward);
      if (outer?.aborted) throw new HttpError(url, "request cancelled");
      last = timedOut ? `no response within ${seconds(timeoutMs)} (NER_HTTP_TIMEOUT)` : describeFailure(err);
      lastStatus = undefined;
      continue;
    } finally {
      clearTimeout(timer);
    }
    if (retryableStatus(res.status)) {
      last = `HTTP ${res.status} ${res.statusText}`.trimEnd();
      lastStatus = res.status;
      outer?.removeEventListener("abort", forward);
      await res.body?.cancel().catch(() => undefined);
      continue;
    }
    return guardBody(res, url, controller, timeoutMs, opts, () => outer?.removeEventListener("abort", forward));
  }
  const tries = retries + 1;
  throw new HttpError(url, withHint(`${last} (${tries} attempt${tries === 1 ? "" : "s"})`, opts), lastStatus);
}

/**
 * The response with its body wrapped: each read waits at most `timeoutMs` for the next chunk
 * (only while the reader is waiting, so a slow consumer is not a stalled server), and progress
 * is reported for large bodies.
 */
function guardBody(
  res: Response,
  url: string,
  controller: AbortController,
  timeoutMs: number,
  opts: HttpOptions,
  done: () => void,
): Response {
  const body = res.body;
  if (!body) {
    done();
    return res;
  }
  const total = Number(res.headers.get("content-length") ?? NaN);
  const progress =
    Number.isFinite(total) && total >= (opts.progressMinBytes ?? 8 * 1024 * 1024)
      ? startProgress(url, total, opts)
      : null;
  const reader = body.getReader();
  let received = 0;
  const wrapped = new ReadableStream<Uint8Array>({
    async pull(out) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Reject before aborting, so this reason wins the race against the aborted read.
          reject(
            new HttpError(
              url,
              withHint(`no data for ${seconds(timeoutMs)} after ${received} bytes (NER_HTTP_TIMEOUT)`, opts),
            ),
          );
          controller.abort();
        }, timeoutMs);
      });
      try {
        const chunk = await Promise.race([reader.read(), stalled]);
        if (chunk.done) {
          progress?.finish(received);
          done();
          out.close();
          return;
        }
        received += chunk.value.byteLength;
        progress?.update(received);
        out.enqueue(chunk.value);
      } catch (err) {
        progress?.finish(received);
        done();
        out.error(
          err instanceof HttpError
            ? err
            : new HttpError(url, withHint(`transfer failed after ${received} bytes: ${describeFailure(err)}`, opts)),
        );
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      progress?.finish(received);
      done();
      return reader.cancel(reason);
    },
  });
  const out = new Response(wrapped, { status: res.status, statusText: res.statusText, headers: res.headers });
  // Keep what callers read from the original: the final URL after redirects, and `redirected`.
  Object.defineProperty(out, "url", { value: res.url });
  Object.defineProperty(out, "redirected", { value: res.redirected });
  return out;
}

/** Progress of one download: a cli-progress bar on a terminal, else a stderr line every 10 %. */
function startProgress(
  url: string,
  total: number,
  opts: HttpOptions,
): { update(n: number): void; finish(n: number): void } {
  const stream = (opts.progressStream ?? process.stderr) as NodeJS.WriteStream;
  const label = opts.label ?? decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  if (stream.isTTY) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- cli-progress loads only when a bar is drawn
    const cliProgress = require("cli-progress") as typeof import("cli-progress");
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} |{bar}| {percentage}% | {done}/{all} MB | {duration_formatted}<{eta_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { done: mb(0), all: mb(total) });
    let finished = false;
    return {
      update: (n) => bar.update(n, { done: mb(n) }),
      finish: (n) => {
        if (finished) return;
        finished = true;
        bar.update(n, { done: mb(n) });
        bar.stop();
      },
    };
  }
  let nextTenth = 1;
  let finished = false;
  stream.write(`downloading ${label} (${mb(total)} MB) from ${url}\n`);
  return {
    update(n) {
      while (nextTenth < 10 && n >= (total * nextTenth) / 10) {
        stream.write(`  ${label}: ${nextTenth * 10}% (${mb(n)} of ${mb(total)} MB)\n`);
        nextTenth++;
      }
    },
    finish(n) {
      if (finished) return;
      finished = true;
      stream.write(`  ${label}: ${n >= total ? "done" : `stopped at ${mb(n)} of ${mb(total)} MB`}\n`);
    },
  };
}

/** A `fetch` with the same timeouts, retries and progress, for libraries that take one (@huggingface/hub). */
export function timedFetch(opts: HttpOptions = {}): typeof fetch {
  const f = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    const merged: RequestInit =
      input instanceof Request
        ? { method: input.method, headers: input.headers, body: input.body, ...init }
        : (init ?? {});
    return fetchWithRetry(url, merged, opts);
  };
  return f as typeof fetch;
}
