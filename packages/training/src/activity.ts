import { ConfigError } from '@sata/core';
import { densityActivity, tensorActivity, type GemmActivity, type Matrix } from '@sata/hw';
import { im2colT, type BpttResult, type FloatArray, type Network, type ResolvedLayer, type SpikingStep, type Weights } from '@sata/snn';
import type { ResolvedConfig } from './config.js';

/** The three BPTT densities of one layer at one step (snn-model.md), and the input's. */
export interface StepDensities {
  /** Nonzero fraction of the layer's input (spikes, or analog values for the first layer). */
  readonly input: number;
  readonly spike: number;
  readonly firingGradient: number;
  readonly membraneGradient: number;
}

/**
 * Which operands of each GEMM and vector step are zero: the input that drives the gating
 * counts of the hardware model. Indexes: `li` a layer of the network, `t` a 0-based step.
 * GEMM operands follow hardware-model.md section 4 (FP: ifmap = input, filter = W;
 * BP: ifmap = du, filter = W; WG: ifmap = input^T, filter = du).
 */
export interface ActivitySource {
  readonly source: 'statistical' | 'measured' | 'replayed';
  forward(li: number, t: number): GemmActivity;
  backward(li: number, t: number): GemmActivity;
  weightGrad(li: number, t: number): GemmActivity;
  /** Neurons whose gradient-unit multiply ds * sg is skipped because sg or ds is zero. */
  gradientSkips(li: number, t: number): number;
  densities(li: number, t: number): StepDensities;
}

/** Statistical densities: SATA_Sim's scalar sparsities, with per-layer and per-step overrides. */
export function statisticalActivity(net: Network, cfg: ResolvedConfig): ActivitySource {
  const sp = cfg.sparsity;
  for (const name of Object.keys(sp.perLayer)) {
    if (!net.layers.some((l) => l.name === name)) {
      throw new ConfigError(`sparsity.perLayer names layer "${name}", which network ${net.name} does not have (layers: ${net.layers.map((l) => l.name).join(', ')})`);
    }
  }
  const layerFigure = (l: ResolvedLayer, t: number, key: 'spike' | 'membraneGradient' | 'firingGradient'): number => {
    const o = sp.perLayer[l.name];
    return o?.perStep?.[t]?.[key] ?? o?.[key] ?? sp[key];
  };
  const firstAnalog = cfg.coding === 'direct';
  const dens = (li: number, t: number): StepDensities => {
    const l = net.layers[li]!;
    // Every spiking input (pool outputs included) has the configured spike density, as in
    // SATA_Sim's closed form; the first layer's analog input under direct coding is dense.
    const prev = li > 0 ? net.layers[li - 1]! : undefined;
    const input = prev ? 1 - layerFigure(prev, t, 'spike') : firstAnalog ? 1 : 1 - sp.spike;
    const spiking = l.kind === 'conv' || l.kind === 'fc';
    return {
      input,
      spike: l.kind === 'out' ? 1 : 1 - layerFigure(l, t, 'spike'),
      firingGradient: spiking ? 1 - layerFigure(l, t, 'firingGradient') : 1,
      membraneGradient: spiking ? 1 - layerFigure(l, t, 'membraneGradient') : 1,
    };
  };
  const neurons = (li: number): number => cfg.batch * net.layers[li]!.outSize;
  return {
    source: 'statistical',
    forward: (li, t) => densityActivity({ ifmap: dens(li, t).input, filter: 1 }),
    backward: (li, t) => densityActivity({ ifmap: dens(li, t).membraneGradient, filter: 1 }),
    weightGrad: (li, t) => densityActivity({ ifmap: dens(li, t).input, filter: dens(li, t).membraneGradient }),
    gradientSkips: (li, t) => neurons(li) * (1 - dens(li, t).firingGradient),
    densities: dens,
  };
}

const nz = (v: number): number => (v !== 0 ? 1 : 0);

/**
 * The forward GEMM's ifmap of a conv from its [B, C, H, W] input: rows (b, e, f), columns
 * (c, r, s), by the functional model's own im2col (one lowering for computing and for
 * counting); only which entries are nonzero matters here.
 */
export function im2colBatch(x: ArrayLike<number>, l: ResolvedLayer, batch: number): Matrix {
  const [C, H, W] = l.inShape;
  const [K, E, F] = l.outShape;
  const R = l.kernel;
  const input = x instanceof Float32Array || x instanceof Float64Array ? x : Float32Array.from(x);
  const data = new Float32Array(batch * E * F * C * R * R);
  im2colT({ batch, C, H, W, K, kernel: R, stride: l.stride, padding: l.padding, Ho: E, Wo: F }, input, data);
  return { rows: batch * E * F, cols: C * R * R, data };
}

