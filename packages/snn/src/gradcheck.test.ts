/**
 * Finite-difference checks of the BPTT gradients on random small networks.
 *
 * The loss of an SNN is piecewise constant in the weights (spikes are a step function), so
 * the check differentiates the function whose exact gradient BPTT computes: around the
 * unperturbed point (u0, s0), the spike is s0 + F(u) - F(u0) with F' = the triangle
 * surrogate, the reset factor uses s0 (a constant, as the contract says), and each pooling
 * window passes its recorded argmax. Its value equals the real forward pass at the point and
 * its derivative is exactly what BPTT backpropagates. The forward pass below is written
 * independently of the kernels (direct loops, no im2col), so it checks them too.
 */
import { Rng } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { runBptt, type LayerTrace } from './bptt.js';
import { resolveNetwork, type Network } from './network.js';
import type { LayerSpec } from '@sata/plugin-api';

/** Integral of the triangle surrogate max(0, 1 - |v - theta| / theta) from -inf to u. */
function F(u: number, theta: number): number {
  if (u <= 0) return 0;
  if (u <= theta) return (u * u) / (2 * theta);
  if (u < 2 * theta) return theta - ((2 * theta - u) * (2 * theta - u)) / (2 * theta);
  return theta;
}

function naiveConv(x: Float64Array, w: Float64Array, B: number, C: number, H: number, W: number, K: number, R: number, stride: number, pad: number, Ho: number, Wo: number): Float64Array {
  const y = new Float64Array(B * K * Ho * Wo);
  for (let b = 0; b < B; b++)
    for (let k = 0; k < K; k++)
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let acc = 0;
          for (let c = 0; c < C; c++)
            for (let r = 0; r < R; r++)
              for (let s = 0; s < R; s++) {
                const iy = oy * stride - pad + r;
                const ix = ox * stride - pad + s;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += w[((k * C + c) * R + r) * R + s]! * x[((b * C + c) * H + iy) * W + ix]!;
              }
          y[((b * K + k) * Ho + oy) * Wo + ox] = acc;
        }
  return y;
}

function naiveLinear(x: Float64Array, w: Float64Array, B: number, nIn: number, nOut: number): Float64Array {
  const y = new Float64Array(B * nOut);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < nOut; o++) {
      let a = 0;
      for (let i = 0; i < nIn; i++) a += w[o * nIn + i]! * x[b * nIn + i]!;
      y[b * nOut + o] = a;
    }
  return y;
}

const addBias = (y: Float64Array, bias: Float64Array | undefined, B: number, C: number, P: number): Float64Array => {
  if (bias) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) y[(b * C + c) * P + p] += bias[c]!;
  return y;
};

/** Batch norm over time, batch and positions, written out here (not the kind's code). */
function naiveBatchNorm(xs: Float64Array[], gamma: Float64Array, beta: Float64Array, B: number, C: number, P: number, eps: number): Float64Array[] {
  const N = xs.length * B * P;
  const mean = new Float64Array(C);
  const v = new Float64Array(C);
  for (const x of xs) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) mean[c] += x[(b * C + c) * P + p]! / N;
  for (const x of xs) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) v[c] += (x[(b * C + c) * P + p]! - mean[c]!) ** 2 / N;
  return xs.map((x) => x.map((val, i) => {
    const c = Math.floor(i / P) % C;
    return ((val - mean[c]!) / Math.sqrt(v[c]! + eps)) * gamma[c]! + beta[c]!;
  }));
}

/**
 * The surrogate-linearised loss around the recorded point (see the file comment), layer by
 * layer over all steps: convolutions, linear layers and batch norm written out here;
 * neurons linearised; max pooling through its recorded argmax; the linear kinds (adds,
 * average and sum pooling, scale, the li/i integrators, the readout) through their own forward.
 */
