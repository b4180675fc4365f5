/**
 * `li` (and `i`, the same with lam = 1): leaky integrators that never fire, NIR's LI and I.
 * Their output is the membrane potential itself (a current), as a readout before the loss:
 *   u[t] = lam u[t-1] + g x[t];  y[t] = u[t]
 *   du[t] = dy[t] + lam du[t+1] (no temporal term across a training algorithm's cut);  dx[t] = g du[t]
 * On the accelerator each step is a multiply-add per neuron on the vector unit (the leak
 * multiply is left out when lam = 1, the gain's when g = 1); so is each backward step.
 */
import { ConfigError } from '@sata/core';
import type { LayerKind, LoweringContext, TensorRef } from '@sata/plugin-api';
import { alloc } from '../tensor.js';
import { dtypeOfArray, numField } from './common.js';

export interface LiAttrs {
  readonly lam?: number;
  readonly gain: number;
}

const lamOf = (ctx: { layer: { attrs: LiAttrs }; neuron: { lam: number } }): number => ctx.layer.attrs.lam ?? ctx.neuron.lam;

function parseGain(raw: Readonly<Record<string, unknown>>, where: string): number {
  const gain = numField(raw, 'gain', where, {}) ?? 1;
  if (gain === 0) throw new ConfigError(`${where}: field "gain" must be nonzero`);
  return gain;
}

/** Whether the leak is a multiply: lam is known and 1 only for `i` (or a spec that says so). */
const leaks = (a: LiAttrs): boolean => a.lam !== 1;

function lower(ctx: LoweringContext<LiAttrs>, pass: 'forward' | 'backward', t: number | null): void {
  const l = ctx.layer;
  if (t === null) throw new ConfigError(`layer ${l.name}: an integrator runs one step at a time`);
  const n = ctx.batch * l.outSize;
  const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
  const gained = l.attrs.gain !== 1;
  const carry = ctx.mode === 'snn' && t > 0;
  if (pass === 'forward') {
    ctx.vector({
      stage: 'FP', label: `${l.name}/FP${tl}/integrate`, unit: 'vector', elements: n, bits: ctx.bits.membrane,
      ops: { component: 'vector', perElement: { multiply: (carry && leaks(l.attrs) ? 1 : 0) + (gained ? 1 : 0), add: carry ? 1 : 0 } },
      traffic: [{ ref: ctx.input(0, t), access: 'read' }, ...(carry ? [{ ref: ctx.output(t - 1), access: 'read' as const }] : []), { ref: ctx.output(t), access: 'write' }],
    });
    return;
  }
  const dx = ctx.inputGrad(0, t);
  if (!dx) return;
  const next = ctx.mode === 'snn' && t < ctx.T - 1 && !ctx.algorithm.cutBefore(t + 1);
  // du is dx unless a gain scales it (then it is a tensor of its own).
  const du = (tt: number): TensorRef => (gained ? ctx.own('du', { t: tt, partition: 'gradients', bits: ctx.bits.gradient, elements: n, value: 'real' }) : ctx.inputGrad(0, tt)!);
  const traffic: { ref: TensorRef; access: 'read' | 'write' }[] = [{ ref: ctx.outputGrad(t), access: 'read' }];
  if (next) traffic.push({ ref: du(t + 1), access: 'read' });
  // With a gain, du[t] is kept for step t-1 and dx = g du[t] written from the same register.
  if (gained && ctx.mode === 'snn' && t > 0) traffic.push({ ref: du(t), access: 'write' });
  traffic.push({ ref: dx, access: 'write' });
  ctx.vector({
    stage: 'BP', label: `${l.name}/BP${tl}/integrate`, unit: 'vector', elements: n, bits: ctx.bits.gradient,
    ops: { component: 'vector', perElement: { multiply: (next && leaks(l.attrs) ? 1 : 0) + (gained ? 1 : 0), add: next ? 1 : 0 } },
    traffic,
  });
}

const base = {
  version: '1.0.0',
  timing: 'step' as const,
  infer: (_a: LiAttrs, inputs: readonly { shape: readonly [number, number, number] }[]) => ({ outShape: inputs[0]!.shape, value: 'real' as const, role: 'current' as const }),
  forward(ctx: Parameters<LayerKind<LiAttrs>['forward']>[0]) {
    const lam = lamOf(ctx);
    const g = ctx.layer.attrs.gain;
    const y: Float32Array[] = [];
    ctx.inputs[0]!.forEach((x, t) => {
      const u = alloc(dtypeOfArray(x), x.length) as Float32Array;
      const pu = t > 0 ? y[t - 1]! : null;
      for (let i = 0; i < u.length; i++) {
        const gx = g === 1 ? x[i]! : g * x[i]!;
        u[i] = pu === null ? gx : lam * pu[i]! + gx;
      }
      y.push(u);
    });
    return { y };
  },
  backward(ctx: Parameters<LayerKind<LiAttrs>['backward']>[0]) {
    if (!ctx.needsInputGrad[0]) return { dx: [null], grads: {} };
    const lam = lamOf(ctx);
    const g = ctx.layer.attrs.gain;
    const du: Float32Array[] = new Array(ctx.T);
    for (let t = ctx.T - 1; t >= 0; t--) {
      const dy = ctx.dy[t]!;
      const d = alloc(dtypeOfArray(dy), dy.length) as Float32Array;
      // No temporal term where the training algorithm makes u[t] enter u[t+1] as a constant.
      const next = t + 1 < ctx.T && !ctx.algorithm.cutBefore(t + 1) ? du[t + 1]! : null;
      for (let i = 0; i < d.length; i++) d[i] = next ? dy[i]! + lam * next[i]! : dy[i]!;
      du[t] = d;
    }
    return { dx: [g === 1 ? du : du.map((d) => d.map((v) => g * v) as Float32Array)], grads: {} };
  },
  lower,
  denseOps: (l: { outSize: number }, batch: number) => ({ FP: 2 * batch * l.outSize, BP: 2 * batch * l.outSize, WG: 0 }),
  // The potential is nonzero once any input has arrived, and so is its gradient: dense.
  density: { output: () => 1, inputGrad: () => 1 },
};

export const liKind: LayerKind<LiAttrs> = {
  ...base,
  name: 'li',
  description: 'Leaky integrator that never fires (NIR LI): u = lam u + g x, the output is u',
  fields: { lam: "leak per step (default: the run's lif.leak)", gain: 'input gain (1)' },
  parse: (raw, where) => ({ ...(raw['lam'] !== undefined ? { lam: numField(raw, 'lam', where, { min: 0, max: 1 })! } : {}), gain: parseGain(raw, where) }),
};

export const iKind: LayerKind<LiAttrs> = {
  ...base,
  name: 'i',
  description: 'Integrator that never fires (NIR I): u = u + g x, the output is u',
  fields: { gain: 'input gain (1)' },
  parse: (raw, where) => ({ lam: 1, gain: parseGain(raw, where) }),
};
