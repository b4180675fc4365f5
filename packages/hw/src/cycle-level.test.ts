import { Rng } from '@sata/core';
import { defineSystolicDataflow, type DataflowContribution } from '@sata/plugin-api';
import { isDataflow } from '@sata/dataflow-is';
import { osDataflow } from '@sata/dataflow-os';
import { wsDataflow } from '@sata/dataflow-ws';
import { describe, expect, it } from 'vitest';
import { densityActivity, tensorActivity, type GatingRule, type Matrix } from './activity.js';
import { cycleLevelSize, runCycleLevel } from './cycle-level.js';
import { gemmFoldCounts } from './fold-counts.js';

// Output stationary with the GEMM transposed on the array (N on the rows): the algebra and
// the reference must agree for any valid mapping, not only the three shipped ones.
const osTransposed = defineSystolicDataflow({ name: 'os-t', version: '1.0.0', description: 'test', mapping: { rows: 'N', cols: 'M', time: 'K', foldOrder: 'cols-outer' }, differences: [] });
// Time tiled (the streamed dimension cut into pieces, each its own fold), both fold orders.
const wsTiled = defineSystolicDataflow({ name: 'ws-tiled', version: '1.0.0', description: 'test', mapping: { rows: 'K', cols: 'N', time: 'M', foldOrder: 'cols-outer', timeTile: 3 }, differences: [] });
const isTiledRowsOuter = defineSystolicDataflow({ name: 'is-tiled', version: '1.0.0', description: 'test', mapping: { rows: 'K', cols: 'M', time: 'N', foldOrder: 'rows-outer', timeTile: 4 }, differences: [] });
const DATAFLOWS: DataflowContribution[] = [osDataflow, wsDataflow, isDataflow, osTransposed, wsTiled, isTiledRowsOuter];
const GATINGS: GatingRule[] = ['none', 'ifmap', 'filter', 'any'];

function randomMatrix(rng: Rng, rows: number, cols: number, density: number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextFloat() < density ? 1 + rng.nextInt(5) - (rng.nextInt(2) ? 6 : 0) : 0;
  return { rows, cols, data };
}

function matmul(a: Matrix, b: Matrix): Float64Array {
  const out = new Float64Array(a.rows * b.cols);
  for (let m = 0; m < a.rows; m++)
    for (let n = 0; n < b.cols; n++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[m * a.cols + k]! * b.data[k * b.cols + n]!;
      out[m * b.cols + n] = s;
    }
  return out;
}

