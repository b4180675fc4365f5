import { ConfigError, quote, type Config } from '@sata/core';
import { STAGES, type ComparisonResult, type LayerEnergy, type PlacementFlow, type Stage, type TrainingResult } from '@sata/plugin-api';
import type { BaseConfig } from './derive.js';

/**
 * A deterministic stand-in for the real simulation: closed-form, made-up energy figures
 * shaped like a TrainingResult, cheap to compute. It exists to exercise the sweep engine
 * (workers, sharding, merging, reports) before and independently of the simulator. Its
 * numbers mean nothing about SATA.
 */
export const STAND_IN_DESCRIPTION = 'synthetic closed-form figures for testing the sweep machinery (not a simulation; numbers mean nothing).';

export interface StandInConfig {
  network: string;
  arch: 'sata' | 'eyeriss';
  timesteps: number;
  batch: number;
  sparsityAware: boolean;
  sparsity: { spike: number; membraneGradient: number; firingGradient: number };
  bits: { weight: number; activation: number };
  array: { rows: number; cols: number };
  dataflow: string;
  /** Busy-waits this long per point, to measure parallel speed-up. */
  workMs: number;
  /** Throws when the point's timesteps equal this (0: never); for testing error paths. */
  failAtTimesteps: number;
}

export const STAND_IN_DEFAULTS: StandInConfig = {
  network: 'vgg5',
  arch: 'sata',
  timesteps: 4,
  batch: 1,
  sparsityAware: true,
  sparsity: { spike: 0.9, membraneGradient: 0.7, firingGradient: 0.6 },
  bits: { weight: 8, activation: 8 },
  array: { rows: 16, cols: 16 },
  dataflow: 'ws',
  workMs: 0,
  failAtTimesteps: 0,
};

export function resolveStandInConfig(partial: BaseConfig): BaseConfig {
  const d = STAND_IN_DEFAULTS as unknown as BaseConfig;
  const out: BaseConfig = structuredClone(d);
  for (const [k, v] of Object.entries(partial)) {
    if (!Object.hasOwn(d, k)) throw new ConfigError(`base configuration: unknown key "${k}" for the stand-in runner; known: ${Object.keys(d).join(', ')}`);
    const dv = d[k];
    out[k] = typeof dv === 'object' && dv !== null && typeof v === 'object' && v !== null ? { ...(dv as object), ...(v as object) } : v;
  }
  // The simulation's own bounds, so that a point cannot ask for a time-step list of a billion entries.
  for (const [k, max] of [['timesteps', 1024], ['batch', 65536]] as const) {
    const v = out[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) throw new ConfigError(`base configuration: ${k} must be an integer in 1..${max} for the stand-in runner, got ${quote(v)}`);
  }
  return out;
}

const NETWORKS: Record<string, readonly { name: string; kind: string; macs: number; neurons: number; weights: number }[]> = {
  vgg5: [
    { name: 'conv1', kind: 'conv', macs: 1.77e6, neurons: 65536, weights: 1728 },
    { name: 'conv2', kind: 'conv', macs: 37.7e6, neurons: 65536, weights: 36864 },
    { name: 'conv3', kind: 'conv', macs: 18.9e6, neurons: 32768, weights: 73728 },
    { name: 'conv4', kind: 'conv', macs: 37.7e6, neurons: 32768, weights: 147456 },
    { name: 'fc1', kind: 'linear', macs: 0.33e6, neurons: 10, weights: 327680 },
  ],
  'digits-cnn': [
    { name: 'conv1', kind: 'conv', macs: 4.6e3, neurons: 512, weights: 72 },
    { name: 'conv2', kind: 'conv', macs: 36.9e3, neurons: 256, weights: 1152 },
    { name: 'fc1', kind: 'linear', macs: 2.6e3, neurons: 10, weights: 2560 },
  ],
};

function stageRecord(f: (s: Stage) => number): Record<Stage, number> {
  return Object.fromEntries(STAGES.map((s) => [s, f(s)])) as Record<Stage, number>;
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* burn CPU like a simulation would */
  }
}

