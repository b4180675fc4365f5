/**
 * `sata layer` as a replayable run: one conv or GEMM on the array. The header holds the
 * resolved layer configuration (not the energy model: pricing is not simulation, so a
 * trace re-costs with any model). Re-costing rebuilds the accelerator from the header and
 * prices the recorded action counts with leakage over the recorded cycles, as a direct run.
 */
import { ConfigError, Rng, Simulator, type RunResult } from '@sata/core';
import { buildAccelerator, componentOf, componentsOf, densityActivity, DEFAULT_BUFFERS, priceRun, registryArchitectures, resolveArchitecture, simulateLayer, tensorActivity, withParams, type ArchSpec, type GatingRule, type GemmActivity, type LayerReport, type Matrix, type ScheduleResult } from '@sata/hw';
import type { EnergyBreakdown, EnergyModelContribution, Registry } from '@sata/plugin-api';
import type { ActionRecorder, ReplayableRunKind, TraceReader } from '@sata/trace';
import { hwTracePayload, recordedRun, recordSteps } from './hw-trace.js';

export const LAYER_RUN_KIND = 'layer';

export interface LayerConfig {
  /** What the command printed as the layer (conv geometry or GEMM). */
  readonly layer: string;
  /** The architecture spec (a registered name or a file) the layer runs on; its parameters are the defaults. */
  readonly arch: string;
  readonly gemm: { readonly M: number; readonly N: number; readonly K: number };
  readonly dataflow: string;
  readonly array: { readonly rows: number; readonly cols: number };
  readonly model: 'fold' | 'cycle';
  readonly gating: GatingRule;
  readonly operation: 'mac' | 'and_accumulate';
  readonly bits: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  /** Operand densities (statistical sparsity), absent: dense. */
  readonly density?: { readonly ifmap: number; readonly filter: number };
  /** Global-buffer capacities ifmap, filter, ofmap in KiB. */
  readonly gbKiB?: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
  readonly gbBandwidth?: number;
  readonly dramBandwidth?: number;
  readonly dramLatency?: number;
  readonly seed: number;
}

const KEYS = ['layer', 'arch', 'gemm', 'dataflow', 'array', 'model', 'gating', 'operation', 'bits', 'density', 'gbKiB', 'gbBandwidth', 'dramBandwidth', 'dramLatency', 'seed'];

/** Validates a layer configuration (from the command line or a trace header). Idempotent. */
export function resolveLayerConfig(raw: unknown, where = 'layer configuration'): LayerConfig {
  const fail = (m: string): never => {
    throw new ConfigError(`${where}: ${m}`);
  };
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(raw)) fail('must be a map');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) fail(`unknown field "${k}" (known: ${KEYS.join(', ')})`);
  const int = (path: string, v: unknown, min: number): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? v : fail(`${path} must be an integer >= ${min}, got ${String(v)}`));
  const group = <K extends string>(path: string, v: unknown, keys: readonly K[], each: (p: string, x: unknown) => number): Record<K, number> => {
    if (!isMap(v)) return fail(`${path} must be a map of ${keys.join(', ')}`);
    for (const k of Object.keys(v)) if (!keys.includes(k as K)) fail(`${path}: unknown field "${k}"`);
    return Object.fromEntries(keys.map((k) => [k, each(`${path}.${k}`, v[k])])) as Record<K, number>;
  };
  const oneOf = <T extends string>(path: string, v: unknown, values: readonly T[]): T => (values.includes(v as T) ? (v as T) : fail(`${path} must be one of ${values.join(', ')}, got ${String(v)}`));
  const frac = (p: string, x: unknown): number => (typeof x === 'number' && x >= 0 && x <= 1 ? x : fail(`${p} must be a density in [0, 1], got ${String(x)}`));
  if (typeof o.layer !== 'string') fail('layer must be a string');
  if (typeof o.dataflow !== 'string' || o.dataflow === '') fail('dataflow must name a dataflow');
  if (o.arch !== undefined && (typeof o.arch !== 'string' || o.arch === '')) fail('arch must name an architecture or a spec file');
  const cfg: Record<string, unknown> = {
    layer: o.layer,
    arch: o.arch ?? 'sata',
    gemm: group('gemm', o.gemm, ['M', 'N', 'K'], (p, x) => int(p, x, 1)),
    dataflow: o.dataflow,
    array: group('array', o.array, ['rows', 'cols'], (p, x) => int(p, x, 1)),
    model: oneOf('model', o.model ?? 'fold', ['fold', 'cycle']),
    gating: oneOf('gating', o.gating ?? 'none', ['none', 'ifmap', 'filter', 'any']),
    operation: oneOf('operation', o.operation ?? 'mac', ['mac', 'and_accumulate']),
    // Widths are checked by the controller (1..64), with the operand named.
    bits: group('bits', o.bits, ['ifmap', 'filter', 'ofmap'], (p, x) => int(p, x, 1)),
    seed: int('seed', o.seed ?? 1, 0),
  };
  if (o.density !== undefined) cfg.density = group('density', o.density, ['ifmap', 'filter'], frac);
  if (o.gbKiB !== undefined) cfg.gbKiB = group('gbKiB', o.gbKiB, ['ifmap', 'filter', 'ofmap'], (p, x) => int(p, x, 1));
  if (o.gbBandwidth !== undefined) cfg.gbBandwidth = int('gbBandwidth', o.gbBandwidth, 1);
  if (o.dramBandwidth !== undefined) cfg.dramBandwidth = int('dramBandwidth', o.dramBandwidth, 1);
  if (o.dramLatency !== undefined) cfg.dramLatency = int('dramLatency', o.dramLatency, 0);
  return cfg as unknown as LayerConfig;
}

