import type { Rng } from '@sata/core';
import type { ContributionBase } from './contributions.js';

/** A spike encoder: turns an analog input into the first layer's input at each time step. */
export interface EncoderContribution extends ContributionBase {
  /** What the first layer computes on this encoder's output: real multiplies or AND-gated accumulates. */
  readonly firstLayerOperation: 'multiply' | 'and-accumulate';
  /** Writes the input of time step `t` (0-based) for analog input `x` into `out`. */
  encode(x: Float64Array, t: number, rng: Rng, out: Float64Array): void;
}
