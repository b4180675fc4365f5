/**
 * Replayed sparsity: the hardware model's gating counts come from a recorded activity trace
 * (packages/trace/ACTIVITY-FORMAT.md), written by `sata train --record-activity` or by an
 * outside tool (tools/pytorch_activity.py). What each stream means here:
 *
 * - `spikes` of layer l at step t: the layer's output y (a neuron's spikes; other kinds'
 *   nonzero outputs). A layer's output is its readers' GEMM input (ifmap).
 * - `grads` of layer l at step t: the gradient of the loss with respect to its output, dy
 *   (for a conv or fc current read by a neuron: the membrane gradient du). A GEMM layer's
 *   dy is the ifmap of its BP GEMM and the filter of its WG GEMM.
 * A trace of a format-1 network may name the spec's layers instead of the graph's nodes
 * (conv1, pool1, ..., out: as this project wrote them before networks were graphs): then a
 * conv or fc layer's `spikes` are its implied neuron's output and its `grads` the current's
 * gradient du, which is the same information.
 *
 * Bitmaps give exact counts: the operands are rebuilt element by element, as in measured
 * mode, so every fold's active and gated operations are exact. Per-block counts give
 * block-level counts: each block's nonzeros are spread evenly over the block (a
 * deterministic placement), so a block's total is exact and folds whose boundaries fall on
 * block boundaries are exact too; inside a block the positions are an assumption.
 * Weights are taken as dense (a weight is practically never exactly zero). The network
 * input is dense under direct coding (analog pixels); under rate coding, whose input spikes
 * the trace does not carry, it has the configured spike density.
 * The gradient unit's skipped multiplies (ds * sg) are counted from du: a neuron whose du
 * is zero has its multiply skipped (exact when the leak's carry term is zero, an
 * approximation otherwise); the firing-gradient density reported is likewise du's.
 */
import { ConfigError } from '@sata/core';
import { densityActivity, tensorActivity, type Matrix } from '@sata/hw';
import type { ActivationOperand, AlgorithmInstance } from '@sata/plugin-api';
import type { BpttResult, Network, ResolvedLayer } from '@sata/snn';
import { ActivityWriter, blockCounts, bitmapOf, readActivityTrace, type ActivityData, type ActivityHeader, type ActivityLayer, type ActivityStream, type ActivityTrace } from '@sata/trace';
import { gemmFacetOf, impliedBy, memoActivity, operandDensity, transposeMatrix as transpose, type ActivitySource } from './activity.js';
import type { ResolvedConfig } from './config.js';

/** The part of an ActivityTrace replay reads. */
export interface ActivityTraceLike {
  readonly header: ActivityHeader;
  get(layer: number, step: number, stream: ActivityStream): { readonly data: ActivityData } | undefined;
}

/** Reads `cfg.sparsity.activityTrace` and replays it (errors name the file). */
export function replayedActivityFromFile(net: Network, cfg: ResolvedConfig, algorithm?: AlgorithmInstance): ActivitySource {
  const path = cfg.sparsity.activityTrace;
  if (!path) throw new ConfigError('sparsity.mode replayed needs sparsity.activityTrace, an activity trace file (--activity FILE)');
  const trace: ActivityTrace = readActivityTrace(path);
  return replayedActivity(net, cfg, trace, path, algorithm);
}

/** Where a node's output (`y`) and output gradient (`dy`) are in the trace: a trace layer and stream, or not recorded. */
type StreamRef = { readonly layer: number; readonly stream: ActivityStream } | null;

