/**
 * `batchnorm` in training mode over time (tdBN as trained): per channel, the mean and the
 * biased variance over all T steps, the batch and the positions together;
 * y = gamma (x - mean) / sqrt(var + eps) + beta. Its backward goes through the statistics:
 * dx = gamma / std (dy - mean(dy) - xhat mean(dy xhat)). In evaluation it normalises by the
 * running statistics (momentum 0.1, unbiased running variance, as PyTorch).
 * Under an algorithm that runs forward a window or a step at a time, the statistics are per
 * window or step (as online training normalises); `groups` says which.
 * On the accelerator every step of its input must exist before its first output: FP is two
 * reductions (mean, variance) and a normalising pass over all T steps on the vector unit,
 * BP two reductions (sum dy, sum dy xhat, fused in one pass) and a pass; a barrier that a
 * step-by-step schedule must respect. dgamma and dbeta are BP's reductions; WU updates 2C values.
 */
import { ConfigError } from '@sata/core';
import type { LayerKind, LoweredAccess, TensorRef } from '@sata/plugin-api';
import { alloc, type FloatArray } from '../tensor.js';
import { dtypeOfArray, fmtShape, lowerWeightUpdate, numField } from './common.js';

export interface BatchNormAttrs {
  readonly eps: number;
  readonly momentum: number;
}