describe('cycle-level reference equals the fold-level model', () => {
  for (const df of DATAFLOWS) {
    it(`${df.name}: identical cycles and per-fold action counts on random GEMMs, arrays and sparsity`, () => {
      const rng = new Rng(42, df.name);
      for (let trial = 0; trial < 40; trial++) {
        const gemm = { M: 1 + rng.nextInt(20), N: 1 + rng.nextInt(20), K: 1 + rng.nextInt(20) };
        const array = { rows: 1 + rng.nextInt(6), cols: 1 + rng.nextInt(6) };
        const ifmap = randomMatrix(rng, gemm.M, gemm.K, rng.nextFloat());
        const filter = randomMatrix(rng, gemm.K, gemm.N, rng.nextFloat());
        const gating = GATINGS[trial % GATINGS.length]!;
        const plan = df.plan(gemm, array);
        const cycle = runCycleLevel(plan, ifmap, filter, gating);
        const fold = gemmFoldCounts(plan, tensorActivity(ifmap, filter), gating);
        const where = `${df.name} trial ${trial}: GEMM ${JSON.stringify(gemm)} on ${array.rows}x${array.cols}, gating ${gating}`;
        expect(cycle.perFold, where).toEqual(fold.perFold);
        expect(cycle.cycles, where).toBe(plan.computeCycles);
        if (plan.timeFolds === 1) expect(plan.computeCycles, where).toBe(plan.folds * plan.cyclesPerFold);
        expect(cycle.drainCycles, where).toBe(plan.drainCycles);
        expect(cycle.peSteps, where).toBe(cycleLevelSize(plan));
        // The array really computes the GEMM: the dataflow moves the right operands.
        expect(Array.from(cycle.output), where).toEqual(Array.from(matmul(ifmap, filter)));
      }
    });
  }

  it('tiles time: more folds and stationary loads, the same operations, partial sums of one piece at a time', () => {
    const gemm = { M: 100, N: 32, K: 64 };
    const array = { rows: 8, cols: 16 };
    const whole = wsDataflow.plan(gemm, array);
    const tiled = wsTiled.plan(gemm, array);
    expect(tiled.timeFolds).toBe(34);
    expect(tiled.folds).toBe(whole.folds * 34);
    const sum = (p: typeof whole, f: (i: number) => number): number => Array.from({ length: p.folds }, (_, i) => f(i)).reduce((a, b) => a + b, 0);
    const ops = (p: typeof whole): number => sum(p, (i) => p.fold(i).rowsUsed * p.fold(i).colsUsed * p.fold(i).streamed);
    expect(ops(tiled)).toBe(ops(whole));
    // Each piece loads the weights again; the ifmap still streams once per column fold.
    expect(sum(tiled, (i) => tiled.fold(i).sramReads.filter)).toBe(34 * sum(whole, (i) => whole.fold(i).sramReads.filter));
    expect(sum(tiled, (i) => tiled.fold(i).sramReads.ifmap)).toBe(sum(whole, (i) => whole.fold(i).sramReads.ifmap));
    // An output tile is one piece of rows by the column fold.
    expect(tiled.tile('ofmap', tiled.fold(0)).elements).toBe(3 * 16);
    expect(whole.tile('ofmap', whole.fold(0)).elements).toBe(100 * 16);
    expect(() => defineSystolicDataflow({ name: 'os-tiled', version: '1.0.0', description: 'test', mapping: { rows: 'M', cols: 'N', time: 'K', foldOrder: 'cols-outer', timeTile: 2 }, differences: [] }).plan(gemm, array)).toThrow(/cannot tile it/);
  });

  it('counts gated operations from the data: a zero spike switches the PE off, the result is unchanged', () => {
    const ifmap: Matrix = { rows: 2, cols: 3, data: [1, 0, 1, 0, 0, 1] };
    const filter: Matrix = { rows: 3, cols: 2, data: [2, 3, 4, 5, 6, 7] };
    const plan = wsDataflow.plan({ M: 2, N: 2, K: 3 }, { rows: 2, cols: 2 });
    const r = runCycleLevel(plan, ifmap, filter, 'ifmap');
    expect(r.total.activeOps).toBe(3 * 2);
    expect(r.total.gatedOps).toBe(3 * 2);
    expect(Array.from(r.output)).toEqual([8, 10, 6, 7]);
  });

  it('statistical activity gives the expected number of active operations', () => {
    const plan = osDataflow.plan({ M: 10, N: 20, K: 30 }, { rows: 4, cols: 8 });
    const c = gemmFoldCounts(plan, densityActivity({ ifmap: 0.1, filter: 0.5 }), 'any');
    expect(c.total.activeOps).toBeCloseTo(10 * 20 * 30 * 0.05, 9);
    expect(c.total.activeOps + c.total.gatedOps).toBeCloseTo(6000, 9);
  });

  it('refuses a GEMM too large for the reference, naming the limit', () => {
    const plan = wsDataflow.plan({ M: 1024, N: 64, K: 27 }, { rows: 8, cols: 16 });
    const m = (r: number, c: number): Matrix => ({ rows: r, cols: c, data: new Float64Array(r * c) });
    expect(() => runCycleLevel(plan, m(1024, 27), m(27, 64), 'none', 1000)).toThrow(/too large for the cycle-level model: 2158592 PE-steps, limit 1000/);
  });
});
