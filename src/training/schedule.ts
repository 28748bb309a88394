/**
 * Learning-rate schedules, as pure functions of the optimizer step.
 *
 * `linearScheduleWithWarmup` reproduces transformers' `get_linear_schedule_with_warmup`
 * (a `LambdaLR` whose factor rises linearly from 0 to 1 over the warmup steps, then falls
 * linearly to 0 at `totalSteps`). The learning rate used by update number `step` (0-based)
 * is `lrAt(step)`: exactly the number Python computes, because both sides use doubles.
 */

/** A learning-rate schedule: `lrAt(step)` is the rate used by the (0-based) `step`-th update. */
export interface LrSchedule {
  readonly peakLr: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  lrAt(step: number): number;
}

/** The multiplicative factor of HF's linear schedule at `step` (the `lr_lambda`). */
export function linearWarmupFactor(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** Linear warmup from 0 to `peakLr` over `warmupSteps`, then linear decay to 0 at `totalSteps`. */
export function linearScheduleWithWarmup(peakLr: number, warmupSteps: number, totalSteps: number): LrSchedule {
  if (!(peakLr >= 0)) throw new RangeError(`learning rate must be >= 0, got ${peakLr}`);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new RangeError(`warmup steps must be a non-negative integer, got ${warmupSteps}`);
  }
  if (!Number.isInteger(totalSteps) || totalSteps < 0) {
    throw new RangeError(`total steps must be a non-negative integer, got ${totalSteps}`);
  }
  return {
    peakLr,
    warmupSteps,
    totalSteps,
    lrAt: (step: number) => peakLr * linearWarmupFactor(step, warmupSteps, totalSteps),
  };
}

/** A constant learning rate (HF `lr_scheduler_type="constant"`). */
export function constantSchedule(lr: number, totalSteps: number): LrSchedule {
  return { peakLr: lr, warmupSteps: 0, totalSteps, lrAt: () => lr };
}

/**
 * Number of warmup steps as HF `TrainingArguments.get_warmup_steps`: explicit steps win,
 * otherwise `ceil(totalSteps * warmupRatio)`.
 */
export function warmupStepsFor(totalSteps: number, opts: { warmupSteps?: number; warmupRatio?: number }): number {
  const steps = opts.warmupSteps ?? 0;
  if (steps > 0) return Math.floor(steps);
  const ratio = opts.warmupRatio ?? 0;
  if (ratio < 0 || ratio > 1) throw new RangeError(`warmup ratio must be in [0, 1], got ${ratio}`);
  return Math.ceil(totalSteps * ratio);
}
