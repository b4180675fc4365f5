import { priceOnAccelerator, type ScheduleResult } from '@sata/hw';
import type { EnergyBreakdown, EnergyModelContribution } from '@sata/plugin-api';

/** Component classes whose actions are computation; everything else is data movement. */
const COMPUTE_CLASSES = new Set(['pe', 'lif', 'gradientUnit', 'encoder', 'pool', 'relu', 'vector']);

export function isComputeComponent(component: string): boolean {
  return COMPUTE_CLASSES.has(component.split('.')[0]!);
}

export interface StepEnergy {
  total: number;
  compute: number;
  memory: number;
  leakage: number;
}

export interface PricedRun {
  readonly breakdown: EnergyBreakdown;
  readonly perStep: StepEnergy[];
  readonly total: number;
  readonly compute: number;
  readonly memory: number;
  readonly leakage: number;
  /** Leakage over the final wait for the writes still posted to DRAM after the last step's work (in no step's share). */
  readonly drain: number;
  readonly byComponent: Record<string, number>;
  readonly byAction: Record<string, number>;
}

/**
 * Prices a run once with the energy model (per-partition overrides honoured), then gives
 * every step its share: its own actions at the model's prices, and the leakage of the
 * memories over its cycles; the leakage of the final wait for posted DRAM writes is the
 * drain, on its own (it is no step's work). The step figures and the drain add up to the totals.
 */
export function priceSteps(run: ScheduleResult, model: EnergyModelContribution): PricedRun {
  const breakdown = priceOnAccelerator(run.accelerator, model, run.actions, run.totalCycles);
  const each = new Map<string, number>();
  for (const a of breakdown.actions) each.set(`${a.component}|${a.action}|${a.bits}`, a.picojoulesEach);
  const leakageOver = (cycles: number): number => (run.totalCycles > 0 ? (breakdown.leakagePicojoules * cycles) / run.totalCycles : 0);
  const byComponent: Record<string, number> = {};
  const byAction: Record<string, number> = {};
  let compute = 0;
  let memory = 0;
  const perStep = run.steps.map((r) => {
    const e: StepEnergy = { total: 0, compute: 0, memory: 0, leakage: 0 };
    for (const a of r.actions.list()) {
      const pj = a.count * (each.get(`${a.component}|${a.action}|${a.bits}`) ?? 0);
      if (isComputeComponent(a.component)) e.compute += pj;
      else e.memory += pj;
      byComponent[a.component] = (byComponent[a.component] ?? 0) + pj;
      const key = `${a.component}.${a.action}@${a.bits}`;
      byAction[key] = (byAction[key] ?? 0) + pj;
    }
    e.leakage = leakageOver(r.endCycle - r.startCycle - r.finalWaitCycles);
    e.total = e.compute + e.memory + e.leakage;
    compute += e.compute;
    memory += e.memory;
    return e;
  });
  for (const l of breakdown.leakage) {
    byComponent[l.component] = (byComponent[l.component] ?? 0) + l.picojoules;
    byAction[`${l.component}.leakage`] = (byAction[`${l.component}.leakage`] ?? 0) + l.picojoules;
  }
  const leakage = breakdown.leakagePicojoules;
  const drain = leakageOver(run.steps.reduce((s, r) => s + r.finalWaitCycles, 0));
  return { breakdown, perStep, total: compute + memory + leakage, compute, memory, leakage, drain, byComponent, byAction };
}
