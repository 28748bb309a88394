/**
 * Jupyter servers for browser tests: classic Notebook 6 (Debian `jupyter-notebook`,
 * /usr/bin/python3) and JupyterLab 4 (pip, scripts/setup-jupyter.sh's venv). Each listens on
 * 127.0.0.1, a free port and a random token, uses the project's kernelspec (JUPYTER_PATH) and a
 * private HOME / config / runtime / data dir so nothing of the user's is read or written.
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
  const r = spawnSync(
    NOTEBOOK_PYTHON,
    ["-c", "import notebook, nbformat; assert notebook.__version__.startswith('6')"],
    { encoding: "utf8" },
  );
  if (r.status === 0) return null;
  return (
    `${NOTEBOOK_PYTHON} cannot import Notebook 6 (apt-get install jupyter-notebook python3-nbformat): ` +
    `${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`
  );
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

/** Private HOME / config / data / runtime directories under `stateDir`, as environment variables. */
function privateDirs(stateDir: string): Record<string, string> {
  const dirs = { HOME: "home", JUPYTER_CONFIG_DIR: "config", JUPYTER_DATA_DIR: "data", JUPYTER_RUNTIME_DIR: "runtime" };
  const env: Record<string, string> = {};
  for (const [k, d] of Object.entries(dirs)) {
    env[k] = path.join(stateDir, d);
    fs.mkdirSync(env[k], { recursive: true });
  }
  return env;
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
  const argv = [
    "-m",
    "notebook",
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
  ];
  return launch(
    "Notebook",
    NOTEBOOK_PYTHON,
    argv,
    port,
    token,
    { ...opts.env, ...privateDirs(opts.stateDir), JUPYTER_PATH: opts.jupyterPath },
    opts.startupTimeoutMs,
  );
}

/** The Python with JupyterLab 4 (and plotly): NER_JUPYTERLAB_PYTHON, else setup-jupyter.sh's venv. */
export function jupyterLabPython(repoRoot: string): string {
  return process.env.NER_JUPYTERLAB_PYTHON ?? path.join(repoRoot, ".cache", "jupyterlab", "bin", "python");
}

/** Why JupyterLab 4 with plotly cannot run here, or null when it can. */
export function jupyterLabMissing(python: string): string | null {
  const r = spawnSync(python, ["-c", "import jupyterlab, plotly; assert jupyterlab.__version__.startswith('4')"], {
    encoding: "utf8",
  });
  if (r.status === 0) return null;
  return (
    `${python} cannot import JupyterLab 4 and plotly (run scripts/setup-jupyter.sh, or set ` +
    `NER_JUPYTERLAB_PYTHON): ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`
  );
}

/**
 * Start JupyterLab 4 serving `notebookDir`, with the app exposed as `window.jupyterapp` (for the
 * test to run commands), every cell rendered (no virtual scrolling), no news prompt, and, with
 * `plotlyExtension: false`, plotly's JupyterLab extension disabled (page_config.json in the
 * private config directory, where `jupyter labextension disable` writes).
 */
export async function startJupyterLab(opts: {
  python: string;
  notebookDir: string;
  stateDir: string;
  jupyterPath: string;
  plotlyExtension: boolean;
  env?: Record<string, string>;
  startupTimeoutMs?: number;
}): Promise<NotebookServer> {
  const missing = jupyterLabMissing(opts.python);
  if (missing) throw new Error(missing);
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const dirs = privateDirs(opts.stateDir);
  const settings = path.join(opts.stateDir, "lab-settings");
  const write = (file: string, value: unknown) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value));
  };
  write(path.join(settings, "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings"), {
    windowingMode: "none",
  });
  write(path.join(settings, "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"), {
    fetchNews: "false",
    checkForUpdates: false,
  });
  if (!opts.plotlyExtension) {
    // `jupyter labextension disable jupyterlab-plotly` writes the package name, which JupyterLab 4.6
    // does not match against the renderer's plugin id ("@jupyterlab/plotly-extension:factory"):
    // the renderer stays on. The plugin's prefix turns it off.
    write(path.join(dirs.JUPYTER_CONFIG_DIR, "labconfig", "page_config.json"), {
      disabledExtensions: { "jupyterlab-plotly": true, "@jupyterlab/plotly-extension": true },
    });
  }
  const argv = [
    "-m",
    "jupyterlab",
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${opts.notebookDir}`,
    "--LabApp.expose_app_in_browser=True",
    "--MappingKernelManager.cull_idle_timeout=0",
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  const env = {
    ...opts.env,
    ...dirs,
    JUPYTER_PATH: opts.jupyterPath,
    JUPYTERLAB_SETTINGS_DIR: settings,
    JUPYTERLAB_WORKSPACES_DIR: path.join(opts.stateDir, "lab-workspaces"),
  };
  return launch("JupyterLab", opts.python, argv, port, token, env, opts.startupTimeoutMs);
}

async function launch(
  what: string,
  python: string,
  argv: string[],
  port: number,
  token: string,
  extraEnv: Record<string, string | undefined>,
  startupTimeoutMs = 60000,
): Promise<NotebookServer> {
  // No browser of the server's own; no "notebook has moved" nags.
  const env = { ...process.env, ...extraEnv, BROWSER: "true" };
  const child: ChildProcess = spawn(python, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
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
      for (const k of kernels)
        await fetchWithTimeout(`${baseUrl}/api/kernels/${k.id}`, { ...auth, method: "DELETE" }, 15000);
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

  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`the ${what} server exited during startup:\n${logText}`);
    try {
      const r = await fetchWithTimeout(`${baseUrl}/api/status`, auth, 2000);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the ${what} server did not answer on ${baseUrl} within ${startupTimeoutMs} ms:\n${logText}`);
    }
    await sleep(250);
  }
  return { baseUrl, token, log: () => logText, stop };
}

/**
 * Run `fn` while holding the project's notebook-run lock (out/browser/.notebook-run.lock): the
 * browser tests execute the same notebook in the same checkout (its checkpoints and saved model
 * go to the same folders, which the Trainer locks), so test files running in parallel take turns.
 * A lock left by a process that is gone is taken over; waiting is bounded by `timeoutMs`.
 */
export async function withNotebookRunLock<T>(
  repoRoot: string,
  fn: () => Promise<T>,
  timeoutMs = 40 * 60_000,
): Promise<T> {
  const dir = path.join(repoRoot, "out", "browser");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, ".notebook-run.lock");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(file, "utf8"));
      let alive = false;
      try {
        alive = Number.isInteger(holder) && holder > 0 && process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`${file} is held by PID ${holder} for more than ${timeoutMs / 1000} s`);
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
