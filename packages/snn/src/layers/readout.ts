/**
 * `readout`: the loss head without weights, NIR's Output node. Its output is its input, and
 * the logits are their mean over time, (1/T) sum_t x[t]: of spikes, the firing rate of the
 * last neuron layer (snnTorch's `ce_rate_loss`); of an integrator, its mean potential.
 * dx[t] = dI = (softmax(logits) - onehot) / (T * batch), the same at every step: the
 * accelerator computes it once (once per loss window under algorithms with several, as
 * `out` does) and copies it into each step's input gradient.
 */
import type { LayerKind, LoweringContext, TensorRef } from '@sata/plugin-api';

const logitsRef = (ctx: LoweringContext<Record<string, never>>): TensorRef =>
  ctx.own('logits', { partition: 'misc', bits: ctx.mode === 'snn' ? ctx.bits.membrane : ctx.bits.activation, elements: ctx.batch * ctx.layer.outSize, value: 'real' });

const gradRef = (ctx: LoweringContext<Record<string, never>>): TensorRef =>
  ctx.own('dI', { partition: 'gradients', bits: ctx.mode === 'snn' ? ctx.bits.gradient : ctx.bits.activation, elements: ctx.batch * ctx.layer.outSize, value: 'real' });

export const readoutKind: LayerKind<Record<string, never>> = {
  name: 'readout',
  version: '1.0.0',
  description: 'The loss head without weights (NIR Output): logits = the mean over time of its input (spike rates)',
  fields: {},
  head: true,
  timing: 'step',
  parse: () => ({}),
  infer: (_a, inputs) => ({ outShape: inputs[0]!.shape, value: inputs[0]!.value, role: 'current' }),
  forward: (ctx) => ({ y: ctx.inputs[0]!.map((x) => x.slice()) }),
  backward: (ctx) => ({ dx: [ctx.needsInputGrad[0] ? ctx.dy.map((d) => d.slice()) : null], grads: {} }),
  lower(ctx, pass, t) {
    const l = ctx.layer;
    const n = ctx.batch * l.outSize;
    const steps = t === null ? ctx.steps : [t];
    if (pass === 'forward') {
      for (const tt of steps) {
        const logits = logitsRef(ctx);
        ctx.vector(ctx.mode === 'ann'
          ? { stage: 'FP', label: `${l.name}/FP/logits`, unit: 'elementwise', elements: n, bits: ctx.bits.activation, ops: { component: 'relu', perElement: { register: 1 } }, traffic: [{ ref: ctx.input(0, tt), access: 'read' }, { ref: logits, access: 'write' }] }
          : {
            stage: 'FP', t: tt, label: `${l.name}/FP/t${tt + 1}/integrate`, unit: 'elementwise', elements: n, bits: ctx.bits.membrane,
            ops: { component: 'lif', perElement: { add: 1 } },
            traffic: [{ ref: ctx.input(0, tt), access: 'read' }, ...(ctx.algorithm.continuesLossWindow(tt) ? [{ ref: logits, access: 'read' as const }] : []), { ref: logits, access: 'write' }],
          });
      }
      return;
    }
    // Last step first, as BPTT runs: dI exists before any copy reads it.
    for (const tt of [...steps].reverse()) {
      if (t === null ? tt === ctx.T - 1 : ctx.algorithm.startsLossWindow(tt)) {
        ctx.vector({
          stage: 'BP', t: tt, label: `${l.name}/BP/output-gradient${ctx.algorithm.lossWindows === 1 ? '' : `/t${tt + 1}`}`, unit: 'elementwise', elements: n, bits: ctx.mode === 'snn' ? ctx.bits.gradient : ctx.bits.activation,
          ops: { component: 'gradientUnit', perElement: { add: 1, multiply: 1 } },
          traffic: [{ ref: logitsRef(ctx), access: 'read' }, { ref: gradRef(ctx), access: 'write' }],
        });
      }
      const dx = ctx.inputGrad(0, tt);
      if (!dx) continue;
      // The input gradient of every step is dI: a copy (data movement only).
      ctx.vector({
        stage: 'BP', t: tt, label: `${l.name}/BP${ctx.mode === 'snn' ? `/t${tt + 1}` : ''}/copy`, unit: 'vector', elements: n, bits: dx.bits,
        ops: { component: 'vector', perElement: {} },
        traffic: [{ ref: gradRef(ctx), access: 'read' }, { ref: dx, access: 'write' }],
      });
    }
  },
  denseOps: (l, batch) => ({ FP: batch * l.outSize, BP: 0, WG: 0 }),
  density: { output: () => 1, inputGrad: () => 1 },
};