/**
 * The accelerator a layer configuration runs on: its architecture spec, with the given
 * buffer capacities (the GEMM's ifmap, filter and ofmap partitions), bandwidths and DRAM
 * latency on top; everything else is the spec's, as for `sata simulate`.
 */
export function layerAccelerator(c: LayerConfig, registry: Registry): ArchSpec {
  const spec = resolveArchitecture(c.arch, registryArchitectures(registry));
  const set: Record<string, Record<string, unknown>> = { [componentOf(spec, 'array')[0]]: { rows: c.array.rows, cols: c.array.cols, ...(c.model === 'cycle' ? { model: 'cycle' } : {}) } };
  const parts = [DEFAULT_BUFFERS.ifmap, DEFAULT_BUFFERS.filter, DEFAULT_BUFFERS.ofmap];
  const gb = c.gbKiB ? [c.gbKiB.ifmap, c.gbKiB.filter, c.gbKiB.ofmap] : undefined;
  for (const [name] of componentsOf(spec, 'buffer')) {
    const i = parts.indexOf(name);
    set[name] = { ...(gb && i >= 0 ? { capacityBytes: gb[i]! * 1024 } : {}), ...(c.gbBandwidth !== undefined ? { bandwidthBitsPerCycle: c.gbBandwidth } : {}) };
  }
  set[componentOf(spec, 'dram')[0]] = { ...(c.dramBandwidth !== undefined ? { bandwidthBitsPerCycle: c.dramBandwidth } : {}), ...(c.dramLatency !== undefined ? { latencyCycles: c.dramLatency } : {}) };
  return withParams(spec, set);
}

function randomOperand(rng: Rng, rows: number, cols: number, density: number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextFloat() < density ? 1 : 0;
  return { rows, cols, data };
}

export type LayerRun = LayerReport & { readonly run: ScheduleResult };

export interface LayerRunKind extends ReplayableRunKind<LayerConfig> {
  execute(config: LayerConfig, attach: ((sim: Simulator) => ActionRecorder) | undefined, energyModel?: EnergyModelContribution): LayerRun;
}

export function layerRunKind(registry: Registry): LayerRunKind {
  const execute: LayerRunKind['execute'] = (c, attach, energyModel) => {
    const dataflow = registry.get('dataflows', c.dataflow);
    let activity: GemmActivity | undefined = c.density ? densityActivity(c.density) : undefined;
    let operands: { ifmap: Matrix; filter: Matrix } | undefined;
    if (c.model === 'cycle') {
      // The reference needs values: ones, or random operands of the given densities.
      const rng = new Rng(c.seed, 'sata-layer');
      operands = { ifmap: randomOperand(rng, c.gemm.M, c.gemm.K, c.density?.ifmap ?? 1), filter: randomOperand(rng, c.gemm.K, c.gemm.N, c.density?.filter ?? 1) };
      activity = tensorActivity(operands.ifmap, operands.filter);
    }
    return simulateLayer({
      gemm: c.gemm, dataflow, gating: c.gating, operation: c.operation, bits: c.bits, arch: layerAccelerator(c, registry), registry,
      ...(energyModel ? { energyModel } : {}),
      ...(activity ? { activity } : {}), ...(operands ? { operands } : {}),
      // The timeline view is of a training iteration (its steps named by the schedule): a layer trace records none.
      ...(attach ? { attach: (sim: Simulator, acc: Parameters<typeof recordSteps>[0]) => recordSteps(acc, attach(sim), { timeline: false }) } : {}),
    });
  };
  return {
    name: LAYER_RUN_KIND,
    description: 'one conv layer or GEMM on the systolic array with a dataflow (sata layer)',
    resolveConfig: (raw) => resolveLayerConfig(raw, 'trace configuration'),
    tracePayload: hwTracePayload,
    execute,
    run(config, _seed, attach): RunResult {
      const r = execute(config, attach);
      return { endTime: r.totalCycles, events: r.events, reason: 'empty' };
    },
  };
}

/** The energy figures `sata layer --json` prints. */
export function layerEnergyJson(energy: EnergyBreakdown) {
  const byComponent: Record<string, number> = {};
  for (const a of energy.actions) byComponent[a.component] = (byComponent[a.component] ?? 0) + a.picojoules;
  for (const l of energy.leakage) byComponent[`${l.component} (leakage)`] = (byComponent[`${l.component} (leakage)`] ?? 0) + l.picojoules;
  return { model: energy.model, totalPJ: energy.totalPicojoules, dynamicPJ: energy.dynamicPicojoules, leakagePJ: energy.leakagePicojoules, byComponent, actions: energy.actions, leakage: energy.leakage, unpriced: energy.unpriced };
}

/** Prices a recorded `layer` trace (opened, of run kind `layer`; closed here) with `model`: the figures `sata layer --energy MODEL` gives. */
export function recostLayerTrace(reader: TraceReader, model: EnergyModelContribution, registry: Registry): { runKind: string; cycles: number; energy: ReturnType<typeof layerEnergyJson> } {
  const path = reader.name;
  let cfg: LayerConfig;
  let steps;
  try {
    cfg = resolveLayerConfig(reader.header.config, `${path}: header configuration`);
    steps = recordedRun(reader).steps;
  } finally {
    reader.close();
  }
  if (steps.length !== 1) throw new ConfigError(`${path}: a layer trace holds one step, this one ${steps.length}`);
  const acc = buildAccelerator(new Simulator({ seed: 1 }), layerAccelerator(cfg, registry), registry);
  const cycles = steps[0]!.endCycle;
  return { runKind: LAYER_RUN_KIND, cycles, energy: layerEnergyJson(priceRun(acc, model, steps, cycles).breakdown) };
}
