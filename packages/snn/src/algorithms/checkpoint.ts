/**
 * `bptt-checkpoint:K`: exact BPTT that keeps the state only at the edges of segments of K
 * steps after the forward pass, and recomputes each segment's forward pass (from its
 * checkpoint; the loss head is not run again) right before that segment's backward pass:
 * less memory, more forward work. The last segment's state is still there and is not
 * recomputed. Its gradient is BPTT's.
 */
import type { AlgorithmContribution } from '@sata/plugin-api';
import { intParam, range, windowsOf } from './common.js';

export const checkpointAlgorithm: AlgorithmContribution = {
  name: 'bptt-checkpoint',
  version: '1.0.0',
  description: 'BPTT with checkpoints every K steps (bptt-checkpoint:K): segments recomputed before their backward pass',
  instantiate(param, T, _seed, where) {
    const K = intParam(param, where, 'bptt-checkpoint', { required: true })!;
    const segments = windowsOf(T, K);
    const last = segments.length - 1;
    return {
      label: `bptt-checkpoint:${K}`, name: 'bptt-checkpoint',
      lossWindows: [range(0, T)],
      cutBefore: () => false,
      phases: [
        { forward: range(0, T) },
        ...segments
          .map((seg, c) => ({ seg, c }))
          .reverse()
          .flatMap(({ seg, c }) => [...(c < last ? [{ forward: seg, recompute: true }] : []), { backward: [...seg].reverse() }]),
      ],
      timeGroups: [range(0, T)],
      summary: `keeps the state at every ${K}-th step and the last segment; recomputes the other segments' forward passes`,
    };
  },
};
