/**
 * The native tier's kernels against plain wasm: float32 matmul GFLOP/s for each transpose combination
 * (1024×768 @ 768×3072), and LayerNorm / GELU forward+backward with the native row kernels on and off.
 * Prints the tier label (BLAS threads) and OPENBLAS_CORETYPE; the machine's load average is printed
 * too, since shared machines make these numbers move.
 *
 *   npx tsx bench/blas.ts [--reps 5] [--policy]
 *   --policy: the small-product threading policy — the main job's and distilbert's product shapes on
 *   one BLAS thread vs all of them (native/ner_blas.c's blasPolicy; src/backend/native.ts SMALL_GEMM_FLOPS)
 *   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE npx tsx bench/blas.ts   # OpenBLAS's own core detection
 */
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../src/backend";
import { loadNativeBlas, SMALL_GEMM_FLOPS, type NativeBlas } from "../src/backend/native";
import { useNativeKernels } from "../src/backend/native-kernels";
import { gelu, layerNorm } from "../src/backend/ops";

const reps = Number(process.argv[process.argv.indexOf("--reps") + 1] || 5) || 5;

function msPer(n: number, f: () => void): number {
  f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t0) / n;
}

/** ms per product (median of 5 batches) of m×k @ k×n with the given transposes, straight on an ArrayBuffer. */
function productMs(
  blas: NativeBlas,
  heap: ArrayBuffer,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
): number {
  const [aOff, bOff, cOff] = [0, 4 * m * k, 4 * (m * k + k * n)];
  const inner = Math.max(3, Math.min(400, Math.round(3e8 / (2 * m * n * k))));
  const once = () => blas.gemm(heap, ta, tb, m, n, k, 1, aOff, 0, bOff, 0, cOff);
  once();
  const batches: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) once();
    batches.push((performance.now() - t0) / inner);
  }
  return batches.sort((x, y) => x - y)[2];
}

/** One thread vs all for the products of a main-job (hidden 128, FF 512) and a distilbert-base step, 16×32 tokens. */
function policyTable(blas: NativeBlas): void {
  const shapes: [number, number, number, boolean, boolean][] = [
    [512, 128, 128, false, false],
    [512, 512, 128, false, false],
    [512, 128, 512, false, false],
    [128, 128, 512, true, false],
    [512, 17, 128, false, false],
    [512, 768, 768, false, false],
    [512, 3072, 768, false, false],
    [768, 768, 512, true, false],
  ];
  const heap = new ArrayBuffer(4 * (512 * 3072 + 3072 * 768 + 512 * 3072));
  const f = new Float32Array(heap);
  for (let i = 0; i < f.length; i++) f[i] = (i % 13) / 13 - 0.5;
  const saved = blas.blasPolicy?.();
  if (saved === undefined) return console.log("policy: this addon build has no blasPolicy (npm run build:native)");
  console.log(
    `policy: ms per product on all ${saved.threads} threads vs one (the library runs products ` +
      `under ${saved.smallFlops / 1e6} MFLOP on one; SMALL_GEMM_FLOPS ${SMALL_GEMM_FLOPS / 1e6})`,
  );
  for (const [m, n, k, ta, tb] of shapes) {
    blas.blasPolicy?.(0);
    const all = productMs(blas, heap, m, n, k, ta, tb);
    blas.blasPolicy?.(Infinity);
    const one = productMs(blas, heap, m, n, k, ta, tb);
    const mflop = (2 * m * n * k) / 1e6;
    console.log(
      `  ${ta ? "Aᵀ" : "A"}·${tb ? "Bᵀ" : "B"} ${m}×${k} @ ${k}×${n} (${mflop.toFixed(1)} MFLOP): ${all.toFixed(3)} ms vs ${one.toFixed(3)} ms on one`,
    );
  }
  blas.blasPolicy?.(saved.smallFlops);
}

async function main(): Promise<void> {
  if (process.argv.includes("--policy")) {
    const blas = loadNativeBlas().addon;
    console.log(
      `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    if (blas === undefined) return console.log(`policy: ${loadNativeBlas().reason}`);
    return policyTable(blas);
  }
  console.log(
    `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}, ${os.cpus().length} CPUs`,
  );
  const [M, K, N] = [1024, 768, 3072];
  for (const tier of ["wasm", "wasm+blas"]) {
    try {
      await initBackend(tier, { quiet: true });
    } catch (err) {
      console.log(`${tier}: ${(err as Error).message}`);
      continue;
    }
    const a = tf.randomUniform([M, K]);
    const b = tf.randomUniform([K, N]);
    const cells: string[] = [];
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
    ] as const) {
      const A = ta ? tf.transpose(a) : a;
      const B = tb ? tf.transpose(b) : b;
      // plain wasm's transposed products are ~50× slower: one repetition is enough to see it.
      const ms = msPer(tier === "wasm" && (ta || tb) ? 1 : reps, () =>
        tf.tidy(() => {
          tf.matMul(A, B, ta, tb).dataSync();
        }),
      );
      cells.push(`${ta ? "Aᵀ" : "A"}·${tb ? "Bᵀ" : "B"} ${((2 * M * K * N) / ms / 1e6).toFixed(1)}`);
      if (A !== a) A.dispose();
      if (B !== b) B.dispose();
    }
    console.log(`${backendInfo()?.label}: GFLOP/s ${M}×${K} @ ${K}×${N}: ${cells.join(", ")}`);
    tf.dispose([a, b]);
  }

  const native = loadNativeBlas().addon;
  if (native === undefined) return;
  await initBackend("wasm+blas", { quiet: true });
  const x = tf.randomNormal([512, 768]) as tf.Tensor2D;
  const g = tf.ones([768]) as tf.Tensor1D;
  const beta = tf.zeros([768]) as tf.Tensor1D;
  const h = tf.randomNormal([512, 3072]);
  const ln = () =>
    tf.tidy(() =>
      tf
        .grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(layerNorm(xx as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-12)),
        )([x, g, beta])
        .forEach((t) => t.dataSync()),
    );
  const ge = () =>
    tf.tidy(() => {
      tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(h).dataSync();
    });
  for (const mode of ["tfjs ops", "native"] as const) {
    useNativeKernels(mode === "native" ? native : undefined);
    console.log(
      `${mode.padEnd(8)}: LayerNorm fwd+bwd 512×768 ${msPer(reps, ln).toFixed(1)} ms, GELU fwd+bwd 512×3072 ${msPer(reps, ge).toFixed(1)} ms`,
    );
  }
  useNativeKernels(native);
  tf.dispose([x, g, beta, h]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
