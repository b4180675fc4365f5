import { planSystolicGemm } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { sataDataflow } from './index.js';

describe('sata dataflow', () => {
  it('batches time and plans each GEMM with the weight-stationary fold algebra', () => {
    expect(sataDataflow.batchesTime).toBe(true);
    const gemm = { M: 4 * 256, N: 128, K: 576 };
    const array = { rows: 8, cols: 16 };
    const a = sataDataflow.plan(gemm, array);
    const ws = planSystolicGemm('ws', { rows: 'K', cols: 'N', time: 'M', foldOrder: 'cols-outer' }, gemm, array);
    expect([a.folds, a.cyclesPerFold, a.Sr, a.Sc, a.T]).toEqual([ws.folds, ws.cyclesPerFold, ws.Sr, ws.Sc, ws.T]);
    expect(a.fold(7)).toEqual(ws.fold(7));
    expect(a.cyclesPerFold).toBe(2 * 8 + 16 + 4 * 256 - 2);
  });
});
