import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { AdamW, decayParameterNames } from "../../src/training/adamw";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";
import { readSafetensors } from "../../src/models/safetensors";
import { initBackend } from "../../src/backend";
import { parityTiers } from "../backend/tiers";

interface AdamWGolden {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  decay_params: string[];
  no_decay_params: string[];
}

/** The float32 tensors of a fixture file (every tensor must be stored as F32). */
function readSafetensorsF32(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, e] of readSafetensors(file).tensors) {
    assert.equal(e.dtype, "F32", `${file}: ${name}`);
    out.set(name, { shape: e.shape, data: e.toFloat32() });
  }
  return out;
}

function variables(file: string): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [name, t] of readSafetensorsF32(file)) out.set(name, tf.variable(tf.tensor(t.data, t.shape), true, name));
  return out;
}

for (const model of ["tiny-bert", "tiny-distilbert"]) {
  test(`HF Trainer decay grouping (${model})`, () => {
    const g = readFixtureJson<{ adamw_step: AdamWGolden }>(model, "golden.json").adamw_step;
    const names = [...g.decay_params, ...g.no_decay_params];
    assert.deepEqual(new Set(decayParameterNames(names)), new Set(g.decay_params));
  });

  for (const tier of parityTiers())
    test(
      `one AdamW step matches torch.optim.AdamW with HF grouping (${model}) on ${tier.name}`,
      { skip: tier.skip },
      async () => {
        await initBackend(tier.name, { quiet: true });
        const g = readFixtureJson<{ adamw_step: AdamWGolden }>(model, "golden.json").adamw_step;
        const params = variables(fixturePath(model, "model.safetensors"));
        const gradsRaw = readSafetensorsF32(fixturePath(model, "golden_grads.safetensors"));
        const after = readSafetensorsF32(fixturePath(model, "after_adamw_step.safetensors"));
        const grads = new Map<string, tf.Tensor>();
        for (const [name, t] of gradsRaw) grads.set(name, tf.tensor(t.data, t.shape));
        const opt = new AdamW(params, { lr: g.lr, betas: g.betas, eps: g.eps, weightDecay: g.weight_decay });
        assert.deepEqual(new Set(opt.decayGroup()), new Set(g.decay_params));
        opt.step(grads);
        let compared = 0;
        let worst = 0;
        for (const [name, v] of params) {
          const got = v.dataSync();
          const want = after.get(name)!.data;
          const grad = gradsRaw.get(name)!.data;
          for (let i = 0; i < got.length; i++) {
            if (Math.abs(grad[i]) < 1e-6) continue; // ill-conditioned first Adam update (fixtures/README.md)
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
            compared++;
          }
        }
        assert.ok(compared > 1000, `compared ${compared} elements`);
        assert.ok(worst <= 1e-7, `max abs difference ${worst}`);
        opt.dispose();
        for (const t of grads.values()) t.dispose();
        for (const v of params.values()) v.dispose();
      },
    );
}

test("AdamW state export/load continues identically", async () => {
  await tf.setBackend("cpu");
  const mk = () => new Map([["w.weight", tf.variable(tf.tensor([0.5, -1, 2]), true, `w${Math.random()}`)]]);
  const gradsAt = (i: number) => new Map([["w.weight", tf.tensor([0.1 * i, -0.2, 0.3 / i])]]);
  const a = mk();
  const optA = new AdamW(a, { lr: 0.01, weightDecay: 0.1 });
  for (let i = 1; i <= 4; i++) optA.step(gradsAt(i));
  const b = mk();
  const optB = new AdamW(b, { lr: 0.01, weightDecay: 0.1 });
  for (let i = 1; i <= 2; i++) optB.step(gradsAt(i));
  const state = optB.exportState();
  const optC = new AdamW(b, { lr: 0.01, weightDecay: 0.1 });
  optC.loadState(state);
  for (const t of state.tensors.values()) t.dispose();
  assert.equal(optC.stepOf("w.weight"), 2);
  for (let i = 3; i <= 4; i++) optC.step(gradsAt(i));
  assert.deepEqual(Array.from(b.get("w.weight")!.dataSync()), Array.from(a.get("w.weight")!.dataSync()));
});

test("AdamW keeps the tensor count stable across steps", async () => {
  await tf.setBackend("cpu");
  const params = new Map([
    ["l.weight", tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", 1))],
    ["l.bias", tf.variable(tf.zeros([3]))],
  ]);
  const grads = new Map<string, tf.Tensor>([
    ["l.weight", tf.ones([4, 3])],
    ["l.bias", tf.ones([3])],
  ]);
  const opt = new AdamW(params, { lr: 0.1, weightDecay: 0.01 });
  opt.step(grads);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) opt.step(grads);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(opt.noDecayGroup(), ["l.bias"]);
});
