/**
 * `out`: the loss head, a linear layer that integrates and never fires:
 * logits = (1/T) sum_t (W x[t] (+ b)); dI[t] = (softmax(logits) - onehot) / (T * batch), the
 * same at every step, so the accelerator computes it once and its BP GEMM reads it T times
 * (algorithms with several loss windows compute it once per window).
 */
import type { LayerKind, LoweringContext, TensorRef } from '@sata/plugin-api';
import { lowerWeightedGemms } from './common.js';
import { linearBase, linearGemms, type LinearAttrs } from './fc.js';

function logitsRef(ctx: LoweringContext<LinearAttrs>): TensorRef {
  const n = ctx.batch * ctx.layer.outSize;
  return ctx.own('logits', { partition: 'misc', bits: ctx.mode === 'snn' ? ctx.bits.membrane : ctx.bits.activation, elements: n, value: 'real' });
}

function gradRef(ctx: LoweringContext<LinearAttrs>): TensorRef {
  return ctx.own('dI', { partition: 'gradients', bits: ctx.mode === 'snn' ? ctx.bits.gradient : ctx.bits.activation, elements: ctx.batch * ctx.layer.outSize, value: 'real' });
}

/** FP of the SNN at step t: the current is added into the logits, which restart at a loss window's first step (the mean's 1/T folds into dI). */
function integrate(ctx: LoweringContext<LinearAttrs>, t: number): void {
  const l = ctx.layer;
  const n = ctx.batch * l.outSize;
  const logits = logitsRef(ctx);
  ctx.vector({
    stage: 'FP', t, label: `${l.name}/FP/t${t + 1}/integrate`, unit: 'elementwise', elements: n, bits: ctx.bits.membrane,
    ops: { component: 'lif', perElement: { add: 1 } },
    traffic: [{ ref: ctx.output(t), access: 'read' }, ...(ctx.algorithm.continuesLossWindow(t) ? [{ ref: logits, access: 'read' as const }] : []), { ref: logits, access: 'write' }],
  });
}

export const outKind: LayerKind<LinearAttrs> = {
  name: 'out',
  version: '2.0.0',
  description: 'The output layer: linear, integrated over time into the logits (never fires); cross-entropy loss',
  ...linearBase,
  head: true,
  lower(ctx, pass, t) {
    const l = ctx.layer;
    const n = ctx.batch * l.outSize;
    if (pass === 'forward') {
      lowerWeightedGemms(ctx, 'forward', t, linearGemms, () => gradRef(ctx), false);
      if (ctx.mode === 'ann') {
        ctx.vector({
          stage: 'FP', label: `${l.name}/FP/logits`, unit: 'elementwise', elements: n, bits: ctx.bits.activation,
          ops: { component: 'relu', perElement: { register: 1 } },
          traffic: [{ ref: ctx.output(t), access: 'read' }, { ref: logitsRef(ctx), access: 'write' }],
        });
      } else if (t === null) for (const tt of ctx.steps) integrate(ctx, tt);
      else integrate(ctx, t);
      return;
    }
    // The output gradient, computed once per loss window (BPTT: once, at the first backward step, t = T).
    const start = t === null ? ctx.steps[ctx.steps.length - 1]! : t;
    if (ctx.algorithm.startsLossWindow(start)) {
      ctx.vector({
        stage: 'BP', t: start, label: `${l.name}/BP/output-gradient${ctx.algorithm.lossWindows === 1 ? '' : `/t${start + 1}`}`, unit: 'elementwise', elements: n, bits: ctx.mode === 'snn' ? ctx.bits.gradient : ctx.bits.activation,
        ops: { component: 'gradientUnit', perElement: { add: 1, multiply: 1 } },
        traffic: [{ ref: logitsRef(ctx), access: 'read' }, { ref: gradRef(ctx), access: 'write' }],
      });
    }
    // dI is dense: its BP GEMM is not gated.
    lowerWeightedGemms(ctx, 'backward', t, linearGemms, () => gradRef(ctx), false);
  },
  density: { output: () => 1, inputGrad: () => 1 },
};
