/**
 * `sata simulate` as a replayable run: the header holds the resolved training
 * configuration; replay rebuilds the iteration from it. Re-costing prices the recorded
 * per-step action counts on an accelerator rebuilt from the header's configuration (its
 * partitions and their parameter overrides), with leakage over the recorded cycles, and
 * sums them by stage, layer, step, component and action exactly as a direct run does.
 */
import { ConfigError, Simulator, type RunResult } from '@sata/core';
import { buildAccelerator, priceRun, registryArchitectures } from '@sata/hw';
import type { EnergyModelContribution, Registry, Timeline, TrainingResult } from '@sata/plugin-api';
import { canonicalize, TraceReader, TraceWriter, AtomicFileSink, type ActionRecorder, type ReplayableRunKind } from '@sata/trace';
import { acceleratorFor, algorithmOf, annActivity, buildTimeline, dataflowFor, energyFigures, networkFor, resolveConfig, scheduleFor, simulateTraining, statisticalActivity, type ResolvedConfig, type RunOptions, type TrainingRun } from '@sata/training';
import type { Simulator as Sim } from '@sata/core';
import { hwTracePayload, recordedRun, recordSteps } from './hw-trace.js';

export const SIMULATE_RUN_KIND = 'simulate';

export interface SimulateRunKind extends ReplayableRunKind<ResolvedConfig> {
  /** Runs and returns the whole training run; `attach` as in `run`, `progress` for messages. */
  execute(config: ResolvedConfig, attach: ((sim: Sim) => ActionRecorder) | undefined, opts?: Pick<RunOptions, 'progress' | 'timeline'> & { observe?: (sim: Sim) => void }): TrainingRun;
}

export function simulateRunKind(registry: Registry): SimulateRunKind {
  const execute: SimulateRunKind['execute'] = (config, attach, opts = {}) =>
    simulateTraining(config, registry, {
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.timeline ? { timeline: true } : {}),
      attach: (sim, acc) => {
        opts.observe?.(sim);
        if (attach) recordSteps(acc, attach(sim));
      },
    });
  return {
    name: SIMULATE_RUN_KIND,
    description: 'one training iteration: SNN BPTT on SATA or the ANN on the Eyeriss-like baseline (sata simulate)',
    resolveConfig: (raw) => resolveConfig(raw, 'trace configuration', registryArchitectures(registry)),
    tracePayload: hwTracePayload,
    execute,
    run(config, seed, attach): RunResult {
      if (seed !== config.seed) throw new ConfigError(`trace seed ${seed} differs from the configuration's seed ${config.seed}`);
      const r = execute(config, attach);
      return { endTime: r.run.totalCycles, events: r.run.events, reason: 'empty' };
    },
  };
}

/** Starts recording a training run's simulator into `path` (compare's three runs each get one). */
export function startTrainingTrace(sim: Simulator, path: string, config: ResolvedConfig, plugins: readonly string[]): TraceWriter {
  return TraceWriter.attach(sim, new AtomicFileSink(path), { runKind: SIMULATE_RUN_KIND, config: canonicalize(config, 'configuration'), plugins, payload: hwTracePayload });
}

export type EnergyFigures = TrainingResult['energyPJ'];

export interface TrainingRecost {
  readonly runKind: string;
  readonly model: string;
  readonly cycles: number;
  readonly steps: number;
  readonly energyPJ: EnergyFigures;
  readonly unpriced: string[];
}

/** The schedule of the configuration (its structure, and so its steps' attributions, do not depend on the densities) and the accelerator it runs on. */
function scheduleOf(cfg: ResolvedConfig, registry: Registry) {
  const net = networkFor(cfg, registry);
  const arch = acceleratorFor(cfg, registry);
  const activity = arch.workload === 'snn' ? statisticalActivity(net, cfg, algorithmOf(cfg, registry)) : annActivity(net, cfg);
  return { net, arch, schedule: scheduleFor(net, cfg, dataflowFor(cfg, registry), activity, registry, arch.workload) };
}

/** Opens a trace and checks it was recorded by `simulate`. */
function openSimulateTrace(path: string): TraceReader {
  const reader = TraceReader.open(path);
  if (reader.header.runKind !== SIMULATE_RUN_KIND) {
    reader.close();
    throw new ConfigError(`${path} is a trace of run kind ${reader.header.runKind}, not ${SIMULATE_RUN_KIND}`);
  }
  return reader;
}

/**
 * A recorded `simulate` trace read back: its configuration, network and schedule, the
 * accelerator rebuilt from the configuration, the recorded steps priced with `model`, and
 * the recorded timeline.
 */
function readTrainingTrace(path: string, registry: Registry, model?: EnergyModelContribution) {
  const reader = openSimulateTrace(path);
  let cfg: ResolvedConfig;
  let recorded: ReturnType<typeof recordedRun>;
  try {
    cfg = resolveConfig(reader.header.config, `${path}: header configuration`, registryArchitectures(registry));
    recorded = recordedRun(reader);
  } finally {
    reader.close();
  }
  const steps = recorded.steps;
  const { net, arch, schedule } = scheduleOf(cfg, registry);
  if (schedule.steps.length !== steps.length) throw new ConfigError(`${path}: the trace holds ${steps.length} completed steps but the configuration's schedule has ${schedule.steps.length}: re-record it with this simulator`);
  const acc = buildAccelerator(new Simulator({ seed: cfg.seed }), arch, registry);
  const totalCycles = steps.length ? steps[steps.length - 1]!.endCycle : 0;
  // The recorded steps, attributed as the schedule's steps are.
  const attributed = steps.map((s, i) => ({ ...s, attribution: schedule.steps[i]!.attribution }));
  const priced = priceRun(acc, model ?? (registry.get('energyModels', cfg.energyModel) as EnergyModelContribution), attributed, totalCycles);
  return { cfg, net, arch, schedule, acc, steps, totalCycles, priced, recorded };
}

/** Prices a recorded `simulate` trace with `model`: the same figures a fresh run with that model gives. */
export function recostTrainingTrace(path: string, model: EnergyModelContribution, registry: Registry): TrainingRecost {
  const { net, steps, totalCycles, priced } = readTrainingTrace(path, registry, model);
  return {
    runKind: SIMULATE_RUN_KIND,
    model: model.name,
    cycles: totalCycles,
    steps: steps.length,
    energyPJ: energyFigures(net, priced),
    unpriced: priced.breakdown.unpriced.map((u) => `${u.component}.${u.action}@${u.bits}`),
  };
}

/** The timeline of a recorded `simulate` trace: what `sata simulate --timeline` gives for the same run (steps priced with the configuration's energy model). */
export function trainingTimelineOfTrace(path: string, registry: Registry): Timeline {
  const { arch, schedule, acc, steps, priced, recorded } = readTrainingTrace(path, registry);
  if (recorded.slices.length === 0) throw new ConfigError(`${path}: the trace holds no timeline (recorded before trace format 2): re-record it, or export --view events`);
  return buildTimeline({ acc, facts: recorded, steps, schedule, perStep: priced.perStep, drainPJ: priced.drain, clockMHz: arch.clockMHz });
}