interface Saved {
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

const channels = (shape: readonly number[]): { C: number; P: number } => ({ C: shape[0]!, P: shape[1]! * shape[2]! });

/** The groups of steps normalised together (all T unless the training algorithm runs steps apart). */
const groupsOf = (ctx: { T: number; groups?: readonly (readonly number[])[] }): readonly (readonly number[])[] => ctx.groups ?? [Array.from({ length: ctx.T }, (_, t) => t)];

export const batchnormKind: LayerKind<BatchNormAttrs> = {
  name: 'batchnorm',
  version: '2.0.0',
  description: 'Batch normalisation over time, batch and positions per channel (training mode; running statistics in evaluation)',
  fields: { eps: 'added to the variance (1e-5)', momentum: 'of the running statistics (0.1)' },
  timing: 'all-steps',
  parse: (raw, where) => ({
    eps: numField(raw, 'eps', where, { min: 0, exclusiveMin: true }) ?? 1e-5,
    momentum: numField(raw, 'momentum', where, { min: 0, max: 1 }) ?? 0.1,
  }),
  infer(_a, inputs, where) {
    const s = inputs[0]!.shape;
    if (s[0] < 1) throw new ConfigError(`${where}: batch norm needs channels, found ${fmtShape(s)}`);
    return { outShape: s, value: 'real', role: 'current' };
  },
  params: (_a, inputs) => {
    const C = inputs[0]!.shape[0];
    return [
      { name: 'gamma', shape: [C], trainable: true, init: { kind: 'constant', value: 1 } },
      { name: 'beta', shape: [C], trainable: true, init: { kind: 'constant', value: 0 } },
      { name: 'runningMean', shape: [C], trainable: false, init: { kind: 'constant', value: 0 } },
      { name: 'runningVar', shape: [C], trainable: false, init: { kind: 'constant', value: 1 } },
    ];
  },
  forward(ctx) {
    const { C, P } = channels(ctx.layer.inShape);
    const xs = ctx.inputs[0]!;
    const B = ctx.batch;
    const gamma = ctx.params['gamma']!;
    const beta = ctx.params['beta']!;
    const rm = ctx.params['runningMean']!;
    const rv = ctx.params['runningVar']!;
    const runningMean = Float64Array.from(rm);
    const runningVar = Float64Array.from(rv);
    const y: FloatArray[] = new Array(ctx.T);
    const saved: Saved[] = new Array(ctx.T);
    let stats: { mean: Float64Array; var: Float64Array } | undefined;
    for (const group of groupsOf(ctx)) {
      const N = group.length * B * P;
      const mean = new Float64Array(C);
      const variance = new Float64Array(C);
      if (ctx.training) {
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (const t of group) for (let b = 0; b < B; b++) {
            const o = (b * C + c) * P;
            for (let p = 0; p < P; p++) s += xs[t]![o + p]!;
          }
          const m = s / N;
          let v = 0;
          for (const t of group) for (let b = 0; b < B; b++) {
            const o = (b * C + c) * P;
            for (let p = 0; p < P; p++) {
              const d = xs[t]![o + p]! - m;
              v += d * d;
            }
          }
          mean[c] = m;
          variance[c] = v / N;
        }
        // The running statistics after this group (unbiased variance, as PyTorch), applied group by group.
        const mo = ctx.layer.attrs.momentum;
        for (let c = 0; c < C; c++) {
          runningMean[c] = (1 - mo) * runningMean[c]! + mo * mean[c]!;
          runningVar[c] = (1 - mo) * runningVar[c]! + mo * (N > 1 ? (variance[c]! * N) / (N - 1) : variance[c]!);
        }
      } else {
        mean.set(rm);
        variance.set(rv);
      }
      const invStd = variance.map((v) => 1 / Math.sqrt(v + ctx.layer.attrs.eps));
      for (const t of group) {
        const x = xs[t]!;
        const out = alloc(dtypeOfArray(x), x.length);
        for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
          const o = (b * C + c) * P;
          for (let p = 0; p < P; p++) out[o + p] = ((x[o + p]! - mean[c]!) * invStd[c]!) * gamma[c]! + beta[c]!;
        }
        y[t] = out;
        saved[t] = { mean, invStd };
      }
      stats ??= { mean, var: variance };
    }
    if (!ctx.training) return { y, saved };
    return {
      y, saved,
      ...(groupsOf(ctx).length === 1 && stats ? { stats } : {}),
      buffers: { runningMean: Float64Array.from(runningMean) as unknown as FloatArray, runningVar: Float64Array.from(runningVar) as unknown as FloatArray },
    };
  },
  backward(ctx) {
    const { C, P } = channels(ctx.layer.inShape);
    const saved = ctx.fwd.saved as Saved[];
    const xs = ctx.inputs[0]!;
    const B = ctx.batch;
    const gamma = ctx.params['gamma']!;
    const dGamma = alloc(dtypeOfArray(gamma), C);
    const dBeta = alloc(dtypeOfArray(gamma), C);
    const dx: FloatArray[] | null = ctx.needsInputGrad[0] ? new Array(ctx.T) : null;
    for (const group of groupsOf(ctx)) {
      const { mean, invStd } = saved[group[0]!]!;
      const N = group.length * B * P;
      const sumDy = new Float64Array(C);
      const sumDyXhat = new Float64Array(C);
      for (const t of group) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
        const o = (b * C + c) * P;
        let s = 0;
        let sx = 0;
        for (let p = 0; p < P; p++) {
          const g = ctx.dy[t]![o + p]!;
          s += g;
          sx += g * (xs[t]![o + p]! - mean[c]!) * invStd[c]!;
        }
        sumDy[c] += s;
        sumDyXhat[c] += sx;
      }
      for (let c = 0; c < C; c++) {
        dGamma[c] += sumDyXhat[c]!;
        dBeta[c] += sumDy[c]!;
      }
      if (!dx) continue;
      for (const t of group) {
        const x = xs[t]!;
        const out = alloc(dtypeOfArray(x), x.length);
        const dy = ctx.dy[t]!;
        for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
          const o = (b * C + c) * P;
          const k = gamma[c]! * invStd[c]!;
          const m1 = sumDy[c]! / N;
          const m2 = sumDyXhat[c]! / N;
          for (let p = 0; p < P; p++) out[o + p] = k * (dy[o + p]! - m1 - (x[o + p]! - mean[c]!) * invStd[c]! * m2);
        }
        dx[t] = out;
      }
    }
    return { dx: [dx], grads: { gamma: dGamma, beta: dBeta } };
  },
  lower(ctx, pass) {
    const l = ctx.layer;
    const n = ctx.batch * l.outSize;
    const steps = ctx.steps;
    const all = n * steps.length;
    const each = (access: 'read' | 'write', ref: (t: number) => TensorRef | null): LoweredAccess[] =>
      steps.flatMap((t) => {
        const r = ref(t);
        return r ? [{ ref: r, access }] : [];
      });
    const reads = (ref: (t: number) => TensorRef | null): LoweredAccess[] => each('read', ref);
    const writes = (ref: (t: number) => TensorRef | null): LoweredAccess[] => each('write', ref);
    const bits = ctx.mode === 'snn' ? ctx.bits.membrane : ctx.bits.activation;
    const x = (t: number) => ctx.input(0, t);
    if (pass === 'forward') {
      // Two reduction passes (mean: add; variance: subtract, square, add), then the normalising pass.
      ctx.vector({ stage: 'FP', label: `${l.name}/FP/statistics`, unit: 'vector', elements: all, bits, ops: { component: 'vector', perElement: { add: 3, multiply: 1 } }, traffic: [...reads(x), ...reads(x)] });
      ctx.vector({ stage: 'FP', label: `${l.name}/FP/normalise`, unit: 'vector', elements: all, bits, ops: { component: 'vector', perElement: { add: 2, multiply: 1 } }, traffic: [...reads(x), ...writes((t) => ctx.output(t))] });
      return;
    }
    const dy = (t: number) => ctx.outputGrad(t);
    const gbits = ctx.mode === 'snn' ? ctx.bits.gradient : ctx.bits.activation;
    // sum dy and sum dy * xhat in one pass (xhat recomputed from x), then dx.
    const dW = ctx.own('dW', { partition: 'gradients', bits: ctx.bits.gradient, elements: l.weightCount });
    ctx.vector({
      stage: 'BP', label: `${l.name}/BP/statistics`, unit: 'vector', elements: all, bits: gbits, ops: { component: 'vector', perElement: { add: 3, multiply: 2 } },
      traffic: [...reads(dy), ...reads(x), { ref: dW, access: 'write' }],
    });
    ctx.vector({
      stage: 'BP', label: `${l.name}/BP/normalise`, unit: 'vector', elements: all, bits: gbits, ops: { component: 'vector', perElement: { add: 3, multiply: 3 } },
      traffic: [...reads(dy), ...reads(x), ...writes((t) => ctx.inputGrad(0, t))],
    });
  },
  // dgamma and dbeta are BP's reductions; the update is one read-modify-write of 2C values.
  lowerUpdate: lowerWeightUpdate,
  denseOps: (l, batch) => ({ FP: 7 * batch * l.outSize, BP: 11 * batch * l.outSize, WG: 0 }),
  density: { output: () => 1, inputGrad: () => 1 },
};
