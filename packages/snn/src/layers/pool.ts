/**
 * Pooling kinds: `maxpool` (alias `pool`, format 1's 2x2 stride-2 max pooling of spikes: an OR),
 * `avgpool` (the mean over the window), `sumpool` (the sum over the window: NIR's SumPool2d)
 * and `globalavgpool` (the mean over H and W: [C]).
 * Max pooling routes each output gradient to the first maximal input of its window in
 * row-major order (PyTorch's rule; for a window without a spike, its first element); average
 * pooling spreads it evenly. On the accelerator max pooling compares on the pooling unit and
 * routes with a mux; average pooling adds on the vector unit and scales once per output
 * (its output is a count of spikes: the next layer's PE multiplies).
 */
import { ConfigError } from '@sata/core';
import type { LayerKind, LoweringContext, ResolvedLayer } from '@sata/plugin-api';
import { alloc } from '../tensor.js';
import { dtypeOfArray, fmtShape, intField } from './common.js';

export interface PoolAttrs {
  readonly k: number;
  readonly stride: number;
  /** Implicit padding on each side (max pooling only: padded positions never win). */
  readonly padding: number;
}

const pow2 = (n: number): boolean => (n & (n - 1)) === 0;
/** Scaling by 1/n: a shift when n is a power of two, else a multiply. */
const scaleOp = (n: number): string => (pow2(n) ? 'shift' : 'multiply');
const countBits = (n: number): number => Math.ceil(Math.log2(n + 1));

function parseWindow(raw: Readonly<Record<string, unknown>>, where: string): PoolAttrs {
  if (raw['kernel'] !== undefined && raw['k'] !== undefined) throw new ConfigError(`${where}: give either "kernel" or "k", not both`);
  const k = intField(raw, raw['kernel'] !== undefined ? 'kernel' : 'k', where, { def: 2 });
  return { k, stride: intField(raw, 'stride', where, { def: k }), padding: 0 };
}

function inferWindow(a: PoolAttrs, shape: readonly [number, number, number], where: string): [number, number, number] {
  const [C, H, W] = shape;
  const p = a.padding;
  if (H + 2 * p < a.k || W + 2 * p < a.k) throw new ConfigError(`${where}: ${a.k}x${a.k} pooling${p ? ` with padding ${p}` : ''} needs at least ${a.k - 2 * p}x${a.k - 2 * p} per channel, found ${fmtShape(shape)}`);
  return [C, Math.floor((H + 2 * p - a.k) / a.stride) + 1, Math.floor((W + 2 * p - a.k) / a.stride) + 1];
}

/**
 * Visits every max-pooling window: (output index, the input indices of its window inside
 * the input, in row-major order). Without padding every window is whole.
 */
function forEachPaddedWindow(l: ResolvedLayer<PoolAttrs>, batch: number, f: (o: number, inputs: readonly number[]) => void): void {
  const [C, H, W] = l.inShape;
  const [, Ho, Wo] = l.outShape;
  const { k, stride, padding: p } = l.attrs;
  const idx: number[] = [];
  let o = 0;
  for (let bc = 0; bc < batch * C; bc++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++, o++) {
        idx.length = 0;
        for (let r = 0; r < k; r++) {
          const h = oy * stride - p + r;
          if (h < 0 || h >= H) continue;
          for (let s = 0; s < k; s++) {
            const w = ox * stride - p + s;
            if (w >= 0 && w < W) idx.push((bc * H + h) * W + w);
          }
        }
        f(o, idx);
      }
}

/** Input positions that max-pooling windows cover, per sample (k*k per output without padding). */
function windowInputs(l: ResolvedLayer<PoolAttrs>): number {
  if (l.attrs.padding === 0) return l.outSize * l.attrs.k * l.attrs.k;
  let n = 0;
  forEachPaddedWindow(l, 1, (_o, inputs) => (n += inputs.length));
  return n;
}

/** Visits every window: (output index, the input indices of its window in row-major order). */
function forEachWindow(l: ResolvedLayer<PoolAttrs>, batch: number, f: (o: number, base: number, W: number) => void): void {
  const [C, H, W] = l.inShape;
  const [, Ho, Wo] = l.outShape;
  let o = 0;
  for (let bc = 0; bc < batch * C; bc++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++, o++) f(o, bc * H * W + oy * l.attrs.stride * W + ox * l.attrs.stride, W);
}

const windowFields = { k: 'window size (2; alias kernel)', kernel: 'window size', stride: 'stride (k)' };

