import { zeroRows, type GemmActivity, type GemmStep, type ScheduleStep, type TensorAccess, type VectorStep } from '@sata/hw';
import { ConfigError } from '@sata/core';
import { stepsLabel, type AlgorithmInstance, type AlgorithmPhase, type DataflowContribution, type LoweredGemm, type LoweredVector, type LoweringContext, type LoweringPass, type Stage, type TensorRef } from '@sata/plugin-api';
import { bpttAlgorithm, layerGemms, type Network, type ResolvedLayer } from '@sata/snn';
import type { ActivitySource } from './activity.js';
import type { ResolvedConfig } from './config.js';

/** Where a step belongs in the results: layer, stage and (0-based) time step (null: all steps at once). */
interface StepTag {
  readonly layer: number;
  readonly stage: Stage;
  readonly t: number | null;
  /** The algorithm's phase it was lowered in (a recomputing phase's writes are new versions). */
  readonly phase: number;
}

export interface TrainingSchedule {
  readonly steps: ScheduleStep[];
  /** Bits of kept tensors live after each step (written for a later reader and not yet read for the last time). */
  readonly keptBits: number[];
  /** The same without the weight gradients (which every algorithm accumulates until WU): the state the algorithm keeps. */
  readonly stateBits: number[];
  /** The training algorithm's label (`bptt`, `tbptt:2`, ...). */
  readonly algorithm: string;
}

/**
 * Global-buffer partitions (SATA's, hardware-model.md section 2). The ANN baseline uses the
 * same memories: activations where SATA keeps spikes, pre-activations where it keeps
 * membrane potentials.
 */
export const PARTITION = { spikes: 'spikes', membrane: 'membrane', weights: 'weights', gradients: 'gradients', misc: 'misc' } as const;

/**
 * Tensor names: `<layer>.<kind>[t]` for step t, `[t0..t1]` for a time-batched window of steps
 * (none: every step, or no steps); the kind names the tensor class in the placement report.
 */
export const tensorName = (layer: string, kind: string, t?: number | string | null): string => (t === undefined || t === null ? `${layer}.${kind}` : `${layer}.${kind}[${t}]`);

export const TENSOR_CLASSES: Readonly<Record<string, string>> = {
  x: 'input', s: 'spikes', u: 'membrane', sg: 'surrogate', I: 'current', ds: 'spike gradient (ds)', du: 'membrane gradient (du)',
  W: 'weights', dW: 'weight gradient', dI: 'output gradient', logits: 'logits', a: 'activations', z: 'pre-activations', dz: 'pre-activation gradient', da: 'activation gradient',
  pixels: 'input', trace: 'presynaptic trace', A: 'attention scores', dA: 'attention score gradient',
};

/** The class of a tensor from its name (`conv1_lif.s[3]` -> spikes); GEMM-private tensors are partial sums. */
export function tensorClass(name: string): string {
  const m = /^[^.]+\.([A-Za-z]+)/.exec(name);
  if (!m) return 'partial sums';
  return TENSOR_CLASSES[m[1]!] ?? m[1]!;
}

/**
 * A layer output's tensor kind: SNN currents `I` (gradient `du`, the membrane gradient when
 * a neuron reads it) and activations `s` (gradient `ds`); on the ANN pre-activations `z`
 * and activations `a` (gradients `dz`, `da`).
 */
function outputKind(l: ResolvedLayer, mode: 'snn' | 'ann', grad: boolean): string {
  const current = l.role === 'current';
  if (mode === 'snn') return grad ? (current ? 'du' : 'ds') : current ? 'I' : 's';
  return grad ? (current ? 'dz' : 'da') : current ? 'z' : 'a';
}

/** A GEMM carries the steps it stacks (under time batching; else its one step). */
type Item = { readonly tag: StepTag } & ({ readonly gemm: LoweredGemm; readonly layer: ResolvedLayer; readonly steps: readonly number[] } | { readonly vector: LoweredVector });

/**
 * Builds a schedule from the layer kinds' lowering: names and places tensors, sums a
 * gradient that several readers send back (fan-out), and decides from the whole schedule
 * what each write keeps on chip (a tensor that a later step reads) and where each read
 * releases it (its last reader, or a read-modify-write of the same tensor).
 */
