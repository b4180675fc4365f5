import { builtinRegistry } from '@sata/cli';
import { toJson } from '@sata/report';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { compareTraining } from './compare.js';
import { simulateTraining, networkFor, type TrainingRun } from './run.js';
import type { Stage } from '@sata/plugin-api';

const registry = builtinRegistry();

/** Active and gated PE operations of a layer and stage, summed over its GEMM steps. */
function gemmOps(run: TrainingRun, layer: string, stage: Stage): { active: number; gated: number } {
  let active = 0;
  let gated = 0;
  run.run.steps.forEach((r, i) => {
    const step = run.schedule.steps[i]!;
    const tag = step.attribution!;
    if (step.kind !== 'gemm' || tag.stage !== stage || run.schedule.steps[i]!.label.split('/')[0] !== layer) return;
    active += r.counts.activeOps;
    gated += r.counts.gatedOps;
  });
  return { active, gated };
}

function vectorElements(run: TrainingRun, layer: string, kind: string): { elements: number; skipped: number } {
  let elements = 0;
  let skipped = 0;
  run.schedule.steps.forEach((s) => {
    if (s.kind === 'gemm' || s.kind !== kind || s.label.split('/')[0] !== layer) return;
    elements += s.elements;
    skipped += s.skipped?.multiply ?? 0;
  });
  return { elements, skipped };
}

const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));

