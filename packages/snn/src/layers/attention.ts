/**
 * `ssa`: Spikformer's spiking self-attention (Zhou et al., ICLR 2023; ZK-Zhou/spikformer,
 * cifar10/model.py, class SSA) between its Q, K and V inputs. Tokens are the positions of a
 * [D, H, W] tensor (N = H*W); heads split the channels (channel c = h*dh + d, dh = D/heads).
 * Per step, sample and head: A = scale * Q K^T (N x N, no softmax), Y = A V (N x dh), the
 * heads joined again along the channels. The Q, K, V projections (linear + BN + LIF) and
 * what follows (LIF, projection, BN, LIF) are layers of their own.
 * Backward: dA = dY V^T, dV = A^T dY, dQ = scale dA K, dK = scale dA^T Q.
 *
 * On the accelerator both operands of every GEMM are activations (ActivationOperand): no
 * weights to preload, both stream from the global buffers. Each GEMM is written with the
 * spike operand as the ifmap where there is one, so a spike ifmap AND-gates accumulation:
 *   FP  S = Q K^T          ifmap Q (N x dh), filter K^T (dh x N): an AND-count of spikes
 *       Y^T = V^T A^T      ifmap V^T (dh x N), filter A^T (N x N): scores accumulated where V spikes
 *   BP  dA^T = V dY^T      ifmap V (N x dh), filter dY^T
 *       dV^T = dY^T A      ifmap dY^T (dh x N), filter A: multiply-accumulates
 *       dQ^T = K^T dA^T    ifmap K^T, filter dA^T;   dK^T = Q^T dA   ifmap Q^T, filter dA
 * zeros of either operand gate a PE. The scores S of a head (N x N integers of
 * ceil(log2(dh + 1)) bits) are a tensor of their own (`A`), kept for BP where they fit on
 * chip, else spilled to DRAM and read back: the placement report shows which. The scale
 * is a shift (a power of two) or a multiply on the array's output path; the ANN counterpart
 * takes softmax(scale S) row by row on the vector unit (ann.attention), and its backward.
 */
import { ConfigError } from '@sata/core';
import type { ActivationOperand, LayerKind, LoweringContext, OperandMatrix, ResolvedLayer, TensorRef } from '@sata/plugin-api';
import { alloc, type FloatArray } from '../tensor.js';
import { dtypeOfArray, fmtShape, intField, numField } from './common.js';

export interface SsaAttrs {
  readonly heads: number;
  readonly scale: number;
}

type Ssa = ResolvedLayer<SsaAttrs>;

interface Dims {
  readonly D: number;
  readonly N: number;
  readonly dh: number;
  readonly heads: number;
}

const dimsOf = (l: Ssa): Dims => ({ D: l.outShape[0], N: l.outShape[1] * l.outShape[2], dh: l.outShape[0] / l.attrs.heads, heads: l.attrs.heads });

const pow2 = (x: number): boolean => Number.isInteger(Math.log2(x));

/** Channel-major slice of head h of sample b: dh x N, row d, column n. */
function headCols(x: ArrayLike<number>, g: Dims, b: number, h: number): OperandMatrix {
  const data = new Uint8Array(g.dh * g.N);
  const o = (b * g.D + h * g.dh) * g.N;
  for (let i = 0; i < data.length; i++) data[i] = x[o + i] !== 0 ? 1 : 0;
  return { rows: g.dh, cols: g.N, data };
}

/** Token-major slice: N x dh, row n, column d. */
function headRows(x: ArrayLike<number>, g: Dims, b: number, h: number): OperandMatrix {
  const data = new Uint8Array(g.N * g.dh);
  const o = (b * g.D + h * g.dh) * g.N;
  for (let d = 0; d < g.dh; d++) for (let n = 0; n < g.N; n++) data[n * g.dh + d] = x[o + d * g.N + n] !== 0 ? 1 : 0;
  return { rows: g.N, cols: g.dh, data };
}

/** A score matrix [b, h, n, m] of a state tensor as N x N (transposed: row m, column n). */
function scores(x: ArrayLike<number>, g: Dims, b: number, h: number, transposed: boolean): OperandMatrix {
  const NN = g.N * g.N;
  const data = new Uint8Array(NN);
  const o = (b * g.heads + h) * NN;
  for (let n = 0; n < g.N; n++) for (let m = 0; m < g.N; m++) data[transposed ? m * g.N + n : n * g.N + m] = x[o + n * g.N + m] !== 0 ? 1 : 0;
  return { rows: g.N, cols: g.N, data };
}

/** Nonzero fraction of a sum of k products of operands of densities a and b (independent zeros). */
const productSum = (a: number, b: number, k: number): number => 1 - (1 - a * b) ** k;

