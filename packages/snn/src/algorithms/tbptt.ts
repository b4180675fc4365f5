/**
 * `tbptt:K`: truncated BPTT. The steps form windows of K (the last may be shorter); each
 * window runs forward and then backward through its own steps, the membrane potential
 * entering the next window as a constant (state carried forward, gradient cut at the
 * edge); loss = mean over windows of the cross-entropy of the window's mean output. Only a
 * window's state is kept.
 */
import type { AlgorithmContribution } from '@sata/plugin-api';
import { intParam, windowsOf } from './common.js';

export const tbpttAlgorithm: AlgorithmContribution = {
  name: 'tbptt',
  version: '1.0.0',
  description: 'Truncated BPTT over windows of K steps (tbptt:K): state carried, gradient cut at window edges',
  instantiate(param, T, _seed, where) {
    const K = intParam(param, where, 'tbptt', { required: true })!;
    const windows = windowsOf(T, K);
    return {
      label: `tbptt:${K}`, name: 'tbptt',
      lossWindows: windows,
      cutBefore: (t) => t % K === 0,
      phases: windows.flatMap((w) => [{ forward: w }, { backward: [...w].reverse() }]),
      timeGroups: windows,
      summary: `keeps the state of one window of ${K} step(s); no gradient across window edges`,
    };
  },
};
