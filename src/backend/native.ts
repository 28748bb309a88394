/**
 * The optional native BLAS addon (native/ner_blas.c, built by native/build.js during `npm ci`):
 * finds and loads it once, or says why it is unavailable (not built and why, load error).
 */
import * as fs from "fs";
import * as path from "path";

/** What the addon reports about the BLAS it was linked against. */
export interface BlasLibraryInfo {
  library: string; // "openblas" | "accelerate"
  version?: string; // e.g. openblas_get_config()
  threads: number; // BLAS threads (0: the library decides, Accelerate)
  corename?: string; // OpenBLAS's kernel family in use, e.g. "Haswell"
}

/** LayerNorm's gradient: dx, dgamma, dbeta from dy, xhat, 1/std and gamma over rows×cols, in place on the heap. */
type LayerNormGrad = (
  heap: ArrayBufferLike,
  dyOff: number,
  xhatOff: number,
  invStdOff: number,
  gammaOff: number,
  dxOff: number,
  dgammaOff: number,
  dbetaOff: number,
  rows: number,
  cols: number,
) => void;

/** The addon's functions; see native/ner_blas.c for the exact contract. */
export interface NativeBlas {
  /**
   * Batched row-major C_i = op(A_i) @ op(B_i) on the heap in place (offsets in bytes, strides in
   * floats, 0 = broadcast), optionally followed by bias + activation (codes of tfjs-wasm's
   * FusableActivation; offsets < 0 = none).
   */
  gemm(
    heap: ArrayBufferLike,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    batch: number,
    aOff: number,
    strideA: number,
    bOff: number,
    strideB: number,
    cOff: number,
    biasOff?: number,
    biasLen?: number,
    act?: number,
    alpha?: number,
    preluOff?: number,
    preluLen?: number,
  ): void;
  info(): BlasLibraryInfo;
  /**
   * Products under `smallFlops` FLOPs on one thread; `threads` > 0 sets the BLAS's thread count; with no
   * arguments it only reads the policy (absent in older builds).
   */
  blasPolicy?(smallFlops?: number, threads?: number): { smallFlops: number; threads: number };
  /** Exact GELU y = x·Φ(x) over n floats, and its gradient dx = dy·(Φ(x) + x·φ(x)). */
  gelu(heap: ArrayBufferLike, xOff: number, yOff: number, n: number): void;
  geluGrad(heap: ArrayBufferLike, xOff: number, dyOff: number, dxOff: number, n: number): void;
  /** torch's LayerNorm over rows×cols, writing y, xhat and 1/std (per row) for the backward pass. */
  layerNorm(
    heap: ArrayBufferLike,
    xOff: number,
    gammaOff: number,
    betaOff: number,
    yOff: number,
    xhatOff: number,
    invStdOff: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** Its gradient: dx, dgamma, dbeta from dy, xhat, 1/std and gamma. */
  layerNormGrad: LayerNormGrad;
  /**
   * torch's AdamW update of n floats in place (native/ner_optim.c): scalars as in
   * src/backend/adamw-kernel.ts's AdamWScalars, in that order; decay 1 = no weight decay.
   */
  adamw(
    heap: ArrayBufferLike,
    pOff: number,
    mOff: number,
    vOff: number,
    gOff: number,
    n: number,
    decay: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    bc2Sqrt: number,
    eps: number,
    negStepSize: number,
    gradScale?: number,
  ): void;
  /** Σ x² over n floats, accumulated in double and threaded (the clipping norm). */
  sumSquares(heap: ArrayBufferLike, off: number, n: number): number;
  /** n dropout-mask floats: keep where the counter-based bits (keys k1, k2) are >= threshold, else 0. */
  dropoutMask(
    heap: ArrayBufferLike,
    outOff: number,
    n: number,
    k1: number,
    k2: number,
    threshold: number,
    keep: number,
  ): void;
  /** Fused attention forward/backward (native/ner_fused.c); dropout from the counter-based stream, keep <= 0: none. */
  attention(
    heap: ArrayBufferLike,
    qOff: number,
    kOff: number,
    vOff: number,
    biasOff: number,
    ctxOff: number,
    probsOff: number,
    batch: number,
    seq: number,
    heads: number,
    headDim: number,
    scale: number,
    k1: number,
    k2: number,
    threshold: number,
    keep: number,
  ): void;
  attentionGrad(
    heap: ArrayBufferLike,
    dyOff: number,
    qOff: number,
    kOff: number,
    vOff: number,
    probsOff: number,
    dqOff: number,
    dkOff: number,
    dvOff: number,
    batch: number,
    seq: number,
    heads: number,
    headDim: number,
    scale: number,
    k1: number,
    k2: number,
    threshold: number,
    keep: number,
  ): void;
  /** y = gelu(x + bias) (exact erf; biasOff < 0: no bias) and its gradient dx = dy·gelu'(x + bias), threaded. */
  biasGelu(heap: ArrayBufferLike, xOff: number, biasOff: number, yOff: number, rows: number, cols: number): void;
  biasGeluGrad(
    heap: ArrayBufferLike,
    xOff: number,
    biasOff: number,
    dyOff: number,
    dxOff: number,
    rows: number,
    cols: number,
  ): void;
  /** y = LayerNorm(x + res) (resOff < 0: of x) writing xhat and 1/std, and its gradient; both threaded. */
  addLayerNorm(
    heap: ArrayBufferLike,
    xOff: number,
    resOff: number,
    gammaOff: number,
    betaOff: number,
    yOff: number,
    xhatOff: number,
    invStdOff: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  layerNormGradThreaded: LayerNormGrad;
}

/** The loaded addon and its file, or why there is none (one shape: tslab compiles src/ without strict narrowing). */
export interface NativeLoad {
  addon?: NativeBlas;
  file?: string;
  reason?: string;
}

/**
 * Products of fewer FLOPs run on one BLAS thread, larger ones on all (native/ner_blas.c's policy).
 * Measured with `npx tsx bench/blas.ts --policy` on 2 cores: on a busy machine (load 4–20) a second
 * thread lost below ~30 MFLOP — the main job's 128-wide layers, 512×128×128, took 0.5 ms on one thread
 * vs 12 ms on two — while on a quiet one (load 1.7) two threads won at every size (0.137 vs 0.206 ms).
 * The threshold is fixed rather than following the load: OpenBLAS's one-thread and two-thread products
 * differ in the last bits (7413 of the 65536 elements of that product, by up to 1.7e-6), so a
 * load-dependent choice would make a seeded run's results depend on what else the machine was doing.
 */
export const SMALL_GEMM_FLOPS = 32e6;

const ADDON = path.join("native", "build", "ner_blas.node");
const STATUS = path.join("native", "build", "status.json");

let cached: NativeLoad | undefined;

/** Load the addon (cached). Never throws: a missing addon is a reason, not an error. */
export function loadNativeBlas(): NativeLoad {
  if (cached) return cached;
  cached = load();
  return cached;
}

function load(): NativeLoad {
  const root = projectRoot();
  if (root === undefined)
    return { reason: "not built: native/build/ner_blas.node not found (run `node native/build.js`)" };
  const file = path.join(root, ADDON);
  if (!fs.existsSync(file)) {
    let why = "run `node native/build.js` to see why";
    try {
      const status = JSON.parse(fs.readFileSync(path.join(root, STATUS), "utf8")) as { reason?: string };
      if (status.reason) why = status.reason;
    } catch {
      /* never attempted: keep the hint */
    }
    return { reason: `not built: ${why}` };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the addon's path is found at run time
    const addon = require(file) as NativeBlas;
    addon.info(); // a broken BLAS shows here rather than in the first product
    addon.blasPolicy?.(SMALL_GEMM_FLOPS);
    return { addon, file };
  } catch (err) {
    return { reason: `load error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
  }
}

/** The checkout's root: beside this file (src/backend → ../..), else the nearest folder up from cwd with native/. */
function projectRoot(): string | undefined {
  const starts: string[] = [];
  if (typeof __dirname === "string") starts.push(path.resolve(__dirname, "..", ".."));
  starts.push(process.cwd());
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, "native", "build.js"))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/**
 * Measured speed-up of the native tier over plain wasm on this project's 2-core machines (see
 * README "Backends and speed"): one main-job training update, `npm run -s bench -- train --models
 * main-job --backends wasm,wasm+blas --no-peer`: 147 vs 44 ms (3.4×) on 2026-12-04, 190 vs 70 ms (2.7×) earlier.
 */
export const NATIVE_TIER_SPEEDUP = "about 3×";

let hinted = false;

/**
 * One line for a user who runs on plain wasm only because the addon is missing: how to get the native
 * tier and what it gains. Returned once per process (undefined afterwards, on other tiers, and when
 * plain wasm was chosen although the addon loads).
 */
export function nativeTierHint(active: string): string | undefined {
  if (hinted || active !== "wasm") return undefined;
  const load = loadNativeBlas();
  if (load.addon !== undefined) return undefined;
  hinted = true;
  const how =
    process.platform === "darwin"
      ? "`xcode-select --install && npm run build:native` (Accelerate)"
      : "`npm run setup` (or `sudo apt install build-essential libopenblas-dev && npm run build:native`)";
  return (
    `[ner] running on plain wasm: the native tier (wasm+blas) trains ${NATIVE_TIER_SPEEDUP} faster — ` +
    `${how}; now: ${load.reason}`
  );
}
