/**
 * `sltt` (spatial learning through time, Meng et al., ICCV 2023): the temporal term of du is
 * dropped (u[t-1] enters u[t] as a constant, du[t] = ds[t] sg[t]), so each step's backward
 * runs right after its forward and nothing is kept across steps for the backward pass;
 * loss = mean over steps of each step's cross-entropy. `sltt:K` back-propagates at K of the
 * T steps, chosen at random (seeded by the run's seed) as the paper's SLTT-K; the loss is
 * then the mean over those K steps.
 */
import { Rng } from '@sata/core';
import type { AlgorithmContribution } from '@sata/plugin-api';
import { intParam, range } from './common.js';

export const slttAlgorithm: AlgorithmContribution = {
  name: 'sltt',
  version: '1.0.0',
  description: 'Spatial learning through time (Meng et al. 2023): no temporal gradient, backward right after each step; sltt:K at K of the T steps',
  instantiate(param, T, seed, where) {
    const K = intParam(param, where, 'sltt', { required: false, max: T }) ?? T;
    const chosen = K === T ? range(0, T) : new Rng(seed, 'sltt.steps').shuffle(range(0, T)).slice(0, K).sort((a, b) => a - b);
    const pick = new Set(chosen);
    return {
      label: K === T ? 'sltt' : `sltt:${K}`, name: 'sltt',
      lossWindows: chosen.map((t) => [t]),
      cutBefore: () => true,
      phases: range(0, T).map((t) => (pick.has(t) ? { forward: [t], backward: [t] } : { forward: [t] })),
      timeGroups: range(0, T).map((t) => [t]),
      summary: `keeps nothing across steps for the backward pass; backward at ${K === T ? 'every step' : `steps ${chosen.map((t) => t + 1).join(', ')}`}`,
    };
  },
};
