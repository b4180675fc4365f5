/**
 * The functional SNN: LIF forward pass over T time steps and the BPTT backward pass, exactly
 * as `snn-model.md` fixes them, keeping every per-layer, per-step tensor and its exact
 * nonzero counts for the hardware model.
 *
 *   I[t]  = W * x[t]
 *   u[t]  = lam * u[t-1] * (1 - s[t-1]) + I[t]          u[0] = 0, s[0] = 0
 *   s[t]  = 1 if u[t] - theta >= 0 else 0
 *   sg[t] = max(0, 1 - |u[t] - theta| / theta)
 *   ds[t] = W_next^T * du_next[t]
 *   du[t] = ds[t] * sg[t] + lam * (1 - s[t]) * du[t+1]   du[T+1] = 0
 *   dW    = sum_t du[t] (correlate) x[t]
 *   logits = (1/T) sum_t I_out[t];  dI_out[t] = (softmax(logits) - onehot) / (T * batch)
 */
import { ConfigError } from '@sata/core';
import { convBackward, convForwardT, linearBackward, linearForwardT, poolBackward, poolForward, transpose, Workspace, type ConvGeometry } from './kernels.js';
import type { Network, ResolvedLayer } from './network.js';
import { alloc, countNonzero, dtypeOf, type DType, type FloatArray } from './tensor.js';

/** One weight tensor per layer in the layouts of snn-model.md; null for pooling layers. */
export type Weights = readonly (FloatArray | null)[];

export interface LifParams {
  /** Time steps. */
  readonly T: number;
  /** Membrane leak factor per step. */
  readonly lam: number;
  /** Firing threshold. */
  readonly theta: number;
}

export interface BpttOptions extends LifParams {
  /** Scratch buffers to reuse across calls (training loops); a shared one otherwise. */
  readonly workspace?: Workspace;
}

/** Exact nonzero counts of one layer at one time step, over the whole batch. */
export interface SpikingCounts {
  readonly x: number;
  readonly s: number;
  readonly sg: number;
  readonly du: number;
  readonly ds: number;
}

/** conv/fc at step t: its input x, membrane potential u, spikes s, surrogate sg, gradients du and ds. */
export interface SpikingStep {
  readonly x: FloatArray;
  readonly u: FloatArray;
  readonly s: FloatArray;
  readonly sg: FloatArray;
  du: FloatArray;
  ds: FloatArray;
  nnz: SpikingCounts;
}

/** pool at step t: input spikes x, output spikes s, gradient ds arriving at the output (routed to x). */
export interface PoolStep {
  readonly x: FloatArray;
  readonly s: FloatArray;
  readonly argmax: Int32Array;
  ds: FloatArray;
  nnz: { readonly x: number; readonly s: number; ds: number };
}

/** out at step t: input x, integrated current I, its gradient dI. */
export interface OutStep {
  readonly x: FloatArray;
  readonly I: FloatArray;
  dI: FloatArray;
  nnz: { readonly x: number; dI: number };
}

interface TraceBase {
  readonly layer: ResolvedLayer;
  /** Values per step over the batch: outputs (numel) and inputs (inNumel). */
  readonly numel: number;
  readonly inNumel: number;
}
export type LayerTrace =
  | (TraceBase & { readonly kind: 'conv' | 'fc'; readonly steps: SpikingStep[]; readonly dW: FloatArray })
  | (TraceBase & { readonly kind: 'pool'; readonly steps: PoolStep[]; readonly dW: null })
  | (TraceBase & { readonly kind: 'out'; readonly steps: OutStep[]; readonly dW: FloatArray });

/** Densities (nonzero / numel) of one layer at one step, or over all steps. */
export interface DensityFigures {
  /** Input density (the spikes, or analog values, the layer reads). */
  readonly input: number;
  /** Output spike density (conv, fc, pool). */
  readonly spike: number | null;
  /** Surrogate-gradient (firing-gradient) nonzero density (conv, fc). */
  readonly surrogate: number | null;
  /** Membrane-gradient du nonzero density (conv, fc; dI for out). */
  readonly du: number | null;
  /** Output-gradient ds nonzero density (conv, fc, pool). */
  readonly ds: number | null;
}

