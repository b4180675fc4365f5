import { ConfigError, Rng } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { runBptt, runForward } from './bptt.js';
import { digitsSplit, gatherBatch } from './data.js';
import { directEncoder, encodeSequence } from './encoders.js';
import { resolveNetwork } from './network.js';
import { countNonzero } from './tensor.js';
import { initWeights } from './train.js';
import { ZOO } from './zoo.js';

const net = resolveNetwork(ZOO.find((z) => z.name === 'digits-cnn')!);
const { train } = digitsSplit(0);
const lif = { T: 4, lam: 0.9, theta: 1.0 };

function iteration(dtype: 'float32' | 'float64') {
  const { x, labels } = gatherBatch(train, [...Array(32).keys()], dtype);
  const inputs = encodeSequence(directEncoder, x, lif.T, new Rng(1), dtype);
  return runBptt(net, initWeights(net, { seed: 3, dtype }), inputs, labels, lif);
}

describe('one BPTT iteration on digits-cnn', () => {
  const r64 = iteration('float64');

  it('keeps every tensor per layer and step with its exact nonzero counts', () => {
    expect(r64.layers.map((tr) => tr.layer.name)).toEqual(['conv1', 'conv1_lif', 'pool1', 'conv2', 'conv2_lif', 'pool2', 'fc1', 'fc1_lif', 'out']);
    for (const tr of r64.layers) {
      expect(tr.y).toHaveLength(lif.T);
      expect(tr.dy).toHaveLength(lif.T);
      tr.nnz.forEach((c, t) => {
        expect(tr.x[0]![t]!.length).toBe(tr.inNumel);
        expect(tr.y[t]!.length).toBe(tr.numel);
        expect(c.x).toBe(countNonzero(tr.x[0]![t]!));
        expect(c.y).toBe(countNonzero(tr.y[t]!));
        expect(c.dy).toBe(countNonzero(tr.dy[t]!));
        if (tr.layer.def.neuron) {
          for (const k of ['u', 'sg', 'du']) expect(tr.state[k]![t]!.length).toBe(tr.numel);
          expect(c.sg).toBe(countNonzero(tr.state['sg']![t]!));
          expect(c.du).toBe(countNonzero(tr.state['du']![t]!));
          // A neuron's input gradient is its du: the current's output gradient.
          expect([...r64.layers[tr.layer.inputs[0]!]!.dy[t]!]).toEqual([...tr.state['du']![t]!]);
        }
      });
      // A layer's input is the very array its producer made.
      const j = tr.layer.inputs[0]!;
      if (j >= 0) expect(tr.x[0]![0]).toBe(r64.layers[j]!.y[0]);
    }
    expect(Object.keys(r64.layers[0]!.grads)).toEqual(['weight']);
    expect(r64.layers[1]!.grads).toEqual({});
  });

  it('reports densities per layer and per time step, overall = mean of the steps (same numel)', () => {
    for (const d of r64.densities) {
      expect(d.perStep).toHaveLength(lif.T);
      if (d.kind === 'lif') {
        const mean = d.perStep.reduce((a, p) => a + p.spike!, 0) / lif.T;
        expect(d.overall.spike).toBeCloseTo(mean, 12);
        expect(d.overall.spike).toBeGreaterThan(0);
        expect(d.overall.spike).toBeLessThan(1);
        expect(d.overall.surrogate).not.toBeNull();
      } else expect(d.overall.surrogate).toBeNull();
    }
    // Max pooling routes one gradient per window: ds below a pooling layer is at most 1/4 dense.
    for (const name of ['conv1_lif', 'conv2_lif']) for (const p of r64.densities.find((d) => d.name === name)!.perStep) expect(p.ds!).toBeLessThanOrEqual(0.25);
    expect(r64.densities[8]!.overall.spike).toBeNull();
  });

  it('gives the same result in float32 up to float32 rounding', () => {
    const r32 = iteration('float32');
    expect(Math.abs(r32.loss - r64.loss) / r64.loss).toBeLessThan(1e-4);
    for (let i = 0; i < r64.densities.length; i++) {
      const a = r32.densities[i]!.overall;
      const b = r64.densities[i]!.overall;
      if (b.spike !== null) expect(Math.abs(a.spike! - b.spike)).toBeLessThan(0.01);
    }
  });

  it('runForward gives the same logits as runBptt', () => {
    const { x } = gatherBatch(train, [...Array(32).keys()], 'float64');
    const f = runForward(net, initWeights(net, { seed: 3, dtype: 'float64' }), encodeSequence(directEncoder, x, lif.T, new Rng(1)), lif);
    expect([...f.logits]).toEqual([...r64.logits]);
  });

  it('rejects inputs that do not fit the network', () => {
    const w = initWeights(net, { seed: 3, dtype: 'float64' });
    const x = new Float64Array(2 * 64);
    expect(() => runBptt(net, w, [x, x, x], [0, 1], lif)).toThrow(/expected 4 input tensors/);
    expect(() => runBptt(net, w, [x, x, x, x], [0, 10], lif)).toThrow(/label 1 = 10 is not a class in 0\.\.9/);
    expect(() => runBptt(net, w.slice(1), [x, x, x, x], [0, 1], lif)).toThrow(ConfigError);
    const bad = [...w];
    bad[3] = { weight: new Float64Array(5) };
    expect(() => runBptt(net, bad, [x, x, x, x], [0, 1], lif)).toThrow(/layer 3 \(conv2\): expected float64 weight of shape 32x16x3x3 \(4608 values\), found float64 of 5/);
  });
});
