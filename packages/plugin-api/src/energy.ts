import { ConfigError } from '@sata/core';
import type { ContributionBase } from './contributions.js';

/**
 * What the simulator counts: an action of a component class at a bit width (as Accelergy
 * does). `component` is a class, optionally refined by an instance after a dot
 * (`globalBuffer.weights`); a model without a figure for the refined name falls back to
 * the class (`globalBuffer`).
 */
export interface ActionKey {
  /** Component class, e.g. `pe`, `scratchpad.filter`, `globalBuffer.weights`, `dram`. */
  readonly component: string;
  /** Action, e.g. `mac`, `and_accumulate`, `read`, `write`. */
  readonly action: string;
  /** Bits the action works on (operand width, or bits moved). */
  readonly bits: number;
}

/** An energy figure and where it came from (paper, table, estimator). */
export interface EnergyEstimate {
  readonly picojoules: number;
  readonly source: string;
}

/** Static power of a component and where the figure came from. */
export interface PowerEstimate {
  readonly milliwatts: number;
  readonly source: string;
}

/** Prices action counts; never counts anything itself, so it can re-cost a recorded run. */
export interface EnergyModelContribution extends ContributionBase {
  /** Energy of one action, or undefined when this model has no figure for it. */
  energyPerAction(key: ActionKey): EnergyEstimate | undefined;
  /** Leakage power of a component (class or instance), or undefined. */
  leakagePower?(component: string): PowerEstimate | undefined;
}

/**
 * One row of an energy table: the energy of `action` on `component` for `bits` bits.
 * `scaling` says how the figure changes with the bits of an action: `linear` (data paths
 * and memories: energy in proportion to bits, SATA_Sim's b/16 rule) or `fixed` (the same
 * for any width, e.g. a clock-gated PE).
 */
export interface EnergyTableEntry {
  readonly component: string;
  readonly action: string;
  readonly picojoules: number;
  readonly bits: number;
  readonly scaling: 'linear' | 'fixed';
  readonly source: string;
}

export interface LeakageTableEntry {
  readonly component: string;
  readonly milliwatts: number;
  readonly source: string;
}

/**
 * An energy model from a table. Lookup: the exact (component, action), then the class
 * (`globalBuffer.weights` -> `globalBuffer`), then the action `*` of either. Several rows
 * for one (component, action) at different widths (Horowitz's 8/16/32-bit adders) are
 * chosen by the smallest width that covers the action, else the widest, then scaled.
 */
export function defineEnergyTable(spec: ContributionBase & { readonly entries: readonly EnergyTableEntry[]; readonly leakage?: readonly LeakageTableEntry[] }): EnergyModelContribution {
  const rows = new Map<string, EnergyTableEntry[]>();
  for (const e of spec.entries) {
    if (!(e.picojoules >= 0) || !Number.isFinite(e.picojoules)) throw new ConfigError(`energy model ${spec.name}: ${e.component}.${e.action} has an invalid energy ${String(e.picojoules)} pJ`);
    if (!(e.bits > 0)) throw new ConfigError(`energy model ${spec.name}: ${e.component}.${e.action} has an invalid width ${String(e.bits)} bits`);
    const k = `${e.component}\u0000${e.action}`;
    const list = rows.get(k) ?? [];
    list.push(e);
    list.sort((a, b) => a.bits - b.bits);
    rows.set(k, list);
  }
  const leakage = new Map((spec.leakage ?? []).map((l) => [l.component, l]));
  const candidates = (component: string): string[] => {
    const dot = component.indexOf('.');
    return dot > 0 ? [component, component.slice(0, dot)] : [component];
  };
  return Object.freeze({
    name: spec.name,
    version: spec.version,
    description: spec.description,
    entries: spec.entries,
    energyPerAction(key: ActionKey): EnergyEstimate | undefined {
      for (const c of candidates(key.component)) {
        for (const a of [key.action, '*']) {
          const list = rows.get(`${c}\u0000${a}`);
          if (!list) continue;
          const e = list.find((x) => x.bits >= key.bits) ?? list[list.length - 1]!;
          const picojoules = e.scaling === 'linear' ? (e.picojoules * key.bits) / e.bits : e.picojoules;
          const scaled = e.scaling === 'linear' && key.bits !== e.bits ? ` (${e.picojoules} pJ per ${e.bits} bits, scaled to ${key.bits})` : '';
          return { picojoules, source: `${spec.name}: ${e.source}${scaled}` };
        }
      }
      return undefined;
    },
    leakagePower(component: string): PowerEstimate | undefined {
      for (const c of candidates(component)) {
        const l = leakage.get(c);
        if (l) return { milliwatts: l.milliwatts, source: `${spec.name}: ${l.source}` };
      }
      return undefined;
    },
  });
}

/** A counted action and how many times it happened (fractional under statistical sparsity). */
export interface ActionCount extends ActionKey {
  readonly count: number;
}

export interface PricedAction extends ActionCount {
  readonly picojoulesEach: number;
  readonly picojoules: number;
  readonly source: string;
}

export interface PricedLeakage {
  readonly component: string;
  readonly milliwatts: number;
  readonly cycles: number;
  readonly picojoules: number;
  readonly source: string;
}

export interface EnergyBreakdown {
  readonly model: string;
  readonly totalPicojoules: number;
  readonly dynamicPicojoules: number;
  readonly leakagePicojoules: number;
  readonly actions: readonly PricedAction[];
  readonly leakage: readonly PricedLeakage[];
  /** Counted actions this model has no figure for: priced at zero, listed so nobody misses them. */
  readonly unpriced: readonly ActionKey[];
}

/**
 * Prices counted actions, and the leakage of the given components over `cycles` at
 * `clockHz`, with one model. Every figure keeps its source.
 */
export function priceActions(
  model: EnergyModelContribution,
  counts: readonly ActionCount[],
  leakageOf: { readonly components: readonly string[]; readonly cycles: number; readonly clockHz: number } = { components: [], cycles: 0, clockHz: 1 },
): EnergyBreakdown {
  const actions: PricedAction[] = [];
  const unpriced: ActionKey[] = [];
  let dynamic = 0;
  for (const c of counts) {
    if (c.count === 0) continue;
    const e = model.energyPerAction(c);
    if (!e) {
      unpriced.push({ component: c.component, action: c.action, bits: c.bits });
      continue;
    }
    const pj = e.picojoules * c.count;
    dynamic += pj;
    actions.push({ ...c, picojoulesEach: e.picojoules, picojoules: pj, source: e.source });
  }
  const leakage: PricedLeakage[] = [];
  let leak = 0;
  for (const component of leakageOf.components) {
    const p = model.leakagePower?.(component);
    if (!p) continue;
    // mW * s = mJ; 1e9 pJ per mJ.
    const pj = (p.milliwatts * leakageOf.cycles * 1e9) / leakageOf.clockHz;
    leak += pj;
    leakage.push({ component, milliwatts: p.milliwatts, cycles: leakageOf.cycles, picojoules: pj, source: p.source });
  }
  return { model: model.name, totalPicojoules: dynamic + leak, dynamicPicojoules: dynamic, leakagePicojoules: leak, actions, leakage, unpriced };
}
