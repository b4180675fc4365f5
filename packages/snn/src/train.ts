/**
 * BPTT training: weight initialisation, optimizers (SGD with momentum, Adam), evaluation, and
 * the epoch loop that records test accuracy and the measured densities of every epoch.
 */
import { ConfigError, Rng } from '@sata/core';
import type { AlgorithmInstance, EncoderContribution } from '@sata/plugin-api';
import { countCorrect, DensityAccumulator, runBptt, runForward, type LayerDensity, type Weights } from './bptt.js';
import { gatherBatch, type Dataset } from './data.js';
import { encodeSequence } from './encoders.js';
import { Workspace } from './kernels.js';
import type { Network } from './network.js';
import { alloc, type DType, type FloatArray } from './tensor.js';

/**
 * Parameters as each kind declares them: weights drawn from a normal distribution scaled by
 * gain / sqrt(fan-in), one independent stream per layer (`weights.<layer name>`), as the
 * PyTorch reference scales them; biases, batch-norm gamma/beta and running statistics at
 * their constants. A network that carries its own parameters (`net.params`, read from a
 * NIR file) starts from those instead, converted to `dtype`.
 */
export function initWeights(net: Network, o: { seed: number; gain?: number; dtype: DType }): Record<string, FloatArray>[] {
  const gain = o.gain ?? 2;
  const rng = new Rng(o.seed, 'weights');
  return net.layers.map((l) => {
    const params: Record<string, FloatArray> = {};
    const r = l.params.some((d) => d.init.kind === 'normal') ? rng.split(l.name) : null;
    const own = net.params?.[l.index];
    for (const d of l.params) {
      const w = alloc(o.dtype, d.shape.reduce((a, b) => a * b, 1));
      const given = own?.[d.name];
      if (given) {
        w.set(given);
        params[d.name] = w;
        continue;
      }
      if (d.init.kind === 'normal') {
        const scale = gain / Math.sqrt(d.init.fanIn);
        for (let i = 0; i < w.length; i++) w[i] = r!.nextNormal() * scale;
      } else w.fill(d.init.value);
      params[d.name] = w;
    }
    return params;
  });
}

/** Trainable gradients per layer, by parameter name (what an optimizer applies). */
export type Gradients = readonly Readonly<Record<string, FloatArray>>[];

export type OptimizerName = 'adam' | 'sgd';

/** Updates weights in place from their gradients. */
export interface Optimizer {
  readonly name: OptimizerName;
  /** The learning rate of the next steps (a schedule changes it between iterations). */
  lr: number;
  step(weights: Weights, grads: Gradients): void;
}

/** Every parameter that has a gradient (the trainable ones), with a key unique per layer and name. */
function eachTrainable(weights: Weights, grads: Gradients, f: (key: string, w: FloatArray, g: FloatArray) => void): void {
  grads.forEach((gs, i) => {
    for (const [name, g] of Object.entries(gs)) {
      const w = weights[i]?.[name];
      if (w) f(`${i}.${name}`, w, g);
    }
  });
}

/** Plain SGD with momentum: v = momentum * v + dW; W -= lr * v (momentum 0 is `W -= lr * dW`). */
export function sgd(lr: number, momentum = 0.9): Optimizer {
  const velocity = new Map<string, Float64Array>();
  return {
    name: 'sgd',
    lr,
    step(weights, grads) {
      const rate = this.lr;
      eachTrainable(weights, grads, (key, w, g) => {
        let v = velocity.get(key);
        if (!v) velocity.set(key, (v = new Float64Array(w.length)));
        for (let k = 0; k < w.length; k++) {
          v[k] = momentum * v[k]! + g[k]!;
          w[k] -= rate * v[k]!;
        }
      });
    },
  };
}

