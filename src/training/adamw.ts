/**
 * AdamW exactly as `torch.optim.AdamW` (single-tensor path, amsgrad off), with the
 * Hugging Face Trainer's parameter groups (no weight decay on biases and norm weights).
 *
 * For each parameter p with gradient g, at its step t (1-based):
 *   p  ← p · (1 − lr·wd)                       decoupled weight decay, before the Adam update
 *   m  ← m + (1 − β1)·(g − m)                  torch's lerp
 *   v  ← β2·v + (1 − β2)·g·g
 *   p  ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * Scalars are computed in double precision and applied to float32 tensors, as torch does.
 * On wasm the update is fused and written in place on the heap (src/backend/adamw-kernel.ts, bit
 * for bit the same numbers); elsewhere it runs as tfjs ops, one parameter at a time.
 */
import * as tf from "@tensorflow/tfjs";
import { adamwUpdateInPlace, ensureExclusiveBuffer, inPlaceAdamWAvailable } from "../backend/adamw-kernel";

/** Hyper-parameters of {@link AdamW}; defaults are torch's except weight decay (HF Trainer's 0). */
export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /**
   * Which parameters get weight decay. Defaults to {@link decayParameterNames} (HF Trainer rule).
   */
  decay?: (name: string) => boolean;
}

/** Serializable optimizer state: per-parameter step counts and moment tensors. */
export interface AdamWState {
  steps: Record<string, number>;
  /** `<param>.exp_avg` and `<param>.exp_avg_sq` tensors (owned by the caller once exported). */
  tensors: Map<string, tf.Tensor>;
  hyper: { lr: number; betas: [number, number]; eps: number; weightDecay: number };
}

// transformers.Trainer.get_decay_parameter_names: any of these (on the lower-cased name) means "no decay".
const NO_DECAY_PATTERNS = [/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/];

/** True when the HF Trainer would apply weight decay to the parameter called `name`. */
export function isDecayParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return !NO_DECAY_PATTERNS.some((re) => re.test(lower));
}

/** The subset of `names` that gets weight decay under the HF Trainer's grouping. */
export function decayParameterNames(names: Iterable<string>): string[] {
  return [...names].filter(isDecayParameter);
}

interface Slot {
  step: number;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

/** AdamW over a fixed set of named variables (e.g. `model.namedWeights()`). */
export class AdamW {
  /** The learning rate used when `step` is called without one. */
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private readonly params: Map<string, tf.Variable>;
  private readonly decays: Map<string, boolean>;
  private readonly slots = new Map<string, Slot>();

  constructor(params: Map<string, tf.Variable>, opts: AdamWOptions = {}) {
    this.params = params;
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    const decay = opts.decay ?? isDecayParameter;
    this.decays = new Map([...params.keys()].map((n) => [n, decay(n)]));
    for (const [b, label] of [
      [this.betas[0], "beta1"],
      [this.betas[1], "beta2"],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`AdamW ${label} must be in [0, 1), got ${b}`);
    }
  }

  /** Names of parameters that receive weight decay. */
  decayGroup(): string[] {
    return [...this.decays].filter(([, d]) => d).map(([n]) => n);
  }

  /** Names of parameters without weight decay (biases, LayerNorm weights). */
  noDecayGroup(): string[] {
    return [...this.decays].filter(([, d]) => !d).map(([n]) => n);
  }

  /** Number of updates applied to `name` so far (torch's per-parameter `step`). */
  stepOf(name: string): number {
    return this.slots.get(name)?.step ?? 0;
  }

