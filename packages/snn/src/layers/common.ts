/**
 * What several layer kinds share: field validation, and the lowering of a weighted layer
 * (conv, fc, out) to its three GEMMs and its weight update. Nothing here switches over kinds.
 */
import { ConfigError, quote } from '@sata/core';
import { stepsLabel, type GemmFacet, type LayerParams, type LoweringContext, type LoweringPass, type ResolvedLayer, type TensorRef } from '@sata/plugin-api';
import { alloc, type DType, type FloatArray } from '../tensor.js';

/** A value in a message, cut short (core's: one way of quoting everywhere). */
export { quote };

export function intField(raw: Readonly<Record<string, unknown>>, field: string, where: string, o: { min?: number; def?: number } = {}): number {
  const v = raw[field];
  if (v === undefined && o.def !== undefined) return o.def;
  const min = o.min ?? 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`${where}: field "${field}" must be an integer >= ${min}, found ${quote(v)}`);
  return v;
}

export function numField(raw: Readonly<Record<string, unknown>>, field: string, where: string, o: { min?: number; max?: number; exclusiveMin?: boolean }): number | undefined {
  const v = raw[field];
  if (v === undefined) return undefined;
  const lo = o.min ?? -Infinity;
  const ok = typeof v === 'number' && Number.isFinite(v) && (o.exclusiveMin ? v > lo : v >= lo) && v <= (o.max ?? Infinity);
  if (!ok) throw new ConfigError(`${where}: field "${field}" must be a number ${o.exclusiveMin ? '>' : '>='} ${lo}${o.max !== undefined ? ` and <= ${o.max}` : ''}, found ${quote(v)}`);
  return v as number;
}

export function boolField(raw: Readonly<Record<string, unknown>>, field: string, where: string, def: boolean): boolean {
  const v = raw[field];
  if (v === undefined) return def;
  if (typeof v !== 'boolean') throw new ConfigError(`${where}: field "${field}" must be true or false, found ${quote(v)}`);
  return v;
}

export function enumField<T extends string>(raw: Readonly<Record<string, unknown>>, field: string, where: string, values: readonly T[], def: T): T {
  const v = raw[field];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !values.includes(v as T)) throw new ConfigError(`${where}: field "${field}" must be one of ${values.join(', ')}, found ${quote(v)}`);
  return v as T;
}

/** One of two spellings of a field (the documented one and the golden files' one). */
export function eitherField(raw: Readonly<Record<string, unknown>>, a: string, b: string, where: string): string {
  if (raw[a] !== undefined && raw[b] !== undefined) throw new ConfigError(`${where}: give either "${a}" or "${b}", not both`);
  return raw[b] !== undefined ? b : a;
}

export const dtypeOfArray = (a: FloatArray): DType => (a instanceof Float64Array ? 'float64' : 'float32');

/** T zeroed arrays like `like`. */
export function zerosPerStep(like: FloatArray, T: number, n: number): FloatArray[] {
  const dtype = dtypeOfArray(like);
  return Array.from({ length: T }, () => alloc(dtype, n));
}

export const fmtShape = (s: readonly number[]): string => s.join('x');

/** Adds bias[channel] to y[B, C, P] in place. */
export function addBias(y: FloatArray, bias: FloatArray, batch: number, C: number, P: number): void {
  for (let b = 0; b < batch; b++) for (let c = 0; c < C; c++) {
    const v = bias[c]!;
    const o = (b * C + c) * P;
    for (let p = 0; p < P; p++) y[o + p] += v;
  }
}

/** dbias[channel] += sum over batch and positions of dy[B, C, P]. */
export function accumulateBiasGrad(dy: FloatArray, dbias: FloatArray, batch: number, C: number, P: number): void {
  for (let b = 0; b < batch; b++) for (let c = 0; c < C; c++) {
    const o = (b * C + c) * P;
    let s = 0;
    for (let p = 0; p < P; p++) s += dy[o + p]!;
    dbias[c] += s;
  }
}

/** 1 where a value is nonzero: operand matrices only say where zeros are. */
export const nz = (v: number): number => (v !== 0 ? 1 : 0);

/** A [B, N] batch-major tensor as a B x N matrix of nonzeros. */
export function rowsMatrix(x: ArrayLike<number>, rows: number, cols: number): { rows: number; cols: number; data: Uint8Array } {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = nz(x[i]!);
  return { rows, cols, data };
}

/** The weight [N, K] as the forward filter K x N of nonzeros. */
export function forwardFilterOf(w: ArrayLike<number>, N: number, K: number): { rows: number; cols: number; data: Uint8Array } {
  const data = new Uint8Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) data[k * N + n] = nz(w[n * K + k]!);
  return { rows: K, cols: N, data };
}

export const weightOf = (params: LayerParams, layer: ResolvedLayer<unknown>): FloatArray => {
  const w = params['weight'];
  if (!w) throw new ConfigError(`layer ${layer.name}: no weight tensor`);
  return w;
};

/**
 * A weighted layer's GEMMs on the accelerator (hardware-model.md section 4):
 * - FP: y = W x per step (or the T steps stacked along M): an AND-accumulate gated by zero
 *   spikes when the input is spikes, else a multiply-accumulate (analog inputs, counts of
 *   spikes from a SEW add or an average pool), gated by zero inputs.
 * - BP: dx = W^T dy, a multiply-accumulate skipping zero dy; none for the network input.
 * - WG: dW += dy (x) x, gated by zeros of either operand (OTTT: dy (x) a with the layer's
 *   presynaptic trace a, real values, updated in FP every step on the vector unit).
 * The ANN runs the same GEMMs with multiply-accumulates; its first layer's pixels are dense.
 * `grad` names the output gradient (the out layer uses one dI for every step).
 */
