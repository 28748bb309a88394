/**
 * The native BLAS's own sgemm speed on this machine, now: 1024×768 @ 768×3072 (float32) straight on
 * an ArrayBuffer through the addon, best of 3 after a warm-up. The bench prints it beside the GFLOP/s
 * a whole step achieves, so both come from the same run under the same load and OPENBLAS_CORETYPE.
 */
import { loadNativeBlas } from "../src/backend/native";

/** GFLOP/s of the best of `reps` products, or undefined without the addon. */
export function sgemmPeak(reps = 3): number | undefined {
  const blas = loadNativeBlas().addon;
  if (blas === undefined) return undefined;
  const [m, k, n] = [1024, 768, 3072];
  const heap = new ArrayBuffer(4 * (m * k + k * n + m * n));
  const f = new Float32Array(heap);
  for (let i = 0; i < m * k + k * n; i++) f[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const product = () => blas.gemm(heap, false, false, m, n, k, 1, 0, 0, 4 * m * k, 0, 4 * (m * k + k * n));
  product();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    product();
    best = Math.min(best, performance.now() - t0);
  }
  return (2 * m * k * n) / best / 1e6;
}
