/**
 * Replayed sparsity: the hardware model's gating counts come from a recorded activity trace
 * (packages/trace/ACTIVITY-FORMAT.md), written by `sata train --record-activity` or by an
 * outside tool (tools/pytorch_activity.py). What each stream means here:
 *
 * - `spikes` of layer l at step t: the layer's output (conv/fc/pool: spikes; out: the
 *   nonzero output currents). Layer l's output is layer l+1's GEMM input (ifmap).
 * - `grads` of layer l at step t: the gradient of the loss with respect to the layer's
 *   GEMM output, i.e. the membrane gradient du = dL/dI (out: dI; pool: the gradient at its
 *   output). du is the ifmap of the layer's BP GEMM and the filter of its WG GEMM.
 *
 * Bitmaps give exact counts: the operands are rebuilt element by element, as in measured
 * mode, so every fold's active and gated operations are exact. Per-block counts give
 * block-level counts: each block's nonzeros are spread evenly over the block (a
 * deterministic placement), so a block's total is exact and folds whose boundaries fall on
 * block boundaries are exact too; inside a block the positions are an assumption.
 * Weights are taken as dense (a weight is practically never exactly zero). The first
 * layer's input is dense under direct coding (analog pixels); under rate coding, whose
 * input spikes the trace does not carry, it has the configured spike density.
 * The gradient unit's skipped multiplies (ds * sg) are counted from du: a neuron whose du
 * is zero has its multiply skipped (exact when the leak's carry term is zero, an
 * approximation otherwise); the firing-gradient density reported is likewise du's.
 */
import { ConfigError } from '@sata/core';
import { densityActivity, tensorActivity, type GemmActivity, type Matrix } from '@sata/hw';
import type { BpttResult, FloatArray, Network, ResolvedLayer } from '@sata/snn';
import { ActivityWriter, blockCounts, bitmapOf, readActivityTrace, type ActivityData, type ActivityHeader, type ActivityLayer, type ActivityStream, type ActivityTrace } from '@sata/trace';
import { channelsLast, im2colBatch, transposedIm2col, transposeMatrix as transpose, type ActivitySource, type StepDensities } from './activity.js';
import type { ResolvedConfig } from './config.js';

/** The part of an ActivityTrace replay reads. */
export interface ActivityTraceLike {
  readonly header: ActivityHeader;
  get(layer: number, step: number, stream: ActivityStream): { readonly data: ActivityData } | undefined;
}

/** Reads `cfg.sparsity.activityTrace` and replays it (errors name the file). */
export function replayedActivityFromFile(net: Network, cfg: ResolvedConfig): ActivitySource {
  const path = cfg.sparsity.activityTrace;
  if (!path) throw new ConfigError('sparsity.mode replayed needs sparsity.activityTrace, an activity trace file (--activity FILE)');
  const trace: ActivityTrace = readActivityTrace(path);
  return replayedActivity(net, cfg, trace, path);
}

/** Which layers' streams a replay of `net` needs: spikes of every GEMM layer's input layer, grads of every GEMM layer. */
function needed(net: Network): Array<[number, ActivityStream]> {
  const out: Array<[number, ActivityStream]> = [];
  net.layers.forEach((l, li) => {
    if (l.kind === 'pool') return;
    if (li > 0) out.push([li - 1, 'spikes']);
    out.push([li, 'grads']);
  });
  return out;
}

/**
 * An ActivitySource from a recorded activity trace. The trace must describe this network
 * (same layer names, `batch * outSize` neurons per layer), the configured time steps and
 * batch, and hold every step of the spikes and grads the schedule reads.
 */
