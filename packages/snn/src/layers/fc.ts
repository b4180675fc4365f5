/**
 * `fc`: a linear layer over the flattened input (row-major over C, H, W), W x[t] (+ b): a
 * current (format 1: followed by a LIF neuron). `out` is the same layer as the loss head.
 * Weights [out, in]; GEMMs FP M = B, N = out, K = in; BP M = B, N = in, K = out; WG M = in,
 * N = out, K = B.
 */
import { ConfigError } from '@sata/core';
import type { GemmFacet, LayerKind, ResolvedLayer } from '@sata/plugin-api';
import { linearBackward, linearBackwardInput, linearForwardT, linearWeightGrad, transpose } from '../kernels.js';
import { alloc, type FloatArray } from '../tensor.js';
import { accumulateBiasGrad, addBias, presynapticTraces, boolField, dtypeOfArray, forwardFilterOf, gemmOps, intField, lowerWeightedGemms, lowerWeightUpdate, rowsMatrix, weightOf, zerosPerStep } from './common.js';

export interface LinearAttrs {
  readonly out: number;
  readonly bias: boolean;
  readonly in?: number;
}

type Linear = ResolvedLayer<LinearAttrs>;

export const linearGemms: GemmFacet<LinearAttrs> = {
  shapes: (l, batch) => ({
    forward: { M: batch, N: l.outSize, K: l.inSize },
    backward: { M: batch, N: l.inSize, K: l.outSize },
    weightGrad: { M: l.inSize, N: l.outSize, K: batch },
  }),
  forwardIfmap: (l, x, batch) => rowsMatrix(x, batch, l.inSize),
  forwardFilter: (l, params) => forwardFilterOf(weightOf(params, l), l.outSize, l.inSize),
  backwardFilter: (l, params) => rowsMatrix(weightOf(params, l), l.outSize, l.inSize),
  backwardIfmap: (l, dy, batch) => rowsMatrix(dy, batch, l.outSize),
  gradientMatrix: (l, dy, batch) => rowsMatrix(dy, batch, l.outSize),
};

const FIELDS = { out: 'outputs', bias: 'add a bias per output (false)', in: 'inputs (checked against the flattened input)' };

function parse(raw: Readonly<Record<string, unknown>>, where: string): LinearAttrs {
  return { out: intField(raw, 'out', where), bias: boolField(raw, 'bias', where, false), ...(raw['in'] !== undefined ? { in: intField(raw, 'in', where) } : {}) };
}

function forward(ctx: Parameters<LayerKind<LinearAttrs>['forward']>[0]): { y: Float32Array[] | Float64Array[] } {
  const l = ctx.layer;
  const w = weightOf(ctx.params, l);
  const wT = alloc(dtypeOfArray(w), w.length);
  transpose(w, l.outSize, l.inSize, wT);
  const bias = ctx.params['bias'];
  const y = ctx.inputs[0]!.map((x) => {
    const out = alloc(dtypeOfArray(x), ctx.batch * l.outSize);
    linearForwardT(ctx.batch, l.inSize, l.outSize, x, wT, out);
    if (bias) addBias(out, bias, ctx.batch, l.outSize, 1);
    return out;
  });
  return { y: y as Float32Array[] };
}

function backward(ctx: Parameters<LayerKind<LinearAttrs>['backward']>[0]): ReturnType<LayerKind<LinearAttrs>['backward']> {
  const l = ctx.layer;
  const w = weightOf(ctx.params, l);
  const dW = alloc(dtypeOfArray(w), w.length);
  const bias = ctx.params['bias'];
  const dB = bias ? alloc(dtypeOfArray(bias), bias.length) : null;
  const dx = ctx.needsInputGrad[0] ? zerosPerStep(w, ctx.T, ctx.batch * l.inSize) : null;
  // OTTT: the weight gradient correlates with the presynaptic trace instead of the input.
  const a = ctx.algorithm.presynapticTrace === undefined ? null : presynapticTraces(ctx.inputs[0]!, ctx.algorithm.presynapticTrace);
  for (let t = ctx.T - 1; t >= 0; t--) {
    if (a) {
      linearWeightGrad(ctx.batch, l.inSize, l.outSize, a[t]!, ctx.dy[t]!, dW);
      if (dx) linearBackwardInput(ctx.batch, l.inSize, l.outSize, w, ctx.dy[t]!, dx[t]!);
    } else linearBackward(ctx.batch, l.inSize, l.outSize, ctx.inputs[0]![t]!, w, ctx.dy[t]!, dx ? dx[t]! : null, dW);
    if (dB) accumulateBiasGrad(ctx.dy[t]!, dB, ctx.batch, l.outSize, 1);
  }
  const grads: Record<string, FloatArray> = dB ? { weight: dW, bias: dB } : { weight: dW };
    return { dx: [dx], grads, ...(a ? { state: { a } } : {}) };
}

/** The parts fc and out share; `out` differs in its gradient (one dI for all steps) and in being the head. */
export const linearBase = {
  fields: FIELDS,
  timing: 'gemm' as const,
  parse,
  infer(a: LinearAttrs, inputs: readonly { shape: readonly [number, number, number] }[], where: string) {
    const [C, H, W] = inputs[0]!.shape;
    const n = C * H * W;
    if (a.in !== undefined && a.in !== n) throw new ConfigError(`${where}: in = ${a.in} but the (flattened) input has ${n} values (input shape ${C}x${H}x${W})`);
    return { outShape: [a.out, 1, 1] as const, value: 'real' as const, role: 'current' as const };
  },
  params(a: LinearAttrs, inputs: readonly { shape: readonly [number, number, number] }[]) {
    const n = inputs[0]!.shape.reduce((x, y) => x * y, 1);
    return [
      { name: 'weight', shape: [a.out, n], trainable: true, init: { kind: 'normal', fanIn: n } } as const,
      ...(a.bias ? [{ name: 'bias', shape: [a.out], trainable: true, init: { kind: 'constant', value: 0 } } as const] : []),
    ];
  },
  forward,
  backward,
  lowerUpdate: lowerWeightUpdate,
  denseOps: (l: Linear, batch: number) => gemmOps(linearGemms, l, batch, l.inputs[0] !== -1),
  gemms: linearGemms,
};

export const fcKind: LayerKind<LinearAttrs> = {
  name: 'fc',
  version: '2.0.0',
  description: 'Linear layer over the flattened input, W x (+ b) per time step: a current (format 1: followed by a LIF neuron)',
  ...linearBase,
  impliesNeuron: true,
  lower(ctx, pass, t) {
    lowerWeightedGemms(ctx, pass, t, linearGemms, (tt) => ctx.outputGrad(tt), true);
  },
  density: { output: () => 1, inputGrad: () => 1 },
};
