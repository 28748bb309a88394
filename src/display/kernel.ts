/**
 * Detecting the tslab kernel. tslab keeps the writer of the cell now executing in
 * `tslab/dist/jupyter.js` (`lastWriteDisplayData`). We look for that module among the modules
 * already loaded instead of requiring it: outside a kernel, loading tslab would pull in zeromq
 * and TypeScript for nothing.
 */
import * as path from "path";

/** The message tslab sends for `display_data` / `update_display_data`. */
export interface DisplayMessage {
  data: Record<string, unknown>;
  metadata: object;
  transient: object;
}

/** tslab's display writer: `update` replaces the output with the same `transient.display_id`. */
export type KernelWriter = (message: DisplayMessage, update: boolean) => void;

interface TslabJupyterModule {
  lastWriteDisplayData?: KernelWriter | null;
}

const JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/** Path of tslab's jupyter module when this process has loaded it (i.e. runs the kernel). */
function loadedJupyterModulePath(): string | null {
  return Object.keys(require.cache).find((k) => JUPYTER_MODULE.test(k)) ?? null;
}

/** tslab's writer for the cell now executing, or null outside a tslab kernel. */
export function tslabWriter(): KernelWriter | null {
  try {
    const key = loadedJupyterModulePath();
    if (!key) return null;
    const jupyter = require.cache[key]?.exports as TslabJupyterModule | undefined;
    return jupyter?.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/** True inside a tslab kernel that is executing (or has executed) a cell. */
export function inTslabKernel(): boolean {
  return tslabWriter() !== null;
}

/** The display API of tslab's public module (a subset of `tslab.Display`). */
export interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

/** tslab's public module of the running kernel (for `newDisplay()`), or null outside a kernel. */
export function tslabIfRunning(): { newDisplay(): TslabDisplay } | null {
  const key = loadedJupyterModulePath();
  if (!key || !inTslabKernel()) return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- tslab's own module, found at run time
    return require(path.join(path.dirname(key), "public.js")) as { newDisplay(): TslabDisplay };
  } catch {
    return null;
  }
}