export const maxpoolKind: LayerKind<PoolAttrs> = {
  name: 'maxpool',
  version: '2.0.0',
  description: 'Max pooling over k x k windows (of spikes: an OR); gradient to the first maximum of the window',
  fields: { ...windowFields, padding: 'implicit padding on each side (0); padded positions never win' },
  timing: 'step',
  parse: (raw, where) => ({ ...parseWindow(raw, where), padding: intField(raw, 'padding', where, { min: 0, def: 0 }) }),
  infer: (a, inputs, where) => {
    if (a.padding * 2 > a.k) throw new ConfigError(`${where}: padding ${a.padding} must be at most half the window ${a.k}`);
    return { outShape: inferWindow(a, inputs[0]!.shape, where), value: inputs[0]!.value, role: inputs[0]!.role };
  },
  forward(ctx) {
    const l = ctx.layer;
    const argmax: Int32Array[] = [];
    const y = ctx.inputs[0]!.map((x) => {
      const out = alloc(dtypeOfArray(x), ctx.batch * l.outSize);
      const am = new Int32Array(out.length);
      forEachPaddedWindow(l, ctx.batch, (o, inputs) => {
        let best = inputs[0]!;
        let v = x[best]!;
        for (const i of inputs) {
          // Strictly greater: ties keep the earlier element of the window.
          if (x[i]! > v) v = x[(best = i)]!;
        }
        out[o] = v;
        am[o] = best;
      });
      argmax.push(am);
      return out;
    });
    return { y, saved: argmax };
  },
  backward(ctx) {
    if (!ctx.needsInputGrad[0]) return { dx: [null], grads: {} };
    const argmax = ctx.fwd.saved as Int32Array[];
    const dx = ctx.dy.map((dy, t) => {
      const out = alloc(dtypeOfArray(dy), ctx.batch * ctx.layer.inSize);
      const am = argmax[t]!;
      for (let o = 0; o < dy.length; o++) out[am[o]!] += dy[o]!;
      return out;
    });
    return { dx: [dx], grads: {} };
  },
  lower(ctx, pass, t) {
    const l = ctx.layer;
    if (t === null) throw new ConfigError(`layer ${l.name}: pooling runs one step at a time`);
    const compares = ctx.batch * windowInputs(l);
    const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
    const input = ctx.input(0, t);
    if (pass === 'forward') {
      ctx.vector({
        stage: 'FP', label: `${l.name}/FP${tl}/pool`, unit: 'elementwise', elements: compares, bits: input.bits,
        ops: { component: 'pool', perElement: { compare: 1 } },
        traffic: [{ ref: input, access: 'read' }, { ref: ctx.output(t), access: 'write' }],
      });
      return;
    }
    const dx = ctx.inputGrad(0, t);
    if (!dx) return;
    // The window's inputs say which one was the first maximum: a mux per input.
    ctx.vector({
      stage: 'BP', label: `${l.name}/BP${tl}/route`, unit: 'elementwise', elements: compares, bits: dx.bits,
      ops: { component: 'pool', perElement: { mux: 1 } },
      traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: input, access: 'read' }, { ref: dx, access: 'write' }],
    });
  },
  denseOps: (l, batch) => ({ FP: batch * windowInputs(l), BP: batch * windowInputs(l), WG: 0 }),
  density: {
    // SATA_Sim's convention: a pooled spike map has the spike density of its input.
    output: (_l, inputs) => inputs[0]!,
    inputGrad: (l, dy) => (dy * l.outSize) / l.inSize,
  },
};

/**
 * FP and BP of an averaging kind: adds over each window and one scaling per output; BP
 * scales dy once and spreads it. A sum (`scale` false) has no scaling: BP only spreads.
 */
function lowerAverage(ctx: LoweringContext<any>, pass: 'forward' | 'backward', t: number | null, window: number, scale = true): void {
  const l = ctx.layer;
  if (t === null) throw new ConfigError(`layer ${l.name}: pooling runs one step at a time`);
  const outputs = ctx.batch * l.outSize;
  const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
  if (pass === 'forward') {
    ctx.vector({
      stage: 'FP', label: `${l.name}/FP${tl}/average`, unit: 'vector', elements: outputs, bits: ctx.output(t).bits,
      ops: { component: 'vector', perElement: { add: window - 1, ...(scale ? { [scaleOp(window)]: 1 } : {}) } },
      traffic: [{ ref: ctx.input(0, t), access: 'read' }, { ref: ctx.output(t), access: 'write' }],
    });
    return;
  }
  const dx = ctx.inputGrad(0, t);
  if (!dx) return;
  ctx.vector({
    stage: 'BP', label: `${l.name}/BP${tl}/spread`, unit: 'vector', elements: outputs, bits: dx.bits,
    ops: { component: 'vector', perElement: scale ? { [scaleOp(window)]: 1 } : {} },
    traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: dx, access: 'write' }],
  });
}

