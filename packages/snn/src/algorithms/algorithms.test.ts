import { Rng } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { runBptt } from '../bptt.js';
import { resolveNetwork } from '../network.js';
import { initWeights } from '../train.js';
import { ZOO } from '../zoo.js';
import { algorithmFor, BUILTIN_ALGORITHMS } from './index.js';

describe('training algorithms', () => {
  it('parse their parameters and refuse bad ones, naming the algorithm', () => {
    expect(BUILTIN_ALGORITHMS.map((a) => a.name)).toEqual(['bptt', 'tbptt', 'sltt', 'ottt', 'bptt-checkpoint', 'bptt-checkpoint-layers']);
    expect(algorithmFor('tbptt:3', 8, 1).lossWindows).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
    expect(algorithmFor('ottt:0.8', 4, 1).presynapticTrace).toBe(0.8);
    expect(algorithmFor('ottt', 4, 1).presynapticTrace).toBe(0.9);
    expect(() => algorithmFor('tbptt', 4, 1, undefined, '--algorithm')).toThrow(/--algorithm: algorithm tbptt needs a parameter, as tbptt:K/);
    expect(() => algorithmFor('tbptt:0', 4, 1)).toThrow(/K must be an integer/);
    expect(() => algorithmFor('sltt:5', 4, 1)).toThrow(/sltt:5: K must be an integer in 1\.\.4/);
    expect(() => algorithmFor('ottt:2', 4, 1)).toThrow(/trace decay must be a number in \[0, 1\]/);
    expect(() => algorithmFor('bptt:2', 4, 1)).toThrow(/bptt takes no parameter/);
    expect(() => algorithmFor('rtrl', 4, 1)).toThrow(/unknown training algorithm "rtrl" \(known: bptt, tbptt, sltt, ottt, bptt-checkpoint/);
  });

  it('order their work in phases: BPTT all forward then all backward; SLTT step by step; checkpointing recomputes all segments but the last', () => {
    expect(algorithmFor('bptt', 3, 1).phases).toEqual([{ forward: [0, 1, 2] }, { backward: [2, 1, 0] }]);
    expect(algorithmFor('sltt', 2, 1).phases).toEqual([{ forward: [0], backward: [0] }, { forward: [1], backward: [1] }]);
    expect(algorithmFor('tbptt:2', 4, 1).phases).toEqual([{ forward: [0, 1] }, { backward: [1, 0] }, { forward: [2, 3] }, { backward: [3, 2] }]);
    expect(algorithmFor('bptt-checkpoint:2', 6, 1).phases).toEqual([
      { forward: [0, 1, 2, 3, 4, 5] }, { backward: [5, 4] }, { forward: [2, 3], recompute: true }, { backward: [3, 2] }, { forward: [0, 1], recompute: true }, { backward: [1, 0] },
    ]);
    // Over the network's depth: every pass covers all steps; segments run last first, each but the last recomputed.
    expect(algorithmFor('bptt-checkpoint-layers:3', 2, 1).phases).toEqual([
      { forward: [0, 1] },
      { backward: [1, 0], layers: { segment: 2, of: 3 } },
      { forward: [0, 1], recompute: true, layers: { segment: 1, of: 3 } }, { backward: [1, 0], layers: { segment: 1, of: 3 } },
      { forward: [0, 1], recompute: true, layers: { segment: 0, of: 3 } }, { backward: [1, 0], layers: { segment: 0, of: 3 } },
    ]);
    expect(() => algorithmFor('bptt-checkpoint-layers', 4, 1)).toThrow(/needs a parameter, as bptt-checkpoint-layers:K/);
    const k = algorithmFor('sltt:2', 6, 7);
    expect(k.lossWindows).toHaveLength(2);
    expect(k.phases.filter((p) => p.backward).map((p) => p.backward![0])).toEqual(k.lossWindows.map((w) => w[0]));
    expect(algorithmFor('sltt:2', 6, 7).lossWindows).toEqual(k.lossWindows); // seeded
  });

  const net = resolveNetwork(ZOO.find((z) => z.name === 'digits-cnn')!);
  const rng = new Rng(3);
  const T = 4;
  const inputs = Array.from({ length: T }, () => Float64Array.from({ length: 2 * 64 }, () => rng.nextFloat()));
  const w = initWeights(net, { seed: 2, dtype: 'float64' });
  const run = (a: string) => runBptt(net, w, inputs, [3, 7], { T, lam: 0.9, theta: 1, algorithm: algorithmFor(a, T, 5) });

  it('checkpointing gives BPTT\'s gradient exactly; the others cut what they define', () => {
    const bptt = run('bptt');
    for (const a of ['bptt-checkpoint:2', 'bptt-checkpoint-layers:2']) {
      const ck = run(a);
      for (const [i, tr] of bptt.layers.entries()) for (const [k, g] of Object.entries(tr.grads)) expect([...ck.layers[i]!.grads[k]!]).toEqual([...g]);
    }
    // SLTT: no temporal term, so du[t] = ds[t] sg[t] exactly.
    const sltt = run('sltt');
    const lif = sltt.layers[1]!;
    for (let t = 0; t < T; t++) lif.state['du']![t]!.forEach((v, i) => expect(v === lif.dy[t]![i]! * lif.state['sg']![t]![i]!).toBe(true));
    // TBPTT:2: at a window's last step (t = 2, 0-based 1) the temporal term is cut too, inside the window it is not.
    const tb = run('tbptt:2').layers[1]!;
    tb.state['du']![1]!.forEach((v, i) => expect(v === tb.dy[1]![i]! * tb.state['sg']![1]![i]!).toBe(true));
    expect(tb.state['du']![0]!.some((v, i) => v !== tb.dy[0]![i]! * tb.state['sg']![0]![i]!)).toBe(true);
    // SLTT-K: the output gradient is zero at the steps it does not back-propagate.
    const k = algorithmFor('sltt:2', T, 5);
    const chosen = new Set(k.lossWindows.flat());
    const out = run('sltt:2').layers[net.head]!;
    for (let t = 0; t < T; t++) expect(out.dy[t]!.some((v) => v !== 0)).toBe(chosen.has(t));
    // OTTT keeps each weighted layer's presynaptic trace.
    const ottt = run('ottt');
    const a = ottt.layers[0]!.state['a']!;
    a[1]!.forEach((v, i) => expect(v).toBeCloseTo(0.9 * inputs[0]![i]! + inputs[1]![i]!, 14));
  });
});
