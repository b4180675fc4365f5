import { Component, ConfigError, defineComponentInfo, type Simulator } from '@sata/core';
import type { ActionCounter } from '@sata/plugin-api';
import type { MemoryLevel } from '../ledger.js';

export const scratchpadInfo = defineComponentInfo({
  type: 'hw.Scratchpad',
  version: '1.0.0',
  description: 'The scratchpads of one operand in every PE (SATA: spike 9 B, weight 9 B, partial sum 8 B per PE); counts reads per operation',
  params: {
    bytesPerPe: { type: 'int', default: 9, min: 1, unit: 'bytes', description: 'capacity per PE' },
    pes: { type: 'int', default: 128, min: 1, unit: 'PEs', description: 'PEs that have one' },
  },
  ports: {},
  stats: {
    reads: { kind: 'counter', unit: 'accesses', description: 'operand reads by PE operations' },
  },
});

/** The scratchpads of one operand across the array. */
export class Scratchpad extends Component<typeof scratchpadInfo.params> {
  private readonly readCount = this.counter('reads');
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, scratchpadInfo, params);
  }
  /** Checks that one operand element of `bits` fits in a PE's scratchpad. */
  checkFits(bits: number): void {
    if (bits > this.params.bytesPerPe * 8) throw new ConfigError(`component ${this.name} (${this.info.type}): parameter "bytesPerPe" is ${this.params.bytesPerPe} bytes, too small for a ${bits}-bit operand`);
  }
  /** Counts `count` operand reads of `bits`: the statistic and the priced action `scratchpad.<operand>.read`. */
  read(count: number, bits: number, operand: string, actions: ActionCounter): void {
    this.readCount.add(count);
    actions.add(`scratchpad.${operand}`, 'read', bits, count);
  }
}

export const globalBufferInfo = defineComponentInfo({
  type: 'hw.GlobalBuffer',
  version: '1.0.0',
  description: 'An on-chip SRAM partition (one tensor class): capacity, banks, port width, bandwidth, energy overrides, leakage, double buffering; keeps tiles by LRU and counts every refetch',
  params: {
    capacityBytes: { type: 'int', default: 32 * 1024, min: 1, unit: 'bytes', description: 'capacity' },
    banks: { type: 'int', default: 16, min: 1, unit: 'banks', description: 'independent banks' },
    widthBits: { type: 'int', default: 8, min: 1, unit: 'bits', description: 'port width of one bank (bits per access)' },
    bandwidthBitsPerCycle: { type: 'int', default: 0, min: 0, unit: 'bits/cycle', description: 'bits per cycle to and from the array; 0: banks * widthBits' },
    readEnergyPJ: { type: 'number', default: 0, min: 0, unit: 'pJ/access', description: 'energy per read access of widthBits; 0: from the energy model' },
    writeEnergyPJ: { type: 'number', default: 0, min: 0, unit: 'pJ/access', description: 'energy per write access of widthBits; 0: from the energy model' },
    leakageMW: { type: 'number', default: 0, min: 0, unit: 'mW', description: 'leakage power of the whole partition; 0: from the energy model' },
    doubleBuffered: { type: 'bool', default: true, description: 'half the capacity fills with the next fold\'s data while the array works on the other half' },
    pinnedShare: { type: 'number', default: 0.5, min: 0, max: 1, unit: 'fraction', description: 'share of the tile space that whole tensors kept for a later step may take; the rest stays for the working tiles of GEMMs' },
  },
  ports: {},
  stats: {
    readBits: { kind: 'counter', unit: 'bits', description: 'bits read (by the array, a unit, or to go to DRAM)' },
    writeBits: { kind: 'counter', unit: 'bits', description: 'bits written (by the array, a unit, or filled from DRAM)' },
    fillBits: { kind: 'counter', unit: 'bits', description: 'bits filled from DRAM' },
    refetchBits: { kind: 'counter', unit: 'bits', description: 'bits filled from DRAM again because they had not fitted' },
    spillBits: { kind: 'counter', unit: 'bits', description: 'partial sums written to DRAM because they did not fit' },
    hits: { kind: 'counter', unit: 'tiles', description: 'tiles found on chip' },
    misses: { kind: 'counter', unit: 'tiles', description: 'tiles fetched from DRAM' },
  },
});

/** What keeping a tile on chip cost: bits to fetch from DRAM (of which refetched), bits to spill. */
export interface TileTraffic {
  fetchBits: number;
  refetchBits: number;
  spillBits: number;
}

const NO_TRAFFIC: TileTraffic = Object.freeze({ fetchBits: 0, refetchBits: 0, spillBits: 0 });

interface Resident {
  tensor: number;
  tile: number;
  bits: number;
  /** A partial-sum tile that must go to DRAM (not dropped) when evicted. */
  dirty: boolean;
  /** Neighbours in recency order (a doubly linked list: O(1) touch and evict). */
  older: Resident | undefined;
  newer: Resident | undefined;
}

