import { Component, ConfigError, defineComponentInfo, type Simulator, type TimelineSink } from '@sata/core';
import type { Fold, FoldPlan, GemmOperand, PlanHints } from '@sata/plugin-api';
import { ActionCounter } from '../actions.js';
import { denseActivity } from '../activity.js';
import { addFoldCounts, emptyFoldCounts, type FoldCounts } from '../fold-counts.js';
import { StepTimeline } from '../timeline.js';
import type { GemmStep, ScheduleStep, VectorStep } from '../schedule.js';
import type { Dram } from './memory.js';
import type { GlobalBuffer, Scratchpad } from './memory.js';
import type { FoldJob, PEArray } from './pe-array.js';
import type { VectorJob } from './units.js';

export const controllerInfo = defineComponentInfo({
  type: 'hw.Controller',
  version: '1.0.0',
  description: 'Runs a schedule of steps: a GEMM as its dataflow\'s folds through DRAM, global buffers and the array (prefetching the next fold when double buffered), vector work on the LIF, gradient and encoder units',
  params: {},
  ports: {
    array: 'folds to the PE array',
    lif: 'vectors to the LIF unit',
    gradient: 'vectors to the gradient unit',
    encoder: 'vectors to the spike encoder',
  },
  stats: {
    steps: { kind: 'counter', unit: 'steps', description: 'schedule steps completed' },
    stallCycles: { kind: 'counter', unit: 'cycles', description: 'cycles the array waited for data (DRAM) or was slowed by the global buffer' },
    drainCycles: { kind: 'counter', unit: 'cycles', description: 'cycles after a GEMM\'s last fold until its outputs were out' },
  },
});

/** DRAM traffic of a step, in bits, per operand; refetches are included in the reads and also shown apart. */
export interface DramTraffic {
  reads: { ifmap: number; filter: number; psum: number };
  writes: { ofmap: number; psum: number };
  refetch: { ifmap: number; filter: number; psum: number };
}

/** Bits of one tensor moved from one level to another (`dram`, `gb.<partition>`, `array`, a unit). */
export interface Flow {
  readonly tensor: string;
  readonly from: string;
  readonly to: string;
  readonly bits: number;
}

export interface StepResult {
  readonly label: string;
  readonly kind: ScheduleStep['kind'];
  readonly startCycle: number;
  readonly endCycle: number;
  /** Compute cycles (folds, or vector-unit cycles). */
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly drainCycles: number;
  /**
   * The last step only: its stall cycles spent on the writes posted to DRAM, the ones earlier
   * steps left queued on the channel when it started and its own at its end (the iteration's
   * drain: part of stallCycles, and no work of the step's).
   */
  readonly finalWaitCycles: number;
  readonly plan: FoldPlan | undefined;
  /** The array's counts summed over folds (GEMM steps). */
  readonly counts: FoldCounts;
  readonly dram: DramTraffic;
  readonly actions: ActionCounter;
  /** Data movement between levels, per tensor (the placement the result reports). */
  readonly flows: Flow[];
  /** Bits pinned on chip (kept tensors, over all partitions) when the step ends. */
  readonly pinnedBits: number;
}

export interface ControllerParts {
  readonly array: PEArray;
  readonly scratchpads: { readonly ifmap: Scratchpad; readonly filter: Scratchpad };
  readonly buffers: ReadonlyMap<string, GlobalBuffer>;
  readonly dram: Dram;
}

interface GemmRun {
  readonly step: GemmStep;
  readonly plan: FoldPlan;
  readonly result: MutableResult;
  readonly buffers: { ifmap: GlobalBuffer; filter: GlobalBuffer; ofmap: GlobalBuffer };
  readonly doubleBuffered: boolean;
  /** Next fold to issue to the array; next fold to fetch; fetched-and-arrived fold. */
  next: number;
  fetched: number;
  arrived: number;
  arrayFree: boolean;
  arrayFreeAt: number;
  fetchPending: boolean;
  /** The fold fetched last (the next to issue) and the fold on the array. */
  fetchedFold: Fold | undefined;
  runningFold: Fold | undefined;
  /** Each operand's tile space (tensor and GEMM shape) in its partition. */
  readonly tensorIds: { ifmap: number; filter: number; ofmap: number };
  /** Each operand's tensor, whose pinning keeps it on chip whole. */
  readonly pinnedIds: { ifmap: number; filter: number; ofmap: number };
  /** Output tiles this step has added onto already (`accumulate` steps read the rest first). */
  readonly touchedOutputs: Set<number>;
  /** Final output tiles go to DRAM (not kept on chip). */
  readonly outputToDram: boolean;
}

