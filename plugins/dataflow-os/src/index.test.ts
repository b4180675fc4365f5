import { describe, expect, it } from 'vitest';
import { osDataflow } from './index.js';

describe('os dataflow', () => {
  it('maps Sr = M, Sc = N, T = K with R + C + T - 2 cycles per fold (the 4x4 example of SCALE-Sim issue #125 takes 10)', () => {
    const p = osDataflow.plan({ M: 4, N: 4, K: 4 }, { rows: 4, cols: 4 });
    expect([p.Sr, p.Sc, p.T, p.folds, p.cyclesPerFold]).toEqual([4, 4, 4, 1, 10]);
    expect(p.fold(0).sramWrites.ofmap).toBe(16);
    expect(osDataflow.differences.join(' ')).toMatch(/#125.*#166/s);
  });
});
