/**
 * The masks and sums of the Spike-driven Transformer's attention (Yao et al., NeurIPS 2023;
 * BICLab/Spike-Driven-Transformer, module/ms_conv.py, MS_SSA_Conv): kv = K (.) V, summed
 * over the tokens, a LIF (threshold 0.5), then Q (.) lif(sum). No matrix products.
 * - `mul`: the elementwise product of two inputs; the second may be [C, 1, 1], broadcast
 *   over the positions. Of two spike tensors it is an AND (a mask) on the vector unit, of
 *   a spike and a value a mux, else a multiply. Backward: da = dy (.) b, db = dy (.) a
 *   (summed over the positions where b is broadcast); a mask of spikes is a mux.
 * - `tokensum`: the sum over the positions (tokens) per channel, [C, H, W] -> [C, 1, 1]:
 *   of spikes an integer count of ceil(log2(N + 1)) bits. Backward: every position gets dy.
 */
import { ConfigError } from '@sata/core';
import type { LayerKind, LoweringContext } from '@sata/plugin-api';
import { alloc } from '../tensor.js';
import { dtypeOfArray, fmtShape } from './common.js';
import { channelSumKind } from './pool.js';

type NoAttrs = Record<string, never>;

/** Product class of two operands: AND of spikes, a mux of a value by a spike, else a multiply. */
function productOp(a: boolean, b: boolean): string {
  if (a && b) return 'and';
  return a || b ? 'mux' : 'multiply';
}

export const mulKind: LayerKind<NoAttrs> = {
  name: 'mul',
  version: '1.0.0',
  description: 'Elementwise product of two inputs, the second [C,H,W] or [C,1,1] broadcast over positions (of spikes: an AND mask)',
  fields: {},
  arity: { min: 2, max: 2 },
  timing: 'step',
  parse: () => ({}),
  infer(_a, inputs, where) {
    const [a, b] = [inputs[0]!, inputs[1]!];
    const same = fmtShape(a.shape) === fmtShape(b.shape);
    const broadcast = b.shape[0] === a.shape[0] && b.shape[1] === 1 && b.shape[2] === 1;
    if (!same && !broadcast) throw new ConfigError(`${where}: mul needs inputs of one shape, or a second of [C,1,1] with the first's channels; found ${a.name} ${fmtShape(a.shape)}, ${b.name} ${fmtShape(b.shape)}`);
    const spikes = a.value === 'spike' && b.value === 'spike';
    return { outShape: a.shape, value: spikes ? 'spike' : 'real', role: spikes ? 'activation' : a.role === 'current' || b.role === 'current' ? 'current' : 'activation' };
  },
  forward(ctx) {
    const l = ctx.layer;
    const [C, H, W] = l.outShape;
    const P = H * W;
    const bP = l.inShapes[1]![1] * l.inShapes[1]![2];
    const y = ctx.inputs[0]!.map((a, t) => {
      const b = ctx.inputs[1]![t]!;
      const out = alloc(dtypeOfArray(a), a.length);
      for (let bc = 0; bc < ctx.batch * C; bc++) for (let p = 0; p < P; p++) out[bc * P + p] = a[bc * P + p]! * b[bc * bP + (bP === 1 ? 0 : p)]!;
      return out;
    });
    return { y };
  },
  backward(ctx) {
    const l = ctx.layer;
    const [C, H, W] = l.outShape;
    const P = H * W;
    const bP = l.inShapes[1]![1] * l.inShapes[1]![2];
    const dx = [0, 1].map((i) => {
      if (!ctx.needsInputGrad[i]) return null;
      return ctx.dy.map((dy, t) => {
        const a = ctx.inputs[0]![t]!;
        const b = ctx.inputs[1]![t]!;
        const out = alloc(dtypeOfArray(dy), i === 0 ? a.length : b.length);
        for (let bc = 0; bc < ctx.batch * C; bc++)
          for (let p = 0; p < P; p++) {
            const j = bc * bP + (bP === 1 ? 0 : p);
            if (i === 0) out[bc * P + p] = dy[bc * P + p]! * b[j]!;
            else out[j] += dy[bc * P + p]! * a[bc * P + p]!;
          }
        return out;
      });
    });
    return { dx, grads: {} };
  },
  lower(ctx, pass, t) {
    const l = ctx.layer;
    if (t === null) throw new ConfigError(`layer ${l.name}: mul runs one step at a time`);
    const n = ctx.batch * l.outSize;
    const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
    const spike = (i: number): boolean => ctx.mode === 'snn' && ctx.input(i, t).value === 'spike';
    const [a, b] = [ctx.input(0, t), ctx.input(1, t)];
    if (pass === 'forward') {
      ctx.vector({
        stage: 'FP', label: `${l.name}/FP${tl}/mul`, unit: 'elementwise', elements: n, bits: ctx.output(t).bits,
        ops: { component: 'vector', perElement: { [productOp(spike(0), spike(1))]: 1 } },
        traffic: [{ ref: a, access: 'read' }, { ref: b, access: 'read' }, { ref: ctx.output(t), access: 'write' }],
      });
      return;
    }
    const broadcast = l.inShapes[1]![1] * l.inShapes[1]![2] === 1;
    [0, 1].forEach((i) => {
      const dx = ctx.inputGrad(i, t);
      if (!dx) return;
      // dy times the other operand: a mux where that operand is spikes; a broadcast operand's gradient also sums over positions.
      const ops: Record<string, number> = { [spike(1 - i) ? 'mux' : 'multiply']: 1, ...(i === 1 && broadcast ? { add: 1 } : {}) };
      ctx.vector({
        stage: 'BP', label: `${l.name}/BP${tl}/grad${i}`, unit: 'elementwise', elements: n, bits: dx.bits,
        ops: { component: 'vector', perElement: ops },
        traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: i === 0 ? b : a, access: 'read' }, { ref: dx, access: 'write' }],
      });
    });
  },
  denseOps: (l, batch) => ({ FP: batch * l.outSize, BP: 2 * batch * l.outSize, WG: 0 }),
  density: {
    output: (_l, inputs) => inputs[0]! * inputs[1]!,
    // At most the output gradient's (a mask keeps or zeroes it); taken as equal.
    inputGrad: (_l, dy) => dy,
  },
};

function lowerTokenSum(ctx: LoweringContext<NoAttrs>, pass: 'forward' | 'backward', t: number | null): void {
  const l = ctx.layer;
  if (t === null) throw new ConfigError(`layer ${l.name}: tokensum runs one step at a time`);
  const P = l.inShape[1] * l.inShape[2];
  const sums = ctx.batch * l.outSize;
  const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
  if (pass === 'forward') {
    ctx.vector({
      stage: 'FP', label: `${l.name}/FP${tl}/sum`, unit: 'elementwise', elements: sums, bits: ctx.output(t).bits,
      ops: { component: 'vector', perElement: { add: P - 1 } },
      traffic: [{ ref: ctx.input(0, t), access: 'read' }, { ref: ctx.output(t), access: 'write' }],
    });
    return;
  }
  const dx = ctx.inputGrad(0, t);
  if (!dx) return;
  // Every position of a channel gets the channel's gradient: a copy, no arithmetic.
  ctx.vector({
    stage: 'BP', label: `${l.name}/BP${tl}/spread`, unit: 'elementwise', elements: sums * P, bits: dx.bits,
    ops: { component: 'vector', perElement: {} },
    traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: dx, access: 'write' }],
  });
}

export const tokensumKind = channelSumKind('tokensum', '1.0.0', 'Sum over the positions (tokens) per channel: [C,1,1] (of spikes: an integer count)', false, lowerTokenSum);
