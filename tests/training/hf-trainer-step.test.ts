// `ner train --max-steps 1` (runTrainJob, the CLI's job) against one step of the real Hugging Face Trainer
// (transformers 5.18) on dropout-free copies of tiny-bert and tiny-distilbert. Goldens come from
// scripts/hf-one-step.py --golden (see tests/training/fixtures/hf-one-step.json for how they were made).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readSafetensors, type SafetensorsFile } from "../../src/models/safetensors";
import { runTrainJob } from "../../src/training/job";
import { fixturePath } from "../helpers/fixtures";
import { parityTiers } from "../backend/tiers";

const FIXTURES = path.join(__dirname, "fixtures");
const LR = 1e-3;
const WEIGHT_DECAY = 0.01;

interface Run {
  checkpoint?: string;
  golden: string;
  batch_size: number;
  grad_accum: number;
  sequential: boolean;
  hf_log: { loss: number; grad_norm: number; learning_rate: number };
}
const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES, "hf-one-step.json"), "utf8")) as {
  runs: Record<string, Run>;
};

/** A copy of a shared tiny checkpoint with every dropout probability at 0, so both sides run the same function. */
function dropoutFreeCheckpoint(name: string, dir: string): string {
  const out = path.join(dir, name);
  fs.cpSync(fixturePath(name), out, { recursive: true });
  const configFile = path.join(out, "config.json");
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
  for (const key of [
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "classifier_dropout",
    "dropout",
    "attention_dropout",
    "seq_classif_dropout",
    "qa_dropout",
  ]) {
    if (key in config) config[key] = 0;
  }
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  return out;
}

function f32(file: SafetensorsFile, name: string): Float32Array {
  const entry = file.tensors.get(name);
  assert.ok(entry, `${name} missing`);
  return entry.toFloat32();
}

// On every CPU tier: cpu, plain wasm and the native BLAS tier.
for (const tier of parityTiers())
  for (const [runName, run] of Object.entries(meta.runs)) {
    const checkpointName = run.checkpoint ?? runName;
    test(`ner train one step matches the HF Trainer: ${runName} on ${tier.name}`, { skip: tier.skip }, async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hf-one-step-"));
      try {
        const checkpoint = dropoutFreeCheckpoint(checkpointName, tmp);
        const labels = Object.entries(
          JSON.parse(fs.readFileSync(path.join(checkpoint, "config.json"), "utf8")).id2label as Record<string, string>,
        )
          .sort((a, b) => Number(a[0]) - Number(b[0]))
          .map(([, l]) => l);
        const output = path.join(tmp, "out");
        const result = await runTrainJob(
          {
            data: path.join(FIXTURES, "hf-one-step-train.jsonl"),
            labels: labels.join(","),
            model: checkpoint,
            maxSteps: 1,
            perDeviceTrainBatchSize: run.batch_size,
            gradientAccumulationSteps: run.grad_accum,
            shuffle: !run.sequential,
            learningRate: LR,
            weightDecay: WEIGHT_DECAY,
            warmupSteps: 0,
            maxGradNorm: 1,
            seed: 42,
            loggingSteps: 1,
            progress: "none",
            backend: tier.name,
            outputDir: output,
          },
          () => undefined,
        );

        // Logged numbers. HF 5.x sums (does not average) micro-batch losses for these models: see hf-one-step.json.
        assert.equal(result.metrics.step, 1);
        const history = JSON.parse(fs.readFileSync(path.join(output, "metrics.json"), "utf8")).log_history as Record<
          string,
          number
        >[];
        const step = history.find((e) => e.loss !== undefined);
        assert.ok(step, "no loss log");
        const scale = run.grad_accum;
        assert.ok(
          Math.abs(step.loss * scale - run.hf_log.loss) <= 1e-5 * run.hf_log.loss,
          `loss ${step.loss} vs HF ${run.hf_log.loss}/${scale}`,
        );
        assert.ok(
          Math.abs(step.grad_norm * scale - run.hf_log.grad_norm) <= 1e-4 * run.hf_log.grad_norm,
          `grad norm ${step.grad_norm} vs HF ${run.hf_log.grad_norm}/${scale}`,
        );
        assert.equal(step.learning_rate, run.hf_log.learning_rate);

        const before = readSafetensors(path.join(checkpoint, "model.safetensors"));
        const ours = readSafetensors(path.join(output, "model.safetensors"));
        const golden = readSafetensors(path.join(FIXTURES, run.golden));
        let compared = 0;
        let wellConditioned = 0;
        for (const [goldenName] of golden.tensors) {
          if (goldenName.endsWith(".row_ids")) continue;
          const rowsOnly = goldenName.endsWith(".rows");
          const name = rowsOnly ? goldenName.slice(0, -".rows".length) : goldenName;
          const want = f32(golden, goldenName);
          const gotAll = f32(ours, name);
          const baseAll = f32(before, name);
          const width = rowsOnly ? ours.tensors.get(name)!.shape[1] : 0;
          const rowIds = rowsOnly ? Array.from(golden.tensors.get(`${name}.row_ids`)!.toInt32()) : [];
          const at = (k: number) => (rowsOnly ? rowIds[Math.floor(k / width)] * width + (k % width) : k);
          assert.equal(rowsOnly ? rowIds.length * width : gotAll.length, want.length, `${name}: size`);
          for (let k = 0; k < want.length; k++) {
            const got = gotAll[at(k)];
            const base = baseAll[at(k)];
            const diff = Math.abs(got - want[k]);
            // Adam's first update is lr·g/(|g|+eps): where HF moved by ≥ 0.9·lr, |g| ≫ eps and the update is
            // well-conditioned.
            if (Math.abs(want[k] - base) >= 0.9 * LR) {
              wellConditioned++;
              assert.ok(diff <= 1e-6, `${name}[${k}]: ours ${got}, HF ${want[k]} (before ${base})`);
            } else {
              assert.ok(diff <= 1.05 * LR, `${name}[${k}]: ours ${got}, HF ${want[k]} differ by more than one update`);
            }
            compared++;
          }
          if (rowsOnly) {
            // Rows of tokens not in the batch get no gradient: only decoupled weight decay moves them.
            const used = new Set(rowIds);
            for (let row = 0; row * width < gotAll.length; row += 97) {
              if (used.has(row)) continue;
              for (let c = 0; c < width; c++) {
                const k = row * width + c;
                assert.ok(
                  Math.abs(gotAll[k] - baseAll[k] * (1 - LR * WEIGHT_DECAY)) <= 1e-7,
                  `${name} row ${row}: weight decay`,
                );
              }
            }
          }
        }
        assert.ok(
          compared > 30_000 && wellConditioned > 0.5 * compared,
          `${wellConditioned} of ${compared} elements well-conditioned`,
        );
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
