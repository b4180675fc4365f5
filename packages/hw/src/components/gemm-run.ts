/**
 * One GEMM step on the array: its dataflow's folds in order. For each fold the tiles are
 * looked up in their global-buffer partitions and what is missing is read from DRAM; the
 * fold starts when its data is there and the array is free (the wait is stall); with double
 * buffering the next fold's data is fetched while a fold computes. Every move of data is
 * recorded once, in the step's ledger, as it happens.
 */
import type { Fold, FoldPlan, PlanHints } from '@sata/plugin-api';
import { denseActivity } from '../activity.js';
import { addFoldCounts } from '../fold-counts.js';
import type { Route } from '../ledger.js';
import type { BufferPartition } from '../roles.js';
import type { GemmStep } from '../schedule.js';
import type { ControllerServices, StepInProgress } from './controller.js';

type Operands<T> = { ifmap: T; filter: T; ofmap: T };

export class GemmRun {
  private readonly plan: FoldPlan;
  private readonly buffers: Operands<BufferPartition>;
  private readonly doubleBuffered: boolean;
  /** Next fold to issue to the array; next fold to fetch; fetched-and-arrived fold. */
  private next = 0;
  private fetched = 0;
  private arrived = 0;
  private arrayFree = true;
  private arrayFreeAt: number;
  private fetchPending = false;
  /** The fold fetched last (the next to issue). */
  private fetchedFold: Fold | undefined;
  private runningFold: Fold | undefined;
  /** Each operand's tile space (tensor and GEMM shape) in its partition. */
  private readonly tensorIds: Operands<number>;
  /** Each operand's tensor, whose pinning keeps it on chip whole. */
  private readonly pinnedIds: Operands<number>;
  /** Output tiles this step has added onto already (`accumulate` steps read the rest first). */
  private readonly touchedOutputs = new Set<number>();
  /** Final output tiles go to DRAM (not kept on chip). */
  private readonly outputToDram: boolean;
  /** The step's moves, resolved once: DRAM fills, write-backs, and the array's reads and writes. */
  private readonly fill: Operands<Route>;
  private readonly writeBack: Route;
  private readonly toArray: Operands<Route>;
  private readonly fromArray: Route;
  /** A skipping array's index of the ifmap's rows, stored and read with the operand. */
  private readonly indexFill: Route;
  private readonly indexToArray: Route;

  private readonly parts: ControllerServices['parts'];

  constructor(private readonly ctl: ControllerServices, private readonly step: GemmStep, private readonly s: StepInProgress) {
    const parts = ctl.parts;
    this.parts = parts;
    const buffers = { ifmap: parts.buffers.get(step.buffers.ifmap)!, filter: parts.buffers.get(step.buffers.filter)!, ofmap: parts.buffers.get(step.buffers.ofmap)! };
    this.buffers = buffers;
    const names = { ifmap: step.tensors?.ifmap ?? `${step.label}#ifmap`, filter: step.tensors?.filter ?? `${step.label}#filter`, ofmap: step.tensors?.ofmap ?? `${step.label}#ofmap` };
    const { bits } = step;
    const ledger = s.ledger;
    const dram = parts.dram;
    this.fill = {
      ifmap: ledger.route(names.ifmap, dram, buffers.ifmap, bits.ifmap, 'ifmap'),
      filter: ledger.route(names.filter, dram, buffers.filter, bits.filter, 'filter'),
      ofmap: ledger.route(names.ofmap, dram, buffers.ofmap, bits.ofmap, 'psum'),
    };
    this.writeBack = ledger.route(names.ofmap, buffers.ofmap, dram, bits.ofmap, 'ofmap');
    this.toArray = {
      ifmap: ledger.route(names.ifmap, buffers.ifmap, 'array', bits.ifmap),
      filter: ledger.route(names.filter, buffers.filter, 'array', bits.filter),
      ofmap: ledger.route(names.ofmap, buffers.ofmap, 'array', bits.ofmap),
    };
    this.fromArray = ledger.route(names.ofmap, 'array', buffers.ofmap, bits.ofmap);
    this.indexFill = ledger.route(`${names.ifmap}#index`, dram, buffers.ifmap, 1, 'ifmap');
    this.indexToArray = ledger.route(`${names.ifmap}#index`, buffers.ifmap, 'array', 1);
    const shape = `${step.gemm.M}x${step.gemm.N}x${step.gemm.K}`;
    let outputToDram = step.outputTo !== 'buffer';
    if (step.keepOutput) {
      const placed = buffers.ofmap.pin(step.tensors!.ofmap!, step.gemm.M * step.gemm.N * step.bits.ofmap);
      outputToDram = !placed.pinned;
      // Making room evicted partial sums: they go to DRAM.
      this.postWrite(this.spill(buffers.ofmap, placed.spillBits));
    }
    this.outputToDram = outputToDram;
    this.plan = step.dataflow.plan(step.gemm, parts.array.shape, outputToDram || !step.keepOutput ? this.planHints() : {});
    parts.array.prepare(this.plan, step.operands, step.gating);
    s.plan = this.plan;
    this.doubleBuffered = buffers.ifmap.doubleBuffered && buffers.filter.doubleBuffered;
    this.arrayFreeAt = ctl.now;
    // Tiles are numbered by the fold geometry of this GEMM's shape: the same tensor read by
    // GEMMs of other shapes has tiles of other extents, so tiles are kept per tensor and
    // shape; a pinned tensor is on chip for any shape.
    this.tensorIds = {
      ifmap: buffers.ifmap.tensor(`${names.ifmap}@${shape}`),
      filter: buffers.filter.tensor(`${names.filter}@${shape}`),
      ofmap: buffers.ofmap.tensor(`${names.ofmap}@${shape}`),
    };
    this.pinnedIds = { ifmap: buffers.ifmap.tensor(names.ifmap), filter: buffers.filter.tensor(names.filter), ofmap: buffers.ofmap.tensor(names.ofmap) };
    this.fetch();
  }

