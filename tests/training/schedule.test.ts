import { test } from "node:test";
import assert from "node:assert/strict";
import { linearScheduleWithWarmup, linearWarmupFactor, warmupStepsFor } from "../../src/training/schedule";
import { readFixtureJson } from "../helpers/fixtures";

interface ScheduleGolden {
  num_warmup_steps: number;
  num_training_steps: number;
  peak_lr: Record<string, { lr_used_at_step: number[] }>;
}

for (const model of ["tiny-bert", "tiny-distilbert"]) {
  test(`linear schedule with warmup equals transformers exactly (${model} golden)`, () => {
    const g = readFixtureJson<{ linear_schedule_with_warmup: ScheduleGolden }>(
      model,
      "golden.json",
    ).linear_schedule_with_warmup;
    const peaks = Object.keys(g.peak_lr);
    assert.ok(peaks.length >= 2);
    for (const peak of peaks) {
      const expected = g.peak_lr[peak].lr_used_at_step;
      const sched = linearScheduleWithWarmup(Number(peak), g.num_warmup_steps, g.num_training_steps);
      const got = expected.map((_, step) => sched.lrAt(step));
      assert.deepEqual(got, expected, `peak ${peak}`);
    }
  });
}

test("three-step trainer golden: lr used per step (warmup 2, total 10)", () => {
  const g = readFixtureJson<{ three_steps_trainer_like: { steps: { lr_used: number }[] } }>(
    "tiny-bert",
    "golden.json",
  ).three_steps_trainer_like;
  const sched = linearScheduleWithWarmup(1e-3, 2, 10);
  assert.deepEqual(
    g.steps.map((_, i) => sched.lrAt(i)),
    g.steps.map((s) => s.lr_used),
  );
});

test("schedule reaches zero at the end and never goes negative", () => {
  const s = linearScheduleWithWarmup(2e-5, 3, 12);
  assert.equal(s.lrAt(0), 0);
  assert.equal(s.lrAt(3), 2e-5);
  assert.equal(s.lrAt(12), 0);
  assert.equal(s.lrAt(20), 0);
  assert.equal(linearWarmupFactor(0, 0, 10), 1);
  assert.throws(() => linearScheduleWithWarmup(1e-3, -1, 10), /warmup/);
});

test("warmup steps: explicit steps win, else ceil(ratio * total) like HF get_warmup_steps", () => {
  assert.equal(warmupStepsFor(100, { warmupSteps: 7, warmupRatio: 0.5 }), 7);
  assert.equal(warmupStepsFor(101, { warmupRatio: 0.1 }), 11);
  assert.equal(warmupStepsFor(100, { warmupRatio: 0.1 }), 10);
  assert.equal(warmupStepsFor(100, {}), 0);
  assert.throws(() => warmupStepsFor(100, { warmupRatio: 1.5 }), /ratio/);
});
