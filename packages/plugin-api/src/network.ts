import type { ContributionBase } from './contributions.js';
import type { LayerParams } from './layer-kind.js';

/**
 * One layer of a network specification (snn-model.md, "Graph networks"). `type` names a
 * layer kind registered in the layer table (built-in: conv, fc, batchnorm, lif, if, add,
 * maxpool (alias pool), avgpool, sumpool, globalavgpool, scale, li, i, and the heads out and
 * readout; plugins add more). `inputs` names the
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

/** What a network file format reads: the structure, and the parameters when the file holds them. */
export interface NetworkFileContents {
  readonly spec: NetworkSpec;
  /** Parameter tensors by layer name (a trained network's own weights); layers left out are initialised from the seed. */
  readonly params?: Readonly<Record<string, LayerParams>>;
  /** What the reader mapped approximately or dropped (printed as warnings). */
  readonly notes?: readonly string[];
}

/** Options a format reader takes from the command line (`--dt` for continuous-time neurons). */
export interface NetworkReadOptions {
  /** Seconds per time step (default DEFAULT_DT_SECONDS). */
  readonly dt?: number;
}

/**
 * Seconds a time step stands for where a network format has continuous-time neurons (NIR's
 * tau becomes the per-step leak lam = 1 - dt/tau): 0.1 ms, the step of the exporting
 * libraries (snnTorch, SpikingJelly). The configuration's `dtSeconds` and `--dt` default to it.
 */
export const DEFAULT_DT_SECONDS = 1e-4;

/**
 * A network file format other than the project's JSON/YAML (NIR: `.nir`). `read` is
 * synchronous, since every command resolves its network synchronously; `write` may load a
 * library first. Errors are ConfigErrors naming the file and the node.
 */
export interface NetworkFormatContribution extends ContributionBase {
  /** File name endings it reads, with the dot, lower case (`.nir`). */
  readonly extensions: readonly string[];
  read(path: string, options: NetworkReadOptions): NetworkFileContents;
}
