/**
 * The zero-skipping array against figures derived by hand from first principles, on a GEMM
 * small enough to follow: ws on a 2 x 2 array, ifmap 6 x 4 (M x K), filter 4 x 2 (K x N).
 * Sr = K = 4: two row folds of 2 inputs; Sc = N = 2: one column fold; T = M = 6 streamed
 * rows per fold; a dense fold takes 2R + C + T - 2 = 10 cycles.
 */
import { Registry } from '@sata/plugin-api';
import { densityActivity, hwPlugin, registryArchitectures, resolveArchitecture, simulateLayer, tensorActivity, type Matrix } from '@sata/hw';
import { wsDataflow } from '@sata/dataflow-ws';
import { osDataflow } from '@sata/dataflow-os';
import { sata32EnergyModel } from '@sata/energy-sata32';
import { describe, expect, it } from 'vitest';
import { zeroSkipPlugin } from './index.js';

const registry = new Registry().register(hwPlugin).register(zeroSkipPlugin).freeze();
const archs = registryArchitectures(registry);
const zeroSkip = resolveArchitecture('sata-zero-skip', archs);
const sata = resolveArchitecture('sata', archs);

// Row m of the ifmap is what the array streams at step m; columns k0..k1 are a row fold's inputs.
//            k: 0  1 | 2  3
const A = [
  [1, 0, 0, 0], // m0: fold 1 (k 2..3) all zero
  [0, 0, 0, 0], // m1: zero in both folds
  [0, 0, 1, 0], // m2: fold 0 (k 0..1) all zero
  [0, 1, 1, 1], // m3: nothing to skip
  [0, 0, 0, 0], // m4: zero in both folds
  [1, 1, 0, 0], // m5: fold 1 all zero
];
const ifmap: Matrix = { rows: 6, cols: 4, data: A.flat() };
const filter: Matrix = { rows: 4, cols: 2, data: new Array(8).fill(1) };
const gemm = { M: 6, N: 2, K: 4 };
const run = (arch: typeof sata, gating: 'ifmap' | 'none', activity = tensorActivity(ifmap, filter), dataflow = wsDataflow) =>
  simulateLayer({ gemm, dataflow, arch, registry, array: { rows: 2, cols: 2 }, activity, gating, operation: 'and_accumulate', bits: { ifmap: 1, filter: 16, ofmap: 16 }, energyModel: sata32EnergyModel });

describe('zero-skipping PE array (first principles)', () => {
  it('skips the all-zero streamed rows of each fold: cycles, operations, SRAM reads', () => {
    const skipped = [3, 4]; // fold 0: m1, m2, m4; fold 1: m0, m1, m4, m5
    const r = run(zeroSkip, 'ifmap');
    expect(r.mapping).toMatchObject({ rowFolds: 2, colFolds: 1, folds: 2, cyclesPerFold: 10 });
    expect(r.cycles).toBe((10 - skipped[0]!) + (10 - skipped[1]!));
    // Active operations are the nonzero inputs times N: column nonzeros 2, 2, 2, 1.
    expect(r.ops.active).toBe(7 * 2);
    // Of the 48 mapped operations, the skipped rows' (7 rows x 2 inputs x 2 columns) are not issued.
    expect(r.ops.gated).toBe(48 - 14 - 7 * 4);
    // Each fold reads 2 inputs per streamed row, except for the skipped rows.
    expect(r.sramReads.ifmap).toBe(2 * 6 * 2 - 7 * 2);
    const array = r.run.accelerator.array;
    expect((array.stats().get('skippedRows') as { value(): number }).value()).toBe(7);
  });

  it('pays for the index: one bit per streamed row stored with the ifmap tile, read and decoded per fold', () => {
    const r = run(zeroSkip, 'ifmap');
    const s = r.run.steps[0]!;
    // Two ifmap tiles (2 x 6 spikes of 1 bit) come from DRAM, each with its 6 index bits.
    expect(r.dramReads.ifmap).toBe(2 * (2 * 6 * 1 + 6));
    expect(s.flows).toContainEqual({ tensor: 'layer#ifmap#index', from: 'dram', to: 'gb.spikes', bits: 12 });
    // The index of all 6 streamed rows is read in each of the 2 folds (skipped rows included).
    expect(s.flows).toContainEqual({ tensor: 'layer#ifmap#index', from: 'gb.spikes', to: 'array', bits: 12 });
    expect(s.actions.count('indexDecoder', 'compare')).toBe(12);
    expect(s.actions.count('indexDecoder', 'mux')).toBe(12);
    // The partition's reads at 1 bit: 10 spikes and 12 index bits.
    expect(s.actions.count('globalBuffer.spikes', 'read')).toBe(10 + 12);
    const decode = r.energy!.actions.filter((a) => a.component === 'indexDecoder').reduce((t, a) => t + a.picojoules, 0);
    expect(decode).toBeCloseTo((12 * (0.00309 + 0.00172)) / 16, 12);
  });

  it('is SATA\'s array where it cannot skip: no gating, another mapping, or the gating array itself', () => {
    const gatingArray = run(sata, 'ifmap');
    expect(gatingArray.cycles).toBe(20);
    // The same active operations; SATA gates the other 34 of the 48 where the skipping array drops 28 of them.
    expect(gatingArray.ops).toMatchObject({ mapped: 48, active: 14, gated: 48 - 14 });
    expect(run(zeroSkip, 'ifmap').ops).toMatchObject({ mapped: 20, active: 14, gated: 6 });
    const unaware = run(zeroSkip, 'none');
    expect(unaware.cycles).toBe(20);
    expect(unaware.dramReads.ifmap).toBe(2 * 2 * 6);
    // Output stationary streams K, not the ifmap's rows: nothing to skip.
    expect(run(zeroSkip, 'ifmap', tensorActivity(ifmap, filter), osDataflow).cycles).toBe(run(sata, 'ifmap', tensorActivity(ifmap, filter), osDataflow).cycles);
  });

  it('under statistical sparsity skips the expected rows, (1 - d)^k of them, rounded to whole cycles per fold', () => {
    const d = 0.25;
    const r = run(zeroSkip, 'ifmap', densityActivity({ ifmap: d, filter: 1 }));
    const expectedPerFold = 6 * (1 - d) ** 2; // 3.375
    expect(r.cycles).toBe(2 * (10 - Math.round(expectedPerFold)));
    expect(r.ops.gated).toBeCloseTo(48 * (1 - d) - 2 * expectedPerFold * 4, 9);
  });

  it('errors name the spec file, the component and the parameter', () => {
    expect(() => run(resolveArchitecture('sata-zero-skip', archs), 'ifmap')).not.toThrow();
    const bad = { ...zeroSkip, components: { ...zeroSkip.components, array: { ...zeroSkip.components.array!, params: { indexBitsPerRow: 0 } } } };
    expect(() => run(bad, 'ifmap')).toThrow(/sata-zero-skip\.yaml.*component acc\.array \(zeroskip\.PEArray\): parameter "indexBitsPerRow" must be >= 1/);
  });
});