/** Adam (Kingma and Ba, 2015) with PyTorch's defaults: betas 0.9 / 0.999, eps 1e-8. */
export function adam(lr: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer {
  const m = new Map<string, Float64Array>();
  const v = new Map<string, Float64Array>();
  let t = 0;
  return {
    name: 'adam',
    lr,
    step(weights, grads) {
      const rate = this.lr;
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      eachTrainable(weights, grads, (key, w, g) => {
        let mi = m.get(key);
        let vi = v.get(key);
        if (!mi || !vi) {
          m.set(key, (mi = new Float64Array(w.length)));
          v.set(key, (vi = new Float64Array(w.length)));
        }
        for (let k = 0; k < w.length; k++) {
          const gk = g[k]!;
          mi[k] = beta1 * mi[k]! + (1 - beta1) * gk;
          vi[k] = beta2 * vi[k]! + (1 - beta2) * gk * gk;
          w[k] -= (rate * (mi[k]! / c1)) / (Math.sqrt(vi[k]! / c2) + eps);
        }
      });
    },
  };
}

export const DEFAULT_LR: Record<OptimizerName, number> = { adam: 2e-3, sgd: 0.05 };

/** How the learning rate changes over training: constant, or cosine decay from lr to 0 over all iterations. */
export type LrSchedule = 'constant' | 'cosine';

/** The learning rate at iteration `step` (0-based) of `total`. */
export function scheduledLr(schedule: LrSchedule, lr: number, step: number, total: number): number {
  return schedule === 'constant' ? lr : 0.5 * lr * (1 + Math.cos((Math.PI * step) / total));
}

export interface EvalOptions {
  readonly T: number;
  readonly lam: number;
  readonly theta: number;
  readonly encoder: EncoderContribution;
  readonly seed: number;
  readonly batch?: number;
  readonly dtype: DType;
}

/** Top-1 accuracy of the network on a data set (forward passes only). */
export function evaluate(net: Network, weights: Weights, ds: Dataset, o: EvalOptions, ws = new Workspace()): number {
  const B = o.batch ?? 256;
  const rng = new Rng(o.seed, `eval.${ds.name}`);
  let correct = 0;
  for (let b0 = 0; b0 < ds.count; b0 += B) {
    const idx = Array.from({ length: Math.min(B, ds.count - b0) }, (_, i) => b0 + i);
    const { x, labels } = gatherBatch(ds, idx, o.dtype);
    const inputs = encodeSequence(o.encoder, x, o.T, rng.split(`batch${b0}`), o.dtype);
    const r = runForward(net, weights, inputs, { T: o.T, lam: o.lam, theta: o.theta, workspace: ws, training: false });
    correct += countCorrect(r.logits, labels, net.classes);
  }
  return correct / ds.count;
}

export interface TrainOptions {
  readonly T: number;
  readonly lam: number;
  readonly theta: number;
  readonly epochs: number;
  readonly batch: number;
  readonly optimizer: OptimizerName;
  readonly lr?: number;
  /** Learning-rate schedule (default constant). */
  readonly schedule?: LrSchedule;
  readonly seed: number;
  readonly dtype: DType;
  readonly encoder: EncoderContribution;
  /** Weight initialisation gain (default 2, as the reference). */
  readonly gain?: number;
  /** Called after every epoch (progress, streaming output). */
  readonly onEpoch?: (e: EpochRecord) => void;
  /** Called after every training batch. */
  readonly onBatch?: (epoch: number, done: number, total: number) => void;
  /**
   * The training algorithm whose gradient to follow (default: BPTT), or the instance for
   * each iteration (0-based over the whole run): an algorithm that draws its steps (sltt:K)
   * then draws them anew every iteration, as its paper does.
   */
  readonly algorithm?: AlgorithmInstance | ((iteration: number) => AlgorithmInstance);
}

export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches. */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Wall time of the epoch (training and evaluation), seconds. */
  readonly seconds: number;
  /** Densities measured over the epoch's training iterations, per layer and per time step. */
  readonly densities: LayerDensity[];
}