type MutableResult = { -readonly [K in keyof StepResult]: StepResult[K] };

const emptyTraffic = (): DramTraffic => ({ reads: { ifmap: 0, filter: 0, psum: 0 }, writes: { ofmap: 0, psum: 0 }, refetch: { ifmap: 0, filter: 0, psum: 0 } });

/**
 * The accelerator's controller: takes a schedule and drives the components with events.
 * Steps run one after another. A GEMM runs its folds in the dataflow's order: the tiles a
 * fold needs are looked up in their global-buffer partitions and what is missing is read
 * from DRAM; the fold starts when its data is there and the array is free (the wait is
 * stall). With double buffering the next fold's data is fetched while a fold computes.
 */
export class Controller extends Component<typeof controllerInfo.params> {
  private parts: ControllerParts | undefined;
  private queue: ScheduleStep[] = [];
  private readonly results: StepResult[] = [];
  private current: GemmRun | undefined;
  private vectorStep: { step: VectorStep; result: MutableResult; unitPort: 'lif' | 'gradient' | 'encoder'; sentAt: number } | undefined;
  private readonly arrayPort = this.port<FoldJob>('array');
  private readonly stepCount = this.counter('steps');
  private readonly stallCount = this.counter('stallCycles');
  private readonly drainCount = this.counter('drainCycles');
  /**
   * Called with each step's result when it completes, inside the kernel event that completes
   * it (a trace recorder attaches the step's action counts to that event's record). Unset:
   * no cost.
   */
  onStepDone: ((result: StepResult, index: number) => void) | undefined = undefined;
  private tl: StepTimeline | undefined;

