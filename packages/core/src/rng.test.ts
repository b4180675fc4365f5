import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

const draw = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextUint32());

describe('Rng', () => {
  it('reproduces the same stream for the same seed and path', () => {
    expect(draw(new Rng(42, 'sata.array'), 100)).toEqual(draw(new Rng(42, 'sata.array'), 100));
  });

  it('gives different streams for different seeds and paths', () => {
    const base = draw(new Rng(42, 'a'), 20);
    expect(draw(new Rng(43, 'a'), 20)).not.toEqual(base);
    expect(draw(new Rng(42, 'b'), 20)).not.toEqual(base);
  });

  it('keeps split streams independent: drawing from one does not shift another', () => {
    const root = new Rng(9);
    const a1 = root.split('a');
    const b1 = root.split('b');
    draw(a1, 1000);
    const bAfter = draw(b1, 10);
    expect(bAfter).toEqual(draw(new Rng(9).split('b'), 10));
    expect(root.split('x').split('y').path).toBe('x.y');
  });

  it('draws floats uniformly in [0, 1)', () => {
    const r = new Rng(1, 'u');
    let sum = 0;
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      bins[Math.floor(x * 10)]++;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('rejects bad seeds and bounds', () => {
    expect(() => new Rng(-1)).toThrow(/seed/);
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(1).nextInt(0)).toThrow(/bound/);
  });
});
