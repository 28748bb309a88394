/**
 * A classic Jupyter Notebook 6 server (Debian `jupyter-notebook`, /usr/bin/python3) for browser
 * tests: on 127.0.0.1, a free port and a known token, the project's kernelspec (JUPYTER_PATH),
 * and a private HOME / config / runtime / data dir so nothing of the user's is read or written.
 * `stop()` shuts its kernels down through the REST API, then the server, and waits for it to exit.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export const NOTEBOOK_PYTHON = process.env.NER_PYTHON ?? "/usr/bin/python3";

export interface NotebookServer {
  baseUrl: string;
  token: string;
  /** Server log so far (stdout + stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Why the classic Notebook server cannot run here, or null when it can. */
export function notebookServerMissing(): string | null {
  const r = spawnSync(NOTEBOOK_PYTHON, ["-c", "import notebook, nbformat; assert notebook.__version__.startswith('6')"], { encoding: "utf8" });
  if (r.status === 0) return null;
  return `${NOTEBOOK_PYTHON} cannot import Notebook 6 (apt-get install jupyter-notebook python3-nbformat): ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fetchWithTimeout(url: string, init: RequestInit = {}, ms = 5000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
}

/**
 * Start the server serving `notebookDir`; `env` is added to the server's (and so the kernel's)
 * environment. Resolves once the REST API answers.
 */
export async function startNotebookServer(opts: {
  notebookDir: string;
  stateDir: string;
  jupyterPath: string;
  env?: Record<string, string>;
  startupTimeoutMs?: number;
}): Promise<NotebookServer> {
  const missing = notebookServerMissing();
  if (missing) throw new Error(missing);
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const dirs = { home: "home", config: "config", data: "data", runtime: "runtime" } as const;
  const dir = (k: keyof typeof dirs) => path.join(opts.stateDir, dirs[k]);
  for (const k of Object.keys(dirs) as (keyof typeof dirs)[]) fs.mkdirSync(dir(k), { recursive: true });
  const env = {
    ...process.env,
    ...opts.env,
    HOME: dir("home"),
    JUPYTER_CONFIG_DIR: dir("config"),
    JUPYTER_DATA_DIR: dir("data"),
    JUPYTER_RUNTIME_DIR: dir("runtime"),
    JUPYTER_PATH: opts.jupyterPath,
    // No browser of the server's own; no "notebook has moved" nags.
    BROWSER: "true",
  };
  const child: ChildProcess = spawn(
    NOTEBOOK_PYTHON,
    [
      "-m", "notebook",
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      "--NotebookApp.password=",
      `--notebook-dir=${opts.notebookDir}`,
      "--NotebookApp.disable_check_xsrf=False",
      "--MappingKernelManager.cull_idle_timeout=0",
      // CI containers often run as root; the server refuses that without the flag.
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let logText = "";
  child.stdout?.on("data", (d) => (logText += d));
  child.stderr?.on("data", (d) => (logText += d));
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

  const baseUrl = `http://127.0.0.1:${port}`;
  const auth = { headers: { Authorization: `token ${token}` } };
  const stop = async (): Promise<void> => {
    if (exited) return;
    try {
      const kernels = (await (await fetchWithTimeout(`${baseUrl}/api/kernels`, auth)).json()) as { id: string }[];
      for (const k of kernels) await fetchWithTimeout(`${baseUrl}/api/kernels/${k.id}`, { ...auth, method: "DELETE" }, 15000);
    } catch {
      // The server is already going; SIGTERM below still stops it (and it stops its kernels).
    }
    child.kill("SIGTERM");
    const killed = await Promise.race([exitPromise.then(() => true), sleep(15000).then(() => false)]);
    if (!killed) {
      child.kill("SIGKILL");
      await exitPromise;
    }
  };

  const deadline = Date.now() + (opts.startupTimeoutMs ?? 60000);
  for (;;) {
    if (exited) throw new Error(`the Notebook server exited during startup:\n${logText}`);
    try {
      const r = await fetchWithTimeout(`${baseUrl}/api/status`, auth, 2000);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Notebook server did not answer on ${baseUrl} within ${opts.startupTimeoutMs ?? 60000} ms:\n${logText}`);
    }
    await sleep(250);
  }
  return { baseUrl, token, log: () => logText, stop };
}