export class GlobalBuffer extends Component<typeof globalBufferInfo.params> implements MemoryLevel {
  // Per tensor, per tile index: the resident entry, and whether it was ever fetched (tile
  // indexes are dense, so arrays beat hashing on the per-fold path).
  private readonly resident: (Resident | undefined)[][] = [];
  private readonly seen: Uint8Array[] = [];
  private oldest: Resident | undefined;
  private newest: Resident | undefined;
  private readonly usable: number;
  private readonly tensorIds = new Map<string, number>();
  private readonly tensorNames: string[] = [];
  private used = 0;
  /** Whole tensors pinned on chip (placement by capacity): tensor id -> bits. */
  private readonly pinned = new Map<number, number>();
  private pinnedBits = 0;
  /** Tensors that did not fit when pinned: they live in DRAM for the rest of the run. */
  private readonly demoted = new Set<number>();
  private readonly readBits = this.counter('readBits');
  private readonly writeBits = this.counter('writeBits');
  private readonly fillBits = this.counter('fillBits');
  private readonly refetchBits = this.counter('refetchBits');
  private readonly spillBits = this.counter('spillBits');
  private readonly hits = this.counter('hits');
  private readonly misses = this.counter('misses');

  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, globalBufferInfo, params);
    this.partition = name;
    this.level = `gb.${name}`;
    this.actionClass = `globalBuffer.${name}`;
    this.usable = (this.params.capacityBytes * 8) / (this.params.doubleBuffered ? 2 : 1);
  }

  /** The partition's name (its component name in the spec). */
  readonly partition: string;
  readonly level: string;
  /** The energy-model instance, `globalBuffer.<partition>`. */
  readonly actionClass: string;

  get doubleBuffered(): boolean {
    return this.params.doubleBuffered;
  }

  countAccess(access: 'read' | 'write', bits: number): void {
    (access === 'read' ? this.readBits : this.writeBits).add(bits);
  }

  get bandwidthBitsPerCycle(): number {
    return this.params.bandwidthBitsPerCycle || this.params.banks * this.params.widthBits;
  }

  /** Bits that pinned tensors may occupy. */
  private get pinnable(): number {
    return this.usable * this.params.pinnedShare;
  }

  /** Bits that tiles may occupy: half the capacity when double buffered. */
  get usableBits(): number {
    return this.usable;
  }

  /**
   * The number that stands for a tensor in tile keys: `tileKey(tensor, tile)` is the same
   * number for the same data, and a cheap Map key (this runs for every fold).
   */
  tensor(name: string): number {
    let id = this.tensorIds.get(name);
    if (id === undefined) {
      id = this.tensorNames.length;
      this.tensorIds.set(name, id);
      this.tensorNames.push(name);
      this.resident.push([]);
      this.seen.push(new Uint8Array(16));
    }
    return id;
  }

  /** Marks a tile fetched; returns whether it had been before. */
  private markSeen(tensor: number, tile: number): boolean {
    let s = this.seen[tensor]!;
    if (tile >= s.length) {
      const grown = new Uint8Array(Math.max(tile + 1, s.length * 2));
      grown.set(s);
      this.seen[tensor] = s = grown;
    }
    const before = s[tile] === 1;
    s[tile] = 1;
    return before;
  }

  /**
   * Makes an input tile available for a fold: a hit costs nothing; a miss fetches it (a
   * refetch if it had been here before) and keeps it if it fits, evicting the least
   * recently used tiles; a tile larger than the buffer streams through and is not kept.
   */
  acquire(tensor: number, tile: number, bits: number, pinnedAs = tensor): TileTraffic {
    if (this.pinned.has(pinnedAs)) {
      this.hits.add();
      return NO_TRAFFIC;
    }
    const r = this.resident[tensor]![tile];
    if (r) {
      this.touch(r);
      this.hits.add();
      return NO_TRAFFIC;
    }
    this.misses.add();
    const refetch = this.markSeen(tensor, tile) ? bits : 0;
    this.fillBits.add(bits);
    this.refetchBits.add(refetch);
    const spillBits = this.insert(tensor, tile, bits, false);
    return { fetchBits: bits, refetchBits: refetch, spillBits };
  }

  /**
   * A fold accumulates into an output tile. Partial sums that were spilled come back from
   * DRAM first; a final tile leaves the buffer (written to DRAM by the caller if wanted).
   */
  accumulate(tensor: number, tile: number, bits: number, final: boolean, pinnedAs = tensor): TileTraffic {
    if (this.pinned.has(pinnedAs)) {
      // On chip as a whole; remember the tile in case the tensor is spilled later.
      this.markSeen(tensor, tile);
      return NO_TRAFFIC;
    }
    let fetchBits = 0;
    let refetch = 0;
    let spillBits = 0;
    const r = this.resident[tensor]![tile];
    const before = this.markSeen(tensor, tile);
    if (r) {
      this.touch(r);
      this.hits.add();
    } else if (before) {
      // Spilled earlier: read the partial sums back.
      this.misses.add();
      fetchBits = bits;
      refetch = bits;
      this.fillBits.add(bits);
      this.refetchBits.add(bits);
    }
    if (final) {
      if (r) this.remove(r);
    } else if (!r) spillBits = this.insert(tensor, tile, bits, true);
    return { fetchBits, refetchBits: refetch, spillBits };
  }

  /** Bits read and written so far (fills from DRAM included), for a timeline's per-step traffic. */
  get bitsMoved(): { readonly read: number; readonly written: number } {
    return { read: this.readBits.value(), written: this.writeBits.value() };
  }

  /**
   * Keeps a tensor on chip until `unpin`, if it fits beside the tensors pinned already;
   * least recently used tiles are evicted to make room (dirty ones spilled). `part`: the
   * bits are a further part of the tensor (written one time step at a time), so a pinned
   * tensor grows while it fits, and once it does not, all of it lives in DRAM (the parts on
   * chip are spilled); without `part` pinning a pinned tensor again changes nothing (a
   * GEMM accumulating onto it). Returns whether it is pinned and the bits spilled.
   */
  pin(tensorName: string, bits: number, part = false): { pinned: boolean; spillBits: number } {
    const id = this.tensor(tensorName);
    if (this.demoted.has(id)) return { pinned: false, spillBits: 0 };
    const held = this.pinned.get(id);
    if (held !== undefined) {
      if (!part) return { pinned: true, spillBits: 0 };
      if (this.pinnedBits + bits <= this.pinnable) {
        this.pinned.set(id, held + bits);
        this.pinnedBits += bits;
        return this.evictForPinned();
      }
      this.pinned.delete(id);
      this.pinnedBits -= held;
      this.demoted.add(id);
      this.spillBits.add(held);
      return { pinned: false, spillBits: held };
    }
    if (this.pinnedBits + bits > this.pinnable) {
      this.demoted.add(id);
      return { pinned: false, spillBits: 0 };
    }
    for (const r of this.resident[id]!) if (r) this.remove(r);
    this.pinned.set(id, bits);
    this.pinnedBits += bits;
    return this.evictForPinned();
  }

  /** Evicts least recently used tiles until the tiles fit beside the pinned tensors. */
  private evictForPinned(): { pinned: true; spillBits: number } {
    let spilled = 0;
    while (this.used > this.usable - this.pinnedBits) {
      const v = this.oldest!;
      if (v.dirty) {
        this.spillBits.add(v.bits);
        spilled += v.bits;
      }
      this.remove(v);
    }
    return { pinned: true, spillBits: spilled };
  }

  isPinned(tensorName: string): boolean {
    const id = this.tensorIds.get(tensorName);
    return id !== undefined && this.pinned.has(id);
  }

  unpin(tensorName: string): void {
    const id = this.tensorIds.get(tensorName);
    if (id === undefined) return;
    this.demoted.delete(id);
    const bits = this.pinned.get(id);
    if (bits === undefined) return;
    this.pinned.delete(id);
    this.pinnedBits -= bits;
  }

  /** Bits held by pinned tensors. */
  get pinnedTotalBits(): number {
    return this.pinnedBits;
  }

  /** Forgets a tensor's tiles, e.g. when a layer's output has been consumed. */
  release(tensorName: string): void {
    const id = this.tensorIds.get(tensorName);
    if (id === undefined) return;
    for (const r of this.resident[id]!) if (r) this.remove(r);
  }

  /** Functional view for tests and placement: resident tiles as `tensor:tile`, least recently used first. */
  residentTiles(): string[] {
    const out: string[] = [];
    for (let r = this.oldest; r; r = r.newer) out.push(`${this.tensorNames[r.tensor]}:${r.tile}`);
    return out;
  }

  /** Bits of the resident tiles. */
  get usedBits(): number {
    return this.used;
  }

  private insert(tensor: number, tile: number, bits: number, dirty: boolean): number {
    let spilled = 0;
    if (bits > this.usable - this.pinnedBits) {
      // Does not fit at all: it streams through; partial sums of it go straight to DRAM.
      if (dirty) {
        this.spillBits.add(bits);
        spilled += bits;
      }
      return spilled;
    }
    while (this.used + bits > this.usable - this.pinnedBits) {
      const v = this.oldest!;
      if (v.dirty) {
        this.spillBits.add(v.bits);
        spilled += v.bits;
      }
      this.remove(v);
    }
    const r: Resident = { tensor, tile, bits, dirty, older: this.newest, newer: undefined };
    if (this.newest) this.newest.newer = r;
    else this.oldest = r;
    this.newest = r;
    this.resident[tensor]![tile] = r;
    this.used += bits;
    return spilled;
  }

  private unlink(r: Resident): void {
    if (r.older) r.older.newer = r.newer;
    else this.oldest = r.newer;
    if (r.newer) r.newer.older = r.older;
    else this.newest = r.older;
    r.older = r.newer = undefined;
  }

  private touch(r: Resident): void {
    if (this.newest === r) return;
    this.unlink(r);
    r.older = this.newest;
    this.newest!.newer = r;
    this.newest = r;
  }

  private remove(r: Resident): void {
    this.unlink(r);
    this.resident[r.tensor]![r.tile] = undefined;
    this.used -= r.bits;
  }
}

