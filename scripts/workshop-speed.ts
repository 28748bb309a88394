/**
 * Speed of the workshop profile's models, measured here and extrapolated to a whole notebook.
 *
 *   npx tsx scripts/workshop-speed.ts [--reps 4] [--backend wasm]
 *
 * For each workshop notebook: a random model of the chosen checkpoint's exact layout (its hub
 * config; the weights do not change the speed), one training update (forward + backward + clip +
 * AdamW, the library's trainingStep) at the notebook's batch size and a typical padded length,
 * and one evaluation forward. Prints the fastest and median step (wall) and the process CPU time
 * per step. Run it with OPENBLAS_NUM_THREADS=1: on a shared, oversubscribed machine the wall time
 * mostly measures the other processes, while one thread's CPU time is the work of the step.
 * The notebook estimate for a 4-core laptop is (train steps × train CPU + eval steps × eval CPU)
 * × LAPTOP_FACTOR: an assumption, not a measurement (see its comment).
 */
import { initBackend } from "../src/backend";
import { configFromHf } from "../src/models";
import { notebookSettings, TUTORIAL_IDS, WORKSHOP_MODELS } from "../src/notebook/profile";
import { measure } from "../bench/measure";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** Sentences per split in ../shared/data (counted with awk on the files). */
const SPLIT_ROWS: Record<string, { train: number; validation: number; test: number }> = {
  mit_restaurant: { train: 7660, validation: 1521, test: 1521 }, // no validation split: the notebook evaluates on test
  conll2003: { train: 14041, validation: 3250, test: 3453 },
  wnut17: { train: 3394, validation: 1009, test: 1287 },
  wikiann_en: { train: 20000, validation: 10000, test: 10000 },
};

/** Typical padded batch length (tokens) per corpus: MIT queries and WikiANN sentences are short. */
const TYPICAL_SEQ: Record<string, number> = { mit_restaurant: 32, wikiann_en: 32, conll2003: 64, wnut17: 64 };

/**
 * One-thread CPU time here → wall time on a 4-core laptop with the native tier: the products
 * (about half of a step in tf.profile) run on 4 threads (≈3× faster), the rest stays on one core,
 * and a laptop core is not shared with ~20 other processes as this machine's are. Assumed 0.5.
 */
const LAPTOP_FACTOR = 0.5;

async function main(): Promise<void> {
  const reps = Number(arg("reps", "4"));
  const i = process.argv.indexOf("--backend");
  const backend = await initBackend(i > 0 ? process.argv[i + 1] : undefined, { quiet: true });
  process.stdout.write(
    `backend ${backend}; OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "<unset>"}; ${reps} ` +
      `timed reps after 1 warm-up\n`,
  );
  const cache = new Map<
    string,
    { train: number; trainMedian: number; trainCpu: number; infer: number; inferCpu: number }
  >();
  for (const id of TUTORIAL_IDS) {
    const s = notebookSettings(id, "workshop");
    const seq = TYPICAL_SEQ[s.corpus];
    const t = s.training;
    const key = `${s.model}/${t.perDeviceTrainBatchSize}/${t.perDeviceEvalBatchSize}/${seq}`;
    let m = cache.get(key);
    if (!m) {
      const config = configFromHf({ model_type: "bert", ...WORKSHOP_MODELS[s.model].config }, { numLabels: 9 });
      const cpu0 = process.cpuUsage();
      const train = await measure("train", config, t.perDeviceTrainBatchSize, seq, reps);
      const cpu = process.cpuUsage(cpu0);
      const cpu1 = process.cpuUsage();
      const infer = await measure("infer", config, t.perDeviceEvalBatchSize, seq, reps);
      const icpu = process.cpuUsage(cpu1);
      m = {
        train: train.minMs,
        trainMedian: train.msPerStep,
        trainCpu: (cpu.user + cpu.system) / 1000 / (reps + 1),
        infer: infer.minMs,
        inferCpu: (icpu.user + icpu.system) / 1000 / (reps + 1),
      };
      cache.set(key, m);
    }
    const rows = SPLIT_ROWS[s.corpus];
    const trainRows = s.subset.train ?? rows.train;
    const steps = Math.ceil(trainRows / t.perDeviceTrainBatchSize) * t.numTrainEpochs;
    const evalRows =
      (s.subset.validation ?? rows[s.evalSplit]) * (t.evalStrategy === "epoch" ? t.numTrainEpochs : 1) +
      (s.subset.test ?? rows.test);
    const evalSteps = Math.ceil(evalRows / t.perDeviceEvalBatchSize);
    const laptop = ((steps * m.trainCpu + evalSteps * m.inferCpu) * LAPTOP_FACTOR) / 1000;
    process.stdout.write(
      `${id.padEnd(22)} ${s.model.padEnd(36)} train ${t.perDeviceTrainBatchSize}×${seq}: CPU ` +
        `${m.trainCpu.toFixed(0)} ms/step (wall min ${m.train.toFixed(0)}, median ` +
        `${m.trainMedian.toFixed(0)}); ` +
        `eval ${t.perDeviceEvalBatchSize}×${seq}: CPU ${m.inferCpu.toFixed(0)} ms/step (wall min ` +
        `${m.infer.toFixed(0)}); ` +
        `${steps} train + ${evalSteps} eval steps → 4-core laptop estimate ${(laptop / 60).toFixed(1)} min\n`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
