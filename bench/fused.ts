/**
 * The model-side fused ops of the native tier, on and off, at distilbert-base's shapes (batch 16,
 * one layer): attention forward+backward (12 heads × 64, `--seq`, default 32), GELU and LayerNorm
 * forward+backward, and one whole encoder layer (forward+backward through leanGradients). "off" is
 * the same wasm+blas tier with the native model kernels switched off (BLAS products stay), i.e. the
 * composed tfjs ops these kernels replace. Prints the load average: the machine is shared.
 *
 *   npx tsx bench/fused.ts [--reps 10] [--seq 32]
 */
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initBackend } from "../src/backend";
import { leanGradients } from "../src/backend/autograd";
import { loadNativeBlas } from "../src/backend/native";
import {
  nativeBiasGelu,
  nativeBiasGeluGrad,
  nativeGelu,
  nativeGeluGrad,
  useNativeKernels,
} from "../src/backend/native-kernels";
import { attention, gelu, layerNorm, linear } from "../src/backend/ops";
import { attentionBias } from "../src/models/attention";

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(name) + 1] || d) || d;
const reps = arg("--reps", 10);
const seq = arg("--seq", 32);

/**
 * Median wall and CPU (user + system, all threads) milliseconds of `a` and `b`, run alternately
 * (a, b, a, b, …) so that a shared machine's changing load hits both alike.
 */
function compare(n: number, a: () => void, b: () => void): { wall: [number, number]; cpu: [number, number] } {
  a();
  b(); // warm-up
  const wall: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  for (let i = 0; i < n; i++) {
    [a, b].forEach((f, j) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      f();
      wall[j].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[j].push((c.user + c.system) / 1000);
    });
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { wall: [med(wall[0]), med(wall[1])], cpu: [med(cpu[0]), med(cpu[1])] };
}

function report(
  name: string,
  before: string,
  after: string,
  r: { wall: [number, number]; cpu: [number, number] },
): void {
  const f = (x: number) => x.toFixed(1);
  console.log(
    `${name}: wall ${f(r.wall[0])} ms ${before} → ${f(r.wall[1])} ms ${after} ` +
      `(${(r.wall[0] / r.wall[1]).toFixed(2)}×); ` +
      `CPU ${f(r.cpu[0])} → ${f(r.cpu[1])} ms; load ${os.loadavg()[0].toFixed(1)}`,
  );
}

async function main(): Promise<void> {
  const native = loadNativeBlas().addon;
  if (native === undefined) throw new Error(`bench/fused.ts needs the native tier: ${loadNativeBlas().reason}`);
  await initBackend("wasm+blas", { quiet: true });
  console.log(
    `${backendInfo()?.label}, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}, ` +
      `load ${os.loadavg()[0].toFixed(1)}`,
  );
  const [batch, heads, headDim, inter] = [16, 12, 64, 3072];
  const hidden = heads * headDim;
  const n = batch * seq;
  const r = (shape: number[], s: number) => tf.randomNormal(shape, 0, 1, "float32", s);
  const [q, k, v, x] = [1, 2, 3, 4].map((s) => r([n, hidden], s) as tf.Tensor2D);
  const h = r([n, inter], 5) as tf.Tensor2D;
  const mask = tf.tensor2d(
    Array.from({ length: n }, (_, i) => (i % seq < seq - 3 ? 1 : 0)),
    [batch, seq],
    "int32",
  );
  const bias = attentionBias(mask);
  const g = tf.ones([hidden]) as tf.Tensor1D;
  const beta = tf.zeros([hidden]) as tf.Tensor1D;
  const w = [6, 7, 8, 9].map((s) => tf.variable(r([hidden, hidden], s).mul(0.03)) as tf.Variable<tf.Rank.R2>);
  const wb = tf.variable(tf.zeros([hidden])) as tf.Variable<tf.Rank.R1>;
  const drop = { rate: 0.1, seed: 3 };
  const dims = { batch, seq, heads };
  const cases: [string, () => void][] = [
    [
      "attention fwd+bwd (dropout 0.1)",
      () =>
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(attention(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, bias, dims, drop)),
          )([q, k, v]).forEach((t) => t.dataSync());
        }),
    ],
    [
      `GELU fwd+bwd ${n}×${inter}`,
      () =>
        tf.tidy(() => {
          tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(h).dataSync();
        }),
    ],
    [
      `LayerNorm fwd+bwd ${n}×${hidden}`,
      () =>
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(layerNorm(a as tf.Tensor2D, b as tf.Tensor1D, c as tf.Tensor1D, 1e-12)),
          )([x, g, beta]).forEach((t) => t.dataSync());
        }),
    ],
    [
      "attention sub-layer fwd+bwd (q,k,v,out linears + attention + residual LayerNorm)",
      () =>
        tf.tidy(() => {
          const { value, grads } = leanGradients(() => {
            const [wq, wk, wv, wo] = w;
            const ctx = attention(linear(x, wq, wb), linear(x, wk, wb), linear(x, wv, wb), bias, dims, drop);
            return tf.sum(layerNorm(tf.add(linear(ctx, wo, wb), x) as tf.Tensor2D, g, beta, 1e-12));
          }, [x, ...w]);
          value.dataSync();
          grads.forEach((t) => t?.dataSync());
        }),
    ],
  ];
  for (const [name, f] of cases) {
    const off = () => {
      useNativeKernels(undefined);
      f();
    };
    const on = () => {
      useNativeKernels(native);
      f();
    };
    report(name, "composed", "native", compare(reps, off, on));
  }
  // The single-threaded GELU kernels of ner_blas.c (what the native tier ran before the threaded pass).
  const old = () =>
    tf.tidy(() => {
      nativeGeluGrad(h, nativeGelu(h)).dataSync();
    });
  const now = () =>
    tf.tidy(() => {
      nativeBiasGeluGrad(h, undefined, nativeBiasGelu(h)).dataSync();
    });
  report(
    `GELU kernels fwd+bwd ${n}×${inter}`,
    "ner_blas.c (1 thread)",
    "ner_fused.c (threaded)",
    compare(reps, old, now),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