function linearisedLoss(net: Network, weights: Record<string, Float64Array>[], inputs: Float64Array[], labels: number[], T: number, lam: number, theta: number, at: LayerTrace[]): number {
  const B = labels.length;
  const classes = net.classes;
  const Y: Float64Array[][] = [];
  for (const l of net.layers) {
    const tr = at[l.index]!;
    const xs = l.inputs.map((j) => (j < 0 ? inputs : Y[j]!));
    const x = xs[0]!;
    const p = weights[l.index]!;
    const [C, H, W] = l.inShape;
    let y: Float64Array[];
    if (l.kind === 'conv') {
      const a = l.attrs as { kernel: number; stride: number; padding: number };
      y = x.map((h) => addBias(naiveConv(h, p['weight']!, B, C, H, W, l.outShape[0], a.kernel, a.stride, a.padding, l.outShape[1], l.outShape[2]), p['bias'], B, l.outShape[0], l.outShape[1] * l.outShape[2]));
    } else if (l.kind === 'fc' || l.kind === 'out') {
      y = x.map((h) => addBias(naiveLinear(h, p['weight']!, B, l.inSize, l.outSize), p['bias'], B, l.outSize, 1));
    } else if (l.kind === 'batchnorm') {
      y = naiveBatchNorm(x, p['gamma']!, p['beta']!, B, C, H * W, (l.attrs as { eps: number }).eps);
    } else if (l.def.neuron) {
      const a = l.attrs as { lam?: number; theta?: number; reset: string; gain: number };
      const lm = a.lam ?? lam;
      const th = a.theta ?? theta;
      const g = a.gain;
      const s0 = tr.y;
      const u0 = tr.state['u']!;
      let prev: Float64Array | null = null;
      y = x.map((h, t) => {
        const un = new Float64Array(h.length);
        const s = new Float64Array(h.length);
        for (let i = 0; i < h.length; i++) {
          const gh = g * h[i]!;
          un[i] = !prev ? gh : a.reset === 'subtract' ? lm * prev[i]! + gh - th * s0[t - 1]![i]! : lm * prev[i]! * (1 - s0[t - 1]![i]!) + gh;
          s[i] = s0[t]![i]! + F(un[i]!, th) - F(u0[t]![i]!, th);
        }
        prev = un;
        return s;
      });
    } else if (l.kind === 'maxpool') {
      const argmax = tr.fwd.saved as Int32Array[];
      y = x.map((h, t) => Float64Array.from(argmax[t]!, (i) => h[i]!));
    } else {
      y = l.def.forward({ layer: l, batch: B, T, dtype: 'float64', inputs: xs, params: p, training: true, neuron: { lam, theta }, scratch: null }).y as Float64Array[];
    }
    Y.push(y);
  }
  const acc = new Float64Array(B * classes);
  for (const y of Y[net.head]!) for (let i = 0; i < acc.length; i++) acc[i] += y[i]!;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, acc[b * classes + k]! / T);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(acc[b * classes + k]! / T - max);
    loss += Math.log(sum) + max - acc[b * classes + labels[b]!]! / T;
  }
  return loss / B;
}

interface Case {
  name: string;
  inputShape: [number, number, number];
  layers: LayerSpec[];
  batch: number;
  T: number;
  lam: number;
  theta: number;
  gain: number;
}

