import type { GemmActivity, GemmStep, ScheduleStep, TensorAccess, VectorStep } from '@sata/hw';
import type { DataflowContribution, GemmShape, Stage } from '@sata/plugin-api';
import { layerGemms, type Network, type ResolvedLayer } from '@sata/snn';
import type { ActivitySource } from './activity.js';
import type { ResolvedConfig } from './config.js';

/** Where a step belongs in the results: layer, stage and (0-based) time step (null: all steps at once). */
export interface StepTag {
  readonly layer: number;
  readonly stage: Stage;
  readonly t: number | null;
}

export interface TrainingSchedule {
  readonly steps: ScheduleStep[];
  readonly tags: StepTag[];
}

/**
 * Global-buffer partitions (SATA's, hardware-model.md section 2). The ANN baseline uses the
 * same memories: activations where SATA keeps spikes, pre-activations where it keeps
 * membrane potentials.
 */
export const PARTITION = { spikes: 'spikes', membrane: 'membrane', weights: 'weights', gradients: 'gradients', misc: 'misc' } as const;

/** Tensor names: `<layer>.<kind>[t]`; the kind names the tensor class in the placement report. */
export const tensorName = (layer: string, kind: string, t?: number | null): string => (t === undefined || t === null ? `${layer}.${kind}` : `${layer}.${kind}[${t}]`);

export const TENSOR_CLASSES: Readonly<Record<string, string>> = {
  x: 'input', s: 'spikes', u: 'membrane', sg: 'surrogate', I: 'current', ds: 'spike gradient (ds)', du: 'membrane gradient (du)',
  W: 'weights', dW: 'weight gradient', dI: 'output gradient', logits: 'logits', a: 'activations', z: 'pre-activations', dz: 'pre-activation gradient', da: 'activation gradient',
};

/** The class of a tensor from its name (`conv1.s[3]` -> spikes); GEMM-private tensors are partial sums. */
export function tensorClass(name: string): string {
  const m = /^[^.]+\.([A-Za-z]+)/.exec(name);
  if (!m) return 'partial sums';
  return TENSOR_CLASSES[m[1]!] ?? m[1]!;
}

interface Ctx {
  readonly net: Network;
  readonly cfg: ResolvedConfig;
  readonly dataflow: DataflowContribution;
  readonly activity: ActivitySource;
  /** Time batching: the T steps of a layer's GEMMs run as one. */
  readonly batched: boolean;
  readonly steps: ScheduleStep[];
  readonly tags: StepTag[];
}

const push = (c: Ctx, tag: StepTag, step: ScheduleStep): void => {
  c.steps.push(step);
  c.tags.push(tag);
};

const read = (tensor: string, partition: string, elements: number, bitsPerElement: number, release = false): TensorAccess => ({ tensor, partition, access: 'read', elements, bitsPerElement, release });
const write = (tensor: string, partition: string, elements: number, bitsPerElement: number, keep = true): TensorAccess => ({ tensor, partition, access: 'write', elements, bitsPerElement, keep });

const scaleM = (g: GemmShape, f: number): GemmShape => ({ M: g.M * f, N: g.N, K: g.K });
const scaleK = (g: GemmShape, f: number): GemmShape => ({ M: g.M, N: g.N, K: g.K * f });

/**
 * Tensors that batched GEMMs read or write whole (currents, spikes, du, ds) are one tensor
 * for all T steps when time is batched, written and read a step at a time; the others
 * (and every tensor without batching) are one tensor per step.
 */
const WHOLE_WHEN_BATCHED = new Set(['I', 's', 'du', 'ds', 'x']);
function nm(c: Ctx, layer: string, kind: string, t: number): string {
  return c.batched && WHOLE_WHEN_BATCHED.has(kind) ? tensorName(layer, kind) : tensorName(layer, kind, t);
}

