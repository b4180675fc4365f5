import { Component, ConfigError, defineComponentInfo, Simulator } from '@sata/core';
import { priceActions, type ActionKey, type EnergyBreakdown, type EnergyModelContribution } from '@sata/plugin-api';
import { ActionCounter } from './actions.js';
import { Controller, type DramTraffic, type StepResult } from './components/controller.js';
import { Dram, GlobalBuffer, Scratchpad } from './components/memory.js';
import { PEArray } from './components/pe-array.js';
import { GradientUnit, LifUnit, SpikeEncoder } from './components/units.js';
import { addFoldCounts, emptyFoldCounts, type FoldCounts } from './fold-counts.js';
import type { ScheduleStep } from './schedule.js';

type Params = Readonly<Record<string, unknown>>;

/** An accelerator's configuration: parameters of each component (validated by the component). */
export interface AcceleratorConfig {
  readonly clockMHz: number;
  readonly array: Params;
  readonly scratchpads: { readonly ifmap: Params; readonly filter: Params };
  /** Global-buffer partitions by name (SATA: spikes, membrane, weights, gradients, misc). */
  readonly globalBuffers: Readonly<Record<string, Params>>;
  readonly dram: Params;
  readonly lif: Params;
  readonly gradient: Params;
  readonly encoder: Params;
}

const KIB = 1024;

/** SATA's defaults (hardware-model.md section 2, from SATA_Sim). */
export const SATA_CONFIG: AcceleratorConfig = Object.freeze({
  clockMHz: 400,
  array: { rows: 8, cols: 16 },
  scratchpads: { ifmap: { bytesPerPe: 9 }, filter: { bytesPerPe: 9 } },
  globalBuffers: {
    spikes: { capacityBytes: 32 * KIB },
    membrane: { capacityBytes: 256 * KIB },
    weights: { capacityBytes: 144 * KIB },
    gradients: { capacityBytes: 64 * KIB },
    misc: { capacityBytes: 8 * KIB },
  },
  dram: {},
  lif: {},
  gradient: {},
  encoder: {},
});

export const acceleratorInfo = defineComponentInfo({
  type: 'hw.Accelerator',
  version: '1.0.0',
  description: 'The container of one accelerator: PE array, scratchpads, global-buffer partitions, DRAM, LIF and gradient units, spike encoder and controller',
  params: {
    clockMHz: { type: 'number', default: 400, min: 1e-6, unit: 'MHz', description: 'accelerator clock (SATA: 400 MHz); one tick is one cycle' },
  },
  ports: {},
  stats: {},
});

/** Names the parts of an accelerator; its children are the components. */
export class AcceleratorRoot extends Component<typeof acceleratorInfo.params> {
  constructor(parent: Simulator | Component, name: string, params?: Params) {
    super(parent, name, acceleratorInfo, params);
  }
}

const RESERVED = new Set(['array', 'ifmapSpad', 'filterSpad', 'dram', 'lif', 'gradient', 'encoder', 'controller']);

/** The components of one accelerator, wired. */
export interface Accelerator {
  readonly sim: Simulator;
  readonly config: AcceleratorConfig;
  readonly root: AcceleratorRoot;
  readonly array: PEArray;
  readonly scratchpads: { readonly ifmap: Scratchpad; readonly filter: Scratchpad };
  readonly buffers: ReadonlyMap<string, GlobalBuffer>;
  readonly dram: Dram;
  readonly lif: LifUnit;
  readonly gradient: GradientUnit;
  readonly encoder: SpikeEncoder;
  readonly controller: Controller;
}

/** Builds the accelerator under `root` (a component path) in `sim`: controller, array, memories, units. */
export function buildAccelerator(sim: Simulator, config: AcceleratorConfig = SATA_CONFIG, root = 'acc'): Accelerator {
  const top = new AcceleratorRoot(sim, root, { clockMHz: config.clockMHz });
  const array = new PEArray(top, 'array', config.array);
  const pes = array.params.rows * array.params.cols;
  const scratchpads = {
    ifmap: new Scratchpad(top, 'ifmapSpad', { pes, ...config.scratchpads.ifmap }),
    filter: new Scratchpad(top, 'filterSpad', { pes, ...config.scratchpads.filter }),
  };
  const names = Object.keys(config.globalBuffers).sort();
  if (names.length === 0) throw new ConfigError('accelerator: at least one global-buffer partition is needed');
  const buffers = new Map<string, GlobalBuffer>();
  for (const n of names) {
    if (!/^[A-Za-z_]\w*$/.test(n) || RESERVED.has(n)) throw new ConfigError(`accelerator: global-buffer partition name "${n}" must be letters, digits and _, and not one of ${[...RESERVED].join(', ')}`);
    buffers.set(n, new GlobalBuffer(top, n, config.globalBuffers[n]));
  }
  const dram = new Dram(top, 'dram', config.dram);
  const lif = new LifUnit(top, 'lif', config.lif);
  const gradient = new GradientUnit(top, 'gradient', config.gradient);
  const encoder = new SpikeEncoder(top, 'encoder', config.encoder);
  const controller = new Controller(top, 'controller', {});
  sim.connect(controller.port('array'), array.port('ctrl'), 0, `${root}.controller-array`);
  sim.connect(controller.port('lif'), lif.port('ctrl'), 0, `${root}.controller-lif`);
  sim.connect(controller.port('gradient'), gradient.port('ctrl'), 0, `${root}.controller-gradient`);
  sim.connect(controller.port('encoder'), encoder.port('ctrl'), 0, `${root}.controller-encoder`);
  controller.attach({ array, scratchpads, buffers, dram });
  return { sim, config, root: top, array, scratchpads, buffers, dram, lif, gradient, encoder, controller };
}

