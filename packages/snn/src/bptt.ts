/**
 * The functional SNN over a layer graph: the forward pass over T time steps and the BPTT
 * backward pass, exactly as `snn-model.md` fixes them, keeping every layer's per-step
 * tensors and their exact nonzero counts for the hardware model. Layers run in the graph's
 * order, each over all its steps (batch norm needs every step of its input; a neuron's
 * steps run in order inside its kind); the backward pass runs the layers in reverse, and a
 * layer read by several others gets the sum of their gradients.
 *   logits = (1/T) sum_t y_out[t];  dy_out[t] = (softmax(logits) - onehot) / (T * batch)
 */
import { ConfigError } from '@sata/core';
import type { AlgorithmInstance, ForwardResult, LayerParams, NeuronDefaults } from '@sata/plugin-api';
import { bpttAlgorithm } from './algorithms/bptt.js';
import { Workspace } from './kernels.js';
import type { Network, ResolvedLayer } from './network.js';
import { countNonzero, dtypeOf, type DType, type FloatArray } from './tensor.js';

/** Parameter tensors per layer, by name (`weight`, `bias`, `gamma`, ...); `{}` for a layer without. */
export type Weights = readonly LayerParams[];

export interface LifParams {
  /** Time steps. */
  readonly T: number;
  /** Membrane leak factor per step of neurons that do not set their own. */
  readonly lam: number;
  /** Firing threshold of neurons that do not set their own. */
  readonly theta: number;
}

export interface BpttOptions extends LifParams {
  /** Scratch buffers to reuse across calls (training loops); a fresh one otherwise. */
  readonly workspace?: Workspace;
  /** Training mode (default); evaluation normalises batch norm by its running statistics. */
  readonly training?: boolean;
  /** The training algorithm whose gradient to compute (default: full BPTT). */
  readonly algorithm?: AlgorithmInstance;
}

/** Exact nonzero counts of one layer at one step over the batch: its (first) input, output, output gradient, and a neuron's sg and du. */
export interface StepCounts {
  x: number;
  y: number;
  dy: number;
  sg: number;
  du: number;
}

/** One layer over all steps: what it read, what it produced, its gradients. */
export interface LayerTrace {
  readonly layer: ResolvedLayer<any>;
  readonly kind: string;
  /** Values per step over the batch: output (numel) and first input (inNumel). */
  readonly numel: number;
  readonly inNumel: number;
  /** x[i][t]: input i at step t (the very arrays its producers made, not copies). */
  readonly x: readonly (readonly FloatArray[])[];
  readonly y: FloatArray[];
  /** dL/dy per step (empty after a forward pass alone). */
  dy: FloatArray[];
  /** A kind's own per-step tensors: a neuron's u and sg (forward) and du (backward). */
  readonly state: Record<string, FloatArray[]>;
  /** Trainable parameter gradients, summed over batch and steps. */
  grads: Readonly<Record<string, FloatArray>>;
  readonly fwd: ForwardResult;
  readonly nnz: StepCounts[];
}

/** Densities (nonzero / numel) of one layer at one step, or over all steps. */
export interface DensityFigures {
  /** Input density (the spikes, or analog values, the layer reads; its first input). */
  readonly input: number;
  /** Output nonzero density (spikes of a neuron, or the output of other kinds); null for the head. */
  readonly spike: number | null;
  /** Surrogate-gradient (firing-gradient) nonzero density (neurons). */
  readonly surrogate: number | null;
  /** Membrane-gradient du nonzero density (neurons; the head's dI). */
  readonly du: number | null;
  /** Output-gradient nonzero density (all but the head). */
  readonly ds: number | null;
}

export interface LayerDensity {
  readonly index: number;
  readonly name: string;
  readonly kind: string;
  readonly numel: number;
  readonly perStep: DensityFigures[];
  /** Over all time steps: total nonzero / (numel * T). */
  readonly overall: DensityFigures;
}

export interface BpttResult {
  readonly batch: number;
  readonly T: number;
  readonly dtype: DType;
  /** Mean cross-entropy over the batch. */
  readonly loss: number;
  /** [batch, classes] = (1/T) sum_t y_out[t]. */
  readonly logits: FloatArray;
  /** Samples whose largest logit is their label (first maximum on ties). */
  readonly correct: number;
  readonly layers: LayerTrace[];
  readonly densities: LayerDensity[];
}

