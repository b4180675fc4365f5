/**
 * `ottt:lambda` (online training through time, Xiao et al., NeurIPS 2022): as `sltt`, and
 * every weight gradient uses the presynaptic trace a[t] = lambda a[t-1] + x[t] (a[1] = x[1])
 * in place of its input: dW = sum_t dI[t] (x) a[t]; gradients to the input are unchanged.
 * Each weighted layer keeps its input's trace (real values) instead of the history; the
 * weight-gradient GEMM multiplies (the trace is not spikes). lambda defaults to 0.9.
 */
import { ConfigError } from '@sata/core';
import type { AlgorithmContribution } from '@sata/plugin-api';
import { range } from './common.js';

export const otttAlgorithm: AlgorithmContribution = {
  name: 'ottt',
  version: '1.0.0',
  description: 'Online training through time (Xiao et al. 2022): sltt with presynaptic traces in the weight gradient (ottt:lambda, default 0.9)',
  instantiate(param, T, _seed, where) {
    const lam = param === undefined || param === '' ? 0.9 : Number(param);
    if (!(lam >= 0 && lam <= 1)) throw new ConfigError(`${where}: algorithm ottt:${param}: the trace decay must be a number in [0, 1]`);
    return {
      label: param ? `ottt:${lam}` : 'ottt', name: 'ottt',
      lossWindows: range(0, T).map((t) => [t]),
      cutBefore: () => true,
      presynapticTrace: lam,
      phases: range(0, T).map((t) => ({ forward: [t], backward: [t] })),
      timeGroups: range(0, T).map((t) => [t]),
      summary: `keeps one presynaptic trace per weighted layer (decay ${lam}) instead of the history`,
    };
  },
};