/** The tensor (layer name and kind) a layer reads as input: the encoded input or the previous layer's spikes. */
function inputTensor(c: Ctx, li: number): { layer: string; kind: string } {
  return li === 0 ? { layer: 'input', kind: 'x' } : { layer: c.net.layers[li - 1]!.name, kind: 's' };
}

/**
 * One BPTT iteration of an SNN on SATA (hardware-model.md section 4), as schedule steps:
 * - FP, t = 1..T, layer by layer: the encoder (rate coding), the layer's GEMM (AND-
 *   accumulate gated by zero spikes; real multiplies on the first layer under direct
 *   coding), the LIF unit; pooling compares; the output layer integrates its current.
 * - BP, t = T..1, last layer first: the output gradient, the gradient unit (du from ds, sg,
 *   du[t+1]), the backward GEMM W^T du skipping zero du (none for the first layer), pool
 *   routing; the weight-gradient GEMM of the layer at that step (WG) right after, while du
 *   is on chip, gated by zero input spikes and zero du.
 * - WU: one read-modify-write of every weight.
 * What FP keeps for BP (spikes, and potentials or surrogate gradients) is written with
 * `keep`: pinned on chip while it fits, else staged to DRAM and read back in BP; every
 * tensor is released after its last reader.
 * With a time-batching dataflow the loops run layer-outer and a layer's T steps of each
 * GEMM are stacked into one (weights loaded once per layer and stage).
 */
export function snnSchedule(net: Network, cfg: ResolvedConfig, dataflow: DataflowContribution, activity: ActivitySource): TrainingSchedule {
  const c: Ctx = { net, cfg, dataflow, activity, batched: dataflow.batchesTime === true, steps: [], tags: [] };
  const T = cfg.timesteps;
  if (c.batched) {
    net.layers.forEach((_, li) => {
      snnForwardGemm(c, li, null);
      for (let t = 0; t < T; t++) snnForwardVector(c, li, t);
    });
    for (let li = net.layers.length - 1; li >= 0; li--) {
      for (let t = T - 1; t >= 0; t--) snnBackwardVector(c, li, t);
      snnBackwardGemms(c, li, null);
    }
  } else {
    for (let t = 0; t < T; t++) {
      net.layers.forEach((_, li) => {
        snnForwardGemm(c, li, t);
        snnForwardVector(c, li, t);
      });
    }
    for (let t = T - 1; t >= 0; t--) {
      for (let li = net.layers.length - 1; li >= 0; li--) {
        snnBackwardVector(c, li, t);
        snnBackwardGemms(c, li, t);
      }
    }
  }
  weightUpdate(c);
  return { steps: c.steps, tags: c.tags };
}

const tLabel = (t: number | null): string => (t === null ? 'all-t' : `t${t + 1}`);

function firstLayerAnalog(c: Ctx, li: number): boolean {
  return li === 0 && c.cfg.coding === 'direct';
}

/** The GEMM input of layer li at step t (or all steps): the analog input is one tensor for every step. */
function gemmInput(c: Ctx, li: number, t: number | null): { tensor: string; partition: string; bits: number } {
  if (firstLayerAnalog(c, li)) return { tensor: 'input.x', partition: PARTITION.misc, bits: c.cfg.bits.activation };
  const { layer, kind } = inputTensor(c, li);
  return { tensor: t === null ? tensorName(layer, kind) : nm(c, layer, kind, t), partition: PARTITION.spikes, bits: c.cfg.bits.spike };
}