export const dramInfo = defineComponentInfo({
  type: 'hw.Dram',
  version: '1.1.0',
  description: 'Off-chip DRAM: capacity, bandwidth and latency; serves read and write bursts in order on one channel',
  params: {
    capacityBytes: { type: 'int', default: 512 * 1024 * 1024, min: 1, unit: 'bytes', description: 'capacity (SATA: 512 MiB)' },
    bandwidthBitsPerCycle: { type: 'int', default: 128, min: 1, unit: 'bits/cycle', description: 'bits transferred per accelerator cycle (SATA: 128-bit bus)' },
    latencyCycles: { type: 'int', default: 0, min: 0, unit: 'cycles', description: 'from request to first data' },
    banks: { type: 'int', default: 16, min: 1, unit: 'banks', description: 'banks (informative; bursts are served in order)' },
    readEnergyPJPerBit: { type: 'number', default: 0, min: 0, unit: 'pJ/bit', description: 'read energy per bit; 0: from the energy model' },
    writeEnergyPJPerBit: { type: 'number', default: 0, min: 0, unit: 'pJ/bit', description: 'write energy per bit; 0: from the energy model' },
  },
  ports: { req: 'read and write bursts and fences from the controller (atomic: answered with the tick the data is there, gone, or everything before is done)' },
  stats: {
    readBits: { kind: 'counter', unit: 'bits', description: 'bits read' },
    writeBits: { kind: 'counter', unit: 'bits', description: 'bits written' },
    busyCycles: { kind: 'counter', unit: 'cycles', description: 'cycles the channel transferred data' },
    requests: { kind: 'counter', unit: 'requests', description: 'bursts served' },
  },
});

