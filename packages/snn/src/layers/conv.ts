/**
 * `conv`: a 2-D convolution, W * x[t] (+ b) per step: a current, no neuron (format 2). In a
 * network without neuron layers (format 1) the resolver follows it with a LIF neuron.
 * Weights [K, C, R, S]; GEMMs of hardware-model.md section 4 (FP M = B*E*F, N = K, K = C*R*S;
 * BP the transposed convolution; WG M = C*R*S, N = K, K = B*E*F).
 */
import { ConfigError } from '@sata/core';
import type { GemmFacet, LayerKind, ResolvedLayer } from '@sata/plugin-api';
import { convBackward, convBackwardInput, convForwardT, convOutSize, convWeightGrad, im2colT, transpose, Workspace, type ConvGeometry } from '../kernels.js';
import { alloc, type FloatArray } from '../tensor.js';
import { accumulateBiasGrad, addBias, nz, presynapticTraces, boolField, dtypeOfArray, eitherField, fmtShape, gemmOps, intField, lowerWeightedGemms, lowerWeightUpdate, weightOf, zerosPerStep } from './common.js';

export interface ConvAttrs {
  readonly out: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly bias: boolean;
  /** Input channels, when the spec states them (checked against the inference). */
  readonly in?: number;
}

type Conv = ResolvedLayer<ConvAttrs>;

export function convGeometry(l: Conv, batch: number): ConvGeometry {
  return {
    batch, C: l.inShape[0], H: l.inShape[1], W: l.inShape[2], K: l.outShape[0],
    kernel: l.attrs.kernel, stride: l.attrs.stride, padding: l.attrs.padding, Ho: l.outShape[1], Wo: l.outShape[2],
  };
}

export const convGemms: GemmFacet<ConvAttrs> = {
  shapes(l, batch) {
    const [C, H, W] = l.inShape;
    const [Kf, E, F] = l.outShape;
    const RS = l.attrs.kernel * l.attrs.kernel;
    return {
      forward: { M: batch * E * F, N: Kf, K: C * RS },
      backward: { M: batch * H * W, N: C, K: Kf * RS },
      weightGrad: { M: C * RS, N: Kf, K: batch * E * F },
    };
  },
  // Rows (b, e, f), columns (c, r, s): the functional model's own im2col (one lowering for computing and counting).
  forwardIfmap(l, x, batch) {
    const g = convGeometry(l, batch);
    const input = x instanceof Float32Array || x instanceof Float64Array ? x : Float32Array.from(x);
    const K = g.C * g.kernel * g.kernel;
    const data = new Float32Array(batch * g.Ho * g.Wo * K);
    im2colT(g, input, data);
    return { rows: batch * g.Ho * g.Wo, cols: K, data };
  },
  forwardFilter(l, params) {
    const w = weightOf(params, l);
    const N = l.outShape[0];
    const K = l.inShape[0] * l.attrs.kernel * l.attrs.kernel;
    const data = new Uint8Array(K * N);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) data[k * N + n] = nz(w[n * K + k]!);
    return { rows: K, cols: N, data };
  },
  backwardFilter(l, params) {
    const w = weightOf(params, l);
    const [Kf, C, R] = [l.outShape[0], l.inShape[0], l.attrs.kernel];
    const data = new Uint8Array(Kf * R * R * C);
    for (let kf = 0; kf < Kf; kf++) for (let c = 0; c < C; c++) for (let rs = 0; rs < R * R; rs++) data[(kf * R * R + rs) * C + c] = nz(w[(kf * C + c) * R * R + rs]!);
    return { rows: Kf * R * R, cols: C, data };
  },
  // Row (b, h, w) of the input gradient, column (kf, r, s): dy[b, kf, e, f] with h = e*stride + r - pad.
  backwardIfmap(l, dy, batch) {
    const [, H, W] = l.inShape;
    const [Kf, E, F] = l.outShape;
    const { kernel: R, stride, padding: pad } = l.attrs;
    const K = Kf * R * R;
    const data = new Uint8Array(batch * H * W * K);
    for (let b = 0; b < batch; b++)
      for (let kf = 0; kf < Kf; kf++)
        for (let e = 0; e < E; e++)
          for (let f = 0; f < F; f++) {
            if (dy[((b * Kf + kf) * E + e) * F + f] === 0) continue;
            for (let r = 0; r < R; r++) {
              const h = e * stride + r - pad;
              if (h < 0 || h >= H) continue;
              for (let s = 0; s < R; s++) {
                const w = f * stride + s - pad;
                if (w >= 0 && w < W) data[((b * H + h) * W + w) * K + (kf * R + r) * R + s] = 1;
              }
            }
          }
    return { rows: batch * H * W, cols: K, data };
  },
  // [B, Kf, E, F] as a (B*E*F) x Kf matrix.
  gradientMatrix(l, dy, batch) {
    const Kf = l.outShape[0];
    const EF = l.outShape[1] * l.outShape[2];
    const data = new Uint8Array(batch * EF * Kf);
    for (let b = 0; b < batch; b++) for (let k = 0; k < Kf; k++) for (let p = 0; p < EF; p++) data[(b * EF + p) * Kf + k] = nz(dy[(b * Kf + k) * EF + p]!);
    return { rows: batch * EF, cols: Kf, data };
  },
};