function checkInputs(net: Network, weights: Weights, inputs: readonly FloatArray[], labels: ArrayLike<number> | null, p: LifParams): { batch: number; dtype: DType } {
  if (!Number.isInteger(p.T) || p.T < 1) throw new ConfigError(`T must be a positive integer, found ${p.T}`);
  if (!(p.theta > 0)) throw new ConfigError(`theta must be positive, found ${p.theta}`);
  if (!(p.lam >= 0 && p.lam <= 1)) throw new ConfigError(`lam must be in [0, 1], found ${p.lam}`);
  if (inputs.length !== p.T) throw new ConfigError(`expected ${p.T} input tensors (one per time step), found ${inputs.length}`);
  const dtype = dtypeOf(inputs[0]!);
  const batch = inputs[0]!.length / net.inSize;
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError(`input of ${inputs[0]!.length} values is not a whole batch of ${net.inputShape.join('x')} samples`);
  for (const x of inputs) {
    if (x.length !== batch * net.inSize || dtypeOf(x) !== dtype) throw new ConfigError('every time step must hold the same batch in the same dtype');
  }
  if (weights.length !== net.layers.length) throw new ConfigError(`expected ${net.layers.length} parameter entries (one per layer), found ${weights.length}`);
  net.layers.forEach((l, i) => {
    for (const d of l.params) {
      const w = weights[i]?.[d.name];
      const n = d.shape.reduce((a, b) => a * b, 1);
      if (!w || w.length !== n || dtypeOf(w) !== dtype) {
        throw new ConfigError(`layer ${i} (${l.name}): expected ${dtype} ${d.name} of shape ${d.shape.join('x')} (${n} values), found ${w ? `${dtypeOf(w)} of ${w.length}` : 'none'}`);
      }
    }
  });
  if (labels) {
    if (labels.length !== batch) throw new ConfigError(`expected ${batch} labels, found ${labels.length}`);
    for (let b = 0; b < batch; b++) {
      const y = labels[b]!;
      if (!Number.isInteger(y) || y < 0 || y >= net.classes) throw new ConfigError(`label ${b} = ${y} is not a class in 0..${net.classes - 1}`);
    }
  }
  return { batch, dtype };
}

const neuronDefaults = (p: LifParams): NeuronDefaults => ({ lam: p.lam, theta: p.theta });

/** The forward pass over all time steps; keeps every step's tensors (the backward pass needs them). */
export function runForward(net: Network, weights: Weights, inputs: readonly FloatArray[], p: BpttOptions): { batch: number; dtype: DType; logits: FloatArray; layers: LayerTrace[] } {
  const { batch, dtype } = checkInputs(net, weights, inputs, null, p);
  const { T } = p;
  const scratch = p.workspace ?? new Workspace();
  const training = p.training ?? true;
  const layers: LayerTrace[] = [];
  for (const l of net.layers) {
    const x = l.inputs.map((j) => (j < 0 ? inputs : layers[j]!.y));
    const fwd = l.def.forward({ layer: l, batch, T, dtype, inputs: x, params: weights[l.index]!, training, neuron: neuronDefaults(p), scratch, ...(p.algorithm ? { groups: p.algorithm.timeGroups } : {}) });
    if (fwd.y.length !== T) throw new ConfigError(`layer ${l.name} (${l.kind}): its forward pass gave ${fwd.y.length} steps, expected ${T}`);
    const state: Record<string, FloatArray[]> = { ...(fwd.state ?? {}) };
    const sg = state['sg'];
    const nnz = fwd.y.map((y, t): StepCounts => ({ x: countNonzero(x[0]![t]!), y: countNonzero(y), dy: 0, sg: sg ? countNonzero(sg[t]!) : 0, du: 0 }));
    layers.push({ layer: l, kind: l.kind, numel: batch * l.outSize, inNumel: batch * l.inSize, x, y: fwd.y, dy: [], state, grads: {}, fwd, nnz });
  }
  const head = layers[net.head]!;
  const logits = head.y[0]!.slice();
  for (let t = 1; t < T; t++) {
    const y = head.y[t]!;
    for (let i = 0; i < logits.length; i++) logits[i] += y[i]!;
  }
  for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! / T;
  return { batch, dtype, logits, layers };
}

