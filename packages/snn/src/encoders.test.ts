import { Rng } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { directEncoder, encodeSequence, rateEncoder } from './encoders.js';

const analog = Float64Array.from({ length: 4000 }, (_, i) => (i % 5) / 4);

describe('encoders', () => {
  it('direct feeds the analog input unchanged at every step', () => {
    const seq = encodeSequence(directEncoder, analog, 3, new Rng(1));
    expect(seq).toHaveLength(3);
    for (const x of seq) expect([...x]).toEqual([...analog]);
    expect(directEncoder.firstLayerOperation).toBe('multiply');
  });

  it('rate draws binary spikes with probability x, the same for the same seed', () => {
    const a = encodeSequence(rateEncoder, analog, 4, new Rng(7, 'enc'));
    const b = encodeSequence(rateEncoder, analog, 4, new Rng(7, 'enc'));
    const c = encodeSequence(rateEncoder, analog, 4, new Rng(8, 'enc'));
    expect(a.map((x) => [...x])).toEqual(b.map((x) => [...x]));
    expect(a.map((x) => [...x])).not.toEqual(c.map((x) => [...x]));
    expect(a[0]).not.toEqual(a[1]); // each step draws its own spikes
    for (const x of a) expect([...new Set(x)].sort()).toEqual([0, 1]);
    // Per-level firing frequency near x (1600 draws per level: 4 sigma is below 0.05).
    for (let level = 0; level < 5; level++) {
      let n = 0;
      let on = 0;
      for (const x of a) for (let i = level; i < x.length; i += 5, n++) on += x[i]!;
      expect(Math.abs(on / n - level / 4)).toBeLessThan(0.05);
    }
    expect(rateEncoder.firstLayerOperation).toBe('and-accumulate');
  });

  it('rate spikes at step t depend only on the seed and t, not on how many steps are drawn', () => {
    const two = encodeSequence(rateEncoder, analog, 2, new Rng(3));
    const five = encodeSequence(rateEncoder, analog, 5, new Rng(3));
    expect([...two[1]!]).toEqual([...five[1]!]);
  });

  it('encodes in the requested dtype', () => {
    expect(encodeSequence(directEncoder, analog, 1, new Rng(1), 'float32')[0]).toBeInstanceOf(Float32Array);
  });
});