describe('SNN training iteration, statistical sparsity', () => {
  // SATA_Sim's closed form per conv layer (get_workload.py), batch 1, scalar sparsities:
  // lif = K E E T; mac_fwd = (1 - sp_s) C R R K E E T; pgu = K E E T; mac_bwd = (1 - sp_du) C R R K H H T.
  for (const dataflow of ['ws', 'sata', 'os']) {
    it(`equals SATA_Sim's closed form for conv layers where that form is right (${dataflow})`, () => {
      const cfg = resolveConfig({ network: 'vgg5', timesteps: 3, dataflow, sparsity: { spike: 0.8, membraneGradient: 0.65, firingGradient: 0.5 } });
      const run = simulateTraining(cfg, registry);
      const net = networkFor(cfg, registry);
      const T = 3;
      for (const l of net.layers.filter((x) => x.kind === 'conv')) {
        const [C, H] = l.inShape;
        const [K, E] = l.outShape;
        const RR = (l.attrs as { kernel: number }).kernel ** 2;
        const first = l.inputs[0] === -1;
        // The LIF and gradient units' work is the conv's neuron's (format 1: named <conv>_lif).
        const neuron = `${l.name}_lif`;
        const dense = C * RR * K * E * E * T;
        const fp = gemmOps(run, l.name, 'FP');
        // The first layer reads the analog input under direct coding: nothing to gate.
        close(fp.active, first ? dense : 0.2 * dense);
        close(fp.active + fp.gated, dense);
        expect(vectorElements(run, neuron, 'lif').elements).toBe(K * E * E * T);
        const pgu = vectorElements(run, neuron, 'gradient');
        expect(pgu.elements).toBe(K * E * E * T);
        // Firing-gradient sparsity skips the gradient unit's multiply (SATA_Sim never uses it).
        close(pgu.skipped, 0.5 * K * E * E * T);
        if (!first) close(gemmOps(run, l.name, 'BP').active, 0.35 * C * RR * K * H * H * T);
        // Weight gradient: gated by zero input spikes and zero du (SATA_Sim: spikes only).
        close(gemmOps(run, l.name, 'WG').active, (first ? 1 : 0.2) * 0.35 * C * RR * K * E * E * T);
      }
      // Linear layers add their counts and use the sparsity (SATA_Sim overwrites and ignores it).
      const fc = net.layers.find((x) => x.kind === 'fc')!;
      close(gemmOps(run, fc.name, 'FP').active, 0.2 * fc.inSize * fc.outSize * T);
    });
  }

  it('gates nothing without sparsity, and then costs more computation', () => {
    const base = resolveConfig({ network: 'digits-cnn', timesteps: 4 });
    const aware = simulateTraining(base, registry).result;
    const unaware = simulateTraining(resolveConfig({ network: 'digits-cnn', timesteps: 4, sparsity: { gating: false } }), registry).result;
    for (const o of Object.values(unaware.ops)) expect(o.gated).toBe(0);
    expect(unaware.sparsitySource).toBe('dense');
    expect(aware.sparsitySource).toBe('statistical');
    expect(unaware.energyPJ.compute).toBeGreaterThan(aware.energyPJ.compute);
    // Same schedule, same cycles: gating saves energy, not time.
    expect(unaware.cycles).toBe(aware.cycles);
  });

  it("reports the final wait for posted DRAM writes as the drain, not as the last layer's weight update", () => {
    // VGG5: fc1's weight update posts 8M weights to DRAM; the out layer's update (10,240
    // weights) then waits for the channel, and the iteration for its own writes.
    const run = simulateTraining(resolveConfig({ network: 'vgg5' }), registry);
    const last = run.run.steps.at(-1)!;
    expect(last.label).toBe('out/WU');
    expect(last.finalWaitCycles).toBeGreaterThan(0.9 * last.stallCycles);
    expect(run.run.steps.slice(0, -1).every((s) => s.finalWaitCycles === 0)).toBe(true);
    const e = run.result.energyPJ;
    const out = e.byLayer.find((l) => l.name === 'out')!;
    expect(e.drain!).toBeCloseTo((e.leakage * last.finalWaitCycles) / run.result.cycles, 3);
    expect(e.drain!).toBeGreaterThan(20 * out.byStage.WU);
  });

  it('adds up: stages (and the drain), layers (and the drain), components and time steps all sum to the total', () => {
    const r = simulateTraining(resolveConfig({ network: 'vgg5', dataflow: 'ws' }), registry).result;
    const e = r.energyPJ;
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    close(sum(Object.values(e.byStage)) + e.drain!, e.total);
    close(sum(e.byLayer.map((l) => l.totalPJ)) + e.drain!, e.total);
    close(sum(Object.values(e.byComponent)), e.total);
    close(sum(Object.values(e.byAction)), e.total);
    close(e.compute + e.memory + e.leakage, e.total);
    close(sum(r.timesteps.map((t) => t.energyPJ)), e.total);
    expect(sum(r.timesteps.map((t) => t.cycles))).toBe(r.cycles);
    expect(r.cycles).toBe(r.computeCycles + r.stallCycles + (r.cycles - r.computeCycles - r.stallCycles));
    expect(r.timesteps.map((t) => t.t)).toEqual([0, 1, 2, 3, 4]);
  });

  it('places what the forward pass keeps by capacity: on chip when it fits, through DRAM when not', () => {
    const dramBits = (glb: number, tensor: string): { out: number; back: number } => {
      const r = simulateTraining(resolveConfig({ network: 'digits-cnn', memory: { glbKiB: { spikes: glb, membrane: glb, weights: glb, gradients: glb, misc: glb } } }), registry).result;
      const flows = r.placement.filter((p) => p.tensor === tensor);
      return {
        out: flows.filter((p) => p.stage === 'FP' && p.to === 'dram').reduce((s, p) => s + p.bits, 0),
        back: flows.filter((p) => p.stage === 'BP' && p.from === 'dram').reduce((s, p) => s + p.bits, 0),
      };
    };
    const roomy = dramBits(4096, 'membrane');
    expect(roomy).toEqual({ out: 0, back: 0 });
    const tight = dramBits(1, 'membrane');
    expect(tight.out).toBeGreaterThan(0);
    expect(tight.back).toBe(tight.out);
  });

  it('with time batching fetches weights that do not fit once per stage instead of once per step', () => {
    const weightsFromDram = (dataflow: string): number =>
      simulateTraining(resolveConfig({ network: 'vgg5', dataflow, timesteps: 4 }), registry).result.placement.filter((p) => p.tensor === 'weights' && p.stage === 'FP' && p.from === 'dram').reduce((s, p) => s + p.bits, 0);
    const ws = weightsFromDram('ws');
    const batched = weightsFromDram('sata');
    // fc1's 8192 x 1024 16-bit weights (16 MiB) dominate and do not fit in 144 KiB.
    expect(ws / batched).toBeGreaterThan(3.5);
    expect(ws / batched).toBeLessThan(4.5);
  });

  it('counts the same active operations with time batched as step by step, per-step sparsities included', () => {
    const perStep = [{ spike: 0.99, membraneGradient: 0.2 }, { spike: 0.5, membraneGradient: 0.9 }];
    const cfg = (dataflow: string) =>
      resolveConfig({ network: 'digits-cnn', timesteps: 2, dataflow, sparsity: { perLayer: { conv1: { perStep }, conv2_lif: { perStep } } } });
    const a = simulateTraining(cfg('ws'), registry).result.ops;
    const b = simulateTraining(cfg('sata'), registry).result.ops;
    for (const k of ['FP.and_accumulate', 'FP.mac', 'BP.mac', 'WG.and_accumulate', 'WG.mac']) {
      close(b[k]!.active, a[k]!.active);
      close(b[k]!.gated, a[k]!.gated);
    }
  });

  it('names neuron layers in a sparsity profile, a format-1 conv standing for its implied neuron, and refuses others', () => {
    const spike = (perLayer: Record<string, unknown>) =>
      simulateTraining(resolveConfig({ network: 'digits-cnn', timesteps: 1, sparsity: { perLayer } as never }), registry).result.densities.find((d) => d.layer === 'conv1_lif')!.perStep[0]!.spike;
    expect(spike({ conv1: { spike: 0.25 } })).toBeCloseTo(0.75, 12);
    expect(spike({ conv1_lif: { spike: 0.5 } })).toBeCloseTo(0.5, 12);
    expect(() => spike({ pool1: { spike: 0.5 } })).toThrow(/sparsity\.perLayer names layer "pool1", which is not a neuron layer of network digits-cnn \(neuron layers: conv1_lif, conv1, conv2_lif, conv2, fc1_lif, fc1\)/);
    expect(() => spike({ nope: { spike: 0.5 } })).toThrow(/which network digits-cnn does not have/);
  });

  it('is deterministic: same configuration, same result document', () => {
    const cfg = resolveConfig({ network: 'digits-cnn', sparsity: { mode: 'measured' }, dataset: 'digits', seed: 3 });
    expect(toJson(simulateTraining(cfg, registry).result)).toBe(toJson(simulateTraining(cfg, registry).result));
  });
});

describe('comparison', () => {
  it('defines both headline figures from its three runs', () => {
    const { result } = compareTraining(resolveConfig({ network: 'digits-cnn' }), registry);
    const { sparsityGain: g, snnOverAnn: r } = result;
    expect(g.value).toBeCloseTo(g.unaware.energyPJ.compute / g.aware.energyPJ.compute, 12);
    expect(r.value).toBeCloseTo(r.snn.energyPJ.total / r.ann.energyPJ.total, 12);
    expect(g.value).toBeGreaterThan(1);
    expect([g.paper, r.paper]).toEqual([5.58, 1.27]);
    expect(r.ann.arch).toBe('eyeriss');
    expect(r.ann.timesteps.length).toBeGreaterThan(0);
    expect(g.aware.sparsityAware && !g.unaware.sparsityAware).toBe(true);
  });
});
