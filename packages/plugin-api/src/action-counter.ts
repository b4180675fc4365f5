import type { ActionCount } from './energy.js';

/** One (component, action, bits) count; a hot path holds it and adds to `count` directly. */
export interface ActionSlot {
  readonly component: string;
  readonly action: string;
  readonly bits: number;
  count: number;
}

/** Counts of (component, action, bits), the only thing the simulator records about energy. */
export class ActionCounter {
  private readonly counts = new Map<string, ActionSlot>();

  add(component: string, action: string, bits: number, count: number): void {
    if (count === 0) return;
    this.slot(component, action, bits).count += count;
  }

  /** The entry of (component, action, bits), created at zero: per-fold counting resolves it once per step. */
  slot(component: string, action: string, bits: number): ActionSlot {
    const key = `${component}|${action}|${bits}`;
    let e = this.counts.get(key);
    if (!e) {
      // Created holding a fraction, then zeroed: V8 keeps the field an unboxed double (see emptyFoldCounts).
      e = { component, action, bits, count: 0.5 };
      e.count = 0;
      this.counts.set(key, e);
    }
    return e;
  }

  addAll(other: ActionCounter): void {
    for (const e of other.counts.values()) this.add(e.component, e.action, e.bits, e.count);
  }

  /** Sorted by component, action, bits: the same run gives the same list. Zero counts are left out. */
  list(): ActionCount[] {
    return [...this.counts.values()]
      .filter((e) => e.count !== 0)
      .map((e) => ({ component: e.component, action: e.action, bits: e.bits, count: e.count }))
      .sort((a, b) => (a.component < b.component ? -1 : a.component > b.component ? 1 : a.action < b.action ? -1 : a.action > b.action ? 1 : a.bits - b.bits));
  }

  count(component: string, action: string): number {
    let s = 0;
    for (const e of this.counts.values()) if (e.component === component && e.action === action) s += e.count;
    return s;
  }
}