class ScheduleBuilder {
  private readonly items: Item[] = [];
  private readonly gradAlias = new Map<number, number>();
  /** Gradient tensors of layer outputs, and which parts of them (steps, or all) some reader wrote. */
  private readonly gradWrites = new Map<string, { all: boolean; steps: Set<number> }>();
  private readonly gradNames = new Set<string>();
  /** Tensors written a step at a time into one whole-over-time tensor (time batching). */
  private readonly wholeOverTime = new Set<string>();
  private readonly encoded = new Set<string>();
  /** Weight gradients some step has written (the next adds onto them). */
  private readonly weightGradsWritten = new Set<string>();
  private readonly windowStarts: ReadonlySet<number>;
  /** The loss window of each step (undefined: a step in none, as sltt:K's unpicked ones). */
  private readonly windowOf: readonly (number | undefined)[];
  /** Under time batching, the time group of each step (the steps a phase stacks), and the phase's steps being lowered. */
  private readonly groupOfStep: readonly (readonly number[])[];
  private phaseSteps: readonly number[] = [];
  private phase = 0;

  constructor(
    private readonly net: Network,
    private readonly cfg: ResolvedConfig,
    private readonly mode: 'snn' | 'ann',
    private readonly dataflow: DataflowContribution,
    private readonly activity: ActivitySource,
    private readonly batched: boolean,
    private readonly algorithm: AlgorithmInstance,
  ) {
    this.windowStarts = new Set(algorithm.lossWindows.map((w) => Math.max(...w)));
    this.windowOf = Array.from({ length: this.T }, (_, t) => { const w = algorithm.lossWindows.findIndex((g) => g.includes(t)); return w < 0 ? undefined : w; });
    this.groupOfStep = Array.from({ length: this.T }, (_, t) => algorithm.timeGroups.find((g) => g.includes(t)) ?? [t]);
  }

  private get T(): number {
    return this.mode === 'snn' ? this.cfg.timesteps : 1;
  }

  /** Starts the next phase of the algorithm, over these steps (time batching: what a stacked GEMM stacks). */
  startPhase(steps: readonly number[]): void {
    this.phaseSteps = [...steps].sort((a, b) => a - b);
    this.phase++;
  }

  /**
   * A tensor's step suffix: its step; under time batching the window it is written over
   * (`t0..t1`; none for all T), a tensor of the window written a step at a time.
   */
  private suffix(t: number | null): number | string | null {
    if (this.mode === 'ann') return null;
    if (!this.batched) return t;
    const g = t === null ? this.phaseSteps : this.groupOfStep[t]!;
    if (!stacksSteps(g, this.T)) return g[0]!;
    return g.length === this.T ? null : `${g[0]}..${g[g.length - 1]}`;
  }

  /** The name of a tensor with a step suffix; a window's tensor is one version written a step at a time. */
  private stepTensor(layer: string, kind: string, t: number | null): string {
    const sfx = this.suffix(t);
    const name = tensorName(layer, kind, sfx);
    if (this.batched && typeof sfx !== 'number') this.wholeOverTime.add(name);
    return name;
  }

  /** The network input: analog pixels (one tensor for every step) or, under rate coding, the encoder's spikes. */
  private inputRef(t: number | null): TensorRef {
    const n = this.cfg.batch * this.net.inSize;
    const B = this.cfg.bits;
    if (this.mode === 'ann' || this.cfg.coding === 'direct') return { tensor: 'input.x', partition: PARTITION.misc, bits: B.activation, elements: n, value: 'real' };
    const name = this.stepTensor('input', 'x', t);
    return { tensor: name, partition: PARTITION.spikes, bits: B.spike, elements: n, value: 'spike' };
  }

  private outputRef(j: number, t: number | null): TensorRef {
    if (j < 0) return this.inputRef(t);
    const l = this.net.layers[j]!;
    const B = this.cfg.bits;
    const name = this.stepTensor(l.name, outputKind(l, this.mode, false), t);
    const spike = l.value === 'spike';
    const bits = this.mode === 'ann' ? B.activation : spike ? B.spike : (l.bits ?? (l.role === 'current' ? B.membrane : B.activation));
    const partition = spike || l.role === 'activation' ? PARTITION.spikes : PARTITION.membrane;
    return { tensor: name, partition, bits, elements: this.cfg.batch * l.outSize, value: this.mode === 'ann' ? 'real' : l.value };
  }

