import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '@sata/cli';
import { ActivityTrace, blockCounts, readActivityTrace, type ActivityStep } from '@sata/trace';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { measure } from './measure.js';
import { replayedActivity, writeActivityFromBptt } from './replayed.js';
import { networkFor, simulateTraining } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'sata-replayed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = builtinRegistry();

describe('replayed sparsity', () => {
  // The functional model's iteration, written as an activity trace, then replayed.
  const base = resolveConfig({ network: 'digits-cnn', timesteps: 3, batch: 2, dataflow: 'ws', sparsity: { mode: 'measured' } });
  const net = networkFor(base, registry);
  const m = measure(net, base, registry);
  const path = join(dir, 'digits.activity');
  writeActivityFromBptt(path, net, m.bptt);
  const replayedCfg = resolveConfig({ ...JSON.parse(JSON.stringify(base)), sparsity: { ...base.sparsity, mode: 'replayed', activityTrace: path } });

  it('bitmaps give the measured counts of every GEMM whose operands the trace holds (spiking inputs, du)', () => {
    const measured = simulateTraining(base, registry, { measurement: m }).result;
    const replayed = simulateTraining(replayedCfg, registry).result;
    expect(replayed.sparsitySource).toBe('replayed');
    expect(measured.sparsitySource).toBe('measured');
    // Spiking-input GEMMs (FP and WG of layers after the first) and every BP GEMM: exact.
    for (const k of ['FP.and_accumulate', 'WG.and_accumulate', 'BP.mac']) expect(replayed.ops[k], k).toEqual(measured.ops[k]);
    // Time-batched GEMMs (dataflow sata) too.
    const batched = (c: typeof base) => resolveConfig({ ...JSON.parse(JSON.stringify(c)), dataflow: 'sata' });
    const mb = simulateTraining(batched(base), registry, { measurement: m }).result;
    const rb = simulateTraining(batched(replayedCfg), registry).result;
    for (const k of ['FP.and_accumulate', 'WG.and_accumulate', 'BP.mac']) expect(rb.ops[k], `batched ${k}`).toEqual(mb.ops[k]);
    // Same schedule, same cycles: sparsity gates energy, not time.
    expect(replayed.cycles).toBe(measured.cycles);
    // Densities of spikes and du per layer and step are the functional model's.
    replayed.densities.forEach((l, li) =>
      l.perStep.forEach((d, t) => {
        const md = measured.densities[li]!.perStep[t]!;
        expect(d.spike, `${l.layer} t${t}`).toBeCloseTo(md.spike, 12);
        if (net.layers[li]!.kind === 'lif') expect(d.membraneGradient).toBeCloseTo(md.membraneGradient, 12);
      }),
    );
  });

  it('per-block counts keep each block total (block-level counts)', () => {
    const trace = readActivityTrace(path);
    const counted = new ActivityTrace(
      trace.header,
      trace.steps.map((s): ActivityStep => ({ ...s, data: { counts: blockCounts(s.data, trace.header.layers[s.layer]!) } })),
    );
    const a = replayedActivity(net, replayedCfg, trace);
    const b = replayedActivity(net, replayedCfg, counted);
    for (let li = 0; li < net.layers.length; li++)
      for (let t = 0; t < 3; t++) {
        expect(b.densities(li, t)).toEqual(a.densities(li, t));
        if (net.layers[li]!.kind === 'lif') expect(b.gradientSkips(li, t)).toBe(a.gradientSkips(li, t));
      }
    // A fold's block of the forward GEMM of fc1: counts spread within blocks change positions, not totals.
    const fc = net.layers.findIndex((l) => l.name === 'fc1');
    const full = { m0: 0, m1: 2, n0: 0, n1: 64, k0: 0, k1: 128 };
    expect(b.forward(fc, 0).activeOps(full, 'ifmap')).toBe(a.forward(fc, 0).activeOps(full, 'ifmap'));
  });

  it('refuses a trace of another network, other time steps or batch, or with missing records', () => {
    const trace = readActivityTrace(path);
    const mlp = networkFor(resolveConfig({ network: 'mlp' }), registry);
    expect(() => replayedActivity(mlp, resolveConfig({ network: 'mlp', timesteps: 3, batch: 2 }), trace, 'x.activity')).toThrow(/x\.activity: recorded for network "digits-cnn"/);
    expect(() => replayedActivity(net, resolveConfig({ network: 'digits-cnn', timesteps: 4, batch: 2 }), trace)).toThrow(/3 time steps, the configuration 4/);
    expect(() => replayedActivity(net, resolveConfig({ network: 'digits-cnn', timesteps: 3, batch: 1 }), trace)).toThrow(/batch of 2, the configuration 1/);
    const fc1 = net.layers.findIndex((l) => l.name === 'fc1');
    const partial = new ActivityTrace(trace.header, trace.steps.filter((s) => !(s.layer === fc1 && s.step === 1 && s.stream === 'grads')));
    expect(() => replayedActivity(net, replayedCfg, partial)).toThrow(new RegExp(`no grads record for layer ${fc1} \\(fc1\\) at step 1`));
  });

  it('replays a trace of a format-1 network that names the spec layers (conv: its neuron\'s spikes and its du), as the functional model wrote them before graphs', () => {
    const trace = readActivityTrace(path);
    // The same data, one record per spec layer: conv/fc carry their neuron's spikes and their own du.
    const heads = net.layers.filter((l) => l.origin !== net.layers[l.index - 1]?.origin || l.index === 0);
    const spikesOf = (l: (typeof heads)[number]) => (l.def.gemms && l.kind !== 'out' ? l.index + 1 : l.index);
    const header = { ...trace.header, layers: heads.map((l) => ({ ...trace.header.layers[l.index]! })) };
    const steps = trace.steps.flatMap((s): ActivityStep[] => {
      const h = heads.findIndex((l) => (s.stream === 'spikes' ? spikesOf(l) : l.index) === s.layer);
      return h < 0 ? [] : [{ ...s, layer: h }];
    });
    const old = replayedActivity(net, replayedCfg, new ActivityTrace(header, steps));
    const now = replayedActivity(net, replayedCfg, trace);
    for (const l of net.layers)
      for (let t = 0; t < 3; t++) {
        if (l.def.gemms) {
          const g = l.def.gemms.shapes(l, 2);
          const all = (x: { M: number; N: number; K: number }) => ({ m0: 0, m1: x.M, n0: 0, n1: x.N, k0: 0, k1: x.K });
          expect(old.forward(l.index, t).activeOps(all(g.forward), 'ifmap')).toBe(now.forward(l.index, t).activeOps(all(g.forward), 'ifmap'));
          expect(old.backward(l.index, t).activeOps(all(g.backward), 'ifmap')).toBe(now.backward(l.index, t).activeOps(all(g.backward), 'ifmap'));
          expect(old.weightGrad(l.index, t).activeOps(all(g.weightGrad), 'any')).toBe(now.weightGrad(l.index, t).activeOps(all(g.weightGrad), 'any'));
          expect(now.backward(l.index, t).activeOps(all(g.backward), 'ifmap')).toBeGreaterThan(0);
        }
        if (l.kind === 'lif') expect(old.gradientSkips(l.index, t)).toBe(now.gradientSkips(l.index, t));
      }
  });
});