export interface TrainResult {
  readonly epochs: EpochRecord[];
  readonly testAccuracy: number;
  readonly weights: Record<string, FloatArray>[];
}

/** Stores the running statistics an iteration computed (batch norm) into the parameters. */
export function storeBuffers(weights: readonly Record<string, FloatArray>[], r: { readonly layers: readonly { readonly fwd: { readonly buffers?: Readonly<Record<string, FloatArray>> } }[] }): void {
  r.layers.forEach((tr, i) => {
    for (const [name, v] of Object.entries(tr.fwd.buffers ?? {})) weights[i]![name]!.set(v);
  });
}

/** Trains with BPTT: shuffled mini-batches each epoch (seeded), the chosen optimizer, test accuracy per epoch. */
export function train(net: Network, data: { train: Dataset; test: Dataset }, o: TrainOptions): TrainResult {
  for (const ds of [data.train, data.test]) {
    if (ds.inputShape.join('x') !== net.inputShape.join('x') && ds.inputShape.reduce((a, b) => a * b) !== net.inSize) {
      throw new ConfigError(`network ${net.name} takes ${net.inputShape.join('x')} inputs, but data set ${ds.name} has ${ds.inputShape.join('x')}`);
    }
    if (ds.classes !== net.classes) throw new ConfigError(`network ${net.name} has ${net.classes} outputs, but data set ${ds.name} has ${ds.classes} classes`);
  }
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new ConfigError(`epochs must be a positive integer, found ${o.epochs}`);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new ConfigError(`batch must be a positive integer, found ${o.batch}`);
  const lr = o.lr ?? DEFAULT_LR[o.optimizer];
  if (!(lr > 0)) throw new ConfigError(`learning rate must be positive, found ${lr}`);
  const weights = initWeights(net, { seed: o.seed, gain: o.gain ?? 2, dtype: o.dtype });
  const opt = o.optimizer === 'adam' ? adam(lr) : sgd(lr);
  const rng = new Rng(o.seed, 'train');
  const ws = new Workspace();
  const lif = { T: o.T, lam: o.lam, theta: o.theta, workspace: ws };
  const epochs: EpochRecord[] = [];
  const nBatches = Math.ceil(data.train.count / o.batch);
  for (let e = 1; e <= o.epochs; e++) {
    const t0 = performance.now();
    const order = rng.split(`epoch${e}.order`).shuffle([...Array(data.train.count).keys()]);
    const acc = new DensityAccumulator();
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < nBatches; b++) {
      const idx = order.slice(b * o.batch, (b + 1) * o.batch);
      const { x, labels } = gatherBatch(data.train, idx, o.dtype);
      const inputs = encodeSequence(o.encoder, x, o.T, rng.split(`epoch${e}.batch${b}`), o.dtype);
      const algorithm = typeof o.algorithm === 'function' ? o.algorithm((e - 1) * nBatches + b) : o.algorithm;
      const r = runBptt(net, weights, inputs, labels, { ...lif, ...(algorithm ? { algorithm } : {}) });
      opt.lr = scheduledLr(o.schedule ?? 'constant', lr, (e - 1) * nBatches + b, o.epochs * nBatches);
      acc.add(r.layers);
      lossSum += r.loss;
      correct += r.correct;
      opt.step(weights, r.layers.map((l) => l.grads));
      storeBuffers(weights, r);
      o.onBatch?.(e, b + 1, nBatches);
    }
    const testAccuracy = evaluate(net, weights, data.test, { ...lif, encoder: o.encoder, seed: o.seed, dtype: o.dtype }, ws);
    const rec: EpochRecord = {
      epoch: e,
      trainLoss: lossSum / nBatches,
      trainAccuracy: correct / data.train.count,
      testAccuracy,
      seconds: (performance.now() - t0) / 1000,
      densities: acc.densities(),
    };
    epochs.push(rec);
    o.onEpoch?.(rec);
  }
  return { epochs, testAccuracy: epochs[epochs.length - 1]!.testAccuracy, weights };
}
