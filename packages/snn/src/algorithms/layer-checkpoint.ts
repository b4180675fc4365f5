import type { AlgorithmContribution } from '@sata/plugin-api';
import { intParam, range } from './common.js';

/**
 * `bptt-checkpoint-layers:K`: exact BPTT with activation checkpointing over the network's
 * depth (Chen et al. 2016, "Training deep nets with sublinear memory cost"). The weighted
 * layers are split into K segments in order; after the forward pass only what a segment's
 * recomputation reads (its input, and shortcuts that enter it) stays; right before each
 * segment's backward pass (the last segment first) its forward pass over all T steps runs
 * again. Unlike checkpointing over time, every pass still covers all T steps, so batch norm
 * over time recomputes its statistics exactly and a time-batching dataflow still stacks the
 * steps. Its gradient is BPTT's.
 */
export const layerCheckpointAlgorithm: AlgorithmContribution = {
  name: 'bptt-checkpoint-layers',
  version: '1.0.0',
  description: 'BPTT with checkpoints between K segments of the network (bptt-checkpoint-layers:K): each segment but the last recomputed, all T steps, before its backward pass',
  instantiate(param, T, _seed, where) {
    const K = intParam(param, where, 'bptt-checkpoint-layers', { required: true, max: 1024 })!;
    const all = range(0, T);
    return {
      label: `bptt-checkpoint-layers:${K}`, name: 'bptt-checkpoint-layers',
      lossWindows: [all],
      cutBefore: () => false,
      phases: [
        { forward: all },
        ...range(0, K)
          .reverse()
          .flatMap((c) => [...(c < K - 1 ? [{ forward: all, recompute: true, layers: { segment: c, of: K } }] : []), { backward: [...all].reverse(), layers: { segment: c, of: K } }]),
      ],
      timeGroups: [all],
      summary: `keeps the inputs of ${K} segments of the network's layers (and the last segment); recomputes the other segments' forward passes over all steps`,
    };
  },
};
