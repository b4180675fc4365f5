import { Simulator } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { GradientUnit, LifUnit, SpikeEncoder } from './units.js';

describe('vector units', () => {
  it('LIF: u[t] = lam u[t-1] (1 - s[t-1]) + I[t], hard reset, fire at theta', () => {
    const u = new Float64Array(3);
    const s = new Float64Array(3);
    LifUnit.step(u, s, [0.6, 1.2, 0.2], 0.9, 1);
    expect(Array.from(s)).toEqual([0, 1, 0]);
    LifUnit.step(u, s, [0.6, 0.5, 0.2], 0.9, 1);
    expect(Array.from(u).map((x) => +x.toFixed(12))).toEqual([1.14, 0.5, 0.38]);
    expect(Array.from(s)).toEqual([1, 0, 0]);
  });

  it('gradient unit: du[t] = ds sg + lam (1 - s) du[t+1]', () => {
    const du = new Float64Array(2);
    GradientUnit.step(du, [1, 2], [0.5, 0], [0, 1], [10, 10], 0.9);
    expect(Array.from(du)).toEqual([0.5 + 9, 0]);
  });

  it('rate coding draws from the component\'s own seeded stream: same seed, same spikes', () => {
    const draw = (seed: number): number[] => {
      const e = new SpikeEncoder(new Simulator({ seed }), 'enc', { coding: 'rate' });
      const out = new Float64Array(64);
      e.encode(new Float64Array(64).fill(0.5), out);
      return Array.from(out);
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(draw(3).every((x) => x === 0 || x === 1)).toBe(true);
  });
});