export interface ScheduleResult {
  readonly steps: readonly StepResult[];
  /** Cycle the last step ended. */
  readonly totalCycles: number;
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly drainCycles: number;
  readonly counts: FoldCounts;
  readonly dram: DramTraffic;
  readonly actions: ActionCounter;
  /** Events the kernel executed. */
  readonly events: number;
  readonly accelerator: Accelerator;
}

/** Builds an accelerator, runs the steps on it and sums the results. */
export function runSchedule(steps: readonly ScheduleStep[], config: AcceleratorConfig = SATA_CONFIG, seed = 1, attach?: (sim: Simulator, acc: Accelerator) => void): ScheduleResult {
  const sim = new Simulator({ seed, progressEvery: 100_000 });
  const acc = buildAccelerator(sim, config);
  acc.controller.submit(steps);
  // Observers (progress, a trace recorder) subscribe once the model is wired.
  attach?.(sim, acc);
  const run = sim.run();
  const results = acc.controller.stepResults();
  if (results.length !== steps.length) throw new ConfigError(`schedule ended after ${results.length} of ${steps.length} steps`);
  const counts = emptyFoldCounts();
  const actions = new ActionCounter();
  const dram: DramTraffic = { reads: { ifmap: 0, filter: 0, psum: 0 }, writes: { ofmap: 0, psum: 0 }, refetch: { ifmap: 0, filter: 0, psum: 0 } };
  let compute = 0;
  let stall = 0;
  let drain = 0;
  for (const r of results) {
    addFoldCounts(counts, r.counts);
    actions.addAll(r.actions);
    compute += r.computeCycles;
    stall += r.stallCycles;
    drain += r.drainCycles;
    for (const k of ['ifmap', 'filter', 'psum'] as const) {
      dram.reads[k] += r.dram.reads[k];
      dram.refetch[k] += r.dram.refetch[k];
    }
    dram.writes.ofmap += r.dram.writes.ofmap;
    dram.writes.psum += r.dram.writes.psum;
  }
  return { steps: results, totalCycles: results.length ? results[results.length - 1]!.endCycle : 0, computeCycles: compute, stallCycles: stall, drainCycles: drain, counts, dram, actions, events: run.events, accelerator: acc };
}

/**
 * Prices counted actions with an energy model, and the global buffers' leakage over
 * `cycles`. A partition whose parameters give its own read/write energy or leakage uses
 * those figures (source: the component parameter) instead of the model's.
 */
export function priceOnAccelerator(acc: Accelerator, model: EnergyModelContribution, actions: ActionCounter, cycles: number): EnergyBreakdown {
  const overrides = new Map<string, { read: number; write: number; widthBits: number; leakage: number; name: string }>();
  for (const [part, gb] of acc.buffers) {
    overrides.set(`globalBuffer.${part}`, { read: gb.params.readEnergyPJ, write: gb.params.writeEnergyPJ, widthBits: gb.params.widthBits, leakage: gb.params.leakageMW, name: gb.name });
  }
  const withOverrides: EnergyModelContribution = {
    name: model.name,
    version: model.version,
    description: model.description,
    energyPerAction(key: ActionKey) {
      if (key.component === 'dram') {
        const perBit = key.action === 'read' ? acc.dram.params.readEnergyPJPerBit : key.action === 'write' ? acc.dram.params.writeEnergyPJPerBit : 0;
        if (perBit > 0) return { picojoules: perBit * key.bits, source: `component ${acc.dram.name} parameter ${key.action}EnergyPJPerBit (${perBit} pJ/bit)` };
      }
      const o = overrides.get(key.component);
      const pj = o ? (key.action === 'read' ? o.read : key.action === 'write' ? o.write : 0) : 0;
      if (o && pj > 0) return { picojoules: (pj * key.bits) / o.widthBits, source: `component ${o.name} parameter ${key.action}EnergyPJ (${pj} pJ per ${o.widthBits}-bit access)` };
      return model.energyPerAction(key);
    },
    leakagePower(component: string) {
      const o = overrides.get(component);
      if (o && o.leakage > 0) return { milliwatts: o.leakage, source: `component ${o.name} parameter leakageMW` };
      return model.leakagePower?.(component);
    },
  };
  return priceActions(withOverrides, actions.list(), { components: [...overrides.keys()], cycles, clockHz: acc.root.params.clockMHz * 1e6 });
}
