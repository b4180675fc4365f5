/**
 * `lif` (and `if`, the same neuron with lam = 1): a leaky integrate-and-fire neuron layer.
 *   zero reset:     u[t] = lam u[t-1] (1 - s[t-1]) + g x[t]
 *   subtract reset: u[t] = lam u[t-1] + g x[t] - theta s[t-1]
 *   s[t] = [u[t] - theta >= 0] (`compare: '>'`: [u[t] - theta > 0], NIR's and snnTorch's rule);
 *   sg[t] = max(0, 1 - |u[t] - theta| / theta)
 *   du[t] = ds[t] sg[t] + lam (1 - s[t]) du[t+1]   (subtract: + lam du[t+1]);  dx[t] = g du[t]
 * The input gain g (default 1) is NIR's r dt / tau (r for IF).
 * The reset factor is a constant (no gradient through s[t-1]). Fields left out take the
 * run's neuron parameters (`lif.leak`, `lif.threshold`), as the format-1 shorthand does.
 * On SATA: the LIF unit in FP, the gradient unit in BP (its multiply skipped where sg or
 * ds is zero); on the ANN baseline the same layer is a ReLU.
 */
import { ConfigError } from '@sata/core';
import type { BackwardContext, ForwardContext, LayerKind, LoweringContext, LoweringPass, NeuronDefaults, TensorRef } from '@sata/plugin-api';
import { alloc } from '../tensor.js';
import { dtypeOfArray, enumField, numField } from './common.js';

export interface LifAttrs {
  readonly lam?: number;
  readonly theta?: number;
  readonly reset: 'zero' | 'subtract';
  /** Input gain g (1: none). */
  readonly gain: number;
  /** Firing rule: u >= theta (default) or u > theta. */
  readonly compare: '>=' | '>';
}

const neuronOf = (a: LifAttrs, d: NeuronDefaults): { lam: number; theta: number } => ({ lam: a.lam ?? d.lam, theta: a.theta ?? d.theta });

function forward(ctx: ForwardContext<LifAttrs>): { y: Float32Array[]; state: { u: Float32Array[]; sg: Float32Array[] } } {
  const { lam, theta } = neuronOf(ctx.layer.attrs, ctx.neuron);
  if (!(theta > 0)) throw new ConfigError(`layer ${ctx.layer.name}: theta must be positive, found ${theta}`);
  const subtract = ctx.layer.attrs.reset === 'subtract';
  const { gain: g } = ctx.layer.attrs;
  const strict = ctx.layer.attrs.compare === '>';
  const xs = ctx.inputs[0]!;
  const dtype = dtypeOfArray(xs[0]!);
  const n = xs[0]!.length;
  const us: Float32Array[] = [];
  const ss: Float32Array[] = [];
  const sgs: Float32Array[] = [];
  for (let t = 0; t < ctx.T; t++) {
    const x = xs[t]!;
    const u = alloc(dtype, n) as Float32Array;
    const s = alloc(dtype, n) as Float32Array;
    const sg = alloc(dtype, n) as Float32Array;
    const pu = t > 0 ? us[t - 1]! : null;
    const ps = t > 0 ? ss[t - 1]! : null;
    for (let i = 0; i < n; i++) {
      // The reference's operation order (rounding in float32 depends on it).
      const gx = g === 1 ? x[i]! : g * x[i]!;
      u[i] = pu === null ? gx : subtract ? lam * pu[i]! + gx - theta * ps![i]! : lam * pu[i]! * (1 - ps![i]!) + gx;
      const v = u[i]!; // rounded to the dtype, as stored
      if (strict ? v - theta > 0 : v - theta >= 0) s[i] = 1;
      const h = 1 - Math.abs(v - theta) / theta;
      if (h > 0) sg[i] = h;
    }
    us.push(u);
    ss.push(s);
    sgs.push(sg);
  }
  return { y: ss, state: { u: us, sg: sgs } };
}

