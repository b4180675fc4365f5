/**
 * The layer table of a network, as `sata network show` prints it: per layer its kind,
 * inputs, shapes, parameters and dense operations per time step for FP, BP and WG (each
 * kind counts its own), and the totals.
 */
import type { Network } from './network.js';

export interface LayerSummary {
  readonly index: number;
  readonly name: string;
  readonly kind: string;
  readonly inputs: readonly string[];
  readonly inShapes: readonly (readonly number[])[];
  readonly outShape: readonly number[];
  /** Output values: `spike` (binary) or `real`; with the bits a count of spikes needs. */
  readonly value: string;
  readonly bits?: number;
  /** Trainable parameter values. */
  readonly params: number;
  /** Dense operations per time step for the batch: FP, BP (to the input), WG. */
  readonly ops: { readonly FP: number; readonly BP: number; readonly WG: number };
}

export interface NetworkSummary {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly batch: number;
  readonly layers: readonly LayerSummary[];
  readonly totals: { readonly params: number; readonly neurons: number; readonly ops: { readonly FP: number; readonly BP: number; readonly WG: number } };
  readonly warnings: readonly string[];
}

export function summarizeNetwork(net: Network, batch = 1): NetworkSummary {
  const layers = net.layers.map((l): LayerSummary => ({
    index: l.index, name: l.name, kind: l.kind, inputs: l.inputNames, inShapes: l.inShapes, outShape: l.outShape,
    value: l.value, ...(l.bits !== undefined ? { bits: l.bits } : {}),
    params: l.weightCount, ops: l.def.denseOps(l, batch),
  }));
  const sum = (f: (l: LayerSummary) => number): number => layers.reduce((s, l) => s + f(l), 0);
  return {
    name: net.name, inputShape: net.inputShape, batch, layers,
    totals: {
      params: sum((l) => l.params),
      neurons: net.layers.filter((l) => l.def.neuron).reduce((s, l) => s + batch * l.outSize, 0),
      ops: { FP: sum((l) => l.ops.FP), BP: sum((l) => l.ops.BP), WG: sum((l) => l.ops.WG) },
    },
    warnings: net.warnings,
  };
}