/**
 * One head's token products: out[n, m] = scale * sum over d of x[d, n] y[d, m], for x and y
 * [D, N] tensors at offset `o` (the head's channels) and out [N, N] at `ao`. The forward
 * scores (q, k) and the backward score gradient (dy, v) are both this.
 */
function headProducts(x: ArrayLike<number>, y: ArrayLike<number>, out: FloatArray, o: number, ao: number, g: Dims, scale: number): void {
  for (let n = 0; n < g.N; n++)
    for (let m = 0; m < g.N; m++) {
      let s = 0;
      for (let d = 0; d < g.dh; d++) s += x[o + d * g.N + n]! * y[o + d * g.N + m]!;
      out[ao + n * g.N + m] = s * scale;
    }
}

function forward(ctx: Parameters<LayerKind<SsaAttrs>['forward']>[0]) {
  const l = ctx.layer;
  const g = dimsOf(l);
  const { scale } = l.attrs;
  const [qs, ks, vs] = ctx.inputs as readonly (readonly FloatArray[])[];
  const A: FloatArray[] = [];
  const y = qs!.map((q, t) => {
    const k = ks![t]!;
    const v = vs![t]!;
    const dtype = dtypeOfArray(q);
    const out = alloc(dtype, ctx.batch * g.D * g.N);
    const a = alloc(dtype, ctx.batch * g.heads * g.N * g.N);
    for (let b = 0; b < ctx.batch; b++)
      for (let h = 0; h < g.heads; h++) {
        const o = (b * g.D + h * g.dh) * g.N;
        const ao = (b * g.heads + h) * g.N * g.N;
        headProducts(q, k, a, o, ao, g, scale);
        for (let d = 0; d < g.dh; d++)
          for (let n = 0; n < g.N; n++) {
            let s = 0;
            for (let m = 0; m < g.N; m++) s += a[ao + n * g.N + m]! * v[o + d * g.N + m]!;
            out[o + d * g.N + n] = s;
          }
      }
    A.push(a);
    return out;
  });
  return { y, state: { A } };
}

function backward(ctx: Parameters<LayerKind<SsaAttrs>['backward']>[0]) {
  const l = ctx.layer;
  const g = dimsOf(l);
  const { scale } = l.attrs;
  const [qs, ks, vs] = ctx.inputs as readonly (readonly FloatArray[])[];
  const As = ctx.fwd.state!['A']!;
  const dtype = dtypeOfArray(qs![0]!);
  const n3 = ctx.batch * g.D * g.N;
  const dq = qs!.map(() => alloc(dtype, n3));
  const dk = qs!.map(() => alloc(dtype, n3));
  const dv = qs!.map(() => alloc(dtype, n3));
  const dAs: FloatArray[] = [];
  for (let t = 0; t < ctx.T; t++) {
    const [q, k, v, A, dy] = [qs![t]!, ks![t]!, vs![t]!, As[t]!, ctx.dy[t]!];
    const dA = alloc(dtype, ctx.batch * g.heads * g.N * g.N);
    for (let b = 0; b < ctx.batch; b++)
      for (let h = 0; h < g.heads; h++) {
        const o = (b * g.D + h * g.dh) * g.N;
        const ao = (b * g.heads + h) * g.N * g.N;
        headProducts(dy, v, dA, o, ao, g, 1);
        for (let d = 0; d < g.dh; d++)
          for (let m = 0; m < g.N; m++) {
            let sv = 0;
            let sq = 0;
            let sk = 0;
            for (let n = 0; n < g.N; n++) {
              sv += A[ao + n * g.N + m]! * dy[o + d * g.N + n]!;
              sk += dA[ao + n * g.N + m]! * scale * q[o + d * g.N + n]!;
              sq += dA[ao + m * g.N + n]! * scale * k[o + d * g.N + n]!;
            }
            dv[t]![o + d * g.N + m] = sv;
            dk[t]![o + d * g.N + m] = sk;
            dq[t]![o + d * g.N + m] = sq;
          }
      }
    dAs.push(dA);
  }
  const need = (i: number, x: FloatArray[]): FloatArray[] | null => (ctx.needsInputGrad[i] ? x : null);
  return { dx: [need(0, dq), need(1, dk), need(2, dv)], grads: {}, state: { dA: dAs } };
}

