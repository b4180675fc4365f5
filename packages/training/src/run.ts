import { ConfigError, TimelineCollector, teeTimeline, type Config, type Simulator } from '@sata/core';
import { priceRun, registryArchitectures, runSchedule, type Accelerator, type ArchSpec, type PricedRun, type ScheduleResult, type StepAttribution, type StepResult } from '@sata/hw';
import type { AlgorithmInstance, KeptState, DataflowContribution, EnergyModelContribution, OpCount, PlacementFlow, Registry, Stage, TrainingEnergy, TrainingResult } from '@sata/plugin-api';
import { STAGES } from '@sata/plugin-api';
import { algorithmFor, networkFromRef, type Network } from '@sata/snn';
import { annActivity, statisticalActivity, type ActivitySource } from './activity.js';
import { architectureFor, type ResolvedConfig, type TrainingConfig } from './config.js';
import { measure, type Measurement } from './measure.js';
import { replayedActivityFromFile } from './replayed.js';
import { annSchedule, snnSchedule, tensorClass, type TrainingSchedule } from './schedule.js';
import { buildTimeline } from './timeline.js';

/** The network a configuration names: a registered (zoo) network, or a JSON/YAML file. */
export function networkFor(cfg: Config<TrainingConfig>, registry: Registry): Network {
  return networkFromRef(cfg.network, registry, { dt: cfg.dtSeconds });
}

/** The accelerator a configuration runs: its architecture spec (a registered one or a file) with the configuration's hardware settings applied. */
export function acceleratorFor(cfg: ResolvedConfig, registry: Registry): ArchSpec {
  return architectureFor(cfg, registryArchitectures(registry));
}

export interface RunOptions {
  /** A measurement to reuse (compare runs the functional model once for its SNN runs). */
  readonly measurement?: Measurement;
  /** Progress messages (stderr). */
  readonly progress?: (message: string) => void;
  /** Called with the simulator once the accelerator is built (observers: progress, traces). */
  readonly attach?: (sim: Simulator, acc: Accelerator) => void;
  /** Record the iteration's timeline into the result (`timeline`). */
  readonly timeline?: boolean;
}

/** What a training-iteration simulation returns: the result document and the raw run behind it. */
export interface TrainingRun {
  readonly result: TrainingResult;
  readonly schedule: TrainingSchedule;
  readonly run: ScheduleResult;
  readonly measurement: Measurement | undefined;
  readonly arch: ArchSpec;
}

/**
 * Simulates one training iteration: builds the schedule of the configured architecture,
 * runs it on the accelerator (events through the kernel), prices the counted actions with
 * the energy model and sums everything by stage, layer, step, component and action.
 */
/**
 * The dataflow a configuration runs. The ANN has no time steps: it runs a time-batching
 * dataflow's mapping (and tiling) without batching, which its schedule never does.
 */
export function dataflowFor(cfg: ResolvedConfig, registry: Registry): DataflowContribution {
  return registry.get('dataflows', cfg.dataflow) as DataflowContribution;
}

/** The configured SNN training algorithm for this run's T and seed (a ConfigError names an unknown one). */
export function algorithmOf(cfg: ResolvedConfig, registry: Registry): AlgorithmInstance {
  return algorithmFor(cfg.algorithm, cfg.timesteps, cfg.seed, registry, 'algorithm');
}

/** The schedule of the architecture's workload (its shape does not depend on the activity, only its counts do). */
export function scheduleFor(net: Network, cfg: ResolvedConfig, dataflow: DataflowContribution, activity: ActivitySource, registry: Registry, workload: ArchSpec['workload']): TrainingSchedule {
  return workload === 'snn' ? snnSchedule(net, cfg, dataflow, activity, algorithmOf(cfg, registry)) : annSchedule(net, cfg, dataflow, activity);
}

