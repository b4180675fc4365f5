/**
 * `add`: the elementwise sum of two or more inputs of one shape. Of spikes it is SEW-ResNet's
 * ADD (an integer count: the next layer's PE then multiplies, no AND-gate shortcut); of
 * currents it is a membrane or post-BN shortcut (MS-ResNet, ResNet-19). Backward: every
 * input gets dy; where the add is an input's only reader that is the same tensor (no work).
 * The first operand stays live until the second exists (placement shows the kept tensor).
 */
import { ConfigError } from '@sata/core';
import type { LayerKind } from '@sata/plugin-api';
import { alloc } from '../tensor.js';
import { dtypeOfArray, fmtShape } from './common.js';

export const addKind: LayerKind<Record<string, never>> = {
  name: 'add',
  version: '2.0.0',
  description: 'Elementwise sum of two or more inputs of one shape (SEW ADD of spikes, or a shortcut of currents)',
  fields: {},
  arity: { min: 2, max: 16 },
  timing: 'step',
  parse: () => ({}),
  infer(_a, inputs, where) {
    const s = inputs[0]!.shape;
    for (const i of inputs.slice(1)) {
      if (i.shape.join('x') !== s.join('x')) throw new ConfigError(`${where}: add of different shapes: ${inputs.map((x) => `${x.name} ${fmtShape(x.shape)}`).join(', ')}`);
    }
    const spikes = inputs.every((i) => i.value === 'spike');
    const role = inputs.every((i) => i.role === 'activation') ? 'activation' : 'current';
    return { outShape: s, value: 'real', role, ...(spikes ? { bits: Math.ceil(Math.log2(inputs.length + 1)) } : {}) };
  },
  forward(ctx) {
    const y = Array.from({ length: ctx.T }, (_, t) => {
      const first = ctx.inputs[0]![t]!;
      const out = alloc(dtypeOfArray(first), first.length);
      for (const xs of ctx.inputs) {
        const x = xs[t]!;
        for (let i = 0; i < out.length; i++) out[i] += x[i]!;
      }
      return out;
    });
    return { y };
  },
  backward(ctx) {
    return { dx: ctx.inputs.map((_, i) => (ctx.needsInputGrad[i] ? ctx.dy.map((g) => g.slice()) : null)), grads: {} };
  },
  lower(ctx, pass, t) {
    const l = ctx.layer;
    const n = ctx.batch * l.outSize;
    if (t === null) throw new ConfigError(`layer ${l.name}: add runs one step at a time`);
    const tl = ctx.mode === 'snn' ? `/t${t + 1}` : '';
    if (pass === 'forward') {
      ctx.vector({
        stage: 'FP', label: `${l.name}/FP${tl}/add`, unit: 'vector', elements: n, bits: ctx.output(t).bits,
        ops: { component: 'vector', perElement: { add: l.inputs.length - 1 } },
        traffic: [...l.inputs.map((_, i) => ({ ref: ctx.input(i, t), access: 'read' as const })), { ref: ctx.output(t), access: 'write' }],
      });
      return;
    }
    l.inputs.forEach((_, i) => {
      if (ctx.aliasInputGrad(i)) return;
      const dx = ctx.inputGrad(i, t);
      if (!dx) return;
      // A copy of dy for an input that other layers also read (their gradients add onto it).
      ctx.vector({
        stage: 'BP', label: `${l.name}/BP${tl}/grad${i}`, unit: 'vector', elements: n, bits: dx.bits,
        ops: { component: 'vector', perElement: {} },
        traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: dx, access: 'write' }],
      });
    });
  },
  denseOps: (l, batch) => ({ FP: (l.inputs.length - 1) * batch * l.outSize, BP: 0, WG: 0 }),
  density: {
    output: (_l, inputs) => 1 - inputs.reduce((p, d) => p * (1 - d), 1),
    inputGrad: (_l, dy) => dy,
  },
};