/** The work of one step: for every sample and head its GEMMs, then the scale (and the ANN's softmax). */
function lower(ctx: LoweringContext<SsaAttrs>, pass: 'forward' | 'backward', t: number | null): void {
  const l = ctx.layer;
  if (t === null) throw new ConfigError(`layer ${l.name}: attention runs one step at a time`);
  const g = dimsOf(l);
  const snn = ctx.mode === 'snn';
  const softmax = !snn && ctx.annAttention === 'softmax';
  const spikes = (i: number): boolean => snn && ctx.input(i, t).value === 'spike';
  const gating = ctx.gating ? 'any' : 'none';
  const scaleOp = pow2(l.attrs.scale) ? 'shift' : 'multiply';
  const tl = snn ? `/t${t + 1}` : '';
  const scoreBits = snn ? (spikes(0) && spikes(1) ? Math.ceil(Math.log2(g.dh + 1)) : ctx.bits.membrane) : ctx.bits.activation;
  const gradBits = snn ? ctx.bits.gradient : ctx.bits.activation;
  const op = (tensor: ActivationOperand['tensor'], matrix: ActivationOperand['matrix'], density?: ActivationOperand['density']): ActivationOperand => ({ tensor, matrix, ...(density ? { density } : {}) });
  const input = (i: number) => ({ kind: 'input' as const, index: i });
  // Densities of the scores and of their gradient (softmax makes both dense).
  const scoreDensity = (d: { inputs: readonly number[] }): number => (softmax ? 1 : productSum(d.inputs[0]!, d.inputs[1]!, g.dh));
  const scoreGradDensity = (d: { inputs: readonly number[]; outputGrad: number }): number => (softmax ? 1 : productSum(d.outputGrad, d.inputs[2]!, g.dh));
  const heads: { b: number; h: number; part: string }[] = [];
  for (let b = 0; b < ctx.batch; b++) for (let h = 0; h < g.heads; h++) heads.push({ b, h, part: `${ctx.batch > 1 ? `b${b + 1}` : ''}h${h + 1}` });
  const own = (name: string, part: string, partition: 'membrane' | 'gradients', bits: number): TensorRef => ctx.own(`${name}_${part}`, { t, partition, bits, elements: g.N * g.N });
  const vector = (stage: 'FP' | 'BP', label: string, elements: number, bits: number, perElement: Record<string, number>, traffic: { ref: TensorRef; access: 'read' | 'write' }[] = []): void =>
    ctx.vector({ stage, label: `${l.name}/${stage}${tl}/${label}`, unit: 'elementwise', elements, bits, ops: { component: 'vector', perElement }, traffic });
  if (pass === 'forward') {
    const [q, k, v] = [ctx.input(0, t), ctx.input(1, t), ctx.input(2, t)];
    const y = ctx.output(t);
    for (const { b, h, part } of heads) {
      const A = own('A', part, 'membrane', scoreBits);
      ctx.gemm({
        stage: 'FP', role: 'scores', label: `${l.name}/FP${tl}/${part}/scores`, gemm: { M: g.N, N: g.N, K: g.dh },
        ifmap: q, filter: k, ofmap: A, operation: spikes(0) && spikes(1) ? 'and_accumulate' : 'mac', gating, steps: 1,
        operands: { ifmap: op(input(0), (x) => headRows(x, g, b, h)), filter: op(input(1), (x) => headCols(x, g, b, h)) },
      });
      if (softmax) {
        // Row by row: scale, the row maximum, exp(s - max), the row sum, one divide per score.
        vector('FP', `${part}/softmax`, g.N * g.N, ctx.bits.activation, { multiply: 1, compare: 1, add: 2, exp: 1, divide: 1 }, [{ ref: A, access: 'read' }, { ref: A, access: 'write' }]);
      }
      ctx.gemm({
        stage: 'FP', role: 'attend', label: `${l.name}/FP${tl}/${part}/attend`, gemm: { M: g.dh, N: g.N, K: g.N },
        ifmap: v, filter: A, ofmap: { ...y, bits: snn ? ctx.bits.membrane : ctx.bits.activation }, operation: spikes(2) ? 'and_accumulate' : 'mac', gating, steps: 1, part,
        operands: { ifmap: op(input(2), (x) => headCols(x, g, b, h)), filter: op({ kind: 'state', name: 'A' }, (x) => scores(x, g, b, h, true), scoreDensity) },
      });
    }
    // Linear attention scales the sum on the array's output path; softmax scaled its scores.
    if (!softmax) vector('FP', 'scale', ctx.batch * g.D * g.N, y.bits, { [scaleOp]: 1 });
    return;
  }
  const dy = ctx.outputGrad(t);
  const [dq, dk, dv] = [ctx.inputGrad(0, t), ctx.inputGrad(1, t), ctx.inputGrad(2, t)];
  const [q, k, v] = [ctx.input(0, t), ctx.input(1, t), ctx.input(2, t)];
  for (const { b, h, part } of heads) {
    const A = own('A', part, 'membrane', scoreBits);
    const dA = own('dA', part, 'gradients', gradBits);
    ctx.gemm({
      stage: 'BP', role: 'scoreGrad', label: `${l.name}/BP${tl}/${part}/score-grad`, gemm: { M: g.N, N: g.N, K: g.dh },
      ifmap: v, filter: dy, ofmap: dA, operation: spikes(2) ? 'and_accumulate' : 'mac', gating, steps: 1,
      operands: { ifmap: op(input(2), (x) => headRows(x, g, b, h)), filter: op({ kind: 'outputGrad' }, (x) => headCols(x, g, b, h)) },
    });
    if (softmax) {
      // dS = A (dA - rowsum(dA A)) scale: per score two multiplies for the row sum and the product, a subtraction, the scale.
      vector('BP', `${part}/softmax-grad`, g.N * g.N, ctx.bits.activation, { multiply: 3, add: 2 }, [{ ref: A, access: 'read' }, { ref: dA, access: 'read' }, { ref: dA, access: 'write' }]);
    } else vector('BP', `${part}/scale`, g.N * g.N, gradBits, { [scaleOp]: 1 });
    const dAop = (transposed: boolean): ActivationOperand => op({ kind: 'state', name: 'dA' }, (x) => scores(x, g, b, h, transposed), scoreGradDensity);
    if (dv) {
      ctx.gemm({
        stage: 'BP', role: 'valueGrad', label: `${l.name}/BP${tl}/${part}/value-grad`, gemm: { M: g.dh, N: g.N, K: g.N },
        ifmap: dy, filter: A, ofmap: dv, operation: 'mac', gating, steps: 1, part,
        operands: { ifmap: op({ kind: 'outputGrad' }, (x) => headCols(x, g, b, h)), filter: op({ kind: 'state', name: 'A' }, (x) => scores(x, g, b, h, false), scoreDensity) },
      });
    }
    if (dq) {
      ctx.gemm({
        stage: 'BP', role: 'queryGrad', label: `${l.name}/BP${tl}/${part}/query-grad`, gemm: { M: g.dh, N: g.N, K: g.N },
        ifmap: k, filter: dA, ofmap: dq, operation: spikes(1) ? 'and_accumulate' : 'mac', gating, steps: 1, part,
        operands: { ifmap: op(input(1), (x) => headCols(x, g, b, h)), filter: dAop(true) },
      });
    }
    if (dk) {
      ctx.gemm({
        stage: 'BP', role: 'keyGrad', label: `${l.name}/BP${tl}/${part}/key-grad`, gemm: { M: g.dh, N: g.N, K: g.N },
        ifmap: q, filter: dA, ofmap: dk, operation: spikes(0) ? 'and_accumulate' : 'mac', gating, steps: 1, part,
        operands: { ifmap: op(input(0), (x) => headCols(x, g, b, h)), filter: dAop(false) },
      });
    }
  }
}