  /** Where the run's timeline goes (see StepTimeline for what is reported); unset: no cost. */
  get timeline(): TimelineSink | undefined {
    return this.tl?.sink;
  }
  set timeline(sink: TimelineSink | undefined) {
    this.tl = sink ? new StepTimeline(sink) : undefined;
  }

  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, controllerInfo, params);
    this.port<FoldJob>('array').onReceive(() => this.foldDone());
    for (const unit of ['lif', 'gradient', 'encoder'] as const) this.port<VectorJob>(unit).onReceive(() => this.vectorDone());
  }

  /** Wires the controller to the parts it drives (the assembly does this once). */
  attach(parts: ControllerParts): void {
    this.parts = parts;
  }

  /** Queues steps to run when the simulation starts (or after the current ones). */
  submit(steps: readonly ScheduleStep[]): void {
    for (const s of steps) this.validate(s);
    for (const s of steps) this.queue.push(s); // not push(...steps): a deep network's steps would overflow the call stack
  }

  /** Results of the completed steps, in order. */
  stepResults(): readonly StepResult[] {
    return this.results;
  }

  override init(): void {
    this.schedule(0, () => this.startNext());
  }

  private validate(step: ScheduleStep): void {
    const parts = this.requireParts();
    if (step.kind !== 'gemm') {
      if (!Number.isSafeInteger(step.elements) || step.elements < 0) throw new ConfigError(`step ${step.label}: elements must be a non-negative integer, got ${String(step.elements)}`);
      if (step.kind === 'elementwise' && !step.ops) throw new ConfigError(`step ${step.label}: an elementwise step needs ops (action class and operations per element)`);
      for (const acc of step.traffic ?? []) {
        if (!parts.buffers.has(acc.partition)) throw new ConfigError(`step ${step.label}: tensor ${acc.tensor} names partition "${acc.partition}", which is not a global-buffer partition (partitions: ${[...parts.buffers.keys()].sort().join(', ')})`);
        if (!Number.isSafeInteger(acc.elements) || acc.elements < 0 || !Number.isSafeInteger(acc.bitsPerElement) || acc.bitsPerElement < 1) throw new ConfigError(`step ${step.label}: tensor ${acc.tensor} needs a non-negative integer element count and a positive bit width`);
      }
      return;
    }
    if (step.keepOutput && !step.tensors?.ofmap) throw new ConfigError(`step ${step.label}: keepOutput needs a name for the output tensor (tensors.ofmap)`);
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
      if (!parts.buffers.has(step.buffers[op])) throw new ConfigError(`step ${step.label}: ${op} buffer "${step.buffers[op]}" is not a global-buffer partition (partitions: ${[...parts.buffers.keys()].sort().join(', ')})`);
      const b = step.bits[op];
      if (!Number.isSafeInteger(b) || b < 1 || b > 64) throw new ConfigError(`step ${step.label}: ${op} bits must be an integer in 1..64, got ${String(b)}`);
    }
    parts.scratchpads.ifmap.checkFits(step.bits.ifmap);
    parts.scratchpads.filter.checkFits(step.bits.filter);
    const { M, N, K } = step.gemm;
    const footprint = M * K * step.bits.ifmap + K * N * step.bits.filter + M * N * step.bits.ofmap;
    if (footprint > parts.dram.params.capacityBytes * 8) throw new ConfigError(`step ${step.label}: operands need ${Math.ceil(footprint / 8)} bytes, more than the DRAM's capacityBytes ${parts.dram.params.capacityBytes}`);
  }

  private requireParts(): ControllerParts {
    if (!this.parts) throw new ConfigError(`component ${this.name}: not attached to an array and memories`);
    return this.parts;
  }

  private startNext(): void {
    const step = this.queue.shift();
    if (!step) return;
    const result: MutableResult = {
      label: step.label, kind: step.kind, startCycle: this.now, endCycle: this.now, computeCycles: 0, stallCycles: 0, drainCycles: 0, finalWaitCycles: 0,
      plan: undefined, counts: emptyFoldCounts(), dram: emptyTraffic(), actions: new ActionCounter(), flows: [], pinnedBits: 0,
    };
    // The last step queues behind the writes still posted when it starts (counted as its drain in finishStep).
    if (this.queue.length === 0) result.finalWaitCycles = Math.max(0, this.requireParts().dram.idleAt - this.now);
    this.tl?.stepStarted(this.results.length, this.requireParts().buffers.values());
    if (step.kind === 'gemm') this.startGemm(step, result);
    else this.startVector(step, result);
  }

  /** Reads the step's input tensors (from DRAM what is not on chip), then runs the unit. */
  private startVector(step: VectorStep, result: MutableResult): void {
    const unitPort = step.kind === 'gradient' ? 'gradient' : step.kind === 'encode' ? 'encoder' : 'lif';
    const vector = (this.vectorStep = { step, result, unitPort, sentAt: this.now });
    let dramBits = 0;
    for (const acc of step.traffic ?? []) {
      if (acc.access !== 'read') continue;
      const gb = this.requireParts().buffers.get(acc.partition)!;
      const bits = acc.elements * acc.bitsPerElement;
      const level = `gb.${acc.partition}`;
      if (!gb.isPinned(acc.tensor)) {
        dramBits += bits;
        result.dram.reads.ifmap += bits;
        result.actions.add('dram', 'read', acc.bitsPerElement, acc.elements);
        result.actions.add(`globalBuffer.${acc.partition}`, 'write', acc.bitsPerElement, acc.elements);
        gb.write(bits);
        result.flows.push({ tensor: acc.tensor, from: 'dram', to: level, bits });
      }
      result.actions.add(`globalBuffer.${acc.partition}`, 'read', acc.bitsPerElement, acc.elements);
      gb.read(bits);
      result.flows.push({ tensor: acc.tensor, from: level, to: unitPort, bits });
      if (acc.release) gb.unpin(acc.tensor);
    }
    const send = (): void => void this.port<VectorJob>(unitPort).trySend({ elements: step.elements, bits: step.bits, actions: result.actions, ops: step.ops, skipped: step.skipped });
    if (dramBits === 0) send();
    else {
      const asked = this.now;
      this.dramRequest(dramBits, false, () => {
        result.stallCycles += this.now - asked;
        this.stallCount.add(this.now - asked);
        this.tl?.waitedForDram(this.port(unitPort).peer.owner.name, asked, this.now);
        vector.sentAt = this.now;
        send();
      });
    }
  }

  /** Writes the step's output tensors: pinned on chip if kept and they fit, else through the partition to DRAM. */
  private writeVectorOutputs(step: VectorStep, result: MutableResult, unit: string): void {
    let dramBits = 0;
    for (const acc of step.traffic ?? []) {
      if (acc.access !== 'write') continue;
      const gb = this.requireParts().buffers.get(acc.partition)!;
      const bits = acc.elements * acc.bitsPerElement;
      const level = `gb.${acc.partition}`;
      const part = `globalBuffer.${acc.partition}`;
      result.actions.add(part, 'write', acc.bitsPerElement, acc.elements);
      gb.write(bits);
      result.flows.push({ tensor: acc.tensor, from: unit, to: level, bits });
      // Written a step at a time: a tensor pinned whole grows by each part.
      const placed = acc.keep ? gb.pin(acc.tensor, bits, true) : { pinned: false, spillBits: 0 };
      if (placed.spillBits > 0) {
        // What no longer fits (this tensor's earlier parts, or evicted partial sums) goes to DRAM.
        dramBits += placed.spillBits;
        result.dram.writes.psum += placed.spillBits;
        result.actions.add(part, 'read', 1, placed.spillBits);
        gb.read(placed.spillBits);
        result.actions.add('dram', 'write', 1, placed.spillBits);
        result.flows.push({ tensor: acc.tensor, from: level, to: 'dram', bits: placed.spillBits });
      }
      if (!placed.pinned) {
        dramBits += bits;
        result.dram.writes.ofmap += bits;
        result.actions.add(part, 'read', acc.bitsPerElement, acc.elements);
        gb.read(bits);
        result.actions.add('dram', 'write', acc.bitsPerElement, acc.elements);
        result.flows.push({ tensor: acc.tensor, from: level, to: 'dram', bits });
      }
    }
    // Writes are posted: they occupy the DRAM channel but nobody waits for them.
    if (dramBits > 0) this.dramRequest(dramBits, true, () => undefined);
  }

  private finishStep(result: MutableResult): void {
    // The last step ends when the writes still posted to DRAM are done: the iteration's
    // cycles include them (they count as that step's stall).
    const idleAt = this.queue.length === 0 ? this.requireParts().dram.idleAt : this.now;
    if (idleAt > this.now) {
      this.tl?.waitedForWrites(this.name, this.now, idleAt);
      result.stallCycles += idleAt - this.now;
      result.finalWaitCycles += idleAt - this.now;
      this.stallCount.add(idleAt - this.now);
      this.schedule(idleAt - this.now, () => this.finishStep(result));
      return;
    }
    if (this.queue.length === 0) result.finalWaitCycles = Math.min(result.finalWaitCycles, result.stallCycles);
    result.endCycle = this.now;
    let pinned = 0;
    for (const gb of this.requireParts().buffers.values()) pinned += gb.pinnedTotalBits;
    result.pinnedBits = pinned;
    this.tl?.stepDone(this.name, this.requireParts().dram, result.label, result.startCycle, result.endCycle);
    this.results.push(result);
    this.stepCount.add();
    this.onStepDone?.(result, this.results.length - 1);
    this.startNext();
  }

  private vectorDone(): void {
    const v = this.vectorStep!;
    this.vectorStep = undefined;
    v.result.computeCycles = this.now - v.result.startCycle - v.result.stallCycles;
    this.tl?.vectorDone(this.port(v.unitPort).peer.owner.name, v.result.label, v.sentAt, this.now, v.step.elements);
    this.writeVectorOutputs(v.step, v.result, v.unitPort);
    this.finishStep(v.result);
  }

  private startGemm(step: GemmStep, result: MutableResult): void {
    const parts = this.requireParts();
    const buffers = { ifmap: parts.buffers.get(step.buffers.ifmap)!, filter: parts.buffers.get(step.buffers.filter)!, ofmap: parts.buffers.get(step.buffers.ofmap)! };
    const names = { ifmap: step.tensors?.ifmap ?? `${step.label}#ifmap`, filter: step.tensors?.filter ?? `${step.label}#filter`, ofmap: step.tensors?.ofmap ?? `${step.label}#ofmap` };
    const shape = `${step.gemm.M}x${step.gemm.N}x${step.gemm.K}`;
    let outputToDram = step.outputTo !== 'buffer';
    if (step.keepOutput) {
      const placed = buffers.ofmap.pin(step.tensors!.ofmap!, step.gemm.M * step.gemm.N * step.bits.ofmap);
      outputToDram = !placed.pinned;
      if (placed.spillBits > 0) {
        result.dram.writes.psum += placed.spillBits;
        this.dramRequest(placed.spillBits, true, () => undefined);
      }
    }
    const plan = step.dataflow.plan(step.gemm, parts.array.shape, outputToDram || !step.keepOutput ? this.planHints(step, buffers) : {});
    parts.array.prepare(plan, step.operands, step.gating);
    result.plan = plan;
    this.current = {
      outputToDram,
      step, plan, result, buffers,
      doubleBuffered: buffers.ifmap.params.doubleBuffered && buffers.filter.params.doubleBuffered,
      next: 0, fetched: 0, arrived: 0, arrayFree: true, arrayFreeAt: this.now, fetchPending: false, fetchedFold: undefined, runningFold: undefined,
      // Tiles are numbered by the fold geometry of this GEMM's shape: the same tensor read by
      // GEMMs of other shapes has tiles of other extents, so tiles are kept per tensor and
      // shape; a pinned tensor is on chip for any shape.
      tensorIds: {
        ifmap: buffers.ifmap.tensor(`${names.ifmap}@${shape}`),
        filter: buffers.filter.tensor(`${names.filter}@${shape}`),
        ofmap: buffers.ofmap.tensor(`${names.ofmap}@${shape}`),
      },
      pinnedIds: { ifmap: buffers.ifmap.tensor(names.ifmap), filter: buffers.filter.tensor(names.filter), ofmap: buffers.ofmap.tensor(names.ofmap) },
      touchedOutputs: new Set<number>(),
    };
    this.fetch();
  }


  /**
   * What a time-tiling dataflow needs to keep a column fold's partial sums on chip: the
   * steps whose partial sums fit in the output partition's free tile space (half of it
   * when an input shares the partition and needs room too).
   */
  private planHints(step: GemmStep, buffers: { ifmap: GlobalBuffer; filter: GlobalBuffer; ofmap: GlobalBuffer }): PlanHints {
    if (!step.dataflow.tilesTime) return {};
    const out = buffers.ofmap;
    const shared = buffers.ifmap === out || buffers.filter === out;
    const free = (out.usableBits - out.pinnedTotalBits) / (shared ? 2 : 1);
    return { maxStreamed: Math.max(1, Math.floor(free / (this.requireParts().array.shape.cols * step.bits.ofmap))) };
  }

  /** Looks up the next fold's tiles; reads what is missing from DRAM, then marks the fold's data arrived. */
  private fetch(): void {
    const run = this.current!;
    if (run.fetched >= run.plan.folds || run.fetchPending) return;
    const fold = run.plan.fold(run.fetched);
    run.fetchedFold = fold;
    const { bits } = run.step;
    const t = run.result.dram;
    const plan = run.plan;
    const inTile = plan.tile('ifmap', fold);
    const wTile = plan.tile('filter', fold);
    const outTile = plan.tile('ofmap', fold);
    const i = run.buffers.ifmap.acquire(run.tensorIds.ifmap, inTile.key, inTile.elements * bits.ifmap, run.pinnedIds.ifmap);
    const w = run.buffers.filter.acquire(run.tensorIds.filter, wTile.key, wTile.elements * bits.filter, run.pinnedIds.filter);
    const out = run.buffers.ofmap.accumulate(run.tensorIds.ofmap, outTile.key, outTile.elements * bits.ofmap, fold.outputsFinal && run.outputToDram, run.pinnedIds.ofmap);
    if (run.step.accumulate && !run.touchedOutputs.has(outTile.key)) {
      // Adding onto what an earlier step left there: its values are read before the first add.
      run.touchedOutputs.add(outTile.key);
      run.result.counts.sramReads.psum += outTile.elements;
    }
    t.reads.ifmap += i.fetchBits;
    t.reads.filter += w.fetchBits;
    t.reads.psum += out.fetchBits;
    t.refetch.ifmap += i.refetchBits;
    t.refetch.filter += w.refetchBits;
    t.refetch.psum += out.refetchBits;
    this.countFill(run, 'ifmap', i.fetchBits);
    this.countFill(run, 'filter', w.fetchBits);
    this.countFill(run, 'ofmap', out.fetchBits);
    const readBits = i.fetchBits + w.fetchBits + out.fetchBits;
    const spillBits = i.spillBits + w.spillBits + out.spillBits;
    if (spillBits > 0) this.dramWrite(run, spillBits, 'psum');
    run.fetched++;
    this.tl?.occupancy([run.buffers.ifmap, run.buffers.filter, run.buffers.ofmap], this.now);
    if (readBits === 0) {
      run.arrived = run.fetched;
      this.tryStartFold();
      return;
    }
    run.fetchPending = true;
    this.dramRequest(readBits, false, () => {
      run.fetchPending = false;
      run.arrived = run.fetched;
      this.tryStartFold();
    });
  }

  private countFill(run: GemmRun, op: GemmOperand, fetchedBits: number): void {
    if (fetchedBits > 0) run.buffers[op].write(fetchedBits);
  }

  private dramWrite(run: GemmRun, bits: number, what: 'ofmap' | 'psum'): void {
    run.result.dram.writes[what] += bits;
    run.buffers.ofmap.read(bits);
    // Writes are posted: they occupy the DRAM channel but nobody waits for them.
    this.dramRequest(bits, true, () => undefined);
  }

  /** Books a DRAM burst; `done` runs when a read's data has arrived (writes are posted: nobody waits). */
  private dramRequest(bits: number, write: boolean, done: () => void): void {
    const dram = this.requireParts().dram;
    const ready = dram.reserve(bits, write);
    this.tl?.dramBurst(dram, bits, write);
    if (!write) this.schedule(ready - this.now, done);
  }


  private tryStartFold(): void {
    const run = this.current;
    if (!run || !run.arrayFree || run.arrived <= run.next || run.next >= run.plan.folds) return;
    const parts = this.requireParts();
    // Folds are fetched in order, at most one ahead: the one fetched last is the next to run.
    const fold = run.fetchedFold!;
    run.runningFold = fold;
    const activity = run.step.activity ?? denseActivity;
    const counts = parts.array.countFold(run.plan, fold, activity, run.step.gating);
    const { bits } = run.step;
    // Each partition must deliver its share of the fold's operands within the fold's cycles,
    // or the fold stretches; operands that share a partition share its bandwidth.
    const { ifmap, filter, ofmap } = run.buffers;
    const bI = counts.sramReads.ifmap * bits.ifmap;
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
    const waited = this.now - run.arrayFreeAt;
    if (this.tl) {
      this.tl.waitedForDram(parts.array.name, run.arrayFreeAt, this.now);
      this.tl.glbStall(sramStall);
    }
    run.result.stallCycles += waited + sramStall;
    this.stallCount.add(waited + sramStall);
    run.result.computeCycles += counts.cycles;
    addFoldCounts(run.result.counts, counts);
    run.arrayFree = false;
    run.next++;
    this.arrayPort.trySend({ counts, rowsUsed: fold.rowsUsed, colsUsed: fold.colsUsed, sramStallCycles: sramStall });
    // Double buffered: the next fold's data comes in while this one computes.
    if (run.doubleBuffered) this.fetch();
  }

  /** The actions of a whole step, from its summed counts and traffic (widths are fixed per step). */
  private countStepActions(run: GemmRun, c: FoldCounts): void {
    const { bits, operation } = run.step;
    const parts = this.requireParts();
    const a = run.result.actions;
    const t = run.result.dram;
    // DRAM to buffer fills (reads, refetches included), and buffer to DRAM write-backs and spills.
    a.add('dram', 'read', bits.ifmap, t.reads.ifmap / bits.ifmap);
    a.add('dram', 'read', bits.filter, t.reads.filter / bits.filter);
    a.add('dram', 'read', bits.ofmap, t.reads.psum / bits.ofmap);
    a.add('dram', 'write', bits.ofmap, (t.writes.ofmap + t.writes.psum) / bits.ofmap);
    a.add(`globalBuffer.${run.buffers.ifmap.partition}`, 'write', bits.ifmap, t.reads.ifmap / bits.ifmap);
    a.add(`globalBuffer.${run.buffers.filter.partition}`, 'write', bits.filter, t.reads.filter / bits.filter);
    a.add(`globalBuffer.${run.buffers.ofmap.partition}`, 'write', bits.ofmap, t.reads.psum / bits.ofmap);
    a.add(`globalBuffer.${run.buffers.ofmap.partition}`, 'read', bits.ofmap, (t.writes.ofmap + t.writes.psum) / bits.ofmap);
    a.add('pe', operation, Math.max(bits.ifmap, bits.filter), c.activeOps);
    a.add('pe', 'gated', Math.max(bits.ifmap, bits.filter), c.gatedOps);
    parts.scratchpads.ifmap.read(c.spadReads.ifmap, bits.ifmap, 'ifmap', a);
    parts.scratchpads.filter.read(c.spadReads.filter, bits.filter, 'filter', a);
    a.add('arrayNetwork.ifmap', 'transfer', bits.ifmap, c.transfers.ifmap);
    a.add('arrayNetwork.filter', 'transfer', bits.filter, c.transfers.filter);
    a.add('arrayNetwork.psum', 'transfer', bits.ofmap, c.transfers.psum);
    const gb = (op: GemmOperand): string => `globalBuffer.${run.buffers[op].partition}`;
    a.add(gb('ifmap'), 'read', bits.ifmap, c.sramReads.ifmap);
    a.add(gb('filter'), 'read', bits.filter, c.sramReads.filter);
    a.add(gb('ofmap'), 'read', bits.ofmap, c.sramReads.psum);
    a.add(gb('ofmap'), 'write', bits.ofmap, c.sramWrites.ofmap);
    const name = (op: GemmOperand): string => run.step.tensors?.[op] ?? `${run.step.label}#${op}`;
    const lvl = (op: GemmOperand): string => `gb.${run.buffers[op].partition}`;
    const flows: Array<[GemmOperand, string, string, number]> = [
      ['ifmap', 'dram', lvl('ifmap'), t.reads.ifmap],
      ['filter', 'dram', lvl('filter'), t.reads.filter],
      ['ofmap', 'dram', lvl('ofmap'), t.reads.psum],
      ['ofmap', lvl('ofmap'), 'dram', t.writes.ofmap],
      ['ifmap', lvl('ifmap'), 'array', c.sramReads.ifmap * bits.ifmap],
      ['filter', lvl('filter'), 'array', c.sramReads.filter * bits.filter],
      ['ofmap', lvl('ofmap'), 'array', c.sramReads.psum * bits.ofmap],
      ['ofmap', 'array', lvl('ofmap'), c.sramWrites.ofmap * bits.ofmap],
    ];
    for (const [op, from, to, b] of flows) if (b > 0) run.result.flows.push({ tensor: name(op), from, to, bits: b });
    // Partial sums that did not fit (this GEMM's, or tiles evicted to pin its output) went to DRAM.
    if (t.writes.psum > 0) run.result.flows.push({ tensor: `${run.step.label}#psum`, from: lvl('ofmap'), to: 'dram', bits: t.writes.psum });
    run.buffers.ifmap.read(c.sramReads.ifmap * bits.ifmap);
    run.buffers.filter.read(c.sramReads.filter * bits.filter);
    run.buffers.ofmap.read(c.sramReads.psum * bits.ofmap);
    run.buffers.ofmap.write(c.sramWrites.ofmap * bits.ofmap);
  }

  private foldDone(): void {
    const run = this.current!;
    const parts = this.requireParts();
    const fold = run.runningFold!;
    run.arrayFree = true;
    run.arrayFreeAt = this.now;
    if (fold.outputsFinal && run.outputToDram) this.dramWrite(run, run.plan.tile('ofmap', fold).elements * run.step.bits.ofmap, 'ofmap');
    if (run.next >= run.plan.folds) {
      const drain = parts.array.drainCycles(run.plan);
      run.result.drainCycles = drain;
      this.countStepActions(run, run.result.counts);
      this.drainCount.add(drain);
      this.tl?.gemmDone(parts.array.name, run.step.label, run.result.startCycle, this.now, drain, run.plan.folds, run.result.computeCycles);
      this.current = undefined;
      for (const r of run.step.release ?? []) parts.buffers.get(r.partition)?.unpin(r.tensor);
      this.schedule(drain, () => this.finishStep(run.result));
      return;
    }
    if (!run.doubleBuffered) this.fetch();
    this.tryStartFold();
  }
}
