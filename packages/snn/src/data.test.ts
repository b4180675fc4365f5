import { describe, expect, it } from 'vitest';
import { digitsSplit, gatherBatch, loadDigits, syntheticDataset } from './data.js';

describe('digits', () => {
  const all = loadDigits();

  it('loads the 1797 shipped digits, pixels in [0, 1], every class present', () => {
    expect(all.count).toBe(1797);
    expect(all.source).toBe('uci-digits');
    expect(Math.min(...all.x)).toBe(0);
    expect(Math.max(...all.x)).toBe(1);
    expect(new Set(all.labels).size).toBe(10);
  });

  it('splits 1500 / 297 deterministically, disjoint and complete', () => {
    const a = digitsSplit(0);
    const b = digitsSplit(0);
    const c = digitsSplit(1);
    expect([a.train.count, a.test.count]).toEqual([1500, 297]);
    expect([...a.test.labels]).toEqual([...b.test.labels]);
    expect([...a.test.x]).toEqual([...b.test.x]);
    expect([...a.test.x]).not.toEqual([...c.test.x]);
    // Every sample appears exactly once across train and test (compare rows as strings).
    const key = (x: Float64Array, i: number) => x.subarray(i * 64, (i + 1) * 64).join(',');
    const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const whole = count([...Array(all.count).keys()].map((i) => key(all.x, i)));
    const split = count([...[...Array(1500).keys()].map((i) => key(a.train.x, i)), ...[...Array(297).keys()].map((i) => key(a.test.x, i))]);
    expect(split).toEqual(whole);
  });
});

describe('synthetic data', () => {
  it('is deterministic from the seed, in [0, 1], and labelled synthetic', () => {
    const o = { inputShape: [3, 32, 32] as const, classes: 10, count: 20, seed: 5 };
    const a = syntheticDataset(o);
    const b = syntheticDataset(o);
    const c = syntheticDataset({ ...o, seed: 6 });
    expect(a.source).toBe('synthetic');
    expect(a.description).toMatch(/^synthetic/);
    expect(a.x.length).toBe(20 * 3 * 32 * 32);
    expect([...a.x]).toEqual([...b.x]);
    expect([...a.x]).not.toEqual([...c.x]);
    expect(a.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(a.labels.every((y) => y >= 0 && y < 10)).toBe(true);
    const batch = gatherBatch(a, [3, 1], 'float32');
    expect(batch.x).toBeInstanceOf(Float32Array);
    expect([...batch.labels]).toEqual([a.labels[3], a.labels[1]]);
  });
});