function snnForwardGemm(c: Ctx, li: number, t: number | null): void {
  const { net, cfg } = c;
  const l = net.layers[li]!;
  const g = layerGemms(l, cfg.batch);
  if (!g) return; // pool: no GEMM
  const tag: StepTag = { layer: li, stage: 'FP', t };
  const steps = t === null ? cfg.timesteps : 1;
  if (li === 0 && cfg.coding === 'rate') {
    // The encoder draws the spikes of the step(s) from the analog input.
    const pixels = cfg.batch * l.inSize;
    push(c, tag, {
      kind: 'encode', label: `${l.name}/FP/${tLabel(t)}/encode`, elements: pixels * steps, bits: cfg.bits.activation,
      traffic: [read('input.pixels', PARTITION.misc, pixels, cfg.bits.activation), write(t === null ? 'input.x' : nm(c, 'input', 'x', t), PARTITION.spikes, pixels * steps, cfg.bits.spike)],
    });
  }
  const input = gemmInput(c, li, t);
  const analog = firstLayerAnalog(c, li);
  push(c, tag, {
    kind: 'gemm', label: `${l.name}/FP/${tLabel(t)}`,
    gemm: scaleM(g.forward, steps),
    dataflow: c.dataflow,
    activity: t === null ? stackedOverSteps(c, li, 'forward') : c.activity.forward(li, t),
    gating: cfg.sparsity.gating ? 'ifmap' : 'none',
    operation: analog ? 'mac' : 'and_accumulate',
    bits: { ifmap: input.bits, filter: cfg.bits.weight, ofmap: cfg.bits.membrane },
    buffers: { ifmap: input.partition, filter: PARTITION.weights, ofmap: PARTITION.membrane },
    tensors: { ifmap: input.tensor, filter: tensorName(l.name, 'W'), ofmap: t === null ? tensorName(l.name, 'I') : nm(c, l.name, 'I', t) },
    keepOutput: true,
  } satisfies GemmStep);
}

function snnForwardVector(c: Ctx, li: number, t: number): void {
  const { net, cfg } = c;
  const l = net.layers[li]!;
  const tag: StepTag = { layer: li, stage: 'FP', t };
  const neurons = cfg.batch * l.outSize;
  const B = cfg.bits;
  const last = t === cfg.timesteps - 1;
  if (l.kind === 'pool') {
    const { layer, kind } = inputTensor(c, li);
    push(c, tag, {
      kind: 'elementwise', label: `${l.name}/FP/t${t + 1}/pool`, elements: cfg.batch * l.inSize, bits: B.spike,
      ops: { component: 'pool', perElement: { compare: 1 } },
      traffic: [read(nm(c, layer, kind, t), PARTITION.spikes, cfg.batch * l.inSize, B.spike), write(nm(c, l.name, 's', t), PARTITION.spikes, neurons, B.spike)],
    });
    return;
  }
  // A batched GEMM left the currents of all steps in one tensor: the last step releases it.
  const current = read(nm(c, l.name, 'I', t), PARTITION.membrane, neurons, B.membrane, !c.batched || last);
  if (l.kind === 'out') {
    push(c, tag, {
      kind: 'elementwise', label: `${l.name}/FP/t${t + 1}/integrate`, elements: neurons, bits: B.membrane,
      ops: { component: 'lif', perElement: { add: 1 } },
      traffic: [current, ...(t > 0 ? [read('out.logits', PARTITION.misc, neurons, B.membrane, true)] : []), write('out.logits', PARTITION.misc, neurons, B.membrane)],
    });
    return;
  }
  const keepSurrogate = cfg.keepForBackward === 'surrogate';
  const traffic: TensorAccess[] = [current];
  if (t > 0) {
    // u[t-1] and s[t-1] for the leak and the reset; u[t-1] is released unless BP needs it.
    traffic.push(read(tensorName(l.name, 'u', t - 1), PARTITION.membrane, neurons, B.membrane, keepSurrogate));
    traffic.push(read(nm(c, l.name, 's', t - 1), PARTITION.spikes, neurons, B.spike));
  }
  if (!keepSurrogate || !last) traffic.push(write(tensorName(l.name, 'u', t), PARTITION.membrane, neurons, B.membrane));
  traffic.push(write(nm(c, l.name, 's', t), PARTITION.spikes, neurons, B.spike));
  if (keepSurrogate) traffic.push(write(tensorName(l.name, 'sg', t), PARTITION.membrane, neurons, B.gradient));
  push(c, tag, { kind: 'lif', label: `${l.name}/FP/t${t + 1}/lif`, elements: neurons, bits: B.membrane, traffic });
}