export const convKind: LayerKind<ConvAttrs> = {
  name: 'conv',
  version: '2.0.0',
  description: '2-D convolution W * x (+ b) per time step: a current (format 1: followed by a LIF neuron)',
  fields: {
    out: 'output channels', kernel: 'kernel size (alias k)', k: 'kernel size', stride: 'stride (1)', padding: 'zero padding (0; alias pad)', pad: 'zero padding',
    bias: 'add a bias per channel (false)', in: 'input channels (checked)',
  },
  timing: 'gemm',
  impliesNeuron: true,
  parse(raw, where) {
    const kf = eitherField(raw, 'kernel', 'k', where);
    const pf = eitherField(raw, 'padding', 'pad', where);
    return {
      out: intField(raw, 'out', where),
      kernel: intField(raw, kf, where),
      stride: intField(raw, 'stride', where, { def: 1 }),
      padding: intField(raw, pf, where, { min: 0, def: 0 }),
      bias: boolField(raw, 'bias', where, false),
      ...(raw['in'] !== undefined ? { in: intField(raw, 'in', where) } : {}),
    };
  },
  infer(a, inputs, where) {
    const shape = inputs[0]!.shape;
    const [C, H, W] = shape;
    if (a.in !== undefined && a.in !== C) throw new ConfigError(`${where}: in = ${a.in} but the input has ${C} channels (input shape ${fmtShape(shape)})`);
    const Ho = convOutSize(H, a.kernel, a.stride, a.padding);
    const Wo = convOutSize(W, a.kernel, a.stride, a.padding);
    if (Ho < 1 || Wo < 1) {
      const need = Math.max(1, a.kernel - 2 * a.padding);
      throw new ConfigError(`${where}: kernel ${a.kernel} with padding ${a.padding} needs an input of at least ${need}x${need} per channel, found ${fmtShape(shape)}`);
    }
    return { outShape: [a.out, Ho, Wo], value: 'real', role: 'current' };
  },
  params(a, inputs) {
    const C = inputs[0]!.shape[0];
    const fanIn = C * a.kernel * a.kernel;
    return [
      { name: 'weight', shape: [a.out, C, a.kernel, a.kernel], trainable: true, init: { kind: 'normal', fanIn } },
      ...(a.bias ? [{ name: 'bias', shape: [a.out], trainable: true, init: { kind: 'constant', value: 0 } } as const] : []),
    ];
  },
  forward(ctx) {
    const l = ctx.layer;
    const g = convGeometry(l, ctx.batch);
    const w = weightOf(ctx.params, l);
    const CRS = g.C * g.kernel * g.kernel;
    // The forward GEMMs read the weights transposed; transpose once for all time steps.
    const wT = alloc(dtypeOfArray(w), w.length);
    transpose(w, g.K, CRS, wT);
    const ws = ctx.scratch as Workspace;
    const bias = ctx.params['bias'];
    const y = ctx.inputs[0]!.map((x) => {
      const out = alloc(dtypeOfArray(x), ctx.batch * l.outSize);
      convForwardT(g, x, wT, out, ws);
      if (bias) addBias(out, bias, ctx.batch, g.K, g.Ho * g.Wo);
      return out;
    });
    return { y };
  },
  backward(ctx) {
    const l = ctx.layer;
    const g = convGeometry(l, ctx.batch);
    const w = weightOf(ctx.params, l);
    const dW = alloc(dtypeOfArray(w), w.length);
    const bias = ctx.params['bias'];
    const dB = bias ? alloc(dtypeOfArray(bias), bias.length) : null;
    const xs = ctx.inputs[0]!;
    const dx = ctx.needsInputGrad[0] ? zerosPerStep(w, ctx.T, ctx.batch * l.inSize) : null;
    // OTTT: the weight gradient correlates with the presynaptic trace instead of the input.
    const a = ctx.algorithm.presynapticTrace === undefined ? null : presynapticTraces(xs, ctx.algorithm.presynapticTrace);
    // Last step first, as BPTT runs (the weight gradient sums in that order).
    for (let t = ctx.T - 1; t >= 0; t--) {
      if (a) {
        convWeightGrad(g, a[t]!, ctx.dy[t]!, dW, ctx.scratch as Workspace);
        if (dx) convBackwardInput(g, w, ctx.dy[t]!, dx[t]!, ctx.scratch as Workspace);
      } else convBackward(g, xs[t]!, w, ctx.dy[t]!, dx ? dx[t]! : null, dW, ctx.scratch as Workspace);
      if (dB) accumulateBiasGrad(ctx.dy[t]!, dB, ctx.batch, g.K, g.Ho * g.Wo);
    }
    const grads: Record<string, FloatArray> = dB ? { weight: dW, bias: dB } : { weight: dW };
    return { dx: [dx], grads, ...(a ? { state: { a } } : {}) };
  },
  lower(ctx, pass, t) {
    lowerWeightedGemms(ctx, pass, t, convGemms, (tt) => ctx.outputGrad(tt), true);
  },
  lowerUpdate: lowerWeightUpdate,
  denseOps: (l, batch) => gemmOps(convGemms, l, batch, l.inputs[0] !== -1),
  gemms: convGemms,
  density: {
    output: () => 1,
    inputGrad: () => 1,
  },
};