export function simulateTraining(cfg: ResolvedConfig, registry: Registry, opts: RunOptions = {}): TrainingRun {
  const net = networkFor(cfg, registry);
  for (const w of net.warnings) opts.progress?.(`warning: ${w}`);
  const dataflow = dataflowFor(cfg, registry);
  const model = registry.get('energyModels', cfg.energyModel) as EnergyModelContribution;
  const arch = acceleratorFor(cfg, registry);
  const snn = arch.workload === 'snn';
  let activity: ActivitySource;
  let measurement: Measurement | undefined;
  const algorithm = algorithmOf(cfg, registry);
  if (!snn) activity = annActivity(net, cfg);
  else if (cfg.sparsity.mode === 'measured') {
    measurement = opts.measurement ?? measure(net, cfg, registry, opts.progress);
    activity = measurement.activity;
  } else if (cfg.sparsity.mode === 'replayed') activity = replayedActivityFromFile(net, cfg, algorithm);
  else activity = statisticalActivity(net, cfg, algorithm);
  opts.progress?.(`simulating ${snn ? `SNN (T=${cfg.timesteps})` : 'ANN'} training of ${net.name} on ${cfg.arch}, dataflow ${cfg.dataflow}, ${sparsityAware(cfg, arch) ? 'sparsity-aware' : 'sparsity-unaware'}`);
  const schedule = scheduleFor(net, cfg, dataflow, activity, registry, arch.workload);
  const collector = opts.timeline ? new TimelineCollector() : undefined;
  const attach = (sim: Simulator, acc: Accelerator): void => {
    opts.attach?.(sim, acc);
    if (collector) acc.controller.timeline = acc.controller.timeline ? teeTimeline(acc.controller.timeline, collector) : collector;
  };
  const run = runSchedule(schedule.steps, arch, { registry, seed: cfg.seed, ...(opts.attach || collector ? { attach } : {}) });
  const priced = priceRun(run.accelerator, model, run.steps, run.totalCycles, run.actions);
  const summary = summarize(net, cfg, arch, schedule, run, model, priced, activity, measurement);
  const result = collector ? { ...summary, timeline: buildTimeline({ acc: run.accelerator, facts: collector, steps: run.steps, schedule, perStep: priced.perStep, drainPJ: priced.drain, clockMHz: arch.clockMHz }) } : summary;
  return { result, schedule, run, measurement, arch };
}

function summarize(net: Network, cfg: ResolvedConfig, arch: ArchSpec, schedule: TrainingSchedule, run: ScheduleResult, model: EnergyModelContribution, priced: PricedRun, activity: ActivitySource, measurement: Measurement | undefined): TrainingResult {
  const T = arch.workload === 'snn' ? cfg.timesteps : 1;
  const steps = Array.from({ length: T + 1 }, (_, t) => ({ t, cycles: 0, energyPJ: 0 }));
  const flows = new Map<string, { tensor: string; stage: Stage; from: string; to: string; bits: number }>();
  const ops = new Map<string, { active: number; gated: number }>();
  const addOps = (key: string, active: number, gated: number): void => {
    const o = ops.get(key) ?? { active: 0, gated: 0 };
    o.active += active;
    o.gated += gated;
    ops.set(key, o);
  };
  run.steps.forEach((r: StepResult, i) => {
    const tag = attributionOf(r.attribution, r.label);
    const e = priced.perStep[i]!;
    const slot = steps[tag.t === null ? 0 : tag.t + 1]!;
    slot.cycles += r.endCycle - r.startCycle;
    slot.energyPJ += e.total + (r.finalWaitCycles > 0 ? priced.drain : 0); // the slot's cycles include the final wait
    for (const f of r.flows) {
      const cls = tensorClass(f.tensor);
      const key = `${cls}|${tag.stage}|${f.from}|${f.to}`;
      const agg = flows.get(key) ?? { tensor: cls, stage: tag.stage, from: f.from, to: f.to, bits: 0 };
      agg.bits += f.bits;
      flows.set(key, agg);
    }
    const step = schedule.steps[i]!;
    if (step.kind === 'gemm') addOps(`${tag.stage}.${step.operation}`, r.counts.activeOps, r.counts.gatedOps);
    else {
      const unit = step.kind === 'elementwise' || step.kind === 'vector' ? step.ops!.component : step.kind;
      const skipped = Object.values(step.skipped ?? {}).reduce((a, b) => a + b, 0);
      addOps(`${tag.stage}.${unit}`, step.elements - Math.min(skipped, step.elements), Math.min(skipped, step.elements));
    }
  });
  const sources: Record<string, string> = {};
  for (const a of priced.breakdown.actions) sources[`${a.component}.${a.action}`] = a.source;
  for (const l of priced.breakdown.leakage) sources[`${l.component}.leakage`] = l.source;
  for (const u of priced.breakdown.unpriced) sources[`${u.component}.${u.action}`] = `not priced: energy model ${model.name} has no figure`;
  const placement: PlacementFlow[] = [...flows.values()].sort((a, b) => cmp(a.tensor, b.tensor) || STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || cmp(a.from, b.from) || cmp(a.to, b.to));
  const perLayer = net.layers.map((l, li) => ({
    layer: l.name,
    kind: l.kind,
    perStep: Array.from({ length: T }, (_, t) => activity.densities(li, t)),
  }));
  const result: TrainingResult = {
    kind: 'training-iteration',
    arch: cfg.arch,
    workload: arch.workload,
    network: net.name,
    config: cfg as unknown as Record<string, unknown>,
    sparsitySource: sparsityAware(cfg, arch) ? activity.source : 'dense',
    sparsityAware: sparsityAware(cfg, arch),
    cycles: run.totalCycles,
    computeCycles: run.computeCycles,
    stallCycles: run.stallCycles,
    seconds: run.totalCycles / (cfg.clockMHz * 1e6),
    energyPJ: energyFigures(net, priced),
    timesteps: steps.filter((s) => s.cycles > 0 || s.energyPJ > 0),
    placement,
    ops: sortRecord(Object.fromEntries(ops)) as Record<string, OpCount>,
    energyModel: { name: model.name, version: model.version, sources: sortRecord(sources) },
    events: run.events,
    densities: perLayer,
    unpriced: priced.breakdown.unpriced.map((u) => `${u.component}.${u.action}@${u.bits}`),
    ...(measurement ? { measurement: measurement.summary } : {}),
    ...(arch.workload === 'snn' ? { algorithm: schedule.algorithm } : {}),
    keptState: keptState(schedule, run),
  };
  return result;
}