function snnBackwardVector(c: Ctx, li: number, t: number): void {
  const { net, cfg } = c;
  const l = net.layers[li]!;
  const tag: StepTag = { layer: li, stage: 'BP', t };
  const B = cfg.bits;
  const neurons = cfg.batch * l.outSize;
  // Per-step tensors are released by their last reader; whole (batched) ones at step 1.
  const lastRead = (kindIsWhole: boolean): boolean => !kindIsWhole || !c.batched || t === 0;
  if (l.kind === 'out') {
    // dI = (softmax(logits) - onehot) / (T * batch), the same at every step: computed once.
    if (t === cfg.timesteps - 1) {
      push(c, tag, {
        kind: 'elementwise', label: `${l.name}/BP/output-gradient`, elements: neurons, bits: B.gradient,
        ops: { component: 'gradientUnit', perElement: { add: 1, multiply: 1 } },
        traffic: [read('out.logits', PARTITION.misc, neurons, B.membrane, true), write('out.dI', PARTITION.gradients, neurons, B.gradient)],
      });
    }
    return;
  }
  if (l.kind === 'pool') {
    // Each output gradient goes to the first maximal input of its window (a mux per input).
    const prev = inputTensor(c, li);
    push(c, tag, {
      kind: 'elementwise', label: `${l.name}/BP/t${t + 1}/route`, elements: cfg.batch * l.inSize, bits: B.gradient,
      ops: { component: 'pool', perElement: { mux: 1 } },
      // The window's input spikes say which input was the first maximum.
      traffic: [
        read(nm(c, l.name, 'ds', t), PARTITION.gradients, neurons, B.gradient, lastRead(true)),
        read(nm(c, prev.layer, prev.kind, t), PARTITION.spikes, cfg.batch * l.inSize, B.spike),
        write(nm(c, prev.layer, 'ds', t), PARTITION.gradients, cfg.batch * l.inSize, B.gradient),
      ],
    });
    return;
  }
  const keepSurrogate = cfg.keepForBackward === 'surrogate';
  const traffic: TensorAccess[] = [
    read(nm(c, l.name, 'ds', t), PARTITION.gradients, neurons, B.gradient, lastRead(true)),
    read(tensorName(l.name, keepSurrogate ? 'sg' : 'u', t), PARTITION.membrane, neurons, keepSurrogate ? B.gradient : B.membrane, true),
    // s[t] is also the next layer's input; that layer's weight gradient at t has run already.
    read(nm(c, l.name, 's', t), PARTITION.spikes, neurons, B.spike, lastRead(true)),
  ];
  // du[t+1] is read again by no one else without batching (its GEMMs ran at t+1).
  if (t < cfg.timesteps - 1) traffic.push(read(nm(c, l.name, 'du', t + 1), PARTITION.gradients, neurons, B.gradient, !c.batched));
  traffic.push(write(nm(c, l.name, 'du', t), PARTITION.gradients, neurons, B.gradient));
  const skipped = cfg.sparsity.gating ? c.activity.gradientSkips(li, t) : 0;
  push(c, tag, { kind: 'gradient', label: `${l.name}/BP/t${t + 1}/gradient`, elements: neurons, bits: B.gradient, skipped: { multiply: skipped }, traffic });
}

