import { Component, ConfigError, defineComponentInfo, type Port, type Simulator, type TimelineSink } from '@sata/core';
import type { ActionCounter, FoldPlan } from '@sata/plugin-api';
import { emptyFoldCounts, type FoldCounts } from '../fold-counts.js';
import { Ledger, type DramTraffic, type Flow } from '../ledger.js';
import { Requester } from '../requester.js';
import { StepTimeline } from '../timeline.js';
import type { ArrayUnit, BufferPartition, DramChannel, ScratchpadBank } from '../roles.js';
import type { ScheduleStep, StepAttribution } from '../schedule.js';
import { GemmRun } from './gemm-run.js';
import type { DramRequest } from './memory.js';
import type { FoldJob } from './pe-array.js';
import type { VectorJob } from './units.js';
import { VectorRun } from './vector-run.js';

export const controllerInfo = defineComponentInfo({
  type: 'hw.Controller',
  version: '1.1.0',
  description: "Runs a schedule of steps: a GEMM as its dataflow's folds through DRAM, global buffers and the array (prefetching the next fold when double buffered), vector work on the LIF, gradient and encoder units",
  params: {},
  ports: {
    array: 'folds to the PE array; the fold comes back when done',
    dram: 'read and write bursts and fences to the DRAM channel (atomic)',
    lif: 'vectors to the LIF unit',
    vector: 'vectors to the vector unit (batch norm, adds, average pooling)',
    gradient: 'vectors to the gradient unit',
    encoder: 'vectors to the spike encoder',
  },
  stats: {
    steps: { kind: 'counter', unit: 'steps', description: 'schedule steps completed' },
    stallCycles: { kind: 'counter', unit: 'cycles', description: 'cycles the array waited for data (DRAM) or was slowed by the global buffer' },
    drainCycles: { kind: 'counter', unit: 'cycles', description: "cycles after a GEMM's last fold until its outputs were out" },
  },
});

export type { DramTraffic, Flow };

export interface StepResult {
  readonly label: string;
  readonly kind: ScheduleStep['kind'];
  /** The step's place in the results (stage, layer, time step), as the schedule gave it. */
  readonly attribution: StepAttribution | undefined;
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
  /** The step's DRAM moves by operand (the sums of its ledger's moves). */
  readonly dram: DramTraffic;
  readonly actions: ActionCounter;
  /** Data movement between levels, per tensor (the placement the result reports). */
  readonly flows: Flow[];
  /** Bits pinned on chip (kept tensors, over all partitions) when the step ends. */
  readonly pinnedBits: number;
}

/** What the controller drives, by role (untimed side); the timed side goes over its ports. */
export interface ControllerParts {
  readonly array: ArrayUnit;
  readonly scratchpads: { readonly ifmap: ScratchpadBank; readonly filter: ScratchpadBank };
  readonly buffers: ReadonlyMap<string, BufferPartition>;
  readonly dram: DramChannel;
}

/** A step in progress: its ledger and the figures its runner fills in. */
export interface StepInProgress {
  readonly step: ScheduleStep;
  readonly ledger: Ledger;
  readonly startCycle: number;
  computeCycles: number;
  stallCycles: number;
  drainCycles: number;
  /** The last step: cycles it waits behind the writes still posted to DRAM (the drain; part of its stall). */
  finalWaitCycles: number;
  plan: FoldPlan | undefined;
  readonly counts: FoldCounts;
}

/** What a step's runner uses of the controller: the parts, the ports, the clock, the stall statistic. */
export interface ControllerServices {
  readonly parts: ControllerParts;
  readonly array: Requester<FoldJob>;
  readonly dram: DramClient;
  readonly units: { readonly lif: Requester<VectorJob>; readonly gradient: Requester<VectorJob>; readonly encoder: Requester<VectorJob>; readonly vector: Requester<VectorJob> };
  readonly now: number;
  schedule(delay: number, fn: () => void): void;
  stall(cycles: number): void;
  /** Where the run's timeline facts go; unset: no cost. */
  readonly tl: StepTimeline | undefined;
  drained(cycles: number): void;
  /** The runner is done with the step (its posted writes may still be in flight). */
  stepDone(s: StepInProgress): void;
}

