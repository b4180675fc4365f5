import { Simulator } from '@sata/core';
import { wsDataflow } from '@sata/dataflow-ws';
import { describe, expect, it } from 'vitest';
import { runSchedule } from './accelerator.js';
import { builtinArchitecture, withParams, type ArchSpec } from './arch/spec.js';
import { GlobalBuffer } from './components/memory.js';
import type { GemmStep, VectorStep } from './schedule.js';

const config = (kib: number): ArchSpec =>
  withParams(builtinArchitecture('sata'), { spikes: { capacityBytes: kib * 1024 }, weights: { capacityBytes: kib * 1024 }, membrane: { capacityBytes: kib * 1024 } });

const gemm = (label: string, M: number, extra: Partial<GemmStep> = {}): GemmStep => ({
  kind: 'gemm', label, gemm: { M, N: 16, K: 8 }, dataflow: wsDataflow, gating: 'none', operation: 'mac',
  bits: { ifmap: 16, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' }, ...extra,
});

describe('placement by capacity (pinning whole tensors)', () => {
  it('grows a tensor written in parts while it fits, then moves all of it to DRAM', () => {
    const sim = new Simulator();
    const gb = new GlobalBuffer(sim, 'gb', { capacityBytes: 1024, doubleBuffered: false, pinnedShare: 1 });
    expect(gb.pin('x.s', 4096, true)).toEqual({ pinned: true, spillBits: 0 });
    expect(gb.pin('x.s', 4096, true)).toEqual({ pinned: true, spillBits: 0 });
    expect(gb.pinnedTotalBits).toBe(8192);
    // A third part does not fit: the two on chip are spilled, and the tensor stays in DRAM.
    expect(gb.pin('x.s', 4096, true)).toEqual({ pinned: false, spillBits: 8192 });
    expect(gb.isPinned('x.s')).toBe(false);
    expect(gb.pin('x.s', 16, true)).toEqual({ pinned: false, spillBits: 0 });
    // Pinning a pinned tensor whole again (a GEMM adding onto it) changes nothing.
    expect(gb.pin('y.dW', 1000)).toEqual({ pinned: true, spillBits: 0 });
    expect(gb.pin('y.dW', 1000)).toEqual({ pinned: true, spillBits: 0 });
    expect(gb.pinnedTotalBits).toBe(1000);
    gb.unpin('y.dW');
    gb.unpin('x.s');
    expect(gb.pinnedTotalBits).toBe(0);
    expect(gb.pin('x.s', 16, true).pinned).toBe(true);
  });

  it('finds a vector unit output on chip in the next GEMM, or reads it back from DRAM with its flows', () => {
    const write: VectorStep = { kind: 'lif', label: 'l/lif', elements: 64, bits: 16, traffic: [{ tensor: 'l.s', partition: 'spikes', access: 'write', elements: 64 * 8, bitsPerElement: 16, keep: true }] };
    const read = gemm('next/FP', 64, { tensors: { ifmap: 'l.s' } });
    const roomy = runSchedule([write, read], config(64));
    expect(roomy.steps[1]!.dram.reads.ifmap).toBe(0);
    const tight = runSchedule([write, read], config(0.5));
    expect(tight.steps[0]!.flows).toContainEqual({ tensor: 'l.s', from: 'gb.spikes', to: 'dram', bits: 64 * 8 * 16 });
    expect(tight.steps[1]!.dram.reads.ifmap).toBeGreaterThan(0);
  });

  it('keeps tiles apart for GEMMs of different shapes over the same tensor', () => {
    // The same weights as the filter of two GEMMs of other M: tile numbers differ in meaning,
    // but here both GEMMs tile the filter (K x N) the same, so only the shape keys them apart.
    const a = gemm('a', 32, { tensors: { filter: 'w.W' } });
    const b = gemm('b', 64, { tensors: { filter: 'w.W' } });
    const r = runSchedule([a, b], config(64));
    // Different shapes: the second GEMM does not take the first one's tiles as its own.
    expect(r.steps[1]!.dram.reads.filter).toBe(r.steps[0]!.dram.reads.filter);
    const same = runSchedule([a, { ...a, label: 'a2' }], config(64));
    expect(same.steps[1]!.dram.reads.filter).toBe(0);
  });

  it('reads what an accumulating step adds onto, once per output tile', () => {
    const first = gemm('wg/t2', 32, { tensors: { ofmap: 'l.dW' }, keepOutput: true });
    const next = gemm('wg/t1', 32, { tensors: { ofmap: 'l.dW' }, keepOutput: true, accumulate: true });
    const r = runSchedule([first, next], config(64));
    expect(r.steps[1]!.counts.sramReads.psum - r.steps[0]!.counts.sramReads.psum).toBe(32 * 16);
    expect(r.steps[1]!.dram.writes.ofmap).toBe(0);
  });
});