export const ssaKind: LayerKind<SsaAttrs> = {
  name: 'ssa',
  version: '1.0.0',
  description: "Spikformer's spiking self-attention of Q, K, V inputs: per head (scale Q K^T) V over the tokens (positions), no softmax",
  fields: { heads: 'attention heads (split the channels)', scale: 'score scale (0.125, Spikformer\'s)' },
  arity: { min: 3, max: 3 },
  timing: 'step',
  parse: (raw, where) => ({ heads: intField(raw, 'heads', where), scale: numField(raw, 'scale', where, { min: 0, exclusiveMin: true }) ?? 0.125 }),
  infer(a, inputs, where) {
    const s = inputs[0]!.shape;
    for (const i of inputs) if (fmtShape(i.shape) !== fmtShape(s)) throw new ConfigError(`${where}: Q, K and V must have one shape, found ${inputs.map((x) => `${x.name} ${fmtShape(x.shape)}`).join(', ')}`);
    if (s[0] % a.heads !== 0) throw new ConfigError(`${where}: ${a.heads} heads do not divide the ${s[0]} channels of ${fmtShape(s)}`);
    return { outShape: s, value: 'real', role: 'current' };
  },
  forward,
  backward,
  lower,
  // Two GEMMs of N x N x dh per head in FP, four in BP.
  denseOps: (l, batch) => {
    const g = dimsOf(l);
    const one = batch * g.heads * g.N * g.N * g.dh;
    return { FP: 2 * one, BP: 4 * one, WG: 0 };
  },
  density: {
    output: (l, inputs) => {
      const g = dimsOf(l);
      return productSum(productSum(inputs[0]!, inputs[1]!, g.dh), inputs[2]!, g.N);
    },
    // Each input gradient sums N products of a gradient and scores: dense in practice (taken as 1).
    inputGrad: () => 1,
  },
};
