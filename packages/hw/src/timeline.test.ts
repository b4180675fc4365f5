import { TimelineCollector, type TimelineSlice } from '@sata/core';
import { osDataflow } from '@sata/dataflow-os';
import { describe, expect, it } from 'vitest';
import { runSchedule } from './accelerator.js';
import { builtinArchitecture, withParams } from './arch/spec.js';
import type { GemmStep, ScheduleStep, VectorStep } from './schedule.js';

const gemm = (label: string, M: number): GemmStep => ({
  kind: 'gemm', label, gemm: { M, N: 64, K: 64 }, dataflow: osDataflow, gating: 'none', operation: 'mac',
  bits: { ifmap: 16, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' },
});
const lif = (label: string): VectorStep => ({
  kind: 'lif', label, elements: 4096, bits: 16,
  traffic: [{ tensor: `${label}.I`, partition: 'membrane', access: 'read', elements: 4096, bitsPerElement: 16 }, { tensor: `${label}.s`, partition: 'spikes', access: 'write', elements: 4096, bitsPerElement: 1 }],
});
// A slow DRAM, so that the array waits for it.
const SLOW = withParams(builtinArchitecture('sata'), { dram: { bandwidthBitsPerCycle: 16, latencyCycles: 20 } });
const STEPS: ScheduleStep[] = [gemm('a/FP', 512), lif('a/lif'), gemm('b/FP', 256), lif('b/lif')];

const within = (inner: TimelineSlice, outer: TimelineSlice): boolean => inner.start >= outer.start && inner.end <= outer.end;

describe('the controller timeline', () => {
  const tl = new TimelineCollector();
  const run = runSchedule(STEPS, SLOW, {
    attach: (_sim, acc) => {
      acc.controller.timeline = tl;
    },
  });
  const on = (track: string, name?: string): TimelineSlice[] => tl.slices.filter((s) => s.track === `acc.${track}` && (name === undefined || s.name === name));

  it('does not change the run', () => {
    const plain = runSchedule(STEPS, SLOW);
    expect(plain.totalCycles).toBe(run.totalCycles);
    expect(plain.events).toBe(run.events);
    expect(plain.steps.map((s) => [s.startCycle, s.endCycle, s.stallCycles])).toEqual(run.steps.map((s) => [s.startCycle, s.endCycle, s.stallCycles]));
  });

  it('has one controller slice per step, spanning it', () => {
    const steps = on('controller').filter((s) => s.name !== 'stall');
    expect(steps.map((s) => [s.name, s.start, s.end, s.args.step])).toEqual(run.steps.map((r, i) => [r.label, r.startCycle, r.endCycle, i]));
  });

  it('groups a GEMM\'s folds into one array slice, with its DRAM waits inside adding up to its stall', () => {
    expect(run.stallCycles).toBeGreaterThan(0);
    run.steps.forEach((r, i) => {
      if (r.kind !== 'gemm') return;
      const [step] = on('array').filter((s) => s.args.step === i && s.name === r.label);
      expect(step, r.label).toBeDefined();
      expect(step!.args.folds).toBe(r.plan!.folds);
      expect(step!.args.computeCycles).toBe(r.computeCycles);
      expect(step!.end).toBe(r.endCycle); // (neither GEMM is the last step, which also waits for posted writes)
      const stalls = on('array', 'stall').filter((s) => s.args.step === i);
      expect(stalls.length).toBeGreaterThan(0);
      for (const s of stalls) expect(within(s, step!), `stall ${s.start}..${s.end} in ${r.label}`).toBe(true);
      const waited = stalls.reduce((a, s) => a + s.end - s.start, 0);
      expect(waited + (step!.args.glbStallCycles as number)).toBe(r.stallCycles);
      const [drain] = on('array', 'drain').filter((s) => s.args.step === i);
      expect(drain ? drain.end - drain.start : 0).toBe(r.drainCycles);
    });
  });

  it('puts vector work on its unit, after its wait for DRAM', () => {
    run.steps.forEach((r, i) => {
      if (r.kind === 'gemm') return;
      const [work] = on('lif', r.label);
      const [stall] = on('lif', 'stall').filter((s) => s.args.step === i);
      expect(work!.args).toMatchObject({ step: i, elements: 4096 });
      expect(stall!.end).toBe(work!.start);
      expect(stall!.end - stall!.start).toBe(r.stallCycles - on('controller', 'stall').filter((s) => s.args.step === i).reduce((a, s) => a + s.end - s.start, 0));
    });
  });

  it('groups each step\'s DRAM bursts into one slice with the step\'s traffic, in channel order; waits point into them', () => {
    const dram = on('dram');
    expect(dram.map((s) => s.args.step)).toEqual(run.steps.map((_, i) => i));
    run.steps.forEach((r, i) => {
      const d = dram[i]!;
      expect(d.args.readBits).toBe(r.dram.reads.ifmap + r.dram.reads.filter + r.dram.reads.psum);
      expect(d.args.writeBits).toBe(r.dram.writes.ofmap + r.dram.writes.psum);
      expect(d.args.busyCycles).toBeLessThanOrEqual(d.end - d.start);
      if (i > 0) expect(d.start).toBeGreaterThanOrEqual(dram[i - 1]!.end);
    });
    for (const s of tl.slices.filter((x) => x.name === 'stall' && x.args.cause === 'dram')) {
      const d = dram[s.args.step as number]!;
      expect(s.args.readAt as number).toBeGreaterThan(d.start);
      expect(s.args.readAt as number).toBeLessThanOrEqual(Math.min(d.end, s.end));
    }
  });

  it('reports partition traffic per step and occupancy only when it changes', () => {
    const spikes = on('spikes');
    expect(spikes.length).toBe(run.steps.length);
    const occ = tl.counters.filter((c) => c.track === 'acc.spikes');
    expect(occ.length).toBeGreaterThan(1);
    for (let i = 1; i < occ.length; i++) {
      expect(occ[i]!.value).not.toBe(occ[i - 1]!.value);
      expect(occ[i]!.tick).toBeGreaterThanOrEqual(occ[i - 1]!.tick);
    }
    const gb = run.accelerator.buffers.get('spikes')!;
    expect(spikes.reduce((a, s) => a + (s.args.readBits as number) + (s.args.writeBits as number), 0)).toBe(gb.bitsMoved.read + gb.bitsMoved.written);
  });
});