/**
 * The ifmap of a conv's backward GEMM (the transposed convolution) from du [B, Kf, E, F]:
 * row (b, h, w) of the input gradient, column (kf, r, s); the entry is du[b, kf, e, f] with
 * h = e * stride + r - pad (likewise w), zero where no output position maps there.
 */
export function transposedIm2col(du: ArrayLike<number>, l: ResolvedLayer, batch: number): Matrix {
  const [, H, W] = l.inShape;
  const [Kf, E, F] = l.outShape;
  const R = l.kernel;
  const { stride, padding: pad } = l;
  const K = Kf * R * R;
  const data = new Uint8Array(batch * H * W * K);
  for (let b = 0; b < batch; b++)
    for (let kf = 0; kf < Kf; kf++)
      for (let e = 0; e < E; e++)
        for (let f = 0; f < F; f++) {
          if (du[((b * Kf + kf) * E + e) * F + f] === 0) continue;
          for (let r = 0; r < R; r++) {
            const h = e * stride + r - pad;
            if (h < 0 || h >= H) continue;
            for (let s = 0; s < R; s++) {
              const w = f * stride + s - pad;
              if (w >= 0 && w < W) data[((b * H + h) * W + w) * K + (kf * R + r) * R + s] = 1;
            }
          }
        }
  return { rows: batch * H * W, cols: K, data };
}

/** A [B, N] batch-major tensor (fc input/output) as a B x N matrix of nonzeros. */
function rowsMatrix(x: ArrayLike<number>, rows: number, cols: number): Matrix {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = nz(x[i]!);
  return { rows, cols, data };
}

/** A [B, Kf, E, F] tensor as a (B*E*F) x Kf matrix of nonzeros (the WG filter operand). */
export function channelsLast(x: ArrayLike<number>, batch: number, Kf: number, EF: number): Matrix {
  const data = new Uint8Array(batch * EF * Kf);
  for (let b = 0; b < batch; b++)
    for (let k = 0; k < Kf; k++)
      for (let p = 0; p < EF; p++) data[(b * EF + p) * Kf + k] = nz(x[(b * Kf + k) * EF + p]!);
  return { rows: batch * EF, cols: Kf, data };
}

/** The transpose, as a matrix of nonzeros. */
export function transposeMatrix(m: Matrix): Matrix {
  const data = new Uint8Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) data[c * m.rows + r] = nz(m.data[r * m.cols + c]!);
  return { rows: m.cols, cols: m.rows, data };
}

/** Matrices of equal width one below the other, as a matrix of nonzeros (steps stacked along M). */
export function stackRows(ms: readonly Matrix[]): Matrix {
  const cols = ms[0]!.cols;
  const rows = ms.reduce((s, m) => s + m.rows, 0);
  const data = new Uint8Array(rows * cols);
  let off = 0;
  for (const m of ms) {
    for (let i = 0; i < m.rows * m.cols; i++) data[off + i] = nz(m.data[i]!);
    off += m.rows * m.cols;
  }
  return { rows, cols, data };
}


/**
 * Activity measured from one BPTT iteration of the functional model: every GEMM operand is
 * built from the actual tensors, so the hardware model's active and gated operations are
 * exact counts, fold by fold.
 */