export function replayedActivity(net: Network, cfg: ResolvedConfig, trace: ActivityTraceLike, where = 'activity trace'): ActivitySource {
  const h = trace.header;
  const B = cfg.batch;
  const T = cfg.timesteps;
  const fail = (m: string): never => {
    throw new ConfigError(`${where}: ${m}`);
  };
  if (h.layers.length !== net.layers.length || h.layers.some((l, i) => l.name !== net.layers[i]!.name)) {
    fail(`recorded for network "${h.network}" with layers ${h.layers.map((l) => l.name).join(', ')}, but this run simulates ${net.name} with layers ${net.layers.map((l) => l.name).join(', ')}`);
  }
  if (h.timeSteps !== T) fail(`has ${h.timeSteps} time steps, the configuration ${T} (set timesteps to ${h.timeSteps})`);
  if (h.batch !== B) fail(`covers a batch of ${h.batch}, the configuration ${B} (set batch to ${h.batch})`);
  h.layers.forEach((l, i) => {
    const want = B * net.layers[i]!.outSize;
    if (l.neurons !== want) fail(`layer ${l.name} has ${l.neurons} values per step, network ${net.name} with batch ${B} has ${want}`);
  });
  for (const [li, stream] of needed(net)) {
    for (let t = 0; t < T; t++) if (!trace.get(li, t, stream)) fail(`no ${stream} record for layer ${li} (${h.layers[li]!.name}) at step ${t}, which the simulation needs`);
  }

  // 0/1 values of a layer's stream at a step (bitmaps exact; counts spread evenly per block).
  const values = new Map<string, Uint8Array>();
  const nnzOf = new Map<string, number>();
  const valuesOf = (li: number, t: number, stream: ActivityStream): Uint8Array => {
    const k = `${stream}${li}.${t}`;
    let v = values.get(k);
    if (!v) {
      v = expand(trace.get(li, t, stream)!.data, h.layers[li]!);
      values.set(k, v);
    }
    return v;
  };
  const count = (li: number, t: number, stream: ActivityStream): number => {
    const k = `${stream}${li}.${t}`;
    let n = nnzOf.get(k);
    if (n === undefined) {
      const rec = trace.get(li, t, stream);
      n = 0;
      if (rec) for (const c of blockCounts(rec.data, h.layers[li]!)) n += c;
      nnzOf.set(k, n);
    }
    return n;
  };
  const firstDense = cfg.coding === 'direct';
  const input = (li: number, t: number): Uint8Array | undefined => (li === 0 ? undefined : valuesOf(li - 1, t, 'spikes'));
  const cache = new Map<string, GemmActivity>();
  const memo = (key: string, make: () => GemmActivity): GemmActivity => {
    let a = cache.get(key);
    if (!a) {
      a = make();
      cache.set(key, a);
    }
    return a;
  };
  const ones = (rows: number, cols: number): Matrix => ({ rows, cols, data: new Uint8Array(rows * cols).fill(1) });
  const l = (li: number): ResolvedLayer => net.layers[li]!;
  const gemmLayer = (li: number): ResolvedLayer => {
    const x = l(li);
    if (x.kind === 'pool') throw new ConfigError(`layer ${x.name} is a pool layer: it has no GEMM`);
    return x;
  };
  // Layer 0's input is not in the trace: dense (direct coding) or the configured density (rate coding).
  const firstInputDensity = firstDense ? 1 : 1 - cfg.sparsity.spike;
  const forwardIfmap = (li: number, t: number): Matrix | undefined => {
    const x = input(li, t);
    if (!x) return undefined;
    const L = gemmLayer(li);
    return L.kind === 'conv' ? im2colBatch(x, L, B) : { rows: B, cols: L.inSize, data: x };
  };
  const duMatrix = (li: number, t: number): Matrix => {
    const L = gemmLayer(li);
    const du = valuesOf(li, t, 'grads');
    return L.kind === 'conv' ? channelsLast(du, B, L.outShape[0], L.outShape[1] * L.outShape[2]) : { rows: B, cols: L.outSize, data: du };
  };
  const forwardFilter = (li: number): Matrix => ones(gemmLayer(li).fanIn, l(li).outShape[0]);
  const forward = (li: number, t: number): GemmActivity =>
    memo(`f${li}.${t}`, () => {
      const m = forwardIfmap(li, t);
      return m ? tensorActivity(m, forwardFilter(li)) : densityActivity({ ifmap: firstInputDensity, filter: 1 });
    });
  const dens = (li: number, t: number): StepDensities => {
    const L = l(li);
    const neurons = B * L.outSize;
    const inputDensity = li === 0 ? firstInputDensity : count(li - 1, t, 'spikes') / (B * L.inSize);
    const spiking = L.kind === 'conv' || L.kind === 'fc';
    const spike = L.kind === 'out' ? 1 : trace.get(li, t, 'spikes') ? count(li, t, 'spikes') / neurons : 1;
    const du = spiking ? count(li, t, 'grads') / neurons : 1;
    return { input: inputDensity, spike, firingGradient: du, membraneGradient: du };
  };
  return {
    source: 'replayed',
    forward,
    backward: (li, t) =>
      memo(`b${li}.${t}`, () => {
        const L = gemmLayer(li);
        const du = valuesOf(li, t, 'grads');
        const ifmap = L.kind === 'conv' ? transposedIm2col(du, L, B) : { rows: B, cols: L.outSize, data: du };
        const filterRows = L.kind === 'conv' ? L.outShape[0] * L.kernel * L.kernel : L.outSize;
        return tensorActivity(ifmap, ones(filterRows, L.kind === 'conv' ? L.inShape[0] : L.inSize));
      }),
    weightGrad: (li, t) =>
      memo(`w${li}.${t}`, () => {
        const m = forwardIfmap(li, t);
        const du = duMatrix(li, t);
        if (!m) return densityActivity({ ifmap: firstInputDensity, filter: count(li, t, 'grads') / (du.rows * du.cols) });
        return tensorActivity(transpose(m), du);
      }),
    gradientSkips: (li, t) => {
      const L = l(li);
      if (L.kind !== 'conv' && L.kind !== 'fc') return 0;
      return B * L.outSize - count(li, t, 'grads');
    },
    densities: dens,
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
 * The activity trace of one BPTT iteration of the functional model: per layer and step,
 * spikes (conv/fc/pool output spikes; out: nonzero output currents) and grads (conv/fc: du;
 * pool: ds; out: dI), as bitmaps. Written atomically.
 */
export function writeActivityFromBptt(path: string, net: Network, bptt: BpttResult): { records: number } {
  const layers: ActivityLayer[] = bptt.layers.map((tr) => ({ name: tr.layer.name, neurons: tr.numel, block: ACTIVITY_BLOCK }));
  const w = ActivityWriter.toFile(path, { network: net.name, timeSteps: bptt.T, batch: bptt.batch, layers });
  let records = 0;
  try {
    bptt.layers.forEach((tr, li) => {
      for (let t = 0; t < bptt.T; t++) {
        let spikes: FloatArray;
        let grads: FloatArray;
        if (tr.kind === 'conv' || tr.kind === 'fc') {
          spikes = tr.steps[t]!.s;
          grads = tr.steps[t]!.du;
        } else if (tr.kind === 'pool') {
          spikes = tr.steps[t]!.s;
          grads = tr.steps[t]!.ds;
        } else {
          const st = tr.steps[t]! as { I: FloatArray; dI: FloatArray };
          spikes = st.I;
          grads = st.dI;
        }
        w.write(li, t, 'spikes', { bitmap: bitmapOf(spikes) });
        w.write(li, t, 'grads', { bitmap: bitmapOf(grads) });
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
