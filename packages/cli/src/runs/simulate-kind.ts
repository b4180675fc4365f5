/**
 * `sata simulate` as a replayable run: the header holds the resolved training
 * configuration; replay rebuilds the iteration from it. Re-costing prices the recorded
 * per-step action counts on an accelerator rebuilt from the header's configuration (its
 * partitions and their parameter overrides), with leakage over the recorded cycles, and
 * sums them by stage, layer, step, component and action exactly as a direct run does.
 */
import { ConfigError, Simulator, type RunResult } from '@sata/core';
import { ActionCounter, buildAccelerator, type ScheduleResult } from '@sata/hw';
import type { DataflowContribution, EnergyModelContribution, Registry, Stage, TrainingResult } from '@sata/plugin-api';
import { canonicalize, TraceWriter, AtomicFileSink, type ActionRecorder, type ReplayableRunKind } from '@sata/trace';
import { acceleratorConfig, annActivity, annSchedule, networkFor, priceSteps, resolveConfig, simulateTraining, snnSchedule, statisticalActivity, type ResolvedConfig, type RunOptions, type TrainingRun } from '@sata/training';
import type { Simulator as Sim } from '@sata/core';
import { hwTracePayload, openTraceOf, recordedSteps, recordSteps, type RecordedStep } from './hw-trace.js';

export const SIMULATE_RUN_KIND = 'simulate';

export interface SimulateRunKind extends ReplayableRunKind<ResolvedConfig> {
  /** Runs and returns the whole training run; `attach` as in `run`, `progress` for messages. */
  execute(config: ResolvedConfig, attach: ((sim: Sim) => ActionRecorder) | undefined, opts?: Pick<RunOptions, 'progress'> & { observe?: (sim: Sim) => void }): TrainingRun;
}

export function simulateRunKind(registry: Registry): SimulateRunKind {
  const execute: SimulateRunKind['execute'] = (config, attach, opts = {}) =>
    simulateTraining(config, registry, {
      ...(opts.progress ? { progress: opts.progress } : {}),
      attach: (sim, acc) => {
        opts.observe?.(sim);
        if (attach) recordSteps(acc, attach(sim));
      },
    });
  return {
    name: SIMULATE_RUN_KIND,
    description: 'one training iteration: SNN BPTT on SATA or the ANN on the Eyeriss-like baseline (sata simulate)',
    resolveConfig: (raw) => resolveConfig(raw, 'trace configuration'),
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

/** The tags (stage, layer, step) of the configuration's schedule; its structure does not depend on the densities. */
function scheduleTags(cfg: ResolvedConfig, registry: Registry) {
  const net = networkFor(cfg, registry);
  const dataflowName = cfg.arch === 'eyeriss' && cfg.dataflow === 'sata' ? 'ws' : cfg.dataflow;
  const dataflow = registry.get('dataflows', dataflowName) as DataflowContribution;
  const schedule = cfg.arch === 'sata' ? snnSchedule(net, cfg, dataflow, statisticalActivity(net, cfg)) : annSchedule(net, cfg, dataflow, annActivity(net, cfg));
  return { net, tags: schedule.tags };
}

/** Prices a recorded `simulate` trace with `model`: the same figures a fresh run with that model gives. */
export function recostTrainingTrace(path: string, model: EnergyModelContribution, registry: Registry): TrainingRecost {
  const reader = openTraceOf(path, SIMULATE_RUN_KIND);
  let cfg: ResolvedConfig;
  let steps: RecordedStep[];
  try {
    cfg = resolveConfig(reader.header.config, `${path}: header configuration`);
    steps = recordedSteps(reader);
  } finally {
    reader.close();
  }
  const { net, tags } = scheduleTags(cfg, registry);
  if (tags.length !== steps.length) throw new ConfigError(`${path}: the trace holds ${steps.length} completed steps but the configuration's schedule has ${tags.length}: re-record it with this simulator`);
  const acc = buildAccelerator(new Simulator({ seed: cfg.seed }), acceleratorConfig(cfg));
  const total = new ActionCounter();
  for (const s of steps) total.addAll(s.actions);
  const totalCycles = steps.length ? steps[steps.length - 1]!.endCycle : 0;
  const run = { accelerator: acc, actions: total, totalCycles, steps } as unknown as ScheduleResult;
  const priced = priceSteps(run, model);
  const zeroStages = (): Record<Stage, number> => ({ FP: 0, BP: 0, WG: 0, WU: 0 });
  const byStage = zeroStages();
  const layers = net.layers.map((l) => ({ index: l.index, name: l.name, kind: l.kind, totalPJ: 0, computePJ: 0, memoryPJ: 0, byStage: zeroStages() }));
  steps.forEach((_, i) => {
    const tag = tags[i]!;
    const e = priced.perStep[i]!;
    byStage[tag.stage] += e.total;
    const L = layers[tag.layer]!;
    L.totalPJ += e.total;
    L.computePJ += e.compute;
    L.memoryPJ += e.memory;
    L.byStage[tag.stage] += e.total;
  });
  return {
    runKind: SIMULATE_RUN_KIND,
    model: model.name,
    cycles: totalCycles,
    steps: steps.length,
    energyPJ: {
      total: priced.total,
      compute: priced.compute,
      memory: priced.memory,
      leakage: priced.leakage,
      byStage,
      byLayer: layers,
      byComponent: sortRecord(priced.byComponent),
      byAction: sortRecord(priced.byAction),
    } as EnergyFigures,
    unpriced: priced.breakdown.unpriced.map((u) => `${u.component}.${u.action}@${u.bits}`),
  };
}

function sortRecord<V>(r: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