  private gradRef(j: number, t: number | null): TensorRef {
    let k = j;
    while (this.gradAlias.has(k)) k = this.gradAlias.get(k)!;
    const l = this.net.layers[k]!;
    const name = this.stepTensor(l.name, outputKind(l, this.mode, true), t);
    this.gradNames.add(name);
    return { tensor: name, partition: PARTITION.gradients, bits: this.mode === 'ann' ? this.cfg.bits.activation : this.cfg.bits.gradient, elements: this.cfg.batch * l.outSize, value: 'real' };
  }

  private context(l: ResolvedLayer, t0: number | null, stage: (s: LoweredGemm['stage']) => Stage, steps?: readonly number[]): LoweringContext<any> {
    const cfg = this.cfg;
    const li = l.index;
    const covered = steps ?? Array.from({ length: this.T }, (_, t) => t);
    return {
      mode: this.mode,
      layer: l,
      batch: cfg.batch,
      T: this.T,
      bits: cfg.bits,
      gating: this.mode === 'snn' ? cfg.sparsity.gating : cfg.ann.gating,
      keepForBackward: cfg.keepForBackward,
      annAttention: cfg.ann.attention,
      input: (i, t) => this.outputRef(l.inputs[i]!, t),
      output: (t) => this.outputRef(li, t),
      outputGrad: (t) => this.gradRef(li, t),
      inputGrad: (i, t) => (l.inputs[i]! < 0 ? null : this.gradRef(l.inputs[i]!, t)),
      aliasInputGrad: (i) => {
        const j = l.inputs[i]!;
        if (j < 0 || this.net.layers[j]!.readers.length !== 1) return false;
        this.gradAlias.set(j, li);
        return true;
      },
      own: (name, o) => ({ tensor: tensorName(l.name, name, this.mode === 'snn' ? (o.t ?? null) : null), partition: PARTITION[o.partition], bits: o.bits, elements: o.elements, value: o.value ?? 'real' }),
      algorithm: {
        cutBefore: (t) => this.mode === 'snn' && this.algorithm.cutBefore(t),
        startsLossWindow: (t) => this.mode === 'ann' || this.windowStarts.has(t),
        continuesLossWindow: (t) => this.mode === 'snn' && t > 0 && this.windowOf[t] !== undefined && this.windowOf[t] === this.windowOf[t - 1],
        lossWindows: this.mode === 'ann' ? 1 : this.algorithm.lossWindows.length,
        ...(this.mode === 'snn' && this.algorithm.presynapticTrace !== undefined ? { presynapticTrace: this.algorithm.presynapticTrace } : {}),
      },
      steps: covered,
      gradientSkips: (t) => this.activity.gradientSkips(li, t),
      gemm: (g) => this.items.push({ tag: { layer: li, stage: stage(g.stage), t: g.t === undefined ? t0 : g.t, phase: this.phase }, gemm: this.accumulateGemm(g), layer: l, steps: t0 === null ? covered : [t0] }),
      vector: (v) => this.pushVector({ layer: li, stage: stage(v.stage), t: v.t === undefined ? t0 : v.t, phase: this.phase }, v),
    };
  }

  /** Whether some reader wrote (a part of) a tensor at step t already (t null: any step, or all at once). */
  private wasWritten(name: string, t: number | null): boolean {
    const w = this.gradWrites.get(name);
    return w !== undefined && (w.all || (t === null ? w.steps.size > 0 : w.steps.has(t)));
  }

  private markWritten(name: string, t: number | null): void {
    let w = this.gradWrites.get(name);
    if (!w) this.gradWrites.set(name, (w = { all: false, steps: new Set() }));
    if (t === null) w.all = true;
    else w.steps.add(t);
  }

  /** Marks a gradient written by a second reader as an accumulation onto the first's (whole, or a slice of it another wrote). */
  private secondContribution(name: string, t: number | null): boolean {
    if (!this.gradNames.has(name)) return false;
    const seen = this.wasWritten(name, t) || this.wasWritten(`${name}#slices`, t);
    this.markWritten(name, t);
    return seen;
  }

