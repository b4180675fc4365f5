/**
 * `bptt`: backpropagation through time, the full gradient (snn-model.md). Forward keeps every
 * layer's state for every step; backward runs from T down to 1. A time-batching dataflow
 * stacks a layer's T steps into one GEMM.
 */
import type { AlgorithmContribution } from '@sata/plugin-api';
import { ConfigError } from '@sata/core';
import { range } from './common.js';

export const bpttAlgorithm: AlgorithmContribution = {
  name: 'bptt',
  version: '1.0.0',
  description: 'Backpropagation through time: the full gradient; state of every step kept for the backward pass',
  instantiate(param, T, _seed, where) {
    if (param) throw new ConfigError(`${where}: algorithm bptt takes no parameter, found bptt:${param}`);
    return {
      label: 'bptt', name: 'bptt',
      lossWindows: [range(0, T)],
      cutBefore: () => false,
      phases: [{ forward: range(0, T) }, { backward: range(0, T).reverse() }],
      timeGroups: [range(0, T)],
      summary: 'keeps every step of every layer until the backward pass; the full gradient',
    };
  },
};
