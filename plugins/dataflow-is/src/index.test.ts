import { describe, expect, it } from 'vitest';
import { isDataflow } from './index.js';

describe('is dataflow', () => {
  it('maps Sr = K, Sc = M, T = N and holds the ifmap: each element read once', () => {
    const p = isDataflow.plan({ M: 10, N: 20, K: 30 }, { rows: 8, cols: 16 });
    expect([p.Sr, p.Sc, p.T, p.cyclesPerFold]).toEqual([30, 10, 20, 2 * 8 + 16 + 20 - 2]);
    let ifmap = 0;
    for (let i = 0; i < p.folds; i++) ifmap += p.fold(i).sramReads.ifmap;
    expect(ifmap).toBe(10 * 30);
  });
});
