import { Component, ConfigError, defineComponentInfo, type ComponentInfo, type Simulator } from '@sata/core';
import type { ActionCounter, ActionSlot, Fold, FoldPlan } from '@sata/plugin-api';
import type { GatingRule, GemmActivity, Matrix } from '../activity.js';
import { runCycleLevel, type CycleLevelResult } from '../cycle-level.js';
import { foldCounts, type FoldCounts } from '../fold-counts.js';

export const peArrayInfo = defineComponentInfo({
  type: 'hw.PEArray',
  version: '1.0.0',
  description: 'An R x C systolic array of PEs; runs folds as transactions (fold-level) or clock by clock (cycle-level reference)',
  params: {
    rows: { type: 'int', default: 8, min: 1, max: 4096, unit: 'PEs', description: 'rows R (SATA: 8)' },
    cols: { type: 'int', default: 16, min: 1, max: 4096, unit: 'PEs', description: 'columns C (SATA: 16)' },
    model: { type: 'enum', default: 'fold', values: ['fold', 'cycle'], description: 'fold-level transactions, or the cycle-level reference (small GEMMs, needs operand data)' },
  },
  ports: { ctrl: 'folds from the controller; replies when a fold is done' },
  stats: {
    folds: { kind: 'counter', unit: 'folds', description: 'folds run' },
    computeCycles: { kind: 'counter', unit: 'cycles', description: 'cycles spent computing folds' },
    sramStallCycles: { kind: 'counter', unit: 'cycles', description: 'cycles a fold was stretched because the global buffer could not deliver' },
    activeOps: { kind: 'counter', unit: 'operations', description: 'PE operations done' },
    gatedOps: { kind: 'counter', unit: 'operations', description: 'PE operations switched off by a zero operand' },
    idlePeCycles: { kind: 'counter', unit: 'PE-cycles', description: 'PE-cycles with no operation mapped' },
    mappedPeFolds: { kind: 'counter', unit: 'PE-folds', description: 'mapped PEs summed over folds' },
    utilization: { kind: 'formula', unit: 'ratio', description: 'mapped operations per PE-cycle of compute' },
    mappingEfficiency: { kind: 'formula', unit: 'ratio', description: 'mapped PEs per PE, averaged over folds (SCALE-Sim mapping efficiency)' },
  },
});

/** A fold sent to the array: the counts it is to perform and how long the memories stretch it. */
export interface FoldJob {
  readonly counts: FoldCounts;
  readonly rowsUsed: number;
  readonly colsUsed: number;
  readonly sramStallCycles: number;
  /** Where the array records its actions (the step's), what an active operation is, and the operand widths. */
  readonly actions: ActionCounter;
  readonly operation: 'and_accumulate' | 'mac';
  readonly bits: { readonly ifmap: number; readonly filter: number; readonly ofmap: number };
}

/** The array's action slots of one step (resolved once per step, added to per fold). */
interface ArraySlots {
  readonly actions: ActionCounter;
  readonly active: ActionSlot;
  readonly gated: ActionSlot;
  readonly ifmap: ActionSlot;
  readonly filter: ActionSlot;
  readonly psum: ActionSlot;
}

/**
 * The PE array. Which model counts a fold is a parameter; both give identical counts (the
 * property the tests hold them to), so the rest of the accelerator does not care.
 */
export class PEArray extends Component<typeof peArrayInfo.params> {
  private readonly folds = this.counter('folds');
  private readonly computeCycles = this.counter('computeCycles');
  private readonly sramStall = this.counter('sramStallCycles');
  private readonly active = this.counter('activeOps');
  private readonly gated = this.counter('gatedOps');
  private readonly idle = this.counter('idlePeCycles');
  private readonly mappedPeFolds = this.counter('mappedPeFolds');
  private cycleLevel: { plan: FoldPlan; result: CycleLevelResult } | undefined;
  private slots: ArraySlots | undefined;