  /**
   * Apply one update. Parameters missing from `grads` are skipped (like torch params whose
   * `.grad` is None). `grads` are not disposed unless `opts.disposeGrads`: then each gradient is
   * freed (and removed from the map) as soon as it has been applied, which keeps the first step's
   * peak at weights + moments instead of weights + gradients + moments. `opts.gradScale` multiplies
   * every gradient first (the clipping coefficient of src/training/clip.ts, applied inside the update
   * instead of in a pass of its own; the same float32 numbers as clipping the gradients beforehand).
   */
  step(
    grads: Map<string, tf.Tensor>,
    lr: number = this.lr,
    opts: { disposeGrads?: boolean; gradScale?: number } = {},
  ): void {
    const scale = opts.gradScale ?? 1;
    const [beta1, beta2] = this.betas;
    const inPlace = inPlaceAdamWAvailable();
    for (const [name, grad] of [...grads]) {
      const param = this.params.get(name);
      if (!param) throw new Error(`AdamW.step: gradient for unknown parameter "${name}"`);
      const slot = this.slotFor(name, param);
      slot.step += 1;
      const t = slot.step;
      const wd = this.decays.get(name) ? this.weightDecay : 0;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      if (inPlace) {
        // Copy on write: never change a tensor that shares the parameter's buffer.
        ensureExclusiveBuffer(param);
        ensureExclusiveBuffer(slot.expAvg);
        ensureExclusiveBuffer(slot.expAvgSq);
        adamwUpdateInPlace(param, slot.expAvg, slot.expAvgSq, grad, {
          decay: wd !== 0 ? 1 - lr * wd : 1,
          oneMinusBeta1: 1 - beta1,
          beta2,
          oneMinusBeta2: 1 - beta2,
          bc2Sqrt,
          eps: this.eps,
          negStepSize: -stepSize,
          gradScale: scale,
        });
      } else {
        tf.tidy(() => {
          const g = scale !== 1 ? grad.mul(tf.scalar(scale)) : grad;
          const p = wd !== 0 ? param.mul(tf.scalar(1 - lr * wd)) : (param as tf.Tensor);
          const m = slot.expAvg.add(g.sub(slot.expAvg).mul(tf.scalar(1 - beta1)));
          const v = slot.expAvgSq.mul(tf.scalar(beta2)).add(g.mul(tf.scalar(1 - beta2)).mul(g));
          const denom = v.sqrt().div(tf.scalar(bc2Sqrt)).add(tf.scalar(this.eps));
          slot.expAvg.assign(m);
          slot.expAvgSq.assign(v);
          param.assign(p.add(m.mul(tf.scalar(-stepSize)).div(denom)));
        });
      }
      if (opts.disposeGrads) {
        grad.dispose();
        grads.delete(name);
      }
    }
  }

  /** Copy of the state for a checkpoint (tensors are fresh clones the caller must dispose). */
  exportState(): AdamWState {
    const steps: Record<string, number> = {};
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, slot] of this.slots) {
      steps[name] = slot.step;
      tensors.set(`${name}.exp_avg`, slot.expAvg.clone());
      tensors.set(`${name}.exp_avg_sq`, slot.expAvgSq.clone());
    }
    return {
      steps,
      tensors,
      hyper: { lr: this.lr, betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay },
    };
  }

  /** Restore a state written by {@link exportState} (tensors are copied, not taken over). */
  loadState(state: { steps: Record<string, number>; tensors: Map<string, tf.Tensor> }): void {
    this.disposeSlots();
    for (const [name, step] of Object.entries(state.steps)) {
      const param = this.params.get(name);
      if (!param) throw new Error(`optimizer state names unknown parameter "${name}"`);
      const m = state.tensors.get(`${name}.exp_avg`);
      const v = state.tensors.get(`${name}.exp_avg_sq`);
      if (!m || !v) throw new Error(`optimizer state lacks exp_avg/exp_avg_sq for "${name}"`);
      if (!tf.util.arraysEqual(m.shape, param.shape) || !tf.util.arraysEqual(v.shape, param.shape)) {
        throw new Error(`optimizer state for "${name}" has shape ${m.shape}, parameter has ${param.shape}`);
      }
      this.slots.set(name, { step, expAvg: ownedVariable(m.toFloat()), expAvgSq: ownedVariable(v.toFloat()) });
    }
  }

  /** Free the moment tensors. */
  dispose(): void {
    this.disposeSlots();
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) {
      slot.expAvg.dispose();
      slot.expAvgSq.dispose();
    }
    this.slots.clear();
  }

  private slotFor(name: string, param: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { step: 0, expAvg: ownedVariable(tf.zerosLike(param)), expAvgSq: ownedVariable(tf.zerosLike(param)) };
      this.slots.set(name, slot);
    }
    return slot;
  }
}

/** A non-trainable variable holding `initial`'s values; `initial` is disposed (the variable keeps the buffer). */
function ownedVariable(initial: tf.Tensor): tf.Variable {
  const v = tf.variable(initial, false);
  initial.dispose();
  return v;
}
