import type { ContributionBase } from './contributions.js';

/**
 * One layer of a network specification (snn-model.md, "Graph networks"). `type` names a
 * layer kind registered in the layer table (built-in: conv, fc, batchnorm, lif, if, add,
 * maxpool (alias pool), avgpool, globalavgpool, out; plugins add more). `inputs` names the
 * layers it reads (`input` is the network input); by default it reads the layer before it.
 * The other fields belong to the kind, which validates them. A `conv` or `fc` without
 * `neuron: false` is the shorthand of format 1: a current followed by a LIF neuron.
 */
export interface LayerSpec {
  readonly type: string;
  readonly name?: string;
  readonly inputs?: readonly string[];
  readonly [field: string]: unknown;
}

export type LayerType = string;

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