  private accumulateGemm(g: LoweredGemm): LoweredGemm {
    if (g.role === 'weightGrad') {
      // Every weight-gradient GEMM after a layer's first adds onto its dW.
      const seen = this.weightGradsWritten.has(g.ofmap.tensor);
      this.weightGradsWritten.add(g.ofmap.tensor);
      return seen ? { ...g, accumulate: true } : g;
    }
    const step = g.steps > 1 ? null : (g.t ?? null);
    const name = g.ofmap.tensor;
    if (g.part === undefined) return this.secondContribution(name, step) ? { ...g, accumulate: true } : g;
    // One slice of the tensor (a head): a second contribution where another reader wrote the whole, or this slice.
    if (!this.gradNames.has(name)) return g;
    const seen = this.wasWritten(name, step) || this.wasWritten(`${name}#${g.part}`, step);
    this.markWritten(`${name}#${g.part}`, step);
    this.markWritten(`${name}#slices`, step);
    return seen ? { ...g, accumulate: true } : g;
  }

  private pushVector(tag: StepTag, v: LoweredVector): void {
    const extra: LoweredVector[] = [];
    const traffic = v.traffic.flatMap((a) => {
      if (a.access !== 'write' || !this.secondContribution(a.ref.tensor, tag.t)) return [a];
      // Another reader's gradient is there already: read it and add this one onto it.
      const n = a.elements ?? a.ref.elements;
      extra.push({ stage: v.stage, label: `${v.label}/accumulate`, unit: 'vector', elements: n, bits: a.ref.bits, ops: { component: 'vector', perElement: { add: 1 } }, traffic: [] });
      return [{ ref: a.ref, access: 'read' as const, elements: n }, a];
    });
    this.items.push({ tag, vector: { ...v, traffic } });
    for (const e of extra) this.items.push({ tag, vector: e });
  }

  /** The encoder draws the step's (or every step's) spikes from the analog input (rate coding). */
  private encode(firstReader: ResolvedLayer, t: number | null): void {
    const cfg = this.cfg;
    const pixels = cfg.batch * this.net.inSize;
    const steps = t === null ? this.phaseSteps.length : 1;
    const x = this.inputRef(t);
    if (this.encoded.has(`${x.tensor}@${t}`)) return;
    this.encoded.add(`${x.tensor}@${t}`);
    this.items.push({
      tag: { layer: firstReader.index, stage: 'FP', t, phase: this.phase },
      vector: {
        stage: 'FP', label: `${firstReader.name}/FP/${stepsLabel(t, this.phaseSteps, this.T)}/encode`, unit: 'encode', elements: pixels * steps, bits: cfg.bits.activation,
        traffic: [
          { ref: { tensor: 'input.pixels', partition: PARTITION.misc, bits: cfg.bits.activation, elements: pixels, value: 'real' }, access: 'read' },
          { ref: x, access: 'write', elements: pixels * steps },
        ],
      },
    });
  }

  /** A new backward pass over steps whose gradients earlier passes made: each pass's gradients are its own (fan-in is per pass). */
  newBackwardPass(): void {
    this.gradWrites.clear();
  }

  /** Lowers one layer's pass at step t (null: the steps `steps`, all T by default, at once). */
  lower(l: ResolvedLayer, pass: LoweringPass, t: number | null, steps?: readonly number[]): void {
    if (pass === 'forward' && this.mode === 'snn' && this.cfg.coding === 'rate' && l.inputs.includes(-1)) this.encode(l, t);
    l.def.lower(this.context(l, t, (s) => s, steps), pass, t);
  }

  update(l: ResolvedLayer): void {
    l.def.lowerUpdate?.(this.context(l, null, (s) => s));
  }