function backward(ctx: BackwardContext<LifAttrs>): { dx: Float32Array[][]; grads: Record<string, never>; state: { du: Float32Array[] } } {
  const { lam } = neuronOf(ctx.layer.attrs, ctx.neuron);
  const subtract = ctx.layer.attrs.reset === 'subtract';
  const s = ctx.fwd.y;
  const sg = ctx.fwd.state!['sg']!;
  const n = s[0]!.length;
  const dtype = dtypeOfArray(s[0]!);
  const du: Float32Array[] = new Array(ctx.T);
  for (let t = ctx.T - 1; t >= 0; t--) {
    const d = alloc(dtype, n) as Float32Array;
    const ds = ctx.dy[t]!;
    const st = s[t]!;
    const gt = sg[t]!;
    // No temporal term where the algorithm makes u[t] enter u[t+1] as a constant.
    const next = t + 1 < ctx.T && !ctx.algorithm.cutBefore(t + 1) ? du[t + 1]! : null;
    for (let i = 0; i < n; i++) {
      const carried = next ? (subtract ? lam * next[i]! : next[i]! * (1 - st[i]!) * lam) : 0;
      d[i] = ds[i]! * gt[i]! + carried;
    }
    du[t] = d;
  }
  const g = ctx.layer.attrs.gain;
  const dx = g === 1 ? du : du.map((d) => d.map((v) => g * v) as Float32Array);
  return { dx: [dx], grads: {}, state: { du } };
}

/** FP at step t: the LIF unit (SNN) or a ReLU (ANN). */
function lowerForward(ctx: LoweringContext<LifAttrs>, t: number): void {
  const l = ctx.layer;
  const neurons = ctx.batch * l.outSize;
  const B = ctx.bits;
  if (ctx.mode === 'ann') {
    ctx.vector({
      stage: 'FP', label: `${l.name}/FP/relu`, unit: 'elementwise', elements: neurons, bits: B.activation,
      ops: { component: 'relu', perElement: { compare: 1, mux: 1, register: 1 } },
      traffic: [{ ref: ctx.input(0, t), access: 'read' }, { ref: ctx.output(t), access: 'write' }],
    });
    return;
  }
  if (l.attrs.gain !== 1) gainMultiply(ctx, 'FP', t, neurons);
  const keepSurrogate = ctx.keepForBackward === 'surrogate';
  const last = t === ctx.T - 1;
  const u = (tt: number): TensorRef => ctx.own('u', { t: tt, partition: 'membrane', bits: B.membrane, elements: neurons, value: 'real' });
  const traffic: { ref: TensorRef; access: 'read' | 'write' }[] = [{ ref: ctx.input(0, t), access: 'read' }];
  // u[t-1] and s[t-1] for the leak and the reset.
  if (t > 0) traffic.push({ ref: u(t - 1), access: 'read' }, { ref: ctx.output(t - 1), access: 'read' });
  // BP needs u[t] unless it keeps sg[t] instead (the last step's u is then never read).
  if (!keepSurrogate || !last) traffic.push({ ref: u(t), access: 'write' });
  traffic.push({ ref: ctx.output(t), access: 'write' });
  if (keepSurrogate) traffic.push({ ref: ctx.own('sg', { t, partition: 'membrane', bits: B.gradient, elements: neurons, value: 'real' }), access: 'write' });
  ctx.vector({ stage: 'FP', label: `${l.name}/FP/t${t + 1}/lif`, unit: 'lif', elements: neurons, bits: B.membrane, traffic });
}

/** BP at step t: the gradient unit (SNN) or the ReLU mask (ANN). */
function lowerBackward(ctx: LoweringContext<LifAttrs>, t: number): void {
  const l = ctx.layer;
  const neurons = ctx.batch * l.outSize;
  const B = ctx.bits;
  const dx = ctx.inputGrad(0, t);
  if (!dx) return;
  if (ctx.mode === 'ann') {
    ctx.vector({
      stage: 'BP', label: `${l.name}/BP/relu-mask`, unit: 'elementwise', elements: neurons, bits: B.activation,
      ops: { component: 'relu', perElement: { mux: 1 } },
      traffic: [{ ref: ctx.outputGrad(t), access: 'read' }, { ref: ctx.output(t), access: 'read' }, { ref: dx, access: 'write' }],
    });
    return;
  }
  const keepSurrogate = ctx.keepForBackward === 'surrogate';
  const kept = keepSurrogate
    ? ctx.own('sg', { t, partition: 'membrane', bits: B.gradient, elements: neurons, value: 'real' })
    : ctx.own('u', { t, partition: 'membrane', bits: B.membrane, elements: neurons, value: 'real' });
  const traffic: { ref: TensorRef; access: 'read' | 'write' }[] = [
    { ref: ctx.outputGrad(t), access: 'read' },
    { ref: kept, access: 'read' },
    { ref: ctx.output(t), access: 'read' },
  ];
  // dx = du, unless a gain scales it: then du is a tensor of its own and dx = g du.
  const gained = l.attrs.gain !== 1;
  const du = (tt: number): TensorRef => (gained ? ctx.own('du', { t: tt, partition: 'gradients', bits: B.gradient, elements: neurons, value: 'real' }) : ctx.inputGrad(0, tt)!);
  if (t < ctx.T - 1 && !ctx.algorithm.cutBefore(t + 1)) traffic.push({ ref: du(t + 1), access: 'read' });
  traffic.push({ ref: du(t), access: 'write' });
  const skipped = ctx.gating ? ctx.gradientSkips(t) : 0;
  ctx.vector({ stage: 'BP', label: `${l.name}/BP/t${t + 1}/gradient`, unit: 'gradient', elements: neurons, bits: B.gradient, skipped: { multiply: skipped }, traffic });
  if (gained) gainMultiply(ctx, 'BP', t, neurons, [{ ref: du(t), access: 'read' }, { ref: dx, access: 'write' }]);
}