const CASES: Case[] = [
  {
    name: 'stride 1 pad 1, pool, stride 2 pad 2, fc after conv, non-square input',
    inputShape: [2, 7, 9],
    layers: [
      { type: 'conv', out: 4, kernel: 3, stride: 1, padding: 1 },
      { type: 'pool' },
      { type: 'conv', out: 5, kernel: 3, stride: 2, padding: 2 },
      { type: 'fc', out: 6 },
      { type: 'out', out: 4 },
    ],
    batch: 3, T: 4, lam: 0.9, theta: 1.0, gain: 2.5,
  },
  {
    name: 'stride 2 pad 0, kernel 2, then stride 1 pad 0 conv straight into out',
    inputShape: [3, 6, 5],
    layers: [
      { type: 'conv', out: 4, kernel: 2, stride: 2, padding: 0 },
      { type: 'conv', out: 3, kernel: 2, stride: 1, padding: 0 },
      { type: 'out', out: 3 },
    ],
    batch: 2, T: 3, lam: 0.7, theta: 0.6, gain: 2.0,
  },
  {
    name: 'mlp with T=5, lam 0.8, theta 0.5',
    inputShape: [10, 1, 1],
    layers: [{ type: 'fc', out: 8 }, { type: 'fc', out: 7 }, { type: 'out', out: 5 }],
    batch: 4, T: 5, lam: 0.8, theta: 0.5, gain: 2.0,
  },
  {
    name: 'graph: batch norm, a membrane shortcut read twice (fan-out), subtract reset, IF, bias, average pooling, global average pooling',
    inputShape: [2, 6, 6],
    layers: [
      { type: 'conv', name: 'stem', out: 3, kernel: 3, padding: 1 },
      { type: 'batchnorm', name: 'bn0' },
      { type: 'lif', name: 'n0', lam: 0.85, theta: 0.7, reset: 'subtract' },
      { type: 'conv', name: 'c1', out: 3, kernel: 3, padding: 1, bias: true },
      { type: 'batchnorm', name: 'bn1' },
      { type: 'add', name: 'add1', inputs: ['bn1', 'bn0'] },
      { type: 'if', name: 'n1', theta: 0.8 },
      { type: 'avgpool', name: 'p1', k: 2 },
      { type: 'conv', name: 'c2', out: 4, kernel: 1 },
      { type: 'lif', name: 'n2' },
      { type: 'globalavgpool', name: 'gap' },
      { type: 'out', out: 3, bias: true },
    ],
    batch: 3, T: 3, lam: 0.9, theta: 1.0, gain: 3.0,
  },
  {
    name: 'graph: SEW ADD of spikes feeding a conv (non-binary input), max pooling with k 3 stride 2',
    inputShape: [1, 7, 7],
    layers: [
      { type: 'conv', name: 'c1', out: 3, kernel: 3, padding: 1 },
      { type: 'lif', name: 'n1' },
      { type: 'conv', name: 'c2', out: 3, kernel: 3, padding: 1 },
      { type: 'lif', name: 'n2' },
      { type: 'add', name: 'sew', inputs: ['n2', 'n1'] },
      { type: 'maxpool', name: 'mp', k: 3, stride: 2 },
      { type: 'conv', name: 'c3', out: 4, kernel: 2 },
      { type: 'lif', name: 'n3' },
      { type: 'out', out: 3 },
    ],
    batch: 2, T: 4, lam: 0.9, theta: 1.0, gain: 3.0,
  },
  {
    name: 'NIR kinds: neuron gain and strict threshold, per-channel scale, leaky integrator head, readout',
    inputShape: [9, 1, 1],
    layers: [
      { type: 'fc', name: 'a', out: 6, bias: true },
      { type: 'lif', name: 'n1', lam: 0.8, gain: 0.7, compare: '>' },
      { type: 'scale', name: 's', factor: [0.5, -1.5, 2, 1, 0.25, 3] },
      { type: 'fc', name: 'b', out: 4 },
      { type: 'li', name: 'li', lam: 0.75, gain: 1.5 },
      { type: 'readout', name: 'output' },
    ],
    batch: 3, T: 4, lam: 0.9, theta: 0.8, gain: 2.5,
  },
  {
    name: 'NIR kinds: sum pooling, IF with a gain, scalar scale, fan-in add of spikes and currents, integrator head',
    inputShape: [2, 6, 6],
    layers: [
      { type: 'conv', name: 'c1', out: 3, kernel: 3, padding: 1 },
      { type: 'lif', name: 'n1', compare: '>' },
      { type: 'sumpool', name: 'sp', k: 2 },
      { type: 'conv', name: 'c2', out: 3, kernel: 3, padding: 1 },
      { type: 'add', name: 'fanin', inputs: ['c2', 'sp'] },
      { type: 'if', name: 'n2', gain: 2, theta: 1.2 },
      { type: 'scale', name: 'half', factor: 0.5 },
      { type: 'fc', name: 'f', out: 3 },
      { type: 'i', name: 'acc' },
      { type: 'readout', name: 'output' },
    ],
    batch: 2, T: 3, lam: 0.9, theta: 1.0, gain: 3.0,
  },
  {
    name: 'transformer: Spikformer SSA (2 heads over 9 tokens), SpikingJelly LIFs (gain 1/tau), padded max pooling, spike shortcut',
    inputShape: [2, 6, 6],
    layers: [
      { type: 'conv', name: 'stem', out: 4, kernel: 3, padding: 1 },
      { type: 'batchnorm', name: 'bn0' },
      { type: 'lif', name: 'n0', lam: 0.5, gain: 0.5, theta: 0.5 },
      { type: 'maxpool', name: 'mp', k: 3, stride: 2, padding: 1 },
      ...(['q', 'k', 'v'] as const).flatMap((x): LayerSpec[] => [
        { type: 'conv', name: `${x}c`, out: 4, kernel: 1, bias: true, inputs: ['mp'] },
        { type: 'batchnorm', name: `${x}bn` },
        { type: 'lif', name: x, lam: 0.5, gain: 0.5, theta: 0.5 },
      ]),
      { type: 'ssa', name: 'attn', heads: 2, scale: 0.5, inputs: ['q', 'k', 'v'] },
      // Batch norm here (not in Spikformer) moves the neuron's input off exact zeros, where the surrogate has a kink that finite differences cannot cross.
      { type: 'batchnorm', name: 'attn_bn' },
      { type: 'lif', name: 'attn_lif', lam: 0.5, gain: 0.5, theta: 0.5 },
      { type: 'conv', name: 'proj', out: 4, kernel: 1, bias: true },
      { type: 'batchnorm', name: 'proj_bn' },
      { type: 'lif', name: 'proj_lif', lam: 0.5, gain: 0.5, theta: 0.5 },
      { type: 'add', name: 'res', inputs: ['mp', 'proj_lif'] },
      { type: 'globalavgpool', name: 'gap' },
      { type: 'out', out: 3 },
    ],
    batch: 2, T: 3, lam: 0.9, theta: 1.0, gain: 3.0,
  },
  {
    name: "transformer: the Spike-driven Transformer's SDSA (K (.) V masks, token sum, LIF, Q mask), membrane shortcut",
    inputShape: [4, 3, 3],
    layers: [
      { type: 'conv', name: 'stem', out: 4, kernel: 1 },
      { type: 'batchnorm', name: 'bn0' },
      { type: 'lif', name: 'n0', lam: 0.5, gain: 0.5, theta: 0.5 },
      ...(['q', 'k', 'v'] as const).flatMap((x): LayerSpec[] => [
        { type: 'conv', name: `${x}c`, out: 4, kernel: 1, inputs: ['n0'] },
        { type: 'batchnorm', name: `${x}bn` },
        { type: 'lif', name: x, lam: 0.5, gain: 0.5, theta: 0.5 },
      ]),
      { type: 'mul', name: 'kv', inputs: ['k', 'v'] },
      { type: 'tokensum', name: 'kvsum' },
      // Off exact zeros (see the SSA case).
      { type: 'batchnorm', name: 'kvsum_bn' },
      { type: 'lif', name: 'kv_lif', lam: 0.5, gain: 0.5, theta: 0.5 },
      { type: 'mul', name: 'qkv', inputs: ['q', 'kv_lif'] },
      { type: 'conv', name: 'proj', out: 4, kernel: 1, bias: true },
      { type: 'batchnorm', name: 'proj_bn' },
      { type: 'add', name: 'res', inputs: ['bn0', 'proj_bn'] },
      { type: 'lif', name: 'head_lif', lam: 0.5, gain: 0.5, theta: 0.5 },
      { type: 'out', out: 3 },
    ],
    batch: 2, T: 3, lam: 0.9, theta: 1.0, gain: 3.0,
  },
];