  /**
   * The hardware steps, with keep and release decided over the whole schedule. A write starts
   * a new version of its tensor (but a whole-over-time tensor is one version written a step
   * at a time); a write keeps its version on chip when a later step reads it, and a read
   * releases the version when it is its last reader.
   */
  build(): TrainingSchedule {
    type Access = { readonly name: string; readonly write: boolean; readonly bits: number };
    const accessesOf = (it: Item): Access[] => {
      if ('gemm' in it) {
        const g = it.gemm;
        const bits = (r: TensorRef, elements: number): number => r.bits * elements;
        return [
          { name: g.ifmap.tensor, write: false, bits: 0 },
          { name: g.filter.tensor, write: false, bits: 0 },
          ...(g.accumulate ? [{ name: g.ofmap.tensor, write: false, bits: 0 }] : []),
          { name: g.ofmap.tensor, write: true, bits: bits(g.ofmap, g.gemm.M * g.gemm.N) },
        ];
      }
      return it.vector.traffic.map((a) => ({ name: a.ref.tensor, write: a.access === 'write', bits: a.ref.bits * (a.elements ?? a.ref.elements) }));
    };
    // Pass 1: versions, their last reads, and their sizes.
    const current = new Map<string, number>();
    const lastRead: number[] = [];
    const size: number[] = [];
    const writtenAt: number[] = [];
    const writtenInPhase: number[] = [];
    const nameOf: string[] = [];
    const versionOf: number[][] = [];
    this.items.forEach((it, i) => {
      versionOf.push(
        accessesOf(it).map((a) => {
          let v = current.get(a.name);
          if (a.write) {
            // A window's tensor is written a step at a time within its phase; a later phase (a recompute) writes it anew.
            const continues = v !== undefined && this.wholeOverTime.has(a.name) && writtenInPhase[v] === it.tag.phase;
            if (!continues) {
              v = lastRead.length;
              lastRead.push(-1);
              size.push(0);
              writtenAt.push(i);
              writtenInPhase.push(it.tag.phase);
              nameOf.push(a.name);
              current.set(a.name, v);
            }
            size[v!] += a.bits;
            return v!;
          }
          if (v === undefined) return -1; // never written here: comes from DRAM (pixels, weights)
          lastRead[v] = i;
          return v;
        }),
      );
    });
    const keptBits = this.liveBits(lastRead, size, writtenAt, () => true);
    const stateBits = this.liveBits(lastRead, size, writtenAt, (v) => tensorClass(nameOf[v]!) !== 'weight gradient');
    const steps: ScheduleStep[] = [];
    this.items.forEach((it, i) => {
      const attribution = { layer: this.net.layers[it.tag.layer]!.name, stage: it.tag.stage, t: it.tag.t };
      const vs = versionOf[i]!;
      const isLast = (k: number): boolean => vs[k]! >= 0 && lastRead[vs[k]!] === i;
      const readLater = (k: number): boolean => vs[k]! >= 0 && lastRead[vs[k]!]! > i;
      if ('gemm' in it) {
        const g = it.gemm;
        const release = [g.ifmap, g.filter].filter((r, k, all) => isLast(k) && all.findIndex((x) => x.tensor === r.tensor) === k).map((r) => ({ tensor: r.tensor, partition: r.partition }));
        steps.push({
          kind: 'gemm', label: g.label, attribution, gemm: g.gemm, dataflow: this.dataflow,
          activity: this.gemmActivity(it.layer, g, it.tag.t, it.steps),
          gating: g.gating, operation: g.operation,
          bits: { ifmap: g.ifmap.bits, filter: g.filter.bits, ofmap: g.ofmap.bits },
          buffers: { ifmap: g.ifmap.partition, filter: g.filter.partition, ofmap: g.ofmap.partition },
          tensors: { ifmap: g.ifmap.tensor, filter: g.filter.tensor, ofmap: g.ofmap.tensor },
          keepOutput: readLater(vs.length - 1),
          ...(g.accumulate ? { accumulate: true } : {}),
          ...(release.length > 0 ? { release } : {}),
        } satisfies GemmStep);
        return;
      }
      const v = it.vector;
      const traffic: TensorAccess[] = v.traffic.map((a, k) => {
        const base = { tensor: a.ref.tensor, partition: a.ref.partition, access: a.access, elements: a.elements ?? a.ref.elements, bitsPerElement: a.ref.bits };
        return a.access === 'write' ? { ...base, keep: readLater(k) } : { ...base, release: isLast(k) };
      });
      const kind = v.unit;
      steps.push({
        kind, label: v.label, attribution, elements: v.elements, bits: v.bits,
        ...(v.ops ? { ops: v.ops } : {}),
        ...(v.skipped ? { skipped: v.skipped } : {}),
        traffic,
      } satisfies VectorStep);
    });
    return { steps, keptBits, stateBits, algorithm: this.algorithm.label };
  }