/**
 * A request on a DRAM channel, served atomically (the controller waits out the timing
 * itself): a `read` or `write` burst of `bits`, booked on the channel as of its arrival; a
 * `fence` books nothing. The answer is the tick the data is there (read), gone (write) or
 * every burst booked before is done (fence).
 */
export interface DramRequest {
  readonly kind: 'read' | 'write' | 'fence';
  readonly bits: number;
}

export class Dram extends Component<typeof dramInfo.params> implements MemoryLevel {
  readonly level = 'dram';
  readonly actionClass = 'dram';
  private busyUntil = 0;
  private burstStart = 0;
  private readonly readBits = this.counter('readBits');
  private readonly writeBits = this.counter('writeBits');
  private readonly busyCycles = this.counter('busyCycles');
  private readonly requests = this.counter('requests');
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, dramInfo, params);
    this.port<DramRequest>('req').onAtomic((r, arrival) => this.serve(r, arrival));
  }

  /** Serves a request arriving at `arrival`: books a burst on the channel; returns when it is done. */
  protected serve(r: DramRequest, arrival: number): number {
    return r.kind === 'fence' ? Math.max(arrival, this.busyUntil + this.params.latencyCycles) : this.reserve(r.bits, arrival);
  }

  get capacityBytes(): number {
    return this.params.capacityBytes;
  }

  countAccess(access: 'read' | 'write', bits: number): void {
    (access === 'read' ? this.readBits : this.writeBits).add(bits);
  }

  /**
   * Books a burst arriving at `arrival` and returns the tick its data is there (read) or gone
   * (write). One channel: a burst starts when the previous one has been transferred;
   * latency overlaps.
   */
  private reserve(bits: number, arrival: number): number {
    const transfer = Math.ceil(bits / this.params.bandwidthBitsPerCycle);
    const start = Math.max(arrival, this.busyUntil);
    this.busyUntil = start + transfer;
    this.burstStart = start;
    this.busyCycles.add(transfer);
    this.requests.add();
    return this.busyUntil + this.params.latencyCycles;
  }

  /** When the last burst booked starts and ends transferring its data (the channel is busy then). */
  get lastBurstStartTick(): number {
    return this.burstStart;
  }
  get lastBurstEndTick(): number {
    return this.busyUntil;
  }
}