/**
 * The controller's side of the DRAM channel. Bursts are atomic accesses over the link (the
 * channel books them as they arrive and says when they are done): a read wakes its
 * continuation then, a write is posted (it occupies the channel, nobody waits for it).
 */
export class DramClient {
  /** Told of every burst booked (a timeline); unset: no cost. */
  onBurst: ((bits: number, write: boolean) => void) | undefined = undefined;
  constructor(private readonly owner: Component, private readonly port: Port<DramRequest>) {}

  read(bits: number, then: () => void): void {
    const done = this.port.sendAtomic({ kind: 'read', bits });
    this.onBurst?.(bits, false);
    this.owner.schedule(done - this.owner.now, then);
  }

  write(bits: number): void {
    if (bits === 0) return;
    this.port.sendAtomic({ kind: 'write', bits });
    this.onBurst?.(bits, true);
  }

  /** Calls `then` once every burst booked so far is done (now, if it is). */
  fence(then: () => void): void {
    const done = this.port.sendAtomic({ kind: 'fence', bits: 0 });
    if (done > this.owner.now) this.owner.schedule(done - this.owner.now, then);
    else then();
  }
}

/**
 * The accelerator's controller: takes a schedule and drives the components with events,
 * one step after another. A GEMM runs as its dataflow's folds (`GemmRun`), vector work
 * on a unit (`VectorRun`); both move tensors between levels through the step's ledger.
 * The last step ends when the DRAM has finished every posted write (a fence).
 */
export class Controller extends Component<typeof controllerInfo.params> implements ControllerServices {
  private partsValue: ControllerParts | undefined;
  private queue: ScheduleStep[] = [];
  private readonly results: StepResult[] = [];
  private gemm: GemmRun | undefined;
  private vector: VectorRun | undefined;
  readonly array: Requester<FoldJob>;
  readonly dram: DramClient;
  readonly units: ControllerServices['units'];
  private readonly stepCount = this.counter('steps');
  private readonly stallCount = this.counter('stallCycles');
  private readonly drainCount = this.counter('drainCycles');
  /**
   * Called with each step's result when it completes, inside the kernel event that completes
   * it (a trace recorder attaches the step's action counts to that event's record). Unset:
   * no cost.
   */
  onStepDone: ((result: StepResult, index: number) => void) | undefined = undefined;
  tl: StepTimeline | undefined = undefined;

