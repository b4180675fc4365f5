import type { Rng } from '@sata/core';
import type { ContributionBase } from './contributions.js';

/**
 * A spike encoder: turns an analog input (values in [0, 1]) into the first layer's input
 * at each time step. It states what the first layer then computes: real multiplies
 * (`direct`: analog values every step) or AND-gated accumulates (binary spikes).
 */
export interface EncoderContribution extends ContributionBase {
  /** What the first layer computes on this encoder's output: real multiplies or AND-gated accumulates. */
  readonly firstLayerOperation: 'multiply' | 'and-accumulate';
  /**
   * Writes the input of time step `t` (0-based) for the analog input `x` into `out` (same
   * length). Randomness comes only from `rng`, which the caller derives per time step from
   * a seeded, splittable stream, so the same seed gives the same spikes.
   */
  encode(x: ArrayLike<number>, t: number, rng: Rng, out: Float32Array | Float64Array): void;
}