/** Peaks of the kept training state: on chip what the buffers hold pinned after a step, in DRAM the rest of what is live. */
function keptState(schedule: TrainingSchedule, run: ScheduleResult): KeptState {
  const zero = (): { onChipBytes: number; dramBytes: number; stateBytes: number } => ({ onChipBytes: 0, dramBytes: 0, stateBytes: 0 });
  const byStage: Record<Stage, { onChipBytes: number; dramBytes: number; stateBytes: number }> = { FP: zero(), BP: zero(), WG: zero(), WU: zero() };
  const peak = { ...zero(), totalBytes: 0 };
  run.steps.forEach((r, i) => {
    const onChip = r.pinnedBits / 8;
    const dram = Math.max(0, schedule.keptBits[i]! / 8 - onChip);
    const state = schedule.stateBits[i]! / 8;
    for (const x of [byStage[attributionOf(r.attribution, r.label).stage], peak]) {
      x.onChipBytes = Math.max(x.onChipBytes, onChip);
      x.dramBytes = Math.max(x.dramBytes, dram);
      x.stateBytes = Math.max(x.stateBytes, state);
    }
    peak.totalBytes = Math.max(peak.totalBytes, onChip + dram);
  });
  return { peak, byStage };
}

/** A step's attribution; a step without one cannot be reported by stage and layer. */
function attributionOf(a: StepAttribution | undefined, label: string): StepAttribution {
  if (!a) throw new ConfigError(`step ${label} carries no attribution (layer, stage, time step): the schedule must give every step one`);
  return a;
}

/** A priced run's energy summed by stage, layer, component and action (every step's attribution says where it goes). */
export function energyFigures(net: Network, priced: PricedRun): TrainingEnergy {
  const zeroStages = (): Record<Stage, number> => ({ FP: 0, BP: 0, WG: 0, WU: 0 });
  const byStage = zeroStages();
  const layers = net.layers.map((l) => ({ index: l.index, name: l.name, kind: l.kind, totalPJ: 0, computePJ: 0, memoryPJ: 0, byStage: zeroStages() }));
  const byName = new Map(layers.map((l) => [l.name, l]));
  priced.perStep.forEach((e, i) => {
    const tag = attributionOf(e.attribution, `#${i}`);
    byStage[tag.stage] += e.total;
    const L = byName.get(tag.layer);
    if (!L) throw new ConfigError(`a step is attributed to layer "${tag.layer}", which network ${net.name} does not have`);
    L.totalPJ += e.total;
    L.computePJ += e.compute;
    L.memoryPJ += e.memory;
    L.byStage[tag.stage] += e.total;
  });
  return {
    total: priced.total,
    compute: priced.compute,
    memory: priced.memory,
    leakage: priced.leakage,
    drain: priced.drain,
    byStage,
    byLayer: layers,
    byComponent: sortRecord(priced.byComponent),
    byAction: sortRecord(priced.byAction),
  };
}

function sparsityAware(cfg: ResolvedConfig, arch: ArchSpec): boolean {
  return arch.workload === 'snn' ? cfg.sparsity.gating : cfg.ann.gating;
}

function sortRecord<V>(r: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => cmp(a, b)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