export interface LayerDensity {
  readonly index: number;
  readonly name: string;
  readonly kind: ResolvedLayer['kind'];
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
  /** [batch, classes] = (1/T) sum_t I_out[t]. */
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
  const inSize = net.layers[0]!.inSize;
  const dtype = dtypeOf(inputs[0]!);
  const batch = inputs[0]!.length / inSize;
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError(`input of ${inputs[0]!.length} values is not a whole batch of ${net.inputShape.join('x')} samples`);
  for (const x of inputs) {
    if (x.length !== batch * inSize || dtypeOf(x) !== dtype) throw new ConfigError('every time step must hold the same batch in the same dtype');
  }
  if (weights.length !== net.layers.length) throw new ConfigError(`expected ${net.layers.length} weight entries (null for pool), found ${weights.length}`);
  net.layers.forEach((l, i) => {
    const w = weights[i];
    if (l.kind === 'pool') {
      if (w) throw new ConfigError(`layer ${i} (${l.name}): a pooling layer has no weights`);
    } else if (!w || w.length !== l.weightCount || dtypeOf(w) !== dtype) {
      throw new ConfigError(`layer ${i} (${l.name}): expected ${dtype} weights of shape ${l.weightShape!.join('x')} (${l.weightCount} values), found ${w ? `${dtypeOf(w)} of ${w.length}` : 'none'}`);
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

function geometry(l: ResolvedLayer, batch: number): ConvGeometry {
  return {
    batch, C: l.inShape[0], H: l.inShape[1], W: l.inShape[2], K: l.outShape[0],
    kernel: l.kernel, stride: l.stride, padding: l.padding, Ho: l.outShape[1], Wo: l.outShape[2],
  };
}

/** The forward pass over all time steps; keeps every step's tensors (the backward pass needs them). */
export function runForward(net: Network, weights: Weights, inputs: readonly FloatArray[], p: BpttOptions): { batch: number; dtype: DType; logits: FloatArray; layers: LayerTrace[] } {
  const { batch, dtype } = checkInputs(net, weights, inputs, null, p);
  const { T, lam, theta } = p;
  const ws = p.workspace ?? new Workspace();
  const layers: LayerTrace[] = net.layers.map((layer) => {
    const base = { layer, numel: batch * layer.outSize, inNumel: batch * layer.inSize };
    if (layer.kind === 'pool') return { ...base, kind: 'pool', steps: [], dW: null };
    const dW = alloc(dtype, layer.weightCount);
    return layer.kind === 'out' ? { ...base, kind: 'out', steps: [], dW } : { ...base, kind: layer.kind, steps: [], dW };
  });
  const classes = net.classes;
  const acc = alloc(dtype, batch * classes);
  // The forward GEMMs read the weights transposed; transpose once for all time steps.
  const weightsT = net.layers.map((l) => {
    const w = weights[l.index];
    if (!w) return null;
    const wT = alloc(dtype, w.length);
    transpose(w, l.weightShape![0]!, l.fanIn, wT);
    return wT;
  });
  for (let t = 0; t < T; t++) {
    let h = inputs[t]!;
    for (const tr of layers) {
      const l = tr.layer;
      const wT = weightsT[l.index]!;
      const nnzX = countNonzero(h);
      if (tr.kind === 'pool') {
        const s = alloc(dtype, tr.numel);
        const argmax = new Int32Array(tr.numel);
        poolForward(batch, l.inShape[0], l.inShape[1], l.inShape[2], h, s, argmax);
        tr.steps.push({ x: h, s, argmax, ds: alloc(dtype, 0), nnz: { x: nnzX, s: countNonzero(s), ds: 0 } });
        h = s;
        continue;
      }
      const I = alloc(dtype, tr.numel);
      if (l.kind === 'conv') convForwardT(geometry(l, batch), h, wT, I, ws);
      else linearForwardT(batch, l.inSize, l.outSize, h, wT, I);
      if (tr.kind === 'out') {
        for (let i = 0; i < acc.length; i++) acc[i] += I[i]!;
        tr.steps.push({ x: h, I, dI: alloc(dtype, 0), nnz: { x: nnzX, dI: 0 } });
        h = I;
        continue;
      }
      const u = I; // u[t] is computed in place over I[t]
      const s = alloc(dtype, tr.numel);
      const sg = alloc(dtype, tr.numel);
      const prev = t > 0 ? tr.steps[t - 1]! : null;
      let nS = 0;
      let nSg = 0;
      for (let i = 0; i < u.length; i++) {
        // Same operation order as the reference: lam * u[t-1] * (1 - s[t-1]) + I[t].
        const ui = prev ? lam * prev.u[i]! * (1 - prev.s[i]!) + I[i]! : I[i]!;
        u[i] = ui;
        const v = u[i]!; // rounded to the dtype, as stored
        if (v - theta >= 0) {
          s[i] = 1;
          nS++;
        }
        const g = 1 - Math.abs(v - theta) / theta;
        if (g > 0) {
          sg[i] = g;
          if (sg[i] !== 0) nSg++;
        }
      }
      tr.steps.push({ x: h, u, s, sg, du: alloc(dtype, 0), ds: alloc(dtype, 0), nnz: { x: nnzX, s: nS, sg: nSg, du: 0, ds: 0 } });
      h = s;
    }
  }
  const logits = acc;
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
 * One BPTT iteration: the forward pass, the loss, the backward pass through time and layers,
 * and the weight gradients (dW, summed over the batch and the time steps). The input tensors
 * are the encoder's output, one [batch, C, H, W] array per time step; the weights' dtype
 * must match the inputs'. Nothing is updated: apply `dW` with an optimizer.
 */
export function runBptt(net: Network, weights: Weights, inputs: readonly FloatArray[], labels: ArrayLike<number>, p: BpttOptions): BpttResult {
  checkInputs(net, weights, inputs, labels, p);
  const ws = p.workspace ?? new Workspace();
  const fwd = runForward(net, weights, inputs, { ...p, workspace: ws });
  const { batch, dtype, logits, layers } = fwd;
  const { T, lam } = p;
  const classes = net.classes;
  const ce = crossEntropy(logits, labels, batch, classes);
  const scale = T * batch;
  for (let t = T - 1; t >= 0; t--) {
    let g: FloatArray | null = null;
    for (let li = layers.length - 1; li >= 0; li--) {
      const tr = layers[li]!;
      const l = tr.layer;
      const w = weights[li]!;
      const needDx = li > 0;
      if (tr.kind === 'out') {
        const step = tr.steps[t]!;
        const dI = alloc(dtype, tr.numel);
        for (let i = 0; i < dI.length; i++) dI[i] = ce.grad[i]! / scale;
        step.dI = dI;
        step.nnz.dI = countNonzero(dI);
        const dx = needDx ? alloc(dtype, tr.inNumel) : null;
        linearBackward(batch, l.inSize, l.outSize, step.x, w, dI, dx, tr.dW);
        g = dx;
      } else if (tr.kind === 'pool') {
        const step = tr.steps[t]!;
        step.ds = g!;
        step.nnz.ds = countNonzero(g!);
        const dx = alloc(dtype, tr.inNumel);
        poolBackward(tr.inNumel, g!, step.argmax, dx);
        g = dx;
      } else {
        const step = tr.steps[t]!;
        const next = t + 1 < T ? tr.steps[t + 1]! : null;
        const ds = g!;
        const du = alloc(dtype, tr.numel);
        const { s, sg } = step;
        for (let i = 0; i < du.length; i++) {
          const carried = next ? next.du[i]! * (1 - s[i]!) * lam : 0;
          du[i] = ds[i]! * sg[i]! + carried;
        }
        step.ds = ds;
        step.du = du;
        step.nnz = { ...step.nnz, ds: countNonzero(ds), du: countNonzero(du) };
        const dx = needDx ? alloc(dtype, tr.inNumel) : null;
        if (l.kind === 'conv') convBackward(geometry(l, batch), step.x, w, du, dx, tr.dW, ws);
        else linearBackward(batch, l.inSize, l.outSize, step.x, w, du, dx, tr.dW);
        g = dx;
      }
    }
  }
  return { batch, T, dtype, loss: ce.loss, logits, correct: ce.correct, layers, densities: layerDensities(layers) };
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

/** Raw nonzero counts of one layer, per step, to be summed over iterations (DensityAccumulator). */
interface CountsRow {
  x: number;
  s: number;
  sg: number;
  du: number;
  ds: number;
}

function stepCounts(tr: LayerTrace, t: number): CountsRow {
  if (tr.kind === 'pool') {
    const n = tr.steps[t]!.nnz;
    return { x: n.x, s: n.s, sg: 0, du: 0, ds: n.ds };
  }
  if (tr.kind === 'out') {
    const n = tr.steps[t]!.nnz;
    return { x: n.x, s: 0, sg: 0, du: n.dI, ds: 0 };
  }
  return { ...tr.steps[t]!.nnz };
}

function figures(kind: ResolvedLayer['kind'], c: CountsRow, numel: number, inNumel: number): DensityFigures {
  const d = (n: number): number => (numel === 0 ? 0 : n / numel);
  return {
    input: inNumel === 0 ? 0 : c.x / inNumel,
    spike: kind === 'out' ? null : d(c.s),
    surrogate: kind === 'conv' || kind === 'fc' ? d(c.sg) : null,
    du: kind === 'pool' ? null : d(c.du),
    ds: kind === 'out' ? null : d(c.ds),
  };
}

/**
 * Sums exact nonzero counts over iterations (an epoch) and reports densities per layer and
 * per time step as total nonzero / total numel: batches of different sizes weigh by size.
 */
export class DensityAccumulator {
  private rows: { index: number; name: string; kind: ResolvedLayer['kind']; numel: number; inNumel: number; perStep: CountsRow[] }[] | null = null;

  add(layers: readonly LayerTrace[]): void {
    if (!this.rows) {
      this.rows = layers.map((tr) => ({
        index: tr.layer.index, name: tr.layer.name, kind: tr.layer.kind, numel: 0, inNumel: 0,
        perStep: tr.steps.map(() => ({ x: 0, s: 0, sg: 0, du: 0, ds: 0 })),
      }));
    }
    layers.forEach((tr, i) => {
      const row = this.rows![i]!;
      if (row.perStep.length !== tr.steps.length) throw new ConfigError('DensityAccumulator: every iteration must have the same number of time steps');
      row.numel += tr.numel;
      row.inNumel += tr.inNumel;
      tr.steps.forEach((_, t) => {
        const c = stepCounts(tr, t);
        const r = row.perStep[t]!;
        r.x += c.x;
        r.s += c.s;
        r.sg += c.sg;
        r.du += c.du;
        r.ds += c.ds;
      });
    });
  }

  densities(): LayerDensity[] {
    return (this.rows ?? []).map((r) => {
      const T = r.perStep.length;
      const total = r.perStep.reduce((a, c) => ({ x: a.x + c.x, s: a.s + c.s, sg: a.sg + c.sg, du: a.du + c.du, ds: a.ds + c.ds }), { x: 0, s: 0, sg: 0, du: 0, ds: 0 });
      return {
        index: r.index, name: r.name, kind: r.kind, numel: r.numel,
        perStep: r.perStep.map((c) => figures(r.kind, c, r.numel, r.inNumel)),
        overall: figures(r.kind, total, r.numel * T, r.inNumel * T),
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
