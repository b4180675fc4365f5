import type { ContributionBase } from './contributions.js';

/**
 * One layer of a network specification (snn-model.md). Input channels and sizes are
 * inferred from the previous layer; `in`, when given, is checked against the inference
 * (the golden files state it). `conv` and `fc` are followed by LIF neurons, `pool` is a
 * 2x2 stride-2 max pooling of spikes, `out` is the final linear layer that integrates and
 * never fires (exactly one, last).
 */
export type LayerSpec =
  | {
      readonly type: 'conv';
      readonly name?: string;
      readonly in?: number;
      readonly out: number;
      readonly kernel: number;
      readonly stride?: number;
      readonly padding?: number;
    }
  | { readonly type: 'fc'; readonly name?: string; readonly in?: number; readonly out: number }
  | { readonly type: 'pool'; readonly name?: string }
  | { readonly type: 'out'; readonly name?: string; readonly in?: number; readonly out: number };

export type LayerType = LayerSpec['type'];

export interface NetworkSpec {
  readonly name: string;
  /** [C, H, W] of one sample; a flat input of n values is [n, 1, 1]. */
  readonly inputShape: readonly [number, number, number];
  readonly layers: readonly LayerSpec[];
  /** What the network is usually trained on (informative). */
  readonly dataset?: string;
  readonly description?: string;
}

export interface NetworkContribution extends ContributionBase {
  readonly spec: NetworkSpec;
}