  /** Where the run's timeline goes (see StepTimeline for what is reported); unset: no cost. */
  get timeline(): TimelineSink | undefined {
    return this.tl?.sink;
  }
  set timeline(sink: TimelineSink | undefined) {
    const tl = (this.tl = sink ? new StepTimeline(sink) : undefined);
    this.dram.onBurst = tl ? (bits, write) => tl.dramBurst(this.parts.dram, bits, write) : undefined;
  }

  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, controllerInfo, params);
    this.array = new Requester(this.port<FoldJob>('array'), () => this.gemm!.foldDone());
    this.dram = new DramClient(this, this.port<DramRequest>('dram'));
    const unit = (n: 'lif' | 'gradient' | 'encoder' | 'vector'): Requester<VectorJob> => new Requester(this.port<VectorJob>(n), () => this.vector!.unitDone());
    this.units = { lif: unit('lif'), gradient: unit('gradient'), encoder: unit('encoder'), vector: unit('vector') };
  }

  /** Wires the controller to the parts it drives (the assembly does this once). */
  attach(parts: ControllerParts): void {
    this.partsValue = parts;
  }

  get parts(): ControllerParts {
    if (!this.partsValue) throw new ConfigError(`component ${this.name}: not attached to an array and memories`);
    return this.partsValue;
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

  stall(cycles: number): void {
    this.stallCount.add(cycles);
  }

  drained(cycles: number): void {
    this.drainCount.add(cycles);
  }

  private validate(step: ScheduleStep): void {
    const parts = this.parts;
    const partitions = (): string => [...parts.buffers.keys()].sort().join(', ');
    if (step.kind !== 'gemm') {
      if (!Number.isSafeInteger(step.elements) || step.elements < 0) throw new ConfigError(`step ${step.label}: elements must be a non-negative integer, got ${String(step.elements)}`);
      if ((step.kind === 'elementwise' || step.kind === 'vector') && !step.ops) throw new ConfigError(`step ${step.label}: an ${step.kind} step needs ops (action class and operations per element)`);
      for (const acc of step.traffic ?? []) {
        if (!parts.buffers.has(acc.partition)) throw new ConfigError(`step ${step.label}: tensor ${acc.tensor} names partition "${acc.partition}", which is not a global-buffer partition (partitions: ${partitions()})`);
        if (!Number.isSafeInteger(acc.elements) || acc.elements < 0 || !Number.isSafeInteger(acc.bitsPerElement) || acc.bitsPerElement < 1) throw new ConfigError(`step ${step.label}: tensor ${acc.tensor} needs a non-negative integer element count and a positive bit width`);
      }
      return;
    }
    if (step.keepOutput && !step.tensors?.ofmap) throw new ConfigError(`step ${step.label}: keepOutput needs a name for the output tensor (tensors.ofmap)`);
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
      if (!parts.buffers.has(step.buffers[op])) throw new ConfigError(`step ${step.label}: ${op} buffer "${step.buffers[op]}" is not a global-buffer partition (partitions: ${partitions()})`);
      const b = step.bits[op];
      if (!Number.isSafeInteger(b) || b < 1 || b > 64) throw new ConfigError(`step ${step.label}: ${op} bits must be an integer in 1..64, got ${String(b)}`);
    }
    parts.scratchpads.ifmap.checkFits(step.bits.ifmap);
    parts.scratchpads.filter.checkFits(step.bits.filter);
    const { M, N, K } = step.gemm;
    const footprint = M * K * step.bits.ifmap + K * N * step.bits.filter + M * N * step.bits.ofmap;
    if (footprint > parts.dram.capacityBytes * 8) throw new ConfigError(`step ${step.label}: operands need ${Math.ceil(footprint / 8)} bytes, more than the DRAM's capacity of ${parts.dram.capacityBytes} bytes`);
  }

  private startNext(): void {
    const step = this.queue.shift();
    if (!step) return;
    const s: StepInProgress = { step, ledger: new Ledger(), startCycle: this.now, computeCycles: 0, stallCycles: 0, drainCycles: 0, finalWaitCycles: 0, plan: undefined, counts: emptyFoldCounts() };
    // The last step queues behind the writes still posted when it starts: counted in its drain.
    if (this.queue.length === 0) s.finalWaitCycles = Math.max(0, this.parts.dram.lastBurstEndTick - this.now);
    this.tl?.stepStarted(this.results.length, this.parts.buffers.values());
    if (step.kind === 'gemm') this.gemm = new GemmRun(this, step, s);
    else this.vector = new VectorRun(this, step, s);
  }

  stepDone(s: StepInProgress): void {
    this.gemm = undefined;
    this.vector = undefined;
    if (this.queue.length > 0) return this.complete(s);
    // The last step ends when the writes still posted to DRAM are done: the iteration's
    // cycles include them (they count as that step's stall).
    const asked = this.now;
    this.dram.fence(() => {
      if (this.now > asked) this.tl?.waitedForWrites(this.name, asked, this.now);
      s.stallCycles += this.now - asked;
      s.finalWaitCycles += this.now - asked;
      // No more than it stalled in all: what it waited on while working is its own stall.
      s.finalWaitCycles = Math.min(s.finalWaitCycles, s.stallCycles);
      this.stall(this.now - asked);
      this.complete(s);
    });
  }

  private complete(s: StepInProgress): void {
    s.ledger.close();
    let pinnedBits = 0;
    for (const gb of this.parts.buffers.values()) pinnedBits += gb.pinnedTotalBits;
    this.tl?.stepDone(this.name, this.parts.dram, s.step.label, s.startCycle, this.now);
    const result: StepResult = {
      label: s.step.label,
      kind: s.step.kind,
      attribution: s.step.attribution,
      startCycle: s.startCycle,
      endCycle: this.now,
      computeCycles: s.computeCycles,
      stallCycles: s.stallCycles,
      drainCycles: s.drainCycles,
      finalWaitCycles: s.finalWaitCycles,
      plan: s.plan,
      counts: s.counts,
      dram: s.ledger.dramTraffic(),
      actions: s.ledger.actions,
      flows: s.ledger.flows(),
      pinnedBits,
    };
    this.results.push(result);
    this.stepCount.add();
    this.onStepDone?.(result, this.results.length - 1);
    this.startNext();
  }
}