/** One synthetic training iteration. */
export function runStandIn(config: Config<BaseConfig>): TrainingResult {
  const c = resolveStandInConfig(config as BaseConfig) as unknown as StandInConfig;
  if (c.failAtTimesteps > 0 && c.timesteps === c.failAtTimesteps) throw new Error(`stand-in runner: asked to fail at timesteps=${c.timesteps}`);
  for (const [k, v] of Object.entries(c.sparsity)) if (!(v >= 0 && v <= 1)) throw new ConfigError(`sparsity.${k} must be within [0, 1], found ${v}`);
  busyWait(c.workMs);
  const layers = NETWORKS[c.network] ?? NETWORKS.vgg5!;
  const ann = c.arch === 'eyeriss';
  const T = ann ? 1 : c.timesteps;
  const aware = c.sparsityAware;
  const sp = ann ? { spike: 0.5, membraneGradient: 0.5, firingGradient: 0.5 } : c.sparsity;
  const dens = (s: number): number => (aware ? 1 - s : 1);
  const actBits = ann ? 16 : c.bits.activation;
  const bitScale = c.bits.weight / 8;
  const eAcc = 0.03 * bitScale;
  const eMac = (ann ? 0.2 : 0.12) * bitScale;
  const arrayScale = 256 / (c.array.rows * c.array.cols);
  const byLayer: LayerEnergy[] = layers.map((l, index) => {
    const compute = stageRecord((s) => {
      const m = l.macs * c.batch;
      if (s === 'FP') return T * (m * dens(sp.spike) * (ann ? eMac : eAcc) + l.neurons * c.batch * 0.05);
      if (s === 'BP') return T * (m * dens(sp.membraneGradient) * eMac + l.neurons * c.batch * 0.04);
      if (s === 'WG') return T * m * dens(sp.spike) * dens(sp.firingGradient) * (ann ? eMac : eAcc);
      return l.weights * 0.4 * bitScale;
    });
    const memFactor: Record<Stage, number> = { FP: 1.1, BP: 2.3, WG: 1.6, WU: 3 };
    const memory = stageRecord((s) => compute[s] * memFactor[s] * (actBits / 8) * (0.6 + 0.4 * arrayScale));
    const byStage = stageRecord((s) => compute[s] + memory[s]);
    const computePJ = STAGES.reduce((a, s) => a + compute[s], 0);
    const memoryPJ = STAGES.reduce((a, s) => a + memory[s], 0);
    return { index, name: l.name, kind: l.kind, totalPJ: computePJ + memoryPJ, computePJ, memoryPJ, byStage };
  });
  const sum = (f: (l: LayerEnergy) => number): number => byLayer.reduce((a, l) => a + f(l), 0);
  const compute = sum((l) => l.computePJ);
  const memory = sum((l) => l.memoryPJ);
  const totalMacs = layers.reduce((a, l) => a + l.macs, 0) * c.batch;
  const computeCycles = Math.round((totalMacs * T * 3) / (c.array.rows * c.array.cols));
  const stallCycles = Math.round(computeCycles * 0.08 * (actBits / 8));
  const cycles = computeCycles + stallCycles;
  const leakage = cycles * 0.02;
  const total = compute + memory + leakage;
  const byComponent: Record<string, number> = {
    pe: compute * 0.82,
    lif: compute * 0.1,
    gradientUnit: compute * 0.08,
    scratchpad: memory * 0.35,
    'globalBuffer.weights': memory * 0.15,
    'globalBuffer.activations': memory * 0.2,
    dram: memory * 0.3,
    leakage,
  };
  const placement: PlacementFlow[] = [];
  for (const stage of STAGES) {
    for (const [tensor, perT] of [['spikes', 1], ['membrane', actBits], ['weights', c.bits.weight], ['gradients', actBits]] as const) {
      if (stage === 'WU' && tensor !== 'weights') continue;
      const elems = layers.reduce((a, l) => a + (tensor === 'weights' ? l.weights : l.neurons * c.batch), 0);
      const steps = tensor === 'weights' ? 1 : T;
      placement.push({ tensor, stage, from: 'dram', to: 'globalBuffer', bits: Math.round(elems * perT * steps * (stage === 'BP' ? 1.5 : 1)) });
      placement.push({ tensor, stage, from: 'globalBuffer', to: 'scratchpad', bits: Math.round(elems * perT * steps * 2) });
    }
  }
  return {
    kind: 'training-iteration',
    arch: c.arch,
    network: NETWORKS[c.network] ? c.network : `${c.network} (as vgg5)`,
    config: c as unknown as Record<string, unknown>,
    sparsitySource: aware ? 'statistical' : 'dense',
    sparsityAware: aware,
    cycles,
    computeCycles,
    stallCycles,
    seconds: cycles / 200e6,
    energyPJ: {
      total,
      compute,
      memory,
      leakage,
      byStage: stageRecord((s) => sum((l) => l.byStage[s]) + leakage / 4),
      byLayer,
      byComponent,
      byAction: { [`pe.accumulate@${c.bits.weight}`]: compute * 0.5, [`pe.multiply@${c.bits.weight}`]: compute * 0.32, [`dram.read@${actBits}`]: memory * 0.3 },
    },
    timesteps: Array.from({ length: T }, (_, i) => ({ t: i + 1, cycles: Math.round(cycles / T), energyPJ: total / T })),
    placement,
    ops: {
      'and-accumulate': { active: Math.round(totalMacs * T * dens(sp.spike)), gated: Math.round(totalMacs * T * (1 - dens(sp.spike))) },
      'multiply-accumulate': { active: Math.round(totalMacs * T * dens(sp.membraneGradient)), gated: Math.round(totalMacs * T * (1 - dens(sp.membraneGradient))) },
    },
    energyModel: { name: 'stand-in', version: '0.0.0', sources: { all: 'synthetic closed-form figures in packages/sweep/src/stand-in.ts; not a simulation' } },
    events: layers.length * T * 4,
    densities: [],
    unpriced: [],
  };
}

/** A synthetic comparison: SNN on SATA against the ANN baseline, sparsity-aware against unaware. */
export function runStandInCompare(config: Config<BaseConfig>): ComparisonResult {
  const c = config as BaseConfig;
  const aware = runStandIn({ ...c, arch: 'sata', sparsityAware: true });
  const unaware = runStandIn({ ...c, arch: 'sata', sparsityAware: false, workMs: 0 });
  const ann = runStandIn({ ...c, arch: 'eyeriss', workMs: 0 });
  return {
    kind: 'comparison',
    sparsityGain: {
      value: unaware.energyPJ.compute / aware.energyPJ.compute,
      definition: 'computation energy of the sparsity-unaware SATA over the sparsity-aware SATA (stand-in figures)',
      paper: 5.58,
      aware,
      unaware,
    },
    snnOverAnn: {
      value: aware.energyPJ.total / ann.energyPJ.total,
      definition: 'total training energy of the SNN on SATA over the ANN on the Eyeriss-like baseline (stand-in figures)',
      paper: 1.27,
      snn: aware,
      ann,
    },
  };
}
