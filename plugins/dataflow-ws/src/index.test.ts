import { describe, expect, it } from 'vitest';
import { wsDataflow } from './index.js';

describe('ws dataflow', () => {
  it('maps Sr = K, Sc = N, T = M, reads partial sums back for every row fold after the first', () => {
    const p = wsDataflow.plan({ M: 10, N: 20, K: 30 }, { rows: 8, cols: 16 });
    expect([p.Sr, p.Sc, p.T, p.rowFolds, p.colFolds, p.cyclesPerFold]).toEqual([30, 20, 10, 4, 2, 2 * 8 + 16 + 10 - 2]);
    let psum = 0;
    for (let i = 0; i < p.folds; i++) psum += p.fold(i).sramReads.psum;
    expect(psum).toBe((p.rowFolds - 1) * 10 * 20);
    // Columns outer: the row folds of a column fold run back to back.
    expect([0, 1, 2, 3, 4].map((i) => [p.fold(i).rowFold, p.fold(i).colFold])).toEqual([[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]]);
  });
  it('rejects a bad GEMM clearly', () => {
    expect(() => wsDataflow.plan({ M: 0, N: 1, K: 1 }, { rows: 8, cols: 16 })).toThrow(/GEMM M must be a positive integer, got 0/);
  });
});