  /** Bits of kept versions (read by a later step) live after each step: from their write to their last read. */
  private liveBits(lastRead: readonly number[], size: readonly number[], writtenAt: readonly number[], counts: (v: number) => boolean): number[] {
    const delta = new Array<number>(this.items.length + 1).fill(0);
    lastRead.forEach((r, v) => {
      if (r <= writtenAt[v]! || !counts(v)) return; // read by no later step: not kept
      delta[writtenAt[v]!]! += size[v]!;
      delta[r]! -= size[v]!;
    });
    const out: number[] = [];
    let live = 0;
    for (let i = 0; i < this.items.length; i++) out.push((live += delta[i]!));
    return out;
  }

  private gemmActivity(l: ResolvedLayer, g: LoweredGemm, t: number | null, steps: readonly number[]): GemmActivity {
    // Both operands activations (attention): one step's tensors.
    if (g.operands) {
      if (this.mode === 'snn' && t === null) throw new Error(`layer ${l.name}: a GEMM of activations belongs to one step`);
      return this.activity.operands(l.index, t ?? 0, g.operands);
    }
    const role = g.role as 'forward' | 'backward' | 'weightGrad';
    if (!['forward', 'backward', 'weightGrad'].includes(role)) throw new Error(`layer ${l.name}: GEMM role ${g.role} has no activity source`);
    if (this.mode === 'ann') return this.activity[role](l.index, 0);
    return g.steps > 1 || t === null ? stackedOverSteps(this.activity, l, this.cfg, role, steps) : this.activity[role](l.index, t);
  }
}

/**
 * One BPTT iteration of an SNN on SATA (hardware-model.md section 4), from each layer
 * kind's lowering:
 * - FP, t = 1..T, layer by layer: the encoder (rate coding), GEMMs (AND-accumulates gated by
 *   zero spikes; multiplies where the input is not spikes), the LIF unit, pooling, batch norm,
 *   adds; the output layer integrates its current.
 * - BP, t = T..1, last layer first: the output gradient, the gradient unit, backward GEMMs
 *   skipping zero gradients, routing; each weighted layer's weight gradient at that step (WG)
 *   right after, while its gradient is on chip.
 * - WU: one read-modify-write of every trainable value.
 * The training algorithm orders this in phases (its forward and backward steps, over all
 * of the network or a segment of it, recomputing or not). With a time-batching dataflow a
 * phase runs layer-outer and a layer's steps of each GEMM are stacked into one (weights
 * loaded once per layer, stage and phase). Without it the steps run time-outer, except
 * that a layer that needs every step of its input (batch norm) is a barrier: the layers
 * before it run all their steps first.
 */