function snnBackwardGemms(c: Ctx, li: number, t: number | null): void {
  const { net, cfg } = c;
  const l = net.layers[li]!;
  const g = layerGemms(l, cfg.batch);
  if (!g) return;
  const B = cfg.bits;
  const steps = t === null ? cfg.timesteps : 1;
  const gate = cfg.sparsity.gating;
  // The output layer's gradient is the same dI at every step; the others' is du.
  const grad = l.kind === 'out' ? 'out.dI' : t === null ? tensorName(l.name, 'du') : nm(c, l.name, 'du', t);
  if (li > 0) {
    const prev = net.layers[li - 1]!;
    push(c, { layer: li, stage: 'BP', t }, {
      kind: 'gemm', label: `${l.name}/BP/${tLabel(t)}`,
      gemm: scaleM(g.backward, steps),
      dataflow: c.dataflow,
      activity: t === null ? stackedOverSteps(c, li, 'backward') : c.activity.backward(li, t),
      gating: gate && l.kind !== 'out' ? 'ifmap' : 'none',
      operation: 'mac',
      bits: { ifmap: B.gradient, filter: B.weight, ofmap: B.gradient },
      buffers: { ifmap: PARTITION.gradients, filter: PARTITION.weights, ofmap: PARTITION.gradients },
      tensors: { ifmap: grad, filter: tensorName(l.name, 'W'), ofmap: t === null ? tensorName(prev.name, 'ds') : nm(c, prev.name, 'ds', t) },
      keepOutput: true,
    } satisfies GemmStep);
  }
  const input = gemmInput(c, li, t);
  const analog = firstLayerAnalog(c, li);
  // The weight gradient is this step's last reader of du (of the step, or of all steps),
  // and the last reader of the input at step 1 when nothing else reads it (first layer).
  const release = [];
  if (l.kind !== 'out' && (t === null || t === 0)) release.push({ tensor: grad, partition: PARTITION.gradients });
  if (l.kind === 'out' && (t === null || t === 0)) release.push({ tensor: 'out.dI', partition: PARTITION.gradients });
  // The input has no reader after this when it is the encoded input or a pool's output
  // (a spiking layer's gradient unit reads its own spikes after this).
  const inputHasNoLaterReader = li === 0 || net.layers[li - 1]!.kind === 'pool';
  if (inputHasNoLaterReader && (t === null || t === 0 || !c.batched)) release.push({ tensor: input.tensor, partition: input.partition });
  push(c, { layer: li, stage: 'WG', t }, {
    kind: 'gemm', label: `${l.name}/WG/${tLabel(t)}`,
    gemm: scaleK(g.weightGrad, steps),
    dataflow: c.dataflow,
    activity: t === null ? stackedOverSteps(c, li, 'weightGrad') : c.activity.weightGrad(li, t),
    gating: gate ? 'any' : 'none',
    operation: analog ? 'mac' : 'and_accumulate',
    bits: { ifmap: input.bits, filter: B.gradient, ofmap: B.gradient },
    buffers: { ifmap: input.partition, filter: PARTITION.gradients, ofmap: PARTITION.gradients },
    tensors: { ifmap: input.tensor, filter: grad, ofmap: tensorName(l.name, 'dW') },
    keepOutput: true,
    // Steps run from T down to 1: every step after the first adds onto the weight gradient.
    accumulate: t !== null && t < cfg.timesteps - 1,
    release,
  } satisfies GemmStep);
}

/**
 * The activity of a time-batched GEMM from the activities of its steps. The forward and
 * backward GEMMs stack the steps along M (rows [t*M, (t+1)*M) are step t's), the weight
 * gradient along its reduction K (the steps' contributions add up). A block's count is
 * the sum of its parts in each step, so batching changes which folds run, never how many
 * operations are active.
 */
function stackedOverSteps(c: Ctx, li: number, gemm: 'forward' | 'backward' | 'weightGrad'): GemmActivity {
  const T = c.cfg.timesteps;
  const per = Array.from({ length: T }, (_, t) => c.activity[gemm](li, t));
  const shape = layerGemms(c.net.layers[li]!, c.cfg.batch)![gemm];
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
  };
}

