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
    expect(r64.layers).toHaveLength(6);
    for (const tr of r64.layers) {
      expect(tr.steps).toHaveLength(lif.T);
      for (const st of tr.steps) {
        expect(st.x.length).toBe(tr.inNumel);
        expect(st.nnz.x).toBe(countNonzero(st.x));
        if (tr.kind === 'conv' || tr.kind === 'fc') {
          const s = st as (typeof tr.steps)[number];
          for (const k of ['u', 's', 'sg', 'du', 'ds'] as const) expect(s[k].length).toBe(tr.numel);
          expect(s.nnz).toEqual({ x: countNonzero(s.x), s: countNonzero(s.s), sg: countNonzero(s.sg), du: countNonzero(s.du), ds: countNonzero(s.ds) });
        }
      }
    }
  });

  it('reports densities per layer and per time step, overall = mean of the steps (same numel)', () => {
    for (const d of r64.densities) {
      expect(d.perStep).toHaveLength(lif.T);
      if (d.kind === 'conv' || d.kind === 'fc') {
        const mean = d.perStep.reduce((a, p) => a + p.spike!, 0) / lif.T;
        expect(d.overall.spike).toBeCloseTo(mean, 12);
        expect(d.overall.spike).toBeGreaterThan(0);
        expect(d.overall.spike).toBeLessThan(1);
      }
    }
    // Max pooling routes one gradient per window: ds below a pooling layer is at most 1/4 dense.
    for (const i of [0, 2]) for (const p of r64.densities[i]!.perStep) expect(p.ds!).toBeLessThanOrEqual(0.25);
    expect(r64.densities[5]!.overall.spike).toBeNull();
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
    bad[2] = new Float64Array(5);
    expect(() => runBptt(net, bad, [x, x, x, x], [0, 1], lif)).toThrow(/layer 2 \(conv2\): expected float64 weights of shape 32x16x3x3/);
  });
});
