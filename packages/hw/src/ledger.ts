/**
 * Where a step's work is recorded, once: a move of bits of a tensor from one level to another
 * is the one record of it, from which each memory's statistic (its own `countAccess`), each
 * memory's priced action and the placement flow are taken. The step's DRAM traffic, the result's placement and the
 * energy are sums of these records, never tallies kept beside them.
 */
import { ActionCounter } from '@sata/plugin-api';

/** Bits of one tensor moved from one level to another (`dram`, `gb.<partition>`, `array`, a unit). */
export interface Flow {
  readonly tensor: string;
  readonly from: string;
  readonly to: string;
  readonly bits: number;
}

/** A memory that counts its own accesses (a global-buffer partition, a DRAM channel). */
export interface MemoryLevel {
  /** Its name in the placement: `dram`, `gb.spikes`. */
  readonly level: string;
  /** Its energy-model class: `dram`, `globalBuffer.spikes`. */
  readonly actionClass: string;
  /** Records the statistic of an access of `bits`. */
  countAccess(access: 'read' | 'write', bits: number): void;
}

/** One end of a move: a memory, or a compute unit by name (`array`, `lif`), which counts its own work. */
export type Endpoint = MemoryLevel | string;

/** What a DRAM move is in a step's DRAM traffic (`DramTraffic`). */
export type DramRole = 'ifmap' | 'filter' | 'psum' | 'ofmap';

/** DRAM traffic of a step, in bits, per operand; refetches are included in the reads and also shown apart. */
export interface DramTraffic {
  reads: { ifmap: number; filter: number; psum: number };
  writes: { ofmap: number; psum: number };
  refetch: { ifmap: number; filter: number; psum: number };
}

export const emptyDramTraffic = (): DramTraffic => ({ reads: { ifmap: 0, filter: 0, psum: 0 }, writes: { ofmap: 0, psum: 0 }, refetch: { ifmap: 0, filter: 0, psum: 0 } });

const levelOf = (e: Endpoint): string => (typeof e === 'string' ? e : e.level);

/**
 * A resolved move of one tensor between two levels at one element width: `add` runs per
 * fold and only sums bits; the memories' statistics and priced actions are recorded from
 * the sum once, when the step's record is closed.
 */
export class Route {
  bits = 0;
  private recorded = false;
  constructor(
    private readonly actions: ActionCounter,
    readonly tensor: string,
    readonly from: string,
    readonly to: string,
    private readonly src: Endpoint,
    private readonly dst: Endpoint,
    readonly bitsPerElement: number,
    readonly dramRole: DramRole | undefined,
  ) {
    this.bits = 0.5;
    this.bits = 0;
  }

  /** Moves `elements` elements. */
  add(elements: number): void {
    this.bits += elements * this.bitsPerElement;
  }

  /** Moves `bits` bits (whole elements, or a tile with its metadata). */
  addBits(bits: number): void {
    this.bits += bits;
  }

  /** Records the moved bits: each memory's statistic and its action (read at the source, write at the destination). */
  record(): void {
    if (this.recorded) throw new Error(`internal: the move of ${this.tensor} from ${this.from} to ${this.to} was recorded twice`);
    this.recorded = true;
    if (this.bits === 0) return;
    const elements = this.bits / this.bitsPerElement;
    if (typeof this.src !== 'string') {
      this.src.countAccess('read', this.bits);
      this.actions.add(this.src.actionClass, 'read', this.bitsPerElement, elements);
    }
    if (typeof this.dst !== 'string') {
      this.dst.countAccess('write', this.bits);
      this.actions.add(this.dst.actionClass, 'write', this.bitsPerElement, elements);
    }
  }
}

/** A step's record: its actions and its moves; `close` records the moves once the step is done. */
export class Ledger {
  readonly actions = new ActionCounter();
  private readonly routes = new Map<string, Route>();
  /** DRAM bits fetched again because they had been on chip before and did not stay (a subset of the reads). */
  readonly refetch = { ifmap: 0, filter: 0, psum: 0 };

  /** The move of `tensor` from `from` to `to` at `bitsPerElement` (the same one each time it is asked for). */
  route(tensor: string, from: Endpoint, to: Endpoint, bitsPerElement: number, dramRole?: DramRole): Route {
    const f = levelOf(from);
    const t = levelOf(to);
    const key = `${tensor}\u0000${f}\u0000${t}\u0000${bitsPerElement}\u0000${dramRole ?? ''}`;
    let r = this.routes.get(key);
    if (!r) {
      r = new Route(this.actions, tensor, f, t, from, to, bitsPerElement, dramRole);
      this.routes.set(key, r);
    }
    return r;
  }

  /** Moves `elements` of `tensor` once. */
  move(tensor: string, from: Endpoint, to: Endpoint, elements: number, bitsPerElement: number, dramRole?: DramRole): void {
    this.route(tensor, from, to, bitsPerElement, dramRole).add(elements);
  }

  /** Records every move's statistics and actions (once, when the step is done). */
  close(): void {
    for (const r of this.routes.values()) r.record();
  }

  /** The moves, as placement flows (in the order first made; moves of the same tensor and levels summed). */
  flows(): Flow[] {
    const byLevels = new Map<string, { tensor: string; from: string; to: string; bits: number }>();
    for (const r of this.routes.values()) {
      if (r.bits === 0) continue;
      const k = `${r.tensor}\u0000${r.from}\u0000${r.to}`;
      const f = byLevels.get(k);
      if (f) f.bits += r.bits;
      else byLevels.set(k, { tensor: r.tensor, from: r.from, to: r.to, bits: r.bits });
    }
    return [...byLevels.values()];
  }

  /** The step's DRAM traffic by operand: the sums of its DRAM moves. */
  dramTraffic(): DramTraffic {
    const t = emptyDramTraffic();
    for (const r of this.routes.values()) {
      if (r.dramRole === undefined || r.bits === 0) continue;
      if (r.from === 'dram') {
        if (r.dramRole === 'ofmap') throw new Error(`internal: a DRAM read of ${r.tensor} is marked as an output write`);
        t.reads[r.dramRole] += r.bits;
      } else if (r.to === 'dram') {
        if (r.dramRole !== 'ofmap' && r.dramRole !== 'psum') throw new Error(`internal: a DRAM write of ${r.tensor} is marked as an input read`);
        t.writes[r.dramRole] += r.bits;
      }
    }
    t.refetch = { ...this.refetch };
    return t;
  }
}