/** Maps graph nodes onto the trace's layers: node by node, or (format 1) spec layer by spec layer. */
function streamMap(net: Network, h: ActivityHeader, fail: (m: string) => never): { y: StreamRef[]; dy: StreamRef[] } {
  const names = h.layers.map((l) => l.name);
  if (names.length === net.layers.length && names.every((n, i) => n === net.layers[i]!.name)) {
    return { y: net.layers.map((_, i) => ({ layer: i, stream: 'spikes' })), dy: net.layers.map((_, i) => ({ layer: i, stream: 'grads' })) };
  }
  // Format 1: one trace layer per spec layer, named as its first node.
  const heads = net.layers.filter((l) => !impliedBy(net, l));
  if (names.length === heads.length && names.every((n, i) => n === heads[i]!.name)) {
    const y: StreamRef[] = [];
    const dy: StreamRef[] = [];
    for (const l of net.layers) {
      const by = impliedBy(net, l);
      const at = heads.indexOf(by ?? l);
      const fused = !by && l.readers.some((r) => impliedBy(net, net.layers[r]!) === l);
      y.push(fused ? null : { layer: at, stream: 'spikes' });
      dy.push(by ? null : { layer: at, stream: 'grads' });
    }
    return { y, dy };
  }
  return fail(`recorded for network "${h.network}" with layers ${names.join(', ')}, but this run simulates ${net.name} with layers ${net.layers.map((l) => l.name).join(', ')}`);
}

/**
 * An ActivitySource from a recorded activity trace. The trace must describe this network
 * (same layer names, `batch * outSize` values per layer), the configured time steps and
 * batch, and hold every step of the outputs and gradients the schedule reads.
 */
