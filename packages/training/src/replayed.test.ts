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
        if (net.layers[li]!.kind !== 'out') expect(d.spike, `${l.layer} t${t}`).toBeCloseTo(md.spike, 12);
        if (net.layers[li]!.kind === 'conv' || net.layers[li]!.kind === 'fc') expect(d.membraneGradient).toBeCloseTo(md.membraneGradient, 12);
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
        if (net.layers[li]!.kind !== 'pool') expect(b.gradientSkips(li, t)).toBe(a.gradientSkips(li, t));
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
    const partial = new ActivityTrace(trace.header, trace.steps.filter((s) => !(s.layer === 4 && s.step === 1 && s.stream === 'grads')));
    expect(() => replayedActivity(net, replayedCfg, partial)).toThrow(/no grads record for layer 4 \(fc1\) at step 1/);
  });
});