export function snnSchedule(net: Network, cfg: ResolvedConfig, dataflow: DataflowContribution, activity: ActivitySource, algorithm: AlgorithmInstance = bpttAlgorithm.instantiate(undefined, cfg.timesteps, cfg.seed, 'bptt')): TrainingSchedule {
  const batched = dataflow.batchesTime === true && phasesAreTimeGroups(algorithm);
  const b = new ScheduleBuilder(net, cfg, 'snn', dataflow, activity, batched, algorithm);
  const T = cfg.timesteps;
  const sorted = (steps: readonly number[]): number[] => [...steps].sort((x, y) => x - y);
  // A barrier (batch norm) takes the phase's steps together: they must be one of the algorithm's groups.
  const group = (steps: readonly number[], l: ResolvedLayer): readonly number[] => {
    const key = sorted(steps).join(',');
    if (!algorithm.timeGroups.some((g) => g.join(',') === key)) {
      throw new ConfigError(
        `layer ${l.name} (${l.kind}) normalises over steps ${algorithm.timeGroups.map((g) => `${g[0]! + 1}..${g[g.length - 1]! + 1}`).join(' and ')} together, but training algorithm ${algorithm.label} runs steps ${key.split(',').map((x) => Number(x) + 1).join(', ')} on their own (its backward needs every step's gradient; use bptt, tbptt, sltt or ottt)`,
      );
    }
    return sorted(steps);
  };
  // Without time batching: runs of step-wise layers between barriers, time-outer within a run.
  const runs: { barrier: boolean; layers: ResolvedLayer[] }[] = [];
  for (const l of net.layers) {
    const barrier = l.def.timing === 'all-steps';
    const last = runs[runs.length - 1];
    if (!barrier && last && !last.barrier) last.layers.push(l);
    else runs.push({ barrier, layers: [l] });
  }
  /** Lowers one pass of a phase over its steps: its layers (a segment of the network, or all) given in forward order. */
  const lowerPass = (layers: readonly ResolvedLayer[], pass: LoweringPass, steps: readonly number[]): void => {
    if (batched) {
      // Layer-outer over the phase's steps: a GEMM layer's steps stacked into one GEMM (all T
      // under BPTT, a window under TBPTT), a neuron's one step at a time.
      for (const l of pass === 'forward' ? layers : [...layers].reverse()) {
        if (l.def.timing === 'all-steps') b.lower(l, pass, null, group(steps, l));
        else if (l.def.timing === 'gemm' && stacksSteps(steps, T)) b.lower(l, pass, null, sorted(steps));
        else for (const t of steps) b.lower(l, pass, t);
      }
      return;
    }
    const inPass = new Set(layers);
    for (const r of pass === 'forward' ? runs : [...runs].reverse()) {
      const ls = r.layers.filter((l) => inPass.has(l));
      if (ls.length === 0) continue;
      if (r.barrier) b.lower(ls[0]!, pass, null, group(steps, ls[0]!));
      else for (const t of steps) for (const l of pass === 'forward' ? ls : [...ls].reverse()) b.lower(l, pass, t);
    }
  };
  let lastBackward = '';
  for (const phase of algorithm.phases) {
    const layers = phaseLayers(net, phase, algorithm.label).filter((l) => !(phase.recompute && l.def.head));
    if (phase.forward?.length) {
      b.startPhase(phase.forward);
      lowerPass(layers, 'forward', phase.forward);
    }
    if (phase.backward?.length) {
      // A backward pass over other steps has gradients of its own; a segment of the network
      // over the same steps continues the pass before it (fan-in across segments adds up).
      const key = sorted(phase.backward).join(',');
      if (key !== lastBackward) b.newBackwardPass();
      lastBackward = key;
      b.startPhase(phase.backward);
      lowerPass(layers, 'backward', phase.backward);
    }
  }
  for (const l of net.layers) b.update(l);
  return b.build();
}

/**
 * One training iteration of the same network as an ANN on the Eyeriss-like baseline
 * (hardware-model.md section 7): one forward and one backward pass, 16-bit activations and
 * gradients, multiply-accumulates everywhere, each neuron a ReLU (compare, mux, register;
 * its mask in BP); WU as for the SNN. Zero activations gate the PEs when the ANN's own
 * sparsity switch is on.
 */
export function annSchedule(net: Network, cfg: ResolvedConfig, dataflow: DataflowContribution, activity: ActivitySource): TrainingSchedule {
  const b = new ScheduleBuilder(net, cfg, 'ann', dataflow, activity, false, bpttAlgorithm.instantiate(undefined, 1, cfg.seed, 'bptt'));
  for (const l of net.layers) b.lower(l, 'forward', 0);
  for (const l of [...net.layers].reverse()) b.lower(l, 'backward', 0);
  for (const l of net.layers) b.update(l);
  return b.build();
}

/**
 * Whether each phase of the algorithm runs the steps of one of its time groups, and none
 * recomputes: then a time-batching dataflow stacks each phase's steps (BPTT: all T; TBPTT:
 * each window; SLTT and OTTT: one step, as without batching). Checkpointing's segments are
 * not its time groups (batch norm normalises over all T), so it runs step by step.
 */
/** Whether time batching stacks these steps into one GEMM: several, or the whole run (a single step of several runs as that step). */
const stacksSteps = (steps: readonly number[], T: number): boolean => steps.length > 1 || steps.length === T;

function phasesAreTimeGroups(a: AlgorithmInstance): boolean {
  const key = (steps: readonly number[]): string => [...steps].sort((x, y) => x - y).join(',');
  const groups = new Set(a.timeGroups.map(key));
  return a.phases.every((p) => [p.forward, p.backward].every((st) => !st || st.length === 0 || groups.has(key(st))));
}

