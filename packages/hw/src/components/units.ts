import { Component, ConfigError, defineComponentInfo, type ComponentInfo, type ParamSpecs, type ParamValues, type Simulator } from '@sata/core';
import type { ActionCounter } from '@sata/plugin-api';

/** Work for a vector unit: `elements` neurons (or pixels) at one time step. */
export interface VectorJob {
  readonly elements: number;
  readonly bits: number;
  /** Where the unit counts its actions. */
  readonly actions: ActionCounter;
  /** Overrides the unit's own action class and operations (elementwise work). */
  readonly ops?: { readonly component: string; readonly perElement: Readonly<Record<string, number>> };
  /** Operations not performed because an operand was zero, per primitive. */
  readonly skipped?: Readonly<Record<string, number>>;
}

const vectorParams = {
  lanes: { type: 'int', default: 16, min: 1, unit: 'elements/cycle', description: 'elements processed per cycle' },
} as const;

/** Per element, the primitive operations of a unit (hardware-model.md section 2). */
export type OpsPerElement = Readonly<Record<string, number>>;

abstract class VectorUnit<S extends ParamSpecs> extends Component<S> {
  /** The energy-model class of this unit's actions. */
  protected abstract readonly actionClass: string;
  protected abstract readonly opsPerElement: OpsPerElement;
  private readonly elementCount = this.counter('elements');
  private readonly busy = this.counter('busyCycles');

  constructor(parent: Simulator | Component, name: string, info: ComponentInfo<S>, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, info, params);
    const port = this.port<VectorJob>('ctrl');
    port.onReceive((job) => {
      const cycles = this.cyclesFor(job.elements);
      this.elementCount.add(job.elements);
      this.busy.add(cycles);
      this.count(job, job.actions);
      port.trySend(job, cycles);
    });
  }

  cyclesFor(elements: number): number {
    return Math.ceil(elements / (this.params as ParamValues<typeof vectorParams>).lanes);
  }

  count(job: VectorJob, actions: ActionCounter): void {
    const component = job.ops?.component ?? this.actionClass;
    for (const [op, n] of Object.entries(job.ops?.perElement ?? this.opsPerElement)) {
      const skipped = job.skipped?.[op] ?? 0;
      if (skipped < 0 || skipped > n * job.elements) throw new ConfigError(`component ${this.name}: ${skipped} skipped ${op} operations, but the job has ${n * job.elements}`);
      actions.add(component, op, job.bits, n * job.elements - skipped);
    }
  }
}

const vectorStats = {
  elements: { kind: 'counter', unit: 'elements', description: 'elements processed' },
  busyCycles: { kind: 'counter', unit: 'cycles', description: 'cycles busy' },
} as const;

/** A vector unit's declaration: lanes, one control port, elements and busy cycles counted; only what it computes differs. */
const vectorUnitInfoOf = (type: string, description: string) =>
  defineComponentInfo({ type, version: '1.0.0', description, params: vectorParams, ports: { ctrl: 'vectors from the controller; replies when done' }, stats: vectorStats });

export const lifUnitInfo = vectorUnitInfoOf(
  'hw.LifUnit',
  'Leaky integrate-and-fire update of a vector of neurons per step: add 1, compare 1, mux 2, register 3, shift 1 per neuron (SATA_Sim)',
);

/** u[t] = lam * u[t-1] * (1 - s[t-1]) + I[t]; s[t] = u[t] >= theta (snn-model.md). */
export class LifUnit extends VectorUnit<typeof lifUnitInfo.params> {
  protected readonly actionClass = 'lif';
  protected readonly opsPerElement: OpsPerElement = { add: 1, compare: 1, mux: 2, register: 3, shift: 1 };
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, lifUnitInfo, params);
  }

  /** The functional update of one step, in place on `u` and `s`. */
  static step(u: Float64Array, s: Float64Array, current: ArrayLike<number>, lam: number, theta: number): void {
    if (u.length !== s.length || u.length !== current.length) throw new ConfigError('LIF step: u, s and the input current must have the same length');
    for (let i = 0; i < u.length; i++) {
      u[i] = lam * u[i]! * (1 - s[i]!) + current[i]!;
      s[i] = u[i]! - theta >= 0 ? 1 : 0;
    }
  }
}

export const gradientUnitInfo = vectorUnitInfoOf(
  'hw.GradientUnit',
  'Computes du[t] from ds[t], the surrogate gradient sg[t] and du[t+1] per neuron: multiply 1, add 2, mux 1, shift 2 (SATA_Sim)',
);

/** du[t] = ds[t] * sg[t] + lam * (1 - s[t]) * du[t+1] (snn-model.md). */
export class GradientUnit extends VectorUnit<typeof gradientUnitInfo.params> {
  protected readonly actionClass = 'gradientUnit';
  protected readonly opsPerElement: OpsPerElement = { multiply: 1, add: 2, mux: 1, shift: 2 };
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, gradientUnitInfo, params);
  }

  /** The functional update: writes du[t] into `du` (pass du[t+1] = zeros at t = T). */
  static step(du: Float64Array, ds: ArrayLike<number>, sg: ArrayLike<number>, s: ArrayLike<number>, duNext: ArrayLike<number>, lam: number): void {
    if (du.length !== ds.length || du.length !== sg.length || du.length !== s.length || du.length !== duNext.length) throw new ConfigError('gradient step: du, ds, sg, s and du[t+1] must have the same length');
    for (let i = 0; i < du.length; i++) du[i] = ds[i]! * sg[i]! + lam * (1 - s[i]!) * duNext[i]!;
  }
}

export const vectorUnitInfo = vectorUnitInfoOf(
  'hw.VectorUnit',
  'An elementwise arithmetic unit for the work of layer kinds beyond LIF and gradient updates (batch norm, adds, average pooling): each job names its operations per element, counted as vector actions',
);

/** Batch norm's reductions and normalising passes, shortcut adds, average pooling: whatever the job's kind declares per element. */
export class VectorArithmeticUnit extends VectorUnit<typeof vectorUnitInfo.params> {
  protected readonly actionClass = 'vector';
  protected readonly opsPerElement: OpsPerElement = {};
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, vectorUnitInfo, params);
  }
}

export const spikeEncoderInfo = defineComponentInfo({
  type: 'hw.SpikeEncoder',
  version: '1.0.0',
  description: 'Turns analog inputs into the first layer\'s input per step: rate coding compares each pixel with a random number; direct coding passes the value (the first layer then multiplies)',
  params: {
    ...vectorParams,
    coding: { type: 'enum', default: 'direct', values: ['direct', 'rate'], description: 'input coding' },
  },
  ports: { ctrl: 'vectors from the controller; replies when done' },
  stats: vectorStats,
});

export class SpikeEncoder extends VectorUnit<typeof spikeEncoderInfo.params> {
  protected readonly actionClass = 'encoder';
  protected readonly opsPerElement: OpsPerElement;
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, spikeEncoderInfo, params);
    this.opsPerElement = this.params.coding === 'rate' ? { compare: 1 } : {};
  }

  /** Encodes one step of `x` (values in [0, 1]) into `out`, drawing from this component's random stream. */
  encode(x: ArrayLike<number>, out: Float64Array): void {
    const rate = this.params.coding === 'rate';
    for (let i = 0; i < x.length; i++) out[i] = rate ? (this.rng.nextFloat() < x[i]! ? 1 : 0) : x[i]!;
  }
}
