/**
 * The one pricing function: energy from action counts with an energy model, the
 * accelerator's own parameter overrides honoured (a partition's read/write energy and
 * leakage, the DRAM's energy per bit), per step and in total. A direct run, `sata layer`
 * and the re-costing of a recorded trace all call it.
 */
import { ActionCounter, priceActions, type ActionKey, type EnergyBreakdown, type EnergyModelContribution } from '@sata/plugin-api';
import type { Accelerator } from './accelerator.js';
import type { StepAttribution } from './schedule.js';

/** Component classes whose actions are computation (a skipping array's index decoder too); everything else is data movement. */
const COMPUTE_CLASSES = new Set(['pe', 'lif', 'gradientUnit', 'encoder', 'pool', 'relu', 'vector', 'indexDecoder']);

export function isComputeComponent(component: string): boolean {
  return COMPUTE_CLASSES.has(component.split('.')[0]!);
}

/** What pricing needs of a step: its counted actions, its cycles and where it belongs. */
export interface CountedStep {
  readonly actions: ActionCounter;
  readonly startCycle: number;
  readonly endCycle: number;
  /** Cycles the step waited at its end for writes still posted to DRAM (the last step's drain); default 0. */
  readonly finalWaitCycles?: number;
  readonly attribution?: StepAttribution | undefined;
}

export interface StepEnergy {
  total: number;
  compute: number;
  memory: number;
  leakage: number;
}

export interface PricedRun {
  readonly breakdown: EnergyBreakdown;
  /** One per step, in order; each with the step's attribution. */
  readonly perStep: ReadonlyArray<StepEnergy & { readonly attribution: StepAttribution | undefined }>;
  readonly total: number;
  readonly compute: number;
  readonly memory: number;
  readonly leakage: number;
  /** Leakage over the final wait for the writes still posted to DRAM after the last step's work (in no step's share). */
  readonly drain: number;
  readonly byComponent: Record<string, number>;
  readonly byAction: Record<string, number>;
}

/** The energy model with the accelerator's parameter overrides in front of it. */
export function acceleratorEnergyModel(acc: Accelerator, model: EnergyModelContribution): EnergyModelContribution {
  const overrides = new Map<string, { read: number; write: number; widthBits: number; leakage: number; name: string }>();
  for (const gb of acc.buffers.values()) {
    const p = gb.params as { readEnergyPJ?: number; writeEnergyPJ?: number; widthBits?: number; leakageMW?: number };
    overrides.set(gb.actionClass, { read: p.readEnergyPJ ?? 0, write: p.writeEnergyPJ ?? 0, widthBits: p.widthBits ?? 1, leakage: p.leakageMW ?? 0, name: gb.name });
  }
  const dram = acc.dram.params as { readEnergyPJPerBit?: number; writeEnergyPJPerBit?: number };
  return {
    name: model.name,
    version: model.version,
    description: model.description,
    energyPerAction(key: ActionKey) {
      if (key.component === acc.dram.actionClass) {
        const perBit = key.action === 'read' ? dram.readEnergyPJPerBit ?? 0 : key.action === 'write' ? dram.writeEnergyPJPerBit ?? 0 : 0;
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
}

/**
 * Prices a run's steps with `model` on `acc`: the run's summed actions and the global
 * buffers' leakage over `totalCycles`, then every step's share (its own actions at the
 * model's prices, the leakage over its cycles); the leakage of the final wait for posted DRAM
 * writes is the drain, on its own (it is no step's work). The step figures and the drain add
 * up to the totals.
 */
export function priceRun(acc: Accelerator, model: EnergyModelContribution, steps: readonly CountedStep[], totalCycles: number, total?: ActionCounter): PricedRun {
  const priced = acceleratorEnergyModel(acc, model);
  let actions = total;
  if (!actions) {
    actions = new ActionCounter();
    for (const s of steps) actions.addAll(s.actions);
  }
  const leakers = [...acc.buffers.values()].map((b) => b.actionClass);
  const breakdown = priceActions(priced, actions.list(), { components: leakers, cycles: totalCycles, clockHz: acc.root.params.clockMHz * 1e6 });
  const each = new Map<string, number>();
  for (const a of breakdown.actions) each.set(`${a.component}|${a.action}|${a.bits}`, a.picojoulesEach);
  const leakageOver = (cycles: number): number => (totalCycles > 0 ? (breakdown.leakagePicojoules * cycles) / totalCycles : 0);
  const byComponent: Record<string, number> = {};
  const byAction: Record<string, number> = {};
  let compute = 0;
  let memory = 0;
  const perStep = steps.map((r) => {
    const e = { total: 0, compute: 0, memory: 0, leakage: 0, attribution: r.attribution };
    for (const a of r.actions.list()) {
      const pj = a.count * (each.get(`${a.component}|${a.action}|${a.bits}`) ?? 0);
      if (isComputeComponent(a.component)) e.compute += pj;
      else e.memory += pj;
      byComponent[a.component] = (byComponent[a.component] ?? 0) + pj;
      const key = `${a.component}.${a.action}@${a.bits}`;
      byAction[key] = (byAction[key] ?? 0) + pj;
    }
    e.leakage = leakageOver(r.endCycle - r.startCycle - (r.finalWaitCycles ?? 0));
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
  const drain = leakageOver(steps.reduce((x, r) => x + (r.finalWaitCycles ?? 0), 0));
  return { breakdown, perStep, total: compute + memory + leakage, compute, memory, leakage, drain, byComponent, byAction };
}