/** Mean cross-entropy and softmax(logits) - onehot (per sample, not yet scaled). */
function crossEntropy(logits: FloatArray, labels: ArrayLike<number>, batch: number, classes: number): { loss: number; grad: Float64Array; correct: number } {
  const grad = new Float64Array(batch * classes);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    const o = b * classes;
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < classes; k++) {
      if (logits[o + k]! > max) {
        max = logits[o + k]!;
        arg = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[o + k]! - max);
    const y = labels[b]!;
    loss += Math.log(sum) - (logits[o + y]! - max);
    for (let k = 0; k < classes; k++) grad[o + k] = Math.exp(logits[o + k]! - max) / sum - (k === y ? 1 : 0);
    if (arg === y) correct++;
  }
  return { loss: loss / batch, grad, correct };
}

/**
 * One BPTT iteration: the forward pass, the loss, the backward pass through the layers and
 * time, and the parameter gradients (`grads`, summed over the batch and the steps). The
 * inputs are the encoder's output, one [batch, C, H, W] array per time step; parameters must
 * have the inputs' dtype. Nothing is updated: apply `grads` with an optimizer.
 */
export function runBptt(net: Network, weights: Weights, inputs: readonly FloatArray[], labels: ArrayLike<number>, p: BpttOptions): BpttResult {
  checkInputs(net, weights, inputs, labels, p);
  const scratch = p.workspace ?? new Workspace();
  const fwd = runForward(net, weights, inputs, { ...p, workspace: scratch });
  const { batch, dtype, logits, layers } = fwd;
  const { T } = p;
  const alg = p.algorithm ?? bpttAlgorithm.instantiate(undefined, T, 0, 'bptt');
  const head = layers[net.head]!;
  const ce = windowedLoss(head.y, logits, labels, batch, net.classes, alg.lossWindows);
  const dys: (FloatArray[] | null)[] = layers.map(() => null);
  // A gradient made by one reader may be another layer's own tensor (a neuron's du): copied before a second reader adds to it.
  const owned: boolean[] = layers.map(() => false);
  dys[net.head] = ce.dy;
  for (let li = layers.length - 1; li >= 0; li--) {
    const tr = layers[li]!;
    const l = tr.layer;
    // A layer nobody reads gets no gradient.
    const dy = dys[li] ?? Array.from({ length: T }, () => tr.y[0]!.slice().fill(0));
    const r = l.def.backward({
      layer: l, batch, T, dtype, inputs: tr.x, params: weights[li]!, training: p.training ?? true, neuron: neuronDefaults(p), scratch, groups: alg.timeGroups,
      fwd: tr.fwd, dy, needsInputGrad: l.inputs.map((j) => j >= 0),
      algorithm: { cutBefore: (t) => alg.cutBefore(t), ...(alg.presynapticTrace !== undefined ? { presynapticTrace: alg.presynapticTrace } : {}) },
    });
    tr.dy = dy;
    tr.grads = r.grads;
    Object.assign(tr.state, r.state ?? {});
    const du = tr.state['du'];
    tr.nnz.forEach((c, t) => {
      c.dy = countNonzero(dy[t]!);
      if (du) c.du = countNonzero(du[t]!);
    });
    l.inputs.forEach((j, i) => {
      const dx = r.dx[i];
      if (j < 0 || !dx) return;
      if (!dys[j]) {
        dys[j] = dx;
        return;
      }
      if (!owned[j]) {
        dys[j] = dys[j]!.map((a) => a.slice());
        owned[j] = true;
      }
      const acc = dys[j]!;
      for (let t = 0; t < T; t++) {
        const a = acc[t]!;
        const b = dx[t]!;
        for (let k = 0; k < a.length; k++) a[k] += b[k]!;
      }
    });
  }
  return { batch, T, dtype, loss: ce.loss, logits, correct: countCorrect(logits, labels, net.classes), layers, densities: layerDensities(layers) };
}

