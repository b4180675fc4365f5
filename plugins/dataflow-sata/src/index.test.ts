import { planSystolicGemm } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { sataDataflow, sataTiledDataflow } from './index.js';

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

  it('sata-tiled cuts the streamed rows to the hint it is given, and plans whole without one', () => {
    const gemm = { M: 4 * 256, N: 128, K: 576 };
    const array = { rows: 8, cols: 16 };
    expect(sataTiledDataflow.tilesTime && sataTiledDataflow.batchesTime).toBe(true);
    const whole = sataTiledDataflow.plan(gemm, array);
    expect(whole.timeFolds).toBe(1);
    const cut = sataTiledDataflow.plan(gemm, array, { maxStreamed: 300 });
    expect(cut.timeFolds).toBe(4);
    expect(cut.fold(0).streamed).toBe(300);
    expect(cut.computeCycles).toBe(whole.rowFolds * whole.colFolds * (3 * (2 * 8 + 16 + 300 - 2) + (2 * 8 + 16 + 124 - 2)));
    // The plain sata dataflow ignores the hint.
    expect(sataDataflow.plan(gemm, array, { maxStreamed: 300 }).timeFolds).toBe(1);
  });
});