export function replayedActivity(net: Network, cfg: ResolvedConfig, trace: ActivityTraceLike, where = 'activity trace', algorithm?: AlgorithmInstance): ActivitySource {
  const h = trace.header;
  const B = cfg.batch;
  const T = cfg.timesteps;
  const fail = (m: string): never => {
    throw new ConfigError(`${where}: ${m}`);
  };
  const map = streamMap(net, h, fail);
  if (h.timeSteps !== T) fail(`has ${h.timeSteps} time steps, the configuration ${T} (set timesteps to ${h.timeSteps})`);
  if (h.batch !== B) fail(`covers a batch of ${h.batch}, the configuration ${B} (set batch to ${h.batch})`);
  net.layers.forEach((l, i) => {
    for (const r of [map.y[i], map.dy[i]]) {
      if (!r) continue;
      const want = B * l.outSize;
      if (h.layers[r.layer]!.neurons !== want) fail(`layer ${h.layers[r.layer]!.name} has ${h.layers[r.layer]!.neurons} values per step, network ${net.name} with batch ${B} has ${want}`);
    }
  });
  const need = (ref: StreamRef, what: string): { layer: number; stream: ActivityStream } => {
    if (!ref) return fail(`does not record ${what}, which the simulation needs`);
    return ref;
  };
  // Every GEMM layer's input and output gradient, every neuron's input gradient (du).
  for (const l of net.layers) {
    const refs: { layer: number; stream: ActivityStream }[] = [];
    if (l.def.gemms) {
      if (l.inputs[0]! >= 0) refs.push(need(map.y[l.inputs[0]!]!, `the output of ${net.layers[l.inputs[0]!]!.name}`));
      refs.push(need(map.dy[l.index]!, `the output gradient of ${l.name}`));
    }
    if (l.def.neuron && l.inputs[0]! >= 0) refs.push(need(map.dy[l.inputs[0]!]!, `the membrane gradient of ${l.name}`));
    for (const r of refs) for (let t = 0; t < T; t++) if (!trace.get(r.layer, t, r.stream)) fail(`no ${r.stream} record for layer ${r.layer} (${h.layers[r.layer]!.name}) at step ${t}, which the simulation needs`);
  }

  // 0/1 values of a stream at a step (bitmaps exact; counts spread evenly per block).
  const values = new Map<string, Uint8Array>();
  const nnzOf = new Map<string, number>();
  const valuesOf = (r: { layer: number; stream: ActivityStream }, t: number): Uint8Array => {
    const k = `${r.stream}${r.layer}.${t}`;
    let v = values.get(k);
    if (!v) {
      v = expand(trace.get(r.layer, t, r.stream)!.data, h.layers[r.layer]!);
      values.set(k, v);
    }
    return v;
  };
  const count = (r: StreamRef, t: number): number | null => {
    if (!r || !trace.get(r.layer, t, r.stream)) return null;
    const k = `${r.stream}${r.layer}.${t}`;
    let n = nnzOf.get(k);
    if (n === undefined) {
      n = 0;
      for (const c of blockCounts(trace.get(r.layer, t, r.stream)!.data, h.layers[r.layer]!)) n += c;
      nnzOf.set(k, n);
    }
    return n;
  };
  const memo = memoActivity();
  const ones = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: new Uint8Array(m.rows * m.cols).fill(1) });
  // The network input is not in the trace: dense (direct coding) or the configured density (rate coding).
  const firstInputDensity = cfg.coding === 'direct' ? 1 : 1 - cfg.sparsity.spike;
  const forwardIfmap = (l: ResolvedLayer, t: number): Matrix | undefined => (l.inputs[0]! < 0 ? undefined : gemmFacetOf(l).forwardIfmap(l, valuesOf(map.y[l.inputs[0]!]!, t), B));
  // OTTT's presynaptic trace (decay > 0) is nonzero exactly where any input so far was: the union of the recorded inputs.
  const traced = algorithm?.presynapticTrace !== undefined;
  const weightGradIfmap = (l: ResolvedLayer, t: number): Matrix | undefined => {
    if (!traced || l.inputs[0]! < 0) return forwardIfmap(l, t);
    const ref = map.y[l.inputs[0]!]!;
    const union = valuesOf(ref, 0).slice();
    for (let tt = 1; tt <= t; tt++) {
      const v = valuesOf(ref, tt);
      for (let i = 0; i < union.length; i++) union[i] = union[i]! | v[i]!;
    }
    return gemmFacetOf(l).forwardIfmap(l, union, B);
  };
  const dyOf = (l: ResolvedLayer, t: number): Uint8Array => valuesOf(map.dy[l.index]!, t);
  const filter = (l: ResolvedLayer, which: 'forwardFilter' | 'backwardFilter'): Matrix => {
    const g = gemmFacetOf(l);
    const shapes = g.shapes(l, B);
    const s = which === 'forwardFilter' ? shapes.forward : shapes.backward;
    return ones({ rows: s.K, cols: s.N, data: [] });
  };
  const densityOf = (r: StreamRef, t: number, numel: number): number => {
    const n = count(r, t);
    return n === null ? 1 : n / numel;
  };
  // An activation operand: its recorded values, or (a tensor the trace does not hold: the network input, a kind's own) its density.
  const recorded = (l: ResolvedLayer, op: ActivationOperand): StreamRef => {
    const r = op.tensor;
    if (r.kind === 'input') return l.inputs[r.index]! < 0 ? null : map.y[l.inputs[r.index]!]!;
    return r.kind === 'output' ? map.y[l.index]! : r.kind === 'outputGrad' ? map.dy[l.index]! : null;
  };
  const operand = (l: ResolvedLayer, t: number, op: ActivationOperand): Matrix | number => {
    const ref = recorded(l, op);
    if (ref) {
      if (!trace.get(ref.layer, t, ref.stream)) fail(`no ${ref.stream} record for layer ${ref.layer} (${h.layers[ref.layer]!.name}) at step ${t}, which the simulation needs`);
      return op.matrix(valuesOf(ref, t));
    }
    const d = {
      inputs: l.inputs.map((j) => (j < 0 ? firstInputDensity : densityOf(map.y[j]!, t, B * net.layers[j]!.outSize))),
      output: densityOf(map.y[l.index]!, t, B * l.outSize),
      outputGrad: densityOf(map.dy[l.index]!, t, B * l.outSize),
    };
    return operandDensity(op, d, l.name);
  };
  const nonzeroFraction = (m: Matrix | number): number => {
    if (typeof m === 'number') return m;
    let n = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] !== 0) n++;
    return n / Math.max(1, m.data.length);
  };
  return {
    source: 'replayed',
    operands: (li, t, o) => {
      const l = net.layers[li]!;
      const a = operand(l, t, o.ifmap);
      const b = operand(l, t, o.filter);
      return typeof a !== 'number' && typeof b !== 'number' ? tensorActivity(a, b) : densityActivity({ ifmap: nonzeroFraction(a), filter: nonzeroFraction(b) });
    },
    forward: (li, t) =>
      memo(`f${li}.${t}`, () => {
        const l = net.layers[li]!;
        const m = forwardIfmap(l, t);
        return m ? tensorActivity(m, filter(l, 'forwardFilter')) : densityActivity({ ifmap: firstInputDensity, filter: 1 });
      }),
    backward: (li, t) =>
      memo(`b${li}.${t}`, () => {
        const l = net.layers[li]!;
        return tensorActivity(gemmFacetOf(l).backwardIfmap(l, dyOf(l, t), B), filter(l, 'backwardFilter'));
      }),
    weightGrad: (li, t) =>
      memo(`w${li}.${t}`, () => {
        const l = net.layers[li]!;
        const m = weightGradIfmap(l, t);
        const du = gemmFacetOf(l).gradientMatrix(l, dyOf(l, t), B);
        if (!m) return densityActivity({ ifmap: firstInputDensity, filter: count(map.dy[li]!, t)! / (du.rows * du.cols) });
        return tensorActivity(transpose(m), du);
      }),
    gradientSkips: (li, t) => {
      const l = net.layers[li]!;
      if (!l.def.neuron || l.inputs[0]! < 0) return 0;
      return B * l.outSize - count(map.dy[l.inputs[0]!]!, t)!;
    },
    densities: (li, t) => {
      const l = net.layers[li]!;
      const neurons = B * l.outSize;
      const j = l.inputs[0]!;
      const input = j < 0 ? firstInputDensity : densityOf(map.y[j]!, t, B * l.inSize);
      const spike = l.def.head ? 1 : densityOf(map.y[li]!, t, neurons);
      const du = l.def.neuron ? (j < 0 ? 1 : densityOf(map.dy[j]!, t, neurons)) : l.def.head ? 1 : densityOf(map.dy[li]!, t, neurons);
      return { input, spike, firingGradient: l.def.neuron ? du : 1, membraneGradient: du };
    },
  };
}