export function lowerWeightedGemms(ctx: LoweringContext<any>, pass: LoweringPass, t: number | null, facet: GemmFacet<any>, grad: (t: number | null) => TensorRef, gradGated: boolean): void {
  const l = ctx.layer;
  const g = facet.shapes(l, ctx.batch);
  const steps = t === null ? ctx.steps.length : 1;
  const tl = stepsLabel(t, ctx.steps, ctx.T);
  const input = ctx.input(0, t);
  const W = ctx.own('W', { partition: 'weights', bits: ctx.bits.weight, elements: l.weightCount });
  const snn = ctx.mode === 'snn';
  const spikes = input.value === 'spike';
  const fromPixels = l.inputs[0] === -1;
  const trace = ctx.mode === 'snn' ? ctx.algorithm.presynapticTrace : undefined;
  // OTTT: one presynaptic trace per weighted layer, updated every step: a = lam a + x.
  const traceRef = trace === undefined ? null : ctx.own('trace', { partition: 'membrane', bits: ctx.bits.membrane, elements: ctx.batch * l.inSize });
  if (pass === 'forward') {
    const y = ctx.output(t);
    if (traceRef && t !== null) {
      ctx.vector({
        stage: 'FP', label: `${l.name}/FP/${tl}/trace`, unit: 'vector', elements: ctx.batch * l.inSize, bits: ctx.bits.membrane,
        ops: { component: 'vector', perElement: t > 0 ? { multiply: 1, add: 1 } : {} },
        traffic: [...(t > 0 ? [{ ref: traceRef, access: 'read' as const }] : []), { ref: input, access: 'read' }, { ref: traceRef, access: 'write' }],
      });
    }
    ctx.gemm({
      stage: 'FP', role: 'forward', label: `${l.name}/FP${snn ? `/${tl}` : ''}`,
      gemm: { M: g.forward.M * steps, N: g.forward.N, K: g.forward.K },
      ifmap: input, filter: W, ofmap: { ...y, bits: snn ? ctx.bits.membrane : ctx.bits.activation },
      operation: snn && spikes ? 'and_accumulate' : 'mac',
      gating: ctx.gating && (snn || !fromPixels) ? 'ifmap' : 'none',
      steps,
    });
    return;
  }
  const dy = grad(t);
  const dx = ctx.inputGrad(0, t);
  if (dx) {
    ctx.gemm({
      stage: 'BP', role: 'backward', label: `${l.name}/BP${snn ? `/${tl}` : ''}`,
      gemm: { M: g.backward.M * steps, N: g.backward.N, K: g.backward.K },
      ifmap: dy, filter: W, ofmap: dx,
      operation: 'mac',
      gating: ctx.gating && gradGated ? 'ifmap' : 'none',
      steps,
    });
  }
  const dW = ctx.own('dW', { partition: 'gradients', bits: ctx.bits.gradient, elements: l.weightCount });
  // Every step's weight gradient after the first adds onto dW (the schedule decides which is first).
  ctx.gemm({
    stage: 'WG', role: 'weightGrad', label: `${l.name}/WG${snn ? `/${tl}` : ''}`,
    gemm: { M: g.weightGrad.M, N: g.weightGrad.N, K: g.weightGrad.K * steps },
    ifmap: traceRef ?? input, filter: dy, ofmap: { ...dW, bits: ctx.bits.gradient },
    operation: snn && spikes && !traceRef ? 'and_accumulate' : 'mac',
    gating: ctx.gating ? 'any' : 'none',
    steps,
  });
}

/** The weight update: one read-modify-write of every trainable value (W -= lr dW). */
export function lowerWeightUpdate(ctx: LoweringContext<any>): void {
  const l = ctx.layer;
  const n = l.weightCount;
  const W = ctx.own('W', { partition: 'weights', bits: ctx.bits.weight, elements: n });
  const dW = ctx.own('dW', { partition: 'gradients', bits: ctx.bits.gradient, elements: n });
  ctx.vector({
    stage: 'WU', label: `${l.name}/WU`, unit: 'elementwise', elements: n, bits: ctx.bits.weight,
    ops: { component: 'pe', perElement: { mac: 1 } },
    traffic: [{ ref: W, access: 'read' }, { ref: dW, access: 'read' }, { ref: W, access: 'write' }],
  });
}

/** Dense operation counts of a weighted layer per step (M*N*K of each GEMM). */
export function gemmOps(facet: GemmFacet<any>, layer: ResolvedLayer<any>, batch: number, hasInputGrad: boolean): { FP: number; BP: number; WG: number } {
  const g = facet.shapes(layer, batch);
  const ops = (s: { M: number; N: number; K: number }): number => s.M * s.N * s.K;
  return { FP: ops(g.forward), BP: hasInputGrad ? ops(g.backward) : 0, WG: ops(g.weightGrad) };
}

/** OTTT's presynaptic traces of an input sequence: a[0] = x[0], a[t] = lam a[t-1] + x[t]. */
export function presynapticTraces(xs: readonly FloatArray[], lam: number): FloatArray[] {
  const out: FloatArray[] = [];
  xs.forEach((x, t) => {
    const a = x.slice();
    if (t > 0) {
      const p = out[t - 1]!;
      for (let i = 0; i < a.length; i++) a[i] = lam * p[i]! + x[i]!;
    }
    out.push(a);
  });
  return out;
}