/**
 * The loss over the algorithm's windows (the mean over windows of the cross-entropy of each
 * window's mean output) and its gradient at the head, per step: (softmax(mean_w) - onehot)
 * / (n_w * windows * batch) at the steps of window w, zero at steps in no window. For BPTT
 * (one window of all steps) the mean output is the logits.
 */
function windowedLoss(out: readonly FloatArray[], logits: FloatArray, labels: ArrayLike<number>, batch: number, classes: number, windows: readonly (readonly number[])[]): { loss: number; dy: FloatArray[] } {
  const T = out.length;
  const dy = Array.from({ length: T }, () => logits.slice().fill(0));
  let loss = 0;
  for (const w of windows) {
    let mean = logits;
    if (w.length !== T) {
      mean = logits.slice().fill(0);
      for (const t of w) for (let i = 0; i < mean.length; i++) mean[i] += out[t]![i]!;
      for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! / w.length;
    }
    const ce = crossEntropy(mean, labels, batch, classes);
    loss += ce.loss;
    const scale = w.length * windows.length * batch;
    for (const t of w) for (let i = 0; i < ce.grad.length; i++) dy[t]![i] = ce.grad[i]! / scale;
  }
  return { loss: loss / windows.length, dy };
}

/** Top-1 correct predictions of logits [batch, classes] (first maximum on ties). */
export function countCorrect(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let correct = 0;
  for (let b = 0; b < labels.length; b++) {
    let arg = 0;
    for (let k = 1; k < classes; k++) if (logits[b * classes + k]! > logits[b * classes + arg]!) arg = k;
    if (arg === labels[b]) correct++;
  }
  return correct;
}

function figures(l: ResolvedLayer<any>, c: StepCounts, numel: number, inNumel: number): DensityFigures {
  const d = (n: number): number => (numel === 0 ? 0 : n / numel);
  const head = l.def.head === true;
  const neuron = l.def.neuron === true;
  return {
    input: inNumel === 0 ? 0 : c.x / inNumel,
    spike: head ? null : d(c.y),
    surrogate: neuron ? d(c.sg) : null,
    du: neuron ? d(c.du) : head ? d(c.dy) : null,
    ds: head ? null : d(c.dy),
  };
}

const zero = (): StepCounts => ({ x: 0, y: 0, dy: 0, sg: 0, du: 0 });
const addCounts = (a: StepCounts, c: StepCounts): void => {
  a.x += c.x;
  a.y += c.y;
  a.dy += c.dy;
  a.sg += c.sg;
  a.du += c.du;
};

/**
 * Sums exact nonzero counts over iterations (an epoch) and reports densities per layer and
 * per time step as total nonzero / total numel: batches of different sizes weigh by size.
 */
export class DensityAccumulator {
  private rows: { layer: ResolvedLayer<any>; numel: number; inNumel: number; perStep: StepCounts[] }[] | null = null;

  add(layers: readonly LayerTrace[]): void {
    if (!this.rows) this.rows = layers.map((tr) => ({ layer: tr.layer, numel: 0, inNumel: 0, perStep: tr.nnz.map(zero) }));
    layers.forEach((tr, i) => {
      const row = this.rows![i]!;
      if (row.perStep.length !== tr.nnz.length) throw new ConfigError('DensityAccumulator: every iteration must have the same number of time steps');
      row.numel += tr.numel;
      row.inNumel += tr.inNumel;
      tr.nnz.forEach((c, t) => addCounts(row.perStep[t]!, c));
    });
  }

  densities(): LayerDensity[] {
    return (this.rows ?? []).map((r) => {
      const T = r.perStep.length;
      const total = zero();
      for (const c of r.perStep) addCounts(total, c);
      return {
        index: r.layer.index, name: r.layer.name, kind: r.layer.kind, numel: r.numel,
        perStep: r.perStep.map((c) => figures(r.layer, c, r.numel, r.inNumel)),
        overall: figures(r.layer, total, r.numel * T, r.inNumel * T),
      };
    });
  }
}

/** Densities of one iteration, per layer and per time step. */
export function layerDensities(layers: readonly LayerTrace[]): LayerDensity[] {
  const acc = new DensityAccumulator();
  acc.add(layers);
  return acc.densities();
}