  /** `info`: a subclass's own declaration (its type, extra parameters and statistics; it must keep PEArray's). */
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>, info: ComponentInfo<typeof peArrayInfo.params> = peArrayInfo) {
    super(parent, name, info, params);
    const R = this.params.rows;
    const C = this.params.cols;
    this.formula('utilization', () => {
      const c = this.computeCycles.value();
      return c > 0 ? (this.active.value() + this.gated.value()) / (R * C * c) : 0;
    });
    this.formula('mappingEfficiency', () => (this.folds.value() > 0 ? this.mappedPeFolds.value() / (R * C * this.folds.value()) : 0));
    const port = this.port<FoldJob>('ctrl');
    port.onReceive((job) => {
      const c = job.counts;
      this.folds.add();
      this.computeCycles.add(c.cycles);
      this.sramStall.add(job.sramStallCycles);
      this.active.add(c.activeOps);
      this.gated.add(c.gatedOps);
      this.idle.add(c.idlePeCycles);
      this.mappedPeFolds.add(job.rowsUsed * job.colsUsed);
      this.countActions(job);
      port.trySend(job, c.cycles + job.sramStallCycles);
    });
  }

  /** The priced actions of a fold: PE operations (active, gated) and operands moving between PEs (the array network). */
  protected countActions(job: FoldJob): void {
    const s = this.slotsFor(job);
    const c = job.counts;
    s.active.count += c.activeOps;
    s.gated.count += c.gatedOps;
    s.ifmap.count += c.transfers.ifmap;
    s.filter.count += c.transfers.filter;
    s.psum.count += c.transfers.psum;
  }

  private slotsFor(job: FoldJob): ArraySlots {
    const s = this.slots;
    if (s && s.actions === job.actions && s.active.action === job.operation) return s;
    const a = job.actions;
    const opBits = Math.max(job.bits.ifmap, job.bits.filter);
    return (this.slots = {
      actions: a,
      active: a.slot('pe', job.operation, opBits),
      gated: a.slot('pe', 'gated', opBits),
      ifmap: a.slot('arrayNetwork.ifmap', 'transfer', job.bits.ifmap),
      filter: a.slot('arrayNetwork.filter', 'transfer', job.bits.filter),
      psum: a.slot('arrayNetwork.psum', 'transfer', job.bits.ofmap),
    });
  }

  get shape(): { rows: number; cols: number } {
    return { rows: this.params.rows, cols: this.params.cols };
  }

  /**
   * Prepares the array for a GEMM. The cycle-level model runs the whole GEMM on the
   * operand data now and hands out its per-fold counts as the folds are issued.
   */
  prepare(plan: FoldPlan, operands: { ifmap: Matrix; filter: Matrix } | undefined, gating: GatingRule): void {
    if (plan.array.rows !== this.params.rows || plan.array.cols !== this.params.cols) {
      throw new ConfigError(`component ${this.name} (${this.info.type}): plan is for a ${plan.array.rows}x${plan.array.cols} array, this one is ${this.params.rows}x${this.params.cols}`);
    }
    this.cycleLevel = undefined;
    if (this.params.model === 'cycle') {
      if (!operands) throw new ConfigError(`component ${this.name} (${this.info.type}): parameter "model" is cycle, which needs the operand data (ifmap and filter matrices)`);
      this.cycleLevel = { plan, result: runCycleLevel(plan, operands.ifmap, operands.filter, gating) };
    }
  }

  /** The counts of a fold under this array's model. */
  countFold(plan: FoldPlan, fold: Fold, activity: GemmActivity, gating: GatingRule): FoldCounts {
    if (this.cycleLevel && this.cycleLevel.plan === plan) {
      const c = this.cycleLevel.result.perFold[fold.index]!;
      // The last fold carries the output-stationary drain that the cycle-level model measured.
      return c;
    }
    return foldCounts(plan, fold, activity, gating);
  }

  /** Drain cycles of the prepared GEMM (measured by the cycle-level model, else from the plan). */
  drainCycles(plan: FoldPlan): number {
    return this.cycleLevel && this.cycleLevel.plan === plan ? this.cycleLevel.result.drainCycles : plan.drainCycles;
  }
}
