/**
 * Peak memory of the tensors of this process, for logs, run cards and benchmarks.
 *
 * - `peakMemoryMb()`: high-water mark of `tf.memory().numBytes` (every live tensor, as tfjs
 *   counts them) since the last `resetPeakMemory()`. It is sampled each time tfjs registers a
 *   tensor, so short-lived peaks inside a training step are seen.
 * - `heapMemoryMb()`: the wasm backend's heap (a 32-bit WebAssembly memory, 4 GiB at most). It
 *   only grows, so it is the peak of the whole process; undefined on other backends.
 *
 * MB here means MiB (2^20 bytes).
 */
import * as tf from "@tensorflow/tfjs";

const MIB = 1024 * 1024;

/** The engine members the high-water hook wraps (tfjs-core Engine, not in its public types). */
interface EngineInternals {
  trackTensor(a: tf.Tensor, backend: unknown): void;
  state: { numBytes: number };
}

let installed = false;
let peakBytes = 0;

/** Start tracking the high-water mark (idempotent; the getters below call it). */
export function trackPeakMemory(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const original = engine.trackTensor.bind(engine);
  peakBytes = engine.state.numBytes;
  // Every tensor and variable passes through trackTensor: the cheapest place to see a new peak.
  engine.trackTensor = (a: tf.Tensor, backend: unknown): void => {
    original(a, backend);
    if (engine.state.numBytes > peakBytes) peakBytes = engine.state.numBytes;
  };
}

/** Restart the high-water mark from the bytes alive now. */
export function resetPeakMemory(): void {
  trackPeakMemory();
  peakBytes = tf.memory().numBytes;
}

/** Highest `tf.memory().numBytes` since {@link resetPeakMemory} (or since tracking began), in bytes. */
export function peakMemoryBytes(): number {
  trackPeakMemory();
  return Math.max(peakBytes, tf.memory().numBytes);
}

/** {@link peakMemoryBytes} in MiB, one decimal. */
export function peakMemoryMb(): number {
  return Math.round((peakMemoryBytes() / MIB) * 10) / 10;
}

/** Size of the wasm backend's heap in bytes (its peak: it never shrinks); undefined off wasm. */
export function heapMemoryBytes(): number | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength;
}

/** {@link heapMemoryBytes} in MiB, one decimal; undefined off wasm. */
export function heapMemoryMb(): number | undefined {
  const b = heapMemoryBytes();
  return b === undefined ? undefined : Math.round((b / MIB) * 10) / 10;
}