export function measuredActivity(net: Network, weights: Weights, bptt: BpttResult): ActivitySource {
  const B = bptt.batch;
  const cache = new Map<string, GemmActivity>();
  const memo = (key: string, make: () => GemmActivity): GemmActivity => {
    let a = cache.get(key);
    if (!a) {
      a = make();
      cache.set(key, a);
    }
    return a;
  };
  const trace = (li: number) => bptt.layers[li]!;
  const stepOf = (li: number, t: number): { x: FloatArray; du: FloatArray } => {
    const tr = trace(li);
    if (tr.kind === 'pool') throw new ConfigError(`layer ${tr.layer.name} is a pool layer: it has no GEMM`);
    const st = tr.steps[t]!;
    return { x: st.x, du: tr.kind === 'out' ? (st as { dI: FloatArray }).dI : (st as SpikingStep).du };
  };
  // Filter operands: the weights' nonzero pattern in GEMM layout.
  const forwardFilter = (li: number): Matrix => {
    const l = net.layers[li]!;
    const w = weights[li]!;
    const N = l.outShape[0];
    const K = l.fanIn;
    const data = new Uint8Array(K * N);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) data[k * N + n] = nz(w[n * K + k]!);
    return { rows: K, cols: N, data };
  };
  const backwardFilter = (li: number): Matrix => {
    const l = net.layers[li]!;
    const w = weights[li]!;
    if (l.kind !== 'conv') return rowsMatrix(w, l.outSize, l.inSize);
    const [Kf, C, R] = [l.outShape[0], l.inShape[0], l.kernel];
    const data = new Uint8Array(Kf * R * R * C);
    for (let kf = 0; kf < Kf; kf++) for (let c = 0; c < C; c++) for (let rs = 0; rs < R * R; rs++) data[(kf * R * R + rs) * C + c] = nz(w[(kf * C + c) * R * R + rs]!);
    return { rows: Kf * R * R, cols: C, data };
  };
  const forwardIfmap = (li: number, t: number): Matrix => {
    const l = net.layers[li]!;
    const { x } = stepOf(li, t);
    return l.kind === 'conv' ? im2colBatch(x, l, B) : rowsMatrix(x, B, l.inSize);
  };
  const duMatrix = (li: number, t: number): Matrix => {
    const l = net.layers[li]!;
    const { du } = stepOf(li, t);
    return l.kind === 'conv' ? channelsLast(du, B, l.outShape[0], l.outShape[1] * l.outShape[2]) : rowsMatrix(du, B, l.outSize);
  };
  return {
    source: 'measured',
    forward: (li, t) => memo(`f${li}.${t}`, () => tensorActivity(forwardIfmap(li, t), forwardFilter(li))),
    backward: (li, t) =>
      memo(`b${li}.${t}`, () => {
        const l = net.layers[li]!;
        const ifmap = l.kind === 'conv' ? transposedIm2col(stepOf(li, t).du, l, B) : rowsMatrix(stepOf(li, t).du, B, l.outSize);
        return tensorActivity(ifmap, backwardFilter(li));
      }),
    weightGrad: (li, t) => memo(`w${li}.${t}`, () => tensorActivity(transposeMatrix(forwardIfmap(li, t)), duMatrix(li, t))),
    gradientSkips: (li, t) => {
      const tr = trace(li);
      if (tr.kind !== 'conv' && tr.kind !== 'fc') return 0;
      const st = tr.steps[t] as SpikingStep;
      let n = 0;
      for (let i = 0; i < st.sg.length; i++) if (st.sg[i] === 0 || st.ds[i] === 0) n++;
      return n;
    },
    densities: (li, t) => {
      const tr = trace(li);
      const st = tr.steps[t]!;
      const numel = tr.numel;
      const inNumel = st.x.length;
      if (tr.kind === 'conv' || tr.kind === 'fc') {
        const c = (st as SpikingStep).nnz;
        return { input: c.x / inNumel, spike: c.s / numel, firingGradient: c.sg / numel, membraneGradient: c.du / numel };
      }
      if (tr.kind === 'pool') return { input: st.nnz.x / inNumel, spike: (st.nnz as { s: number }).s / numel, firingGradient: 1, membraneGradient: 1 };
      return { input: st.nnz.x / inNumel, spike: 1, firingGradient: 1, membraneGradient: 1 };
    },
  };
}

/**
 * The ANN baseline's activity (statistical): zero activations after ReLU, with the ANN's
 * own sparsity, gate the forward multiply, mask the activation gradient (so the backward
 * GEMM's ifmap has the same density) and gate the weight gradient. The first layer's input
 * pixels and the output layer's gradient are dense.
 */
export function annActivity(net: Network, cfg: ResolvedConfig): ActivitySource {
  const rho = 1 - cfg.ann.activationSparsity;
  const input = (li: number): number => (li === 0 ? 1 : rho);
  const grad = (li: number): number => (net.layers[li]!.kind === 'out' ? 1 : rho);
  return {
    source: 'statistical',
    forward: (li) => densityActivity({ ifmap: input(li), filter: 1 }),
    backward: (li) => densityActivity({ ifmap: grad(li), filter: 1 }),
    weightGrad: (li) => densityActivity({ ifmap: input(li), filter: grad(li) }),
    gradientSkips: () => 0,
    densities: (li) => ({ input: input(li), spike: rho, firingGradient: 1, membraneGradient: grad(li) }),
  };
}
