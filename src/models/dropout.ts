/**
 * Inverted dropout with reproducible masks: every forward pass in training mode gets a
 * `dropoutSeed`, and each dropout site draws its own seed from that stream in call order, so
 * the same seed and inputs give the same masks (and the same gradients) on every backend.
 */
import type * as tf from "@tensorflow/tfjs";
import { dropout, type DropoutSite } from "../backend/ops";
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

  /**
   * The next dropout site at `rate`, or undefined when it is the identity (inactive, rate ≤ 0).
   * A seed is drawn only for 0 < rate < 1 (rate ≥ 1 zeroes everything).
   */
  site(rate: number): DropoutSite | undefined {
    if (this.rng === undefined || rate <= 0) return undefined;
    return { rate, seed: rate >= 1 ? 0 : this.rng.seed() };
  }

  /** `x · mask / (1 - rate)` with a fresh Bernoulli(1 - rate) mask, or `x` when inactive. */
  apply<T extends tf.Tensor>(x: T, rate: number): T {
    const s = this.site(rate);
    return s === undefined ? x : dropout(x, s.rate, s.seed);
  }
}
