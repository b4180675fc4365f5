import type { ContributionBase } from './contributions.js';

/** One layer of a network specification (snn-model.md). Shapes are inferred from the input. */
export type LayerSpec =
  | { readonly type: 'conv'; readonly name?: string; readonly out: number; readonly kernel: number; readonly stride?: number; readonly padding?: number }
  | { readonly type: 'fc'; readonly name?: string; readonly out: number }
  | { readonly type: 'pool'; readonly name?: string }
  | { readonly type: 'out'; readonly name?: string; readonly out: number };

export interface NetworkSpec {
  readonly name: string;
  /** [C, H, W] of one sample. */
  readonly inputShape: readonly [number, number, number];
  readonly layers: readonly LayerSpec[];
  /** What the network is usually trained on (informative). */
  readonly dataset?: string;
}

export interface NetworkContribution extends ContributionBase {
  readonly spec: NetworkSpec;
}