/**
 * The layers a phase runs, in order: all, or segment c of K (layer checkpointing): the
 * network's weighted layers split into K runs in order, each segment from its first weighted
 * layer up to the next segment's (the first from the input, the last to the head).
 */
export function phaseLayers(net: Network, phase: AlgorithmPhase, label: string): readonly ResolvedLayer[] {
  if (!phase.layers) return net.layers;
  const { segment, of } = phase.layers;
  const weighted = net.layers.filter((l) => l.weightCount > 0);
  if (weighted.length < of) throw new ConfigError(`training algorithm ${label} splits the network into ${of} segments of weighted layers, but network ${net.name} has ${weighted.length}`);
  const first = (c: number): number => (c === 0 ? 0 : weighted[Math.floor((c * weighted.length) / of)]!.index);
  const end = segment === of - 1 ? net.layers.length : first(segment + 1);
  return net.layers.slice(first(segment), end);
}

/**
 * The activity of a time-batched GEMM from the activities of its steps. The forward and
 * backward GEMMs stack the steps along M (rows [t*M, (t+1)*M) are step t's), the weight
 * gradient along its reduction K (the steps' contributions add up). A block's count is
 * the sum of its parts in each step, so batching changes which folds run, never how many
 * operations are active.
 */
function stackedOverSteps(activity: ActivitySource, l: ResolvedLayer, cfg: ResolvedConfig, gemm: 'forward' | 'backward' | 'weightGrad', steps: readonly number[]): GemmActivity {
  // Part t of the stack is the t-th of the stacked steps.
  const T = steps.length;
  const per = steps.map((t) => activity[gemm](l.index, t));
  const shape = layerGemms(l, cfg.batch)![gemm];
  const alongM = gemm !== 'weightGrad';
  const size = alongM ? shape.M : shape.K;
  const overSteps = (a0: number, a1: number, f: (t: number, a: number, z: number) => number): number => {
    let s = 0;
    for (let t = Math.floor(a0 / size); t < T && t * size < a1; t++) {
      const a = Math.max(a0, t * size);
      const z = Math.min(a1, (t + 1) * size);
      if (z > a) s += f(t, a - t * size, z - t * size);
    }
    return s;
  };
  return {
    source: per[0]!.source,
    // Plain blocks, not spreads of the fold: this runs for every fold of the GEMM.
    activeOps: (b, gating) =>
      alongM
        ? overSteps(b.m0, b.m1, (t, m0, m1) => per[t]!.activeOps({ m0, m1, n0: b.n0, n1: b.n1, k0: b.k0, k1: b.k1 }, gating))
        : overSteps(b.k0, b.k1, (t, k0, k1) => per[t]!.activeOps({ m0: b.m0, m1: b.m1, n0: b.n0, n1: b.n1, k0, k1 }, gating)),
    // ifmap is M x K, filter K x N: rows of the ifmap and columns of the filter are M, the rest K.
    nonzeros: (o, r0, r1, c0, c1) => {
      if (alongM) return o === 'filter' ? per[0]!.nonzeros(o, r0, r1, c0, c1) : overSteps(r0, r1, (t, a, z) => per[t]!.nonzeros(o, a, z, c0, c1));
      return o === 'ifmap' ? overSteps(c0, c1, (t, a, z) => per[t]!.nonzeros(o, r0, r1, a, z)) : overSteps(r0, r1, (t, a, z) => per[t]!.nonzeros(o, a, z, c0, c1));
    },
    // All-zero rows of the ifmap (a skipping array's question), under statistical sparsity:
    // stacked along M the steps' rows add up; along K a row is zero in every step's part
    // (independent zeros). From tensors the hardware counts them with `nonzeros`.
    ...(per[0]!.source === 'statistical'
      ? {
          zeroRows: (o: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number) => {
            if (o !== 'ifmap') throw new ConfigError('zero rows of a time-stacked filter are not modelled');
            if (alongM) return overSteps(r0, r1, (t, a, z) => zeroRows(per[t]!, o, a, z, c0, c1));
            let fraction = 1;
            overSteps(c0, c1, (t, a, z) => (fraction *= zeroRows(per[t]!, o, r0, r1, a, z) / (r1 - r0)));
            return fraction * (r1 - r0);
          },
        }
      : {}),
  };
}