  /**
   * What a time-tiling dataflow needs to keep a column fold's partial sums on chip: the
   * steps whose partial sums fit in the output partition's free tile space (half of it
   * when an input shares the partition and needs room too).
   */
  private planHints(): PlanHints {
    if (!this.step.dataflow.tilesTime) return {};
    const out = this.buffers.ofmap;
    const shared = this.buffers.ifmap === out || this.buffers.filter === out;
    const free = (out.usableBits - out.pinnedTotalBits) / (shared ? 2 : 1);
    return { maxStreamed: Math.max(1, Math.floor(free / (this.parts.array.shape.cols * this.step.bits.ofmap))) };
  }

  /** Partial sums evicted from `from` go to DRAM: recorded here, returns the bits to write. */
  private spill(from: BufferPartition, bits: number): number {
    if (bits > 0) this.s.ledger.route(`${this.step.label}#psum`, from, this.parts.dram, this.step.bits.ofmap, 'psum').addBits(bits);
    return bits;
  }

  /** Writes are posted: they occupy the DRAM channel but nobody waits for them. */
  private postWrite(bits: number): void {
    this.ctl.dram.write(bits);
  }

  /** Looks up the next fold's tiles; reads what is missing from DRAM, then marks the fold's data arrived. */
  private fetch(): void {
    if (this.fetched >= this.plan.folds || this.fetchPending) return;
    const plan = this.plan;
    const fold = plan.fold(this.fetched);
    this.fetchedFold = fold;
    const { bits } = this.step;
    const inTile = plan.tile('ifmap', fold);
    const wTile = plan.tile('filter', fold);
    const outTile = plan.tile('ofmap', fold);
    const array = this.parts.array;
    const activity = this.step.activity ?? denseActivity;
    const meta = array.metadataBits ? array.metadataBits(plan, fold, activity, this.step.gating) : 0;
    const i = this.buffers.ifmap.acquire(this.tensorIds.ifmap, inTile.key, inTile.elements * bits.ifmap + meta, this.pinnedIds.ifmap);
    const w = this.buffers.filter.acquire(this.tensorIds.filter, wTile.key, wTile.elements * bits.filter, this.pinnedIds.filter);
    const out = this.buffers.ofmap.accumulate(this.tensorIds.ofmap, outTile.key, outTile.elements * bits.ofmap, fold.outputsFinal && this.outputToDram, this.pinnedIds.ofmap);
    if (this.step.accumulate && !this.touchedOutputs.has(outTile.key)) {
      // Adding onto what an earlier step left there: its values are read before the first add.
      this.touchedOutputs.add(outTile.key);
      this.s.counts.sramReads.psum += outTile.elements;
      this.toArray.ofmap.add(outTile.elements);
    }
    // A fetched ifmap tile brings its index (if the array keeps one) with it.
    const indexBits = i.fetchBits > 0 ? meta : 0;
    this.fill.ifmap.addBits(i.fetchBits - indexBits);
    this.indexFill.addBits(indexBits);
    this.fill.filter.addBits(w.fetchBits);
    this.fill.ofmap.addBits(out.fetchBits);
    const refetch = this.s.ledger.refetch;
    refetch.ifmap += i.refetchBits;
    refetch.filter += w.refetchBits;
    refetch.psum += out.refetchBits;
    // One burst for what the three lookups evicted.
    this.postWrite(this.spill(this.buffers.ifmap, i.spillBits) + this.spill(this.buffers.filter, w.spillBits) + this.spill(this.buffers.ofmap, out.spillBits));
    const readBits = i.fetchBits + w.fetchBits + out.fetchBits;
    this.fetched++;
    this.ctl.tl?.occupancy([this.buffers.ifmap, this.buffers.filter, this.buffers.ofmap], this.ctl.now);
    if (readBits === 0) {
      this.arrived = this.fetched;
      this.tryStartFold();
      return;
    }
    this.fetchPending = true;
    this.ctl.dram.read(readBits, this.dataArrived);
  }

