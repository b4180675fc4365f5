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

/** The surrogate-linearised loss around the recorded point (see the file comment). */
function linearisedLoss(net: Network, weights: (Float64Array | null)[], inputs: Float64Array[], labels: number[], T: number, lam: number, theta: number, at: LayerTrace[]): number {
  const B = labels.length;
  const classes = net.classes;
  const acc = new Float64Array(B * classes);
  const u: (Float64Array | null)[] = net.layers.map(() => null);
  for (let t = 0; t < T; t++) {
    let h = inputs[t]!;
    for (const l of net.layers) {
      const tr = at[l.index]!;
      if (tr.kind === 'pool') {
        const argmax = tr.steps[t]!.argmax;
        const y = new Float64Array(argmax.length);
        for (let o = 0; o < y.length; o++) y[o] = h[argmax[o]!]!;
        h = y;
        continue;
      }
      const w = weights[l.index]!;
      let I: Float64Array;
      if (l.kind === 'conv') {
        const [C, H, W] = l.inShape;
        I = naiveConv(h, w, B, C, H, W, l.outShape[0], l.kernel, l.stride, l.padding, l.outShape[1], l.outShape[2]);
      } else {
        I = new Float64Array(B * l.outSize);
        for (let b = 0; b < B; b++)
          for (let o = 0; o < l.outSize; o++) {
            let a = 0;
            for (let i = 0; i < l.inSize; i++) a += w[o * l.inSize + i]! * h[b * l.inSize + i]!;
            I[b * l.outSize + o] = a;
          }
      }
      if (tr.kind === 'out') {
        for (let i = 0; i < acc.length; i++) acc[i] += I[i]!;
        h = I;
        continue;
      }
      if (tr.kind !== 'conv' && tr.kind !== 'fc') throw new Error('unreachable');
      const rec = tr.steps[t]!;
      const prevS = t > 0 ? tr.steps[t - 1]!.s : null;
      const un = new Float64Array(I.length);
      const s = new Float64Array(I.length);
      for (let i = 0; i < I.length; i++) {
        un[i] = prevS ? lam * u[l.index]![i]! * (1 - prevS[i]!) + I[i]! : I[i]!;
        s[i] = rec.s[i]! + F(un[i]!, theta) - F(rec.u[i]!, theta);
      }
      u[l.index] = un;
      h = s;
    }
  }
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
];

describe('BPTT gradients against finite differences', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const net = resolveNetwork({ name: c.name, inputShape: c.inputShape, layers: c.layers });
      const rng = new Rng(42, c.name);
      const weights = net.layers.map((l) => {
        if (!l.weightCount) return null;
        const w = new Float64Array(l.weightCount);
        for (let i = 0; i < w.length; i++) w[i] = (rng.nextNormal() * c.gain) / Math.sqrt(l.fanIn);
        return w;
      });
      const n = c.batch * net.layers[0]!.inSize;
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
      for (const d of r.densities.filter((x) => x.kind === 'conv' || x.kind === 'fc')) {
        expect(d.overall.spike).toBeGreaterThan(0);
        expect(d.overall.du).toBeGreaterThan(0);
      }
      const eps = 1e-6;
      let checked = 0;
      for (const tr of r.layers) {
        if (!tr.dW) continue;
        const w = weights[tr.layer.index]!;
        // The largest gradients and a few random entries of every weight tensor.
        const byMagnitude = [...tr.dW.keys()].sort((a, b) => Math.abs(tr.dW[b]!) - Math.abs(tr.dW[a]!));
        const picks = new Set([...byMagnitude.slice(0, 4), ...Array.from({ length: 4 }, () => rng.nextInt(w.length))]);
        for (const i of picks) {
          const w0 = w[i]!;
          w[i] = w0 + eps;
          const lp = linearisedLoss(net, weights, ...opts);
          w[i] = w0 - eps;
          const lm = linearisedLoss(net, weights, ...opts);
          w[i] = w0;
          const fd = (lp - lm) / (2 * eps);
          expect(Math.abs(fd - tr.dW[i]!), `${tr.layer.name} dW[${i}] = ${tr.dW[i]}, finite difference ${fd}`).toBeLessThanOrEqual(1e-6 * Math.max(1e-3, Math.abs(fd)));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
    });
  }
});