function weightUpdate(c: Ctx): void {
  const { net, cfg } = c;
  net.layers.forEach((l: ResolvedLayer, li) => {
    if (!l.weightShape) return;
    const n = l.weightCount;
    push(c, { layer: li, stage: 'WU', t: null }, {
      kind: 'elementwise', label: `${l.name}/WU`, elements: n, bits: cfg.bits.weight,
      ops: { component: 'pe', perElement: { mac: 1 } },
      traffic: [
        read(tensorName(l.name, 'W'), PARTITION.weights, n, cfg.bits.weight),
        read(tensorName(l.name, 'dW'), PARTITION.gradients, n, cfg.bits.gradient, true),
        write(tensorName(l.name, 'W'), PARTITION.weights, n, cfg.bits.weight, false),
      ],
    } satisfies VectorStep);
  });
}

/**
 * One training iteration of the same network as an ANN on the Eyeriss-like baseline
 * (hardware-model.md section 7): one forward and one backward pass, 16-bit activations and
 * gradients, multiply-accumulates everywhere. FP: GEMM, then ReLU (compare, mux, register);
 * BP: the ReLU mask on the activation gradient (a mux), the backward GEMM on the masked
 * gradient, the weight-gradient GEMM of activation and gradient; WU as for the SNN. Zero
 * activations gate the PEs when the ANN's own sparsity switch is on.
 */