  private readonly dataArrived = (): void => {
    this.fetchPending = false;
    this.arrived = this.fetched;
    this.tryStartFold();
  };

  private tryStartFold(): void {
    if (!this.arrayFree || this.arrived <= this.next || this.next >= this.plan.folds) return;
    const parts = this.parts;
    // Folds are fetched in order, at most one ahead: the one fetched last is the next to run.
    const fold = this.fetchedFold!;
    this.runningFold = fold;
    const step = this.step;
    const counts = parts.array.countFold(this.plan, fold, step.activity ?? denseActivity, step.gating);
    const { bits } = step;
    // Each partition must deliver its share of the fold's operands within the fold's cycles,
    // or the fold stretches; operands that share a partition share its bandwidth.
    const { ifmap, filter, ofmap } = this.buffers;
    const bI = counts.sramReads.ifmap * bits.ifmap + counts.metadataReadBits;
    const bF = counts.sramReads.filter * bits.filter;
    const bO = (counts.sramReads.psum + counts.sramWrites.ofmap) * bits.ofmap;
    const onIfmap = bI + (filter === ifmap ? bF : 0) + (ofmap === ifmap ? bO : 0);
    const onFilter = bF + (ofmap === filter ? bO : 0) + (ifmap === filter ? bI : 0);
    const onOfmap = bO + (ifmap === ofmap ? bI : 0) + (filter === ofmap ? bF : 0);
    const sramStall = Math.max(
      0,
      Math.ceil(onIfmap / ifmap.bandwidthBitsPerCycle) - counts.cycles,
      Math.ceil(onFilter / filter.bandwidthBitsPerCycle) - counts.cycles,
      Math.ceil(onOfmap / ofmap.bandwidthBitsPerCycle) - counts.cycles,
    );
    const waited = this.ctl.now - this.arrayFreeAt;
    const tl = this.ctl.tl;
    if (tl) {
      tl.waitedForDram(parts.array.name, this.arrayFreeAt, this.ctl.now);
      tl.glbStall(sramStall);
    }
    this.s.stallCycles += waited + sramStall;
    this.ctl.stall(waited + sramStall);
    this.s.computeCycles += counts.cycles;
    addFoldCounts(this.s.counts, counts);
    // The partitions' side of the fold: operands out to the array, partial and final sums back.
    this.toArray.ifmap.add(counts.sramReads.ifmap);
    this.toArray.filter.add(counts.sramReads.filter);
    this.toArray.ofmap.add(counts.sramReads.psum);
    this.fromArray.add(counts.sramWrites.ofmap);
    this.indexToArray.addBits(counts.metadataReadBits);
    this.arrayFree = false;
    this.next++;
    this.ctl.array.send({ counts, rowsUsed: fold.rowsUsed, colsUsed: fold.colsUsed, sramStallCycles: sramStall, actions: this.s.ledger.actions, operation: step.operation, bits });
    // Double buffered: the next fold's data comes in while this one computes.
    if (this.doubleBuffered) this.fetch();
  }

  foldDone(): void {
    const parts = this.parts;
    const fold = this.runningFold!;
    this.arrayFree = true;
    this.arrayFreeAt = this.ctl.now;
    if (fold.outputsFinal && this.outputToDram) {
      const bits = this.plan.tile('ofmap', fold).elements * this.step.bits.ofmap;
      this.writeBack.addBits(bits);
      this.postWrite(bits);
    }
    if (this.next >= this.plan.folds) {
      const drain = parts.array.drainCycles(this.plan);
      this.s.drainCycles = drain;
      this.ctl.drained(drain);
      this.ctl.tl?.gemmDone(parts.array.name, this.step.label, this.s.startCycle, this.ctl.now, drain, this.plan.folds, this.s.computeCycles);
      // The PEs read their scratchpads once per active operation and operand.
      const { bits } = this.step;
      parts.scratchpads.ifmap.read(this.s.counts.spadReads.ifmap, bits.ifmap, 'ifmap', this.s.ledger.actions);
      parts.scratchpads.filter.read(this.s.counts.spadReads.filter, bits.filter, 'filter', this.s.ledger.actions);
      for (const r of this.step.release ?? []) parts.buffers.get(r.partition)?.unpin(r.tensor);
      this.ctl.schedule(drain, () => this.ctl.stepDone(this.s));
      return;
    }
    if (!this.doubleBuffered) this.fetch();
    this.tryStartFold();
  }
}
