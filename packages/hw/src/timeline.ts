import type { TimelineSink } from '@sata/core';
import type { BufferPartition as GlobalBuffer, DramChannel as Dram } from './roles.js';

/**
 * What the controller reports to a timeline, kept bounded: per schedule step one slice on
 * the controller (the step), one on the array for a GEMM (its folds grouped, from the
 * step's start to the end of its drain, with the drain as a slice inside) or on the unit
 * for vector work, one on the DRAM grouping the step's bursts (bursts run in order on one
 * channel, so these never overlap), one on each partition the step read or wrote; the
 * waits of the array and the units for DRAM as `stall` slices inside theirs, each naming
 * when and where the awaited read finished its transfer (`readAt`, `readOn`: a viewer's
 * flow arrow); each
 * partition's occupancy (bits of tiles and pinned tensors) when it changes. Tracks are
 * component names; `step` is the step's index. The controller calls one method per fact.
 */
export class StepTimeline {
  private step = 0;
  private dram = { startTick: 0, endTick: 0, readBits: 0, writeBits: 0, bursts: 0, busyCycles: 0 };
  private lastReadEnd = 0;
  private lastReadOn = '';
  private glbStallCycles = 0;
  private movedAtStart = new Map<GlobalBuffer, { readonly read: number; readonly written: number }>();
  private readonly reported = new Map<GlobalBuffer, number>();

  constructor(readonly sink: TimelineSink) {}

  stepStarted(index: number, buffers: Iterable<GlobalBuffer>): void {
    this.step = index;
    this.glbStallCycles = 0;
    this.movedAtStart = new Map([...buffers].map((gb) => [gb, gb.bitsMoved]));
  }

  /** A burst was just booked on `dram` (its span is the DRAM's last burst). */
  dramBurst(dram: Dram, bits: number, write: boolean): void {
    const d = this.dram;
    if (d.bursts === 0) d.startTick = dram.lastBurstStartTick;
    d.endTick = dram.lastBurstEndTick;
    d.bursts++;
    d.busyCycles += dram.lastBurstEndTick - dram.lastBurstStartTick;
    if (write) d.writeBits += bits;
    else {
      d.readBits += bits;
      this.lastReadEnd = dram.lastBurstEndTick;
      this.lastReadOn = dram.name;
    }
  }

  /** `track` waited from `from` to `to` for the data of the last read booked. */
  waitedForDram(track: string, from: number, to: number): void {
    if (to > from) this.sink.slice(track, from, to, 'stall', { step: this.step, cause: 'dram', readAt: this.lastReadEnd, readOn: this.lastReadOn });
  }

  /** The global buffer stretched a fold (where in the fold the model does not say: the step's slice gets the total). */
  glbStall(cycles: number): void {
    this.glbStallCycles += cycles;
  }

  /** A GEMM's folds ran on `array` from the step's start to `foldsEnd`, then its outputs drained. */
  gemmDone(array: string, label: string, startTick: number, foldsEnd: number, drainCycles: number, folds: number, computeCycles: number): void {
    this.sink.slice(array, startTick, foldsEnd + drainCycles, label, { step: this.step, folds, computeCycles, glbStallCycles: this.glbStallCycles });
    if (drainCycles > 0) this.sink.slice(array, foldsEnd, foldsEnd + drainCycles, 'drain', { step: this.step });
  }

  vectorDone(unit: string, label: string, startTick: number, endTick: number, elements: number): void {
    this.sink.slice(unit, startTick, endTick, label, { step: this.step, elements });
  }

  /** The schedule waited from `from` to `to` for the writes still posted to DRAM (the last step). */
  waitedForWrites(controller: string, from: number, to: number): void {
    this.sink.slice(controller, from, to, 'stall', { step: this.step, cause: 'dram writes' });
  }

  stepDone(controller: string, dram: Dram, label: string, startTick: number, endTick: number): void {
    const step = this.step;
    this.sink.slice(controller, startTick, endTick, label, { step });
    const d = this.dram;
    if (d.bursts > 0) this.sink.slice(dram.name, d.startTick, d.endTick, label, { step, readBits: d.readBits, writeBits: d.writeBits, bursts: d.bursts, busyCycles: d.busyCycles });
    this.dram = { startTick: 0, endTick: 0, readBits: 0, writeBits: 0, bursts: 0, busyCycles: 0 };
    for (const [gb, before] of this.movedAtStart) {
      const moved = gb.bitsMoved;
      const readBits = moved.read - before.read;
      const writeBits = moved.written - before.written;
      if (readBits > 0 || writeBits > 0) this.sink.slice(gb.name, startTick, endTick, label, { step, readBits, writeBits });
    }
    this.occupancy(this.movedAtStart.keys(), endTick);
  }

  /** Reports what the partitions hold at `tick`, where it changed. */
  occupancy(buffers: Iterable<GlobalBuffer>, tick: number): void {
    for (const gb of buffers) {
      const bits = gb.usedBits + gb.pinnedTotalBits;
      if (this.reported.get(gb) === bits) continue;
      this.reported.set(gb, bits);
      this.sink.counter(gb.name, tick, bits);
    }
  }
}