/** avgpool and sumpool: the window's sum, divided by its size for the mean. */
function windowSumKind(name: string, description: string, mean: boolean): LayerKind<PoolAttrs> {
  const div = (a: PoolAttrs): number => (mean ? a.k * a.k : 1);
  return {
    name,
    version: '2.0.0',
    description,
    fields: windowFields,
    timing: 'step',
    parse: parseWindow,
    infer: (a, inputs, where) => ({
      outShape: inferWindow(a, inputs[0]!.shape, where), value: 'real', role: inputs[0]!.role,
      ...(inputs[0]!.value === 'spike' ? { bits: countBits(a.k * a.k) } : {}),
    }),
    forward(ctx) {
      const l = ctx.layer;
      const k = l.attrs.k;
      const d = div(l.attrs);
      const y = ctx.inputs[0]!.map((x) => {
        const out = alloc(dtypeOfArray(x), ctx.batch * l.outSize);
        forEachWindow(l, ctx.batch, (o, base, W) => {
          let s = 0;
          for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) s += x[base + r * W + c]!;
          out[o] = mean ? s / d : s;
        });
        return out;
      });
      return { y };
    },
    backward(ctx) {
      if (!ctx.needsInputGrad[0]) return { dx: [null], grads: {} };
      const l = ctx.layer;
      const k = l.attrs.k;
      const d = div(l.attrs);
      const dx = ctx.dy.map((dy) => {
        const out = alloc(dtypeOfArray(dy), ctx.batch * l.inSize);
        forEachWindow(l, ctx.batch, (o, base, W) => {
          const g = mean ? dy[o]! / d : dy[o]!;
          for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) out[base + r * W + c] += g;
        });
        return out;
      });
      return { dx: [dx], grads: {} };
    },
    lower: (ctx, pass, t) => lowerAverage(ctx, pass, t, ctx.layer.attrs.k * ctx.layer.attrs.k, mean),
    denseOps: (l, batch) => ({ FP: batch * l.outSize * l.attrs.k * l.attrs.k, BP: batch * l.inSize, WG: 0 }),
    density: {
      output: (l, inputs) => 1 - (1 - inputs[0]!) ** (l.attrs.k * l.attrs.k),
      inputGrad: (_l, dy) => dy,
    },
  };
}

export const avgpoolKind = windowSumKind('avgpool', 'Average pooling over k x k windows (of spikes: a count, so the next layer multiplies)', true);
export const sumpoolKind = windowSumKind('sumpool', 'Sum pooling over k x k windows (NIR SumPool2d; of spikes: a count, so the next layer multiplies)', false);

/**
 * The sum over H and W per channel ([C, 1, 1]; of spikes: a count), divided by H*W for the
 * mean: globalavgpool, and the Spike-driven Transformer's token sum (with its own lowering).
 */
export function channelSumKind(name: string, version: string, description: string, mean: boolean, lower: LayerKind<Record<string, never>>['lower']): LayerKind<Record<string, never>> {
  return {
    name,
    version,
    description,
    fields: {},
    timing: 'step',
    parse: () => ({}),
    infer: (_a, inputs) => {
      const [C, H, W] = inputs[0]!.shape;
      return { outShape: [C, 1, 1], value: 'real', role: inputs[0]!.role, ...(inputs[0]!.value === 'spike' ? { bits: countBits(H * W) } : {}) };
    },
    forward(ctx) {
      const l = ctx.layer;
      const [C, H, W] = l.inShape;
      const P = H * W;
      const y = ctx.inputs[0]!.map((x) => {
        const out = alloc(dtypeOfArray(x), ctx.batch * C);
        for (let bc = 0; bc < ctx.batch * C; bc++) {
          let s = 0;
          for (let p = 0; p < P; p++) s += x[bc * P + p]!;
          out[bc] = mean ? s / P : s;
        }
        return out;
      });
      return { y };
    },
    backward(ctx) {
      if (!ctx.needsInputGrad[0]) return { dx: [null], grads: {} };
      const [C, H, W] = ctx.layer.inShape;
      const P = H * W;
      const dx = ctx.dy.map((dy) => {
        const out = alloc(dtypeOfArray(dy), ctx.batch * C * P);
        for (let bc = 0; bc < ctx.batch * C; bc++) out.fill(mean ? dy[bc]! / P : dy[bc]!, bc * P, (bc + 1) * P);
        return out;
      });
      return { dx: [dx], grads: {} };
    },
    lower,
    denseOps: (l, batch) => ({ FP: batch * l.inSize, BP: batch * l.inSize, WG: 0 }),
    density: {
      output: (l, inputs) => 1 - (1 - inputs[0]!) ** (l.inShape[1] * l.inShape[2]),
      inputGrad: (_l, dy) => dy,
    },
  };
}

export const globalavgpoolKind = channelSumKind('globalavgpool', '2.0.0', 'Mean over H and W per channel: [C]', true, (ctx, pass, t) => lowerAverage(ctx, pass, t, ctx.layer.inShape[1] * ctx.layer.inShape[2]));
