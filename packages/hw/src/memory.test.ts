import { ConfigError, Simulator } from '@sata/core';
import { wsDataflow } from '@sata/dataflow-ws';
import { osDataflow } from '@sata/dataflow-os';
import { describe, expect, it } from 'vitest';
import { buildAccelerator, runSchedule } from './accelerator.js';
import { builtinArchitecture, withParams, type ArchSpec } from './arch/spec.js';
import { GlobalBuffer } from './components/memory.js';
import { simulateLayer } from './layer.js';
import type { GemmStep } from './schedule.js';

const KIB = 1024;
const SATA = builtinArchitecture('sata');
const withBuffers = (kib: { spikes: number; weights: number; membrane: number }, extra: { dram?: Record<string, unknown> } = {}, gb: Record<string, unknown> = {}): ArchSpec =>
  withParams(SATA, { ...Object.fromEntries(Object.entries(kib).map(([k, v]) => [k, { capacityBytes: v * KIB, ...gb }])), ...(extra.dram ? { dram: extra.dram } : {}) });

describe('global buffer and DRAM', () => {
  it('keeps tiles that fit and refetches, and counts, those that do not', () => {
    const gemm = { M: 256, N: 64, K: 64 };
    const big = simulateLayer({ gemm, dataflow: wsDataflow, arch: withBuffers({ spikes: 1024, weights: 1024, membrane: 1024 }) });
    // Everything fits: each operand crosses from DRAM once.
    expect(big.dramReads.ifmap).toBe(256 * 64 * 16);
    expect(big.dramReads.filter).toBe(64 * 64 * 16);
    expect(big.dramRefetchBits).toEqual({ ifmap: 0, filter: 0, psum: 0 });
    // A 4 KiB ifmap partition (2 KiB usable, double buffered) holds none of the 8 x 256 x 16-bit
    // tiles: columns outer, each is fetched once per column fold.
    const small = simulateLayer({ gemm, dataflow: wsDataflow, arch: withBuffers({ spikes: 4, weights: 1024, membrane: 1024 }) });
    const colFolds = small.mapping.colFolds;
    expect(small.dramReads.ifmap).toBe(256 * 64 * 16 * colFolds);
    expect(small.dramRefetchBits.ifmap).toBe(256 * 64 * 16 * (colFolds - 1));
    expect(small.cycles).toBe(big.cycles);
    const gb = small.run.accelerator.buffers.get('spikes')!;
    expect((gb.stats().get('refetchBits') as { value(): number }).value()).toBe(small.dramRefetchBits.ifmap);
  });

  it('spills partial sums that do not fit and reads them back', () => {
    // Rows outer would need all outputs live; ws runs columns outer, so force a tiny ofmap partition.
    const r = simulateLayer({ gemm: { M: 128, N: 32, K: 64 }, dataflow: wsDataflow, arch: withBuffers({ spikes: 1024, weights: 1024, membrane: 1 }) });
    // Each column fold's psum tile (128 x 16 x 16 bits) exceeds 512 bytes: every row fold spills it and reads it back.
    const tileBits = 128 * 16 * 16;
    const spills = r.mapping.colFolds * (r.mapping.rowFolds - 1);
    expect(r.dramWrites.psum).toBe(spills * tileBits);
    expect(r.dramReads.psum).toBe(spills * tileBits);
    expect(r.dramWrites.ofmap).toBe(128 * 32 * 16);
  });

  it('stalls the array when DRAM bandwidth cannot keep up, and reports it apart from compute cycles', () => {
    const gemm = { M: 512, N: 64, K: 64 };
    const fast = simulateLayer({ gemm, dataflow: osDataflow, arch: withBuffers({ spikes: 1024, weights: 1024, membrane: 1024 }, { dram: { bandwidthBitsPerCycle: 4096, latencyCycles: 0 } }, { bandwidthBitsPerCycle: 1 << 20 }) });
    const slow = simulateLayer({ gemm, dataflow: osDataflow, arch: withBuffers({ spikes: 1024, weights: 1024, membrane: 1024 }, { dram: { bandwidthBitsPerCycle: 8, latencyCycles: 0 } }, { bandwidthBitsPerCycle: 1 << 20 }) });
    expect(slow.cycles).toBe(fast.cycles);
    expect(slow.stallCycles).toBeGreaterThan(fast.stallCycles);
    // At 8 bits a cycle every operand bit must cross before the last fold can start.
    const inputBits = slow.dramReads.total;
    expect(slow.totalCycles).toBeGreaterThanOrEqual(inputBits / 8);
    expect(slow.totalCycles).toBe(slow.cycles + slow.stallCycles + slow.drainCycles);
  });

  it('stretches folds when the global buffer cannot deliver the operands', () => {
    const gemm = { M: 256, N: 64, K: 64 };
    const wide = simulateLayer({ gemm, dataflow: osDataflow, arch: withBuffers({ spikes: 1024, weights: 1024, membrane: 1024 }, {}, { bandwidthBitsPerCycle: 1 << 20 }) });
    const narrow = simulateLayer({ gemm, dataflow: osDataflow, arch: withBuffers({ spikes: 1024, weights: 1024, membrane: 1024 }, {}, { bandwidthBitsPerCycle: 16 }) });
    // 16 bits a cycle per partition: the filter partition must deliver 16 columns x 64 steps
    // of 16-bit weights per fold, 1024 cycles, where the fold computes in 86.
    const sramStall = (narrow.run.accelerator.array.stats().get('sramStallCycles') as { value(): number }).value();
    expect(sramStall).toBe(narrow.mapping.folds * ((16 * 64 * 16) / 16 - narrow.mapping.cyclesPerFold));
    expect((wide.run.accelerator.array.stats().get('sramStallCycles') as { value(): number }).value()).toBe(0);
    expect(narrow.cycles).toBe(wide.cycles);
    expect(narrow.stallCycles).toBeGreaterThanOrEqual(sramStall);
  });

  it('without double buffering a fold waits for its own data', () => {
    const gemm = { M: 256, N: 64, K: 64 };
    const cfg = (doubleBuffered: boolean) => withBuffers({ spikes: 1024, weights: 1024, membrane: 1024 }, { dram: { bandwidthBitsPerCycle: 16 } }, { doubleBuffered, bandwidthBitsPerCycle: 1 << 20 });
    const db = simulateLayer({ gemm, dataflow: wsDataflow, arch: cfg(true) });
    const single = simulateLayer({ gemm, dataflow: wsDataflow, arch: cfg(false) });
    expect(single.cycles).toBe(db.cycles);
    expect(single.stallCycles).toBeGreaterThan(db.stallCycles);
  });

  it('reuses a tensor across steps when it is still on chip (weights over time steps)', () => {
    const step = (t: number): GemmStep => ({
      kind: 'gemm', label: `fc/FP/t${t}`, gemm: { M: 1, N: 64, K: 128 }, dataflow: wsDataflow, gating: 'ifmap', operation: 'and_accumulate',
      bits: { ifmap: 1, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' }, tensors: { filter: 'fc.W' },
    });
    const r = runSchedule([step(1), step(2), step(3)], SATA);
    expect(r.steps.map((s) => s.dram.reads.filter)).toEqual([128 * 64 * 16, 0, 0]);
  });

  it('runs vector steps on the LIF and gradient units and counts their primitive operations', () => {
    const r = runSchedule([
      { kind: 'lif', label: 'lif', elements: 100, bits: 16 },
      { kind: 'gradient', label: 'grad', elements: 32, bits: 16 },
    ], SATA);
    expect(r.steps.map((s) => s.computeCycles)).toEqual([Math.ceil(100 / 16), 2]);
    expect(r.actions.count('lif', 'register')).toBe(300);
    expect(r.actions.count('gradientUnit', 'shift')).toBe(64);
  });
});

describe('energy parameters of the components', () => {
  it('override the model for that instance and say so', async () => {
    const { sata32EnergyModel } = await import('@sata/energy-sata32');
    const arch = withParams(SATA, { dram: { writeEnergyPJPerBit: 10 }, weights: { readEnergyPJ: 4, widthBits: 8 } });
    const r = simulateLayer({ gemm: { M: 16, N: 16, K: 16 }, dataflow: wsDataflow, arch, energyModel: sata32EnergyModel });
    const dramWrite = r.energy!.actions.find((a) => a.component === 'dram' && a.action === 'write')!;
    expect(dramWrite.picojoulesEach).toBe(160);
    expect(dramWrite.source).toMatch(/acc.dram parameter writeEnergyPJPerBit/);
    const wRead = r.energy!.actions.find((a) => a.component === 'globalBuffer.weights' && a.action === 'read')!;
    expect(wRead.picojoulesEach).toBe(8);
    const sRead = r.energy!.actions.find((a) => a.component === 'globalBuffer.spikes' && a.action === 'read')!;
    expect(sRead.source).toMatch(/CACTI/);
    expect(r.energy!.leakage.length).toBe(5);
  });
});

describe('parameter validation', () => {
  it('names the component and the parameter', () => {
    const sim = new Simulator();
    expect(() => new GlobalBuffer(sim, 'spikes', { capacityBytes: 0 })).toThrow(/component spikes \(hw.GlobalBuffer\): parameter "capacityBytes" must be >= 1 bytes, got 0/);
    expect(() => new GlobalBuffer(sim, 'weights', { banks: 2.5 })).toThrow(ConfigError);
    // Built from a spec, the error names the spec's file too.
    expect(() => buildAccelerator(new Simulator(), withParams(SATA, { array: { rows: 0 } }))).toThrow(/sata\.yaml: component acc.array \(hw.PEArray\): parameter "rows" must be >= 1 PEs/);
    expect(() => buildAccelerator(new Simulator(), withParams(SATA, { dram: { latency: 3 } }))).toThrow(/sata\.yaml: component acc.dram \(hw.Dram\): unknown parameter "latency"/);
  });

  it('rejects a step that names a missing partition or does not fit in DRAM', () => {
    const base: GemmStep = { kind: 'gemm', label: 'x', gemm: { M: 4, N: 4, K: 4 }, dataflow: wsDataflow, gating: 'none', operation: 'mac', bits: { ifmap: 16, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'nope', ofmap: 'membrane' } };
    expect(() => runSchedule([base], SATA)).toThrow(/filter buffer "nope" is not a global-buffer partition/);
    expect(() => runSchedule([{ ...base, buffers: { ...base.buffers, filter: 'weights' }, gemm: { M: 1 << 16, N: 1 << 16, K: 1 } }], SATA)).toThrow(/more than the DRAM's capacity of 536870912 bytes/);
  });
});
