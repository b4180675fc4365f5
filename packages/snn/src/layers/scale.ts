/**
 * `scale`: multiplies its input by a fixed factor, one for all values or one per channel
 * (NIR's Scale): y[c] = f[c] x[c]; dx[c] = f[c] dy[c]. The factor is part of the network,
 * not a trained parameter. Scaled spikes are no longer binary: the next layer multiplies.
 * On the accelerator: a multiply per element on the vector unit, forward and backward.
 */
import { ConfigError } from '@sata/core';
import type { LayerKind, LoweringContext } from '@sata/plugin-api';
import { alloc, type FloatArray } from '../tensor.js';
import { dtypeOfArray, quote } from './common.js';

export interface ScaleAttrs {
  /** One factor, or one per channel. */
  readonly factor: number | readonly number[];
}

function parse(raw: Readonly<Record<string, unknown>>, where: string): ScaleAttrs {
  const f = raw['factor'];
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (ok(f)) return { factor: f };
  if (Array.isArray(f) && f.length > 0 && f.every(ok)) return { factor: f };
  throw new ConfigError(`${where}: field "factor" must be a number or a non-empty list of numbers (one per channel), found ${quote(f)}`);
}

/** y[b, c, p] = f[c] x[b, c, p]. */
function scaled(a: ScaleAttrs, x: FloatArray, C: number, P: number): FloatArray {
  const y = alloc(dtypeOfArray(x), x.length);
  const per = typeof a.factor === 'number' ? null : a.factor;
  for (let i = 0; i < x.length; i++) y[i] = (per ? per[Math.floor(i / P) % C]! : (a.factor as number)) * x[i]!;
  return y;
}

function lower(ctx: LoweringContext<ScaleAttrs>, pass: 'forward' | 'backward', t: number | null): void {
  const l = ctx.layer;
  if (t === null) throw new ConfigError(`layer ${l.name}: scale runs one step at a time`);
  const n = ctx.batch * l.outSize;
  const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
  const ops = { component: 'vector', perElement: { multiply: 1 } };
  if (pass === 'forward') {
    ctx.vector({ stage: 'FP', label: `${l.name}/FP${tl}/scale`, unit: 'vector', elements: n, bits: ctx.output(t).bits, ops, traffic: [{ ref: ctx.input(0, t), access: 'read' }, { ref: ctx.output(t), access: 'write' }] });
    return;
  }
  const dx = ctx.inputGrad(0, t);
  if (dx) ctx.vector({ stage: 'BP', label: `${l.name}/BP${tl}/scale`, unit: 'vector', elements: n, bits: dx.bits, ops, traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: dx, access: 'write' }] });
}

export const scaleKind: LayerKind<ScaleAttrs> = {
  name: 'scale',
  version: '1.0.0',
  description: 'Multiplies by a fixed factor, one or one per channel (NIR Scale)',
  fields: { factor: 'a number, or a list with one per channel' },
  timing: 'step',
  parse,
  infer(a, inputs, where) {
    const s = inputs[0]!.shape;
    if (typeof a.factor !== 'number' && a.factor.length !== s[0]) throw new ConfigError(`${where}: ${a.factor.length} factors for an input of ${s[0]} channels (shape ${s.join('x')})`);
    return { outShape: s, value: 'real', role: inputs[0]!.role };
  },
  forward(ctx) {
    const [C, H, W] = ctx.layer.inShape;
    return { y: ctx.inputs[0]!.map((x) => scaled(ctx.layer.attrs, x, C, H * W)) };
  },
  backward(ctx) {
    if (!ctx.needsInputGrad[0]) return { dx: [null], grads: {} };
    const [C, H, W] = ctx.layer.inShape;
    return { dx: [ctx.dy.map((d) => scaled(ctx.layer.attrs, d, C, H * W))], grads: {} };
  },
  lower,
  denseOps: (l, batch) => ({ FP: batch * l.outSize, BP: l.inputs[0] !== -1 ? batch * l.outSize : 0, WG: 0 }),
  density: {
    // A zero factor zeroes its channel; otherwise zeros stay where they were.
    output: (l, inputs) => inputs[0]! * nonzeroShare(l.attrs),
    inputGrad: (l, dy) => dy * nonzeroShare(l.attrs),
  },
};

const nonzeroShare = (a: ScaleAttrs): number => (typeof a.factor === 'number' ? (a.factor !== 0 ? 1 : 0) : a.factor.filter((f) => f !== 0).length / a.factor.length);
