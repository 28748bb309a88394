/**
 * The native tier's kernels against plain wasm: float32 matmul GFLOP/s for each transpose combination
 * (1024×768 @ 768×3072), and LayerNorm / GELU forward+backward with the native row kernels on and off.
 * Prints the tier label (BLAS threads) and OPENBLAS_CORETYPE; the machine's load average is printed
 * too, since shared machines make these numbers move.
 *
 *   npx tsx bench/blas.ts [--reps 5]
 *   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE npx tsx bench/blas.ts   # OpenBLAS's own core detection
 */
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../src/backend";
import { loadNativeBlas } from "../src/backend/native";
import { useNativeKernels } from "../src/backend/native-kernels";
import { gelu, layerNorm } from "../src/backend/ops";

const reps = Number(process.argv[process.argv.indexOf("--reps") + 1] || 5) || 5;

function msPer(n: number, f: () => void): number {
  f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t0) / n;
}

async function main(): Promise<void> {
  console.log(`OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${os.cpus().length} CPUs`);
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
    for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
      const A = ta ? tf.transpose(a) : a;
      const B = tb ? tf.transpose(b) : b;
      // plain wasm's transposed products are ~50× slower: one repetition is enough to see it.
      const ms = msPer(tier === "wasm" && (ta || tb) ? 1 : reps, () => tf.tidy(() => { tf.matMul(A, B, ta, tb).dataSync(); }));
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
  const ln = () => tf.tidy(() => tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(layerNorm(xx as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-12)))([x, g, beta]).forEach((t) => t.dataSync()));
  const ge = () => tf.tidy(() => { tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(h).dataSync(); });
  for (const mode of ["tfjs ops", "native"] as const) {
    useNativeKernels(mode === "native" ? native : undefined);
    console.log(`${mode.padEnd(8)}: LayerNorm fwd+bwd 512×768 ${msPer(reps, ln).toFixed(1)} ms, GELU fwd+bwd 512×3072 ${msPer(reps, ge).toFixed(1)} ms`);
  }
  useNativeKernels(native);
  tf.dispose([x, g, beta, h]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
