import type { ActionCount } from '@sata/plugin-api';

/** Counts of (component, action, bits), the only thing the simulator records about energy. */
export class ActionCounter {
  private readonly counts = new Map<string, { component: string; action: string; bits: number; count: number }>();

  add(component: string, action: string, bits: number, count: number): void {
    if (count === 0) return;
    const key = `${component}|${action}|${bits}`;
    const e = this.counts.get(key);
    if (e) e.count += count;
    else this.counts.set(key, { component, action, bits, count });
  }

  addAll(other: ActionCounter): void {
    for (const e of other.counts.values()) this.add(e.component, e.action, e.bits, e.count);
  }

  /** Sorted by component, action, bits: the same run gives the same list. */
  list(): ActionCount[] {
    return [...this.counts.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => (a.component < b.component ? -1 : a.component > b.component ? 1 : a.action < b.action ? -1 : a.action > b.action ? 1 : a.bits - b.bits));
  }

  count(component: string, action: string): number {
    let s = 0;
    for (const e of this.counts.values()) if (e.component === component && e.action === action) s += e.count;
    return s;
  }
}