describe('BPTT gradients against finite differences', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const net = resolveNetwork({ name: c.name, inputShape: c.inputShape, layers: c.layers });
      const rng = new Rng(42, c.name);
      const weights = net.layers.map((l) => {
        const params: Record<string, Float64Array> = {};
        for (const d of l.params) {
          const w = new Float64Array(d.shape.reduce((x, y) => x * y, 1));
          // Off their initial constants, so that every parameter's gradient is exercised.
          for (let i = 0; i < w.length; i++) w[i] = d.init.kind === 'normal' ? (rng.nextNormal() * c.gain) / Math.sqrt(d.init.fanIn) : d.init.value + 0.2 * rng.nextNormal();
          params[d.name] = w;
        }
        return params;
      });
      const n = c.batch * net.inSize;
      const inputs = Array.from({ length: c.T }, () => {
        const x = new Float64Array(n);
        for (let i = 0; i < n; i++) x[i] = rng.nextFloat();
        return x;
      });
      const labels = Array.from({ length: c.batch }, () => rng.nextInt(net.classes));
      const r = runBptt(net, weights, inputs, labels, { T: c.T, lam: c.lam, theta: c.theta });
      const opts = [inputs, labels, c.T, c.lam, c.theta, r.layers] as const;
      // The linearised function agrees with the real forward pass at the point.
      expect(linearisedLoss(net, weights, ...opts)).toBeCloseTo(r.loss, 12);
      // Some neurons fire and some gradients flow, or the check would be vacuous.
      for (const d of r.densities.filter((x) => x.kind === 'lif' || x.kind === 'if')) {
        expect(d.overall.spike).toBeGreaterThan(0);
        expect(d.overall.du).toBeGreaterThan(0);
      }
      const eps = 1e-6;
      let checked = 0;
      for (const tr of r.layers) {
        for (const [name, grad] of Object.entries(tr.grads)) {
          const w = weights[tr.layer.index]![name]!;
          // The largest gradients and a few random entries of every parameter tensor.
          const byMagnitude = [...grad.keys()].sort((a, b) => Math.abs(grad[b]!) - Math.abs(grad[a]!));
          const picks = new Set([...byMagnitude.slice(0, 4), ...Array.from({ length: 3 }, () => rng.nextInt(w.length))]);
          for (const i of picks) {
            const w0 = w[i]!;
            w[i] = w0 + eps;
            const lp = linearisedLoss(net, weights, ...opts);
            w[i] = w0 - eps;
            const lm = linearisedLoss(net, weights, ...opts);
            w[i] = w0;
            const fd = (lp - lm) / (2 * eps);
            expect(Math.abs(fd - grad[i]!), `${tr.layer.name} d${name}[${i}] = ${grad[i]}, finite difference ${fd}`).toBeLessThanOrEqual(1e-6 * Math.max(1e-3, Math.abs(fd)));
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(10);
    });
  }
});
