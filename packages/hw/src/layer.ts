import type { ArrayShape, DataflowContribution, EnergyBreakdown, EnergyModelContribution, GemmShape, Registry } from '@sata/plugin-api';
import type { GatingRule, GemmActivity, Matrix } from './activity.js';
import type { Simulator } from '@sata/core';
import { runSchedule, type Accelerator, type ScheduleResult } from './accelerator.js';
import { builtinArchitecture, componentOf, withParams, type ArchSpec } from './arch/spec.js';
import { priceRun } from './pricing.js';
import type { GemmStep, PerOperand } from './schedule.js';

/** One GEMM (or a conv's forward GEMM) on an accelerator: what `sata layer` runs. */
export interface LayerRequest {
  readonly gemm: GemmShape;
  readonly dataflow: DataflowContribution;
  readonly array?: ArrayShape;
  readonly model?: 'fold' | 'cycle';
  readonly activity?: GemmActivity;
  readonly operands?: { readonly ifmap: Matrix; readonly filter: Matrix };
  readonly gating?: GatingRule;
  readonly operation?: GemmStep['operation'];
  readonly bits?: PerOperand<number>;
  readonly buffers?: PerOperand<string>;
  /** The architecture (default: the built-in `sata` spec); `array` and `model` above override its array's parameters. */
  readonly arch?: ArchSpec;
  /** Where the spec's component classes are registered (default: the hardware components alone). */
  readonly registry?: Registry;
  readonly energyModel?: EnergyModelContribution;
  /** Called with the simulator and the accelerator once it is built, before it runs (observers, trace recorders). */
  readonly attach?: (sim: Simulator, acc: Accelerator) => void;
}

export interface LayerReport {
  readonly dataflow: string;
  readonly gemm: GemmShape;
  readonly array: ArrayShape;
  readonly model: 'fold' | 'cycle';
  readonly mapping: { readonly Sr: number; readonly Sc: number; readonly T: number; readonly rowFolds: number; readonly colFolds: number; readonly timeFolds: number; readonly folds: number; readonly cyclesPerFold: number };
  /** Compute cycles: folds x cycles per fold (SCALE-Sim v2 reports one less). */
  readonly cycles: number;
  readonly stallCycles: number;
  readonly drainCycles: number;
  readonly totalCycles: number;
  readonly utilization: number;
  readonly mappingEfficiency: number;
  readonly ops: { readonly mapped: number; readonly active: number; readonly gated: number; readonly activity: string };
  /** Elements. */
  readonly sramReads: { readonly ifmap: number; readonly filter: number; readonly psum: number };
  readonly sramWrites: { readonly ofmap: number };
  /** Bits. */
  readonly dramReads: { readonly ifmap: number; readonly filter: number; readonly psum: number; readonly total: number };
  readonly dramWrites: { readonly ofmap: number; readonly psum: number; readonly total: number };
  readonly dramRefetchBits: { readonly ifmap: number; readonly filter: number; readonly psum: number };
  readonly energyPJ?: number;
  readonly energy?: EnergyBreakdown;
  readonly events: number;
}

export const DEFAULT_BITS: PerOperand<number> = Object.freeze({ ifmap: 16, filter: 16, ofmap: 16 });
/** SATA's partitions for a forward layer: input spikes, weights, membrane potentials. */
export const DEFAULT_BUFFERS: PerOperand<string> = Object.freeze({ ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' });

/** Runs one GEMM through the accelerator (DES) and reports cycles, traffic and energy. */
export function simulateLayer(req: LayerRequest): LayerReport & { readonly run: ScheduleResult } {
  const base = req.arch ?? builtinArchitecture('sata');
  const arch = req.array || req.model ? withParams(base, { [componentOf(base, 'array')[0]]: { ...(req.array ? { rows: req.array.rows, cols: req.array.cols } : {}), ...(req.model ? { model: req.model } : {}) } }) : base;
  const step: GemmStep = {
    kind: 'gemm',
    label: 'layer',
    gemm: req.gemm,
    dataflow: req.dataflow,
    gating: req.gating ?? 'none',
    operation: req.operation ?? 'mac',
    bits: req.bits ?? DEFAULT_BITS,
    buffers: req.buffers ?? DEFAULT_BUFFERS,
    ...(req.activity ? { activity: req.activity } : {}),
    ...(req.operands ? { operands: req.operands } : {}),
  };
  const run = runSchedule([step], arch, { ...(req.registry ? { registry: req.registry } : {}), ...(req.attach ? { attach: req.attach } : {}) });
  const s = run.steps[0]!;
  const plan = s.plan!;
  const acc = run.accelerator;
  const R = plan.array.rows;
  const Cc = plan.array.cols;
  const mapped = s.counts.activeOps + s.counts.gatedOps;
  const energy = req.energyModel ? priceRun(acc, req.energyModel, run.steps, run.totalCycles, run.actions).breakdown : undefined;
  const sum = (o: Readonly<Record<string, number>>): number => Object.values(o).reduce((a, b) => a + b, 0);
  return {
    dataflow: plan.dataflow,
    gemm: plan.gemm,
    array: plan.array,
    model: ((acc.array.params as { model?: string }).model ?? 'fold') as 'fold' | 'cycle',
    mapping: { Sr: plan.Sr, Sc: plan.Sc, T: plan.T, rowFolds: plan.rowFolds, colFolds: plan.colFolds, timeFolds: plan.timeFolds, folds: plan.folds, cyclesPerFold: plan.cyclesPerFold },
    cycles: s.computeCycles,
    stallCycles: s.stallCycles,
    drainCycles: s.drainCycles,
    totalCycles: run.totalCycles,
    utilization: s.computeCycles > 0 ? mapped / (R * Cc * s.computeCycles) : 0,
    mappingEfficiency: (acc.array.stats().get('mappingEfficiency') as { value(): number } | undefined)?.value() ?? 0,
    ops: { mapped, active: s.counts.activeOps, gated: s.counts.gatedOps, activity: (req.activity?.source ?? 'dense') },
    sramReads: { ...s.counts.sramReads },
    sramWrites: { ...s.counts.sramWrites },
    dramReads: { ...s.dram.reads, total: sum(s.dram.reads) },
    dramWrites: { ...s.dram.writes, total: sum(s.dram.writes) },
    dramRefetchBits: { ...s.dram.refetch },
    ...(energy ? { energyPJ: energy.totalPicojoules, energy } : {}),
    events: run.events,
    run,
  };
}