/** The input gain: a multiply per neuron on the vector unit (FP: on the current as the LIF unit reads it). */
function gainMultiply(ctx: LoweringContext<LifAttrs>, stage: 'FP' | 'BP', t: number, neurons: number, traffic: readonly { ref: TensorRef; access: 'read' | 'write' }[] = []): void {
  ctx.vector({
    stage, label: `${ctx.layer.name}/${stage}/t${t + 1}/gain`, unit: 'vector', elements: neurons, bits: stage === 'FP' ? ctx.bits.membrane : ctx.bits.gradient,
    ops: { component: 'vector', perElement: { multiply: 1 } }, traffic,
  });
}

function lower(ctx: LoweringContext<LifAttrs>, pass: LoweringPass, t: number | null): void {
  if (t === null) throw new ConfigError(`layer ${ctx.layer.name}: a neuron runs one step at a time`);
  if (pass === 'forward') lowerForward(ctx, t);
  else lowerBackward(ctx, t);
}

const base = {
  version: '2.0.0',
  neuron: true,
  timing: 'step' as const,
  infer: (_a: LifAttrs, inputs: readonly { shape: readonly [number, number, number] }[]) => ({ outShape: inputs[0]!.shape, value: 'spike' as const, role: 'activation' as const }),
  forward,
  backward,
  lower,
  denseOps: (l: { outSize: number }, batch: number) => ({ FP: batch * l.outSize, BP: batch * l.outSize, WG: 0 }),
  density: {
    // A neuron's densities come from the profile (statistical sparsity).
    output: (_l: unknown, _in: readonly number[], n: { spike: number } | null) => n?.spike ?? 1,
    inputGrad: (_l: unknown, _dy: number, n: { membraneGradient: number } | null) => n?.membraneGradient ?? 1,
  },
};

const COMMON_FIELDS = {
  theta: 'threshold (default: lif.threshold)', reset: 'zero (default) or subtract', gain: 'input gain (1)', compare: "firing rule: '>=' (default) or '>' (NIR, snnTorch)",
};

/** The fields lif and if share; `gain` is any finite nonzero number. */
function parseCommon(raw: Readonly<Record<string, unknown>>, where: string): Omit<LifAttrs, 'lam'> {
  const gain = numField(raw, 'gain', where, {}) ?? 1;
  if (gain === 0) throw new ConfigError(`${where}: field "gain" must be nonzero (a neuron with gain 0 never sees its input)`);
  return {
    ...(raw['theta'] !== undefined ? { theta: numField(raw, 'theta', where, { min: 0, exclusiveMin: true })! } : {}),
    reset: enumField(raw, 'reset', where, ['zero', 'subtract'] as const, 'zero'),
    gain,
    compare: enumField(raw, 'compare', where, ['>=', '>'] as const, '>='),
  };
}

export const lifKind: LayerKind<LifAttrs> = {
  ...base,
  name: 'lif',
  description: 'Leaky integrate-and-fire neurons (reset zero or subtract; input gain; triangle surrogate gradient)',
  fields: { lam: 'leak per step (default: the run\'s lif.leak)', ...COMMON_FIELDS },
  parse: (raw, where) => ({
    ...(raw['lam'] !== undefined ? { lam: numField(raw, 'lam', where, { min: 0, max: 1 })! } : {}),
    ...parseCommon(raw, where),
  }),
};

export const ifKind: LayerKind<LifAttrs> = {
  ...base,
  name: 'if',
  description: 'Integrate-and-fire neurons: lif with lam = 1',
  fields: COMMON_FIELDS,
  parse: (raw, where) => ({ lam: 1, ...parseCommon(raw, where) }),
};