export function annSchedule(net: Network, cfg: ResolvedConfig, dataflow: DataflowContribution, activity: ActivitySource): TrainingSchedule {
  const c: Ctx = { net, cfg, dataflow, activity, batched: false, steps: [], tags: [] };
  const B = cfg.bits;
  const A = B.activation;
  const gate = cfg.ann.gating;
  const act = (li: number): { tensor: string; partition: string } => (li === 0 ? { tensor: 'input.x', partition: PARTITION.misc } : { tensor: tensorName(net.layers[li - 1]!.name, 'a'), partition: PARTITION.spikes });
  net.layers.forEach((l, li) => {
    const tag: StepTag = { layer: li, stage: 'FP', t: 0 };
    const outputs = cfg.batch * l.outSize;
    const input = act(li);
    if (l.kind === 'pool') {
      push(c, tag, {
        kind: 'elementwise', label: `${l.name}/FP/pool`, elements: cfg.batch * l.inSize, bits: A,
        ops: { component: 'pool', perElement: { compare: 1 } },
        traffic: [read(input.tensor, input.partition, cfg.batch * l.inSize, A), write(tensorName(l.name, 'a'), PARTITION.spikes, outputs, A)],
      });
      return;
    }
    const g = layerGemms(l, cfg.batch)!;
    push(c, tag, {
      kind: 'gemm', label: `${l.name}/FP`, gemm: g.forward, dataflow,
      activity: activity.forward(li, 0),
      gating: gate && li > 0 ? 'ifmap' : 'none',
      operation: 'mac',
      bits: { ifmap: A, filter: B.weight, ofmap: A },
      buffers: { ifmap: input.partition, filter: PARTITION.weights, ofmap: PARTITION.membrane },
      tensors: { ifmap: input.tensor, filter: tensorName(l.name, 'W'), ofmap: tensorName(l.name, 'z') },
      keepOutput: true,
    } satisfies GemmStep);
    if (l.kind === 'out') {
      push(c, tag, {
        kind: 'elementwise', label: `${l.name}/FP/logits`, elements: outputs, bits: A,
        ops: { component: 'relu', perElement: { register: 1 } },
        traffic: [read(tensorName(l.name, 'z'), PARTITION.membrane, outputs, A, true), write('out.logits', PARTITION.misc, outputs, A)],
      });
      return;
    }
    // ReLU; its output is kept for the backward pass (it also gives the mask).
    push(c, tag, {
      kind: 'elementwise', label: `${l.name}/FP/relu`, elements: outputs, bits: A,
      ops: { component: 'relu', perElement: { compare: 1, mux: 1, register: 1 } },
      traffic: [read(tensorName(l.name, 'z'), PARTITION.membrane, outputs, A, true), write(tensorName(l.name, 'a'), PARTITION.spikes, outputs, A)],
    });
  });
  for (let li = net.layers.length - 1; li >= 0; li--) {
    const l = net.layers[li]!;
    const tag: StepTag = { layer: li, stage: 'BP', t: 0 };
    const outputs = cfg.batch * l.outSize;
    const input = act(li);
    let grad: string;
    if (l.kind === 'out') {
      push(c, tag, {
        kind: 'elementwise', label: `${l.name}/BP/output-gradient`, elements: outputs, bits: A,
        ops: { component: 'gradientUnit', perElement: { add: 1, multiply: 1 } },
        traffic: [read('out.logits', PARTITION.misc, outputs, A, true), write('out.dI', PARTITION.gradients, outputs, A)],
      });
      grad = 'out.dI';
    } else if (l.kind === 'pool') {
      push(c, tag, {
        kind: 'elementwise', label: `${l.name}/BP/route`, elements: cfg.batch * l.inSize, bits: A,
        ops: { component: 'pool', perElement: { mux: 1 } },
        traffic: [
          read(tensorName(l.name, 'da'), PARTITION.gradients, outputs, A, true),
          read(input.tensor, input.partition, cfg.batch * l.inSize, A),
          write(li > 0 ? tensorName(net.layers[li - 1]!.name, 'da') : 'input.da', PARTITION.gradients, cfg.batch * l.inSize, A),
        ],
      });
      continue;
    } else {
      // The ReLU mask: the gradient passes where the activation is positive.
      push(c, tag, {
        kind: 'elementwise', label: `${l.name}/BP/relu-mask`, elements: outputs, bits: A,
        ops: { component: 'relu', perElement: { mux: 1 } },
        traffic: [
          read(tensorName(l.name, 'da'), PARTITION.gradients, outputs, A, true),
          read(tensorName(l.name, 'a'), PARTITION.spikes, outputs, A, true),
          write(tensorName(l.name, 'dz'), PARTITION.gradients, outputs, A),
        ],
      });
      grad = tensorName(l.name, 'dz');
    }
    const g = layerGemms(l, cfg.batch)!;
    if (li > 0) {
      push(c, tag, {
        kind: 'gemm', label: `${l.name}/BP`, gemm: g.backward, dataflow,
        activity: activity.backward(li, 0),
        gating: gate && l.kind !== 'out' ? 'ifmap' : 'none',
        operation: 'mac',
        bits: { ifmap: A, filter: B.weight, ofmap: A },
        buffers: { ifmap: PARTITION.gradients, filter: PARTITION.weights, ofmap: PARTITION.gradients },
        tensors: { ifmap: grad, filter: tensorName(l.name, 'W'), ofmap: tensorName(net.layers[li - 1]!.name, 'da') },
        keepOutput: true,
      } satisfies GemmStep);
    }
    const release: { tensor: string; partition: string }[] = [{ tensor: grad, partition: PARTITION.gradients }];
    if (li === 0 || net.layers[li - 1]!.kind === 'pool') release.push({ tensor: input.tensor, partition: input.partition });
    push(c, { layer: li, stage: 'WG', t: 0 }, {
      kind: 'gemm', label: `${l.name}/WG`, gemm: g.weightGrad, dataflow,
      activity: activity.weightGrad(li, 0),
      gating: gate ? 'any' : 'none',
      operation: 'mac',
      bits: { ifmap: A, filter: A, ofmap: B.gradient },
      buffers: { ifmap: input.partition, filter: PARTITION.gradients, ofmap: PARTITION.gradients },
      tensors: { ifmap: input.tensor, filter: grad, ofmap: tensorName(l.name, 'dW') },
      keepOutput: true,
      release,
    } satisfies GemmStep);
  }
  weightUpdate(c);
  return { steps: c.steps, tags: c.tags };
}
