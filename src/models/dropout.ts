/**
 * Inverted dropout with reproducible masks: every forward pass in training mode gets a
 * `dropoutSeed`, and each dropout site draws its own seed from that stream in call order, so
 * the same seed and inputs give the same masks (and the same gradients) on every backend.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng, type RngState } from "../util/random";

/** Per-forward-pass source of dropout masks; `undefined` rate or eval mode means identity. */
export class DropoutContext {
  private readonly rng: Rng | undefined;

  /** `seed === undefined` disables dropout (evaluation mode); `state` resumes a stream (see {@link replay}). */
  constructor(seed: number | undefined, state?: RngState) {
    this.rng = state ? Rng.fromState(state) : seed === undefined ? undefined : new Rng(seed);
  }

  /** A context that draws the same masks as this one will from here on (to recompute a block exactly). */
  replay(): DropoutContext {
    return new DropoutContext(undefined, this.rng?.state());
  }

  get active(): boolean {
    return this.rng !== undefined;
  }

  /** `x · mask / (1 - rate)` with a fresh Bernoulli(1 - rate) mask, or `x` when inactive. */
  apply<T extends tf.Tensor>(x: T, rate: number): T {
    if (this.rng === undefined || rate <= 0) return x;
    if (rate >= 1) return tf.zerosLike(x);
    const mask = dropoutMask(x.size, rate, this.rng.seed());
    return tf.mul(x, tf.tensor(mask, x.shape, "float32")) as T;
  }
}

/** A Float32Array of `0` (probability `rate`) or `1 / (1 - rate)`, from `seed`. */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const keep = 1 / (1 - rate);
  // Compare raw 32-bit draws with an integer threshold: no float conversion per element.
  const threshold = Math.floor(rate * 4294967296);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.nextUint32() >= threshold ? keep : 0;
  return out;
}