/** 0/1 per neuron: a bitmap's bits, or each block's count spread evenly over the block. */
function expand(data: ActivityData, layer: ActivityLayer): Uint8Array {
  const out = new Uint8Array(layer.neurons);
  if ('bitmap' in data) {
    for (let i = 0; i < layer.neurons; i++) out[i] = (data.bitmap[i >> 3]! >> (i & 7)) & 1;
    return out;
  }
  data.counts.forEach((c, j) => {
    const start = j * layer.block;
    const size = Math.min(layer.block, layer.neurons - start);
    // c of size positions, evenly: position floor(i * size / c) for i < c.
    for (let i = 0; i < c; i++) out[start + Math.floor((i * size) / c)] = 1;
  });
  return out;
}

/** Neurons per block in activity traces the functional model writes (the default array: 8 rows x 16 columns). */
export const ACTIVITY_BLOCK = 128;

/**
 * The activity trace of one BPTT iteration of the functional model: per layer (graph node)
 * and step, `spikes` (its output y) and `grads` (its output gradient dy), as bitmaps.
 * Written atomically.
 */
export function writeActivityFromBptt(path: string, net: Network, bptt: BpttResult): { records: number } {
  const layers: ActivityLayer[] = bptt.layers.map((tr) => ({ name: tr.layer.name, neurons: tr.numel, block: ACTIVITY_BLOCK }));
  const w = ActivityWriter.toFile(path, { network: net.name, timeSteps: bptt.T, batch: bptt.batch, layers });
  let records = 0;
  try {
    bptt.layers.forEach((tr, li) => {
      for (let t = 0; t < bptt.T; t++) {
        w.write(li, t, 'spikes', { bitmap: bitmapOf(tr.y[t]!) });
        w.write(li, t, 'grads', { bitmap: bitmapOf(tr.dy[t]!) });
        records += 2;
      }
    });
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  return { records };
}
