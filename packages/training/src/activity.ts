import { ConfigError } from '@sata/core';
import { densityActivity, tensorActivity, type GemmActivity, type Matrix } from '@sata/hw';
import type { ActivationOperand, AlgorithmInstance, NeuronDensities, OperandDensities } from '@sata/plugin-api';
import type { BpttResult, LayerTrace, Network, ResolvedLayer, Weights } from '@sata/snn';
import type { ResolvedConfig } from './config.js';

/** The three BPTT densities of one layer at one step (snn-model.md), and the input's. */
export interface StepDensities {
  /** Nonzero fraction of the layer's (first) input (spikes, or analog values). */
  readonly input: number;
  /** Nonzero fraction of the layer's output (a neuron's spikes); 1 for the head. */
  readonly spike: number;
  /** A neuron's surrogate-gradient nonzero fraction; 1 for other kinds. */
  readonly firingGradient: number;
  /** A neuron's membrane gradient du; for other kinds their output gradient's (the head's dI: 1). */
  readonly membraneGradient: number;
}

/**
 * Which operands of each GEMM and vector step are zero: the input that drives the gating
 * counts of the hardware model. Indexes: `li` a layer (graph node) of the network, `t` a
 * 0-based step. GEMM operands follow hardware-model.md section 4 (FP: ifmap = input,
 * filter = W; BP: ifmap = dy, filter = W; WG: ifmap = input^T, filter = dy); only layers
 * whose kind has GEMMs are asked for them, only neurons for gradient skips.
 */
export interface ActivitySource {
  readonly source: 'statistical' | 'measured' | 'replayed';
  forward(li: number, t: number): GemmActivity;
  backward(li: number, t: number): GemmActivity;
  weightGrad(li: number, t: number): GemmActivity;
  /** A GEMM whose operands are both activations (attention), from the tensors its lowering names. */
  operands(li: number, t: number, o: ActivationOperands): GemmActivity;
  /** Neurons whose gradient-unit multiply ds * sg is skipped because sg or ds is zero. */
  gradientSkips(li: number, t: number): number;
  densities(li: number, t: number): StepDensities;
}

export interface ActivationOperands {
  readonly ifmap: ActivationOperand;
  readonly filter: ActivationOperand;
}

/** An activation operand's nonzero fraction from the densities known of its layer (a state tensor's from its kind). */
export function operandDensity(op: ActivationOperand, d: OperandDensities, layer: string): number {
  if (op.density) return op.density(d);
  const x = op.tensor;
  if (x.kind === 'input') return d.inputs[x.index]!;
  if (x.kind === 'output') return d.output;
  if (x.kind === 'outputGrad') return d.outputGrad;
  throw new Error(`layer ${layer}: GEMM operand ${x.name} is a tensor of the kind's own, which must give its density`);
}

/** The spec layer a format-1 node came from, when it is the neuron the shorthand implied. */
export function impliedBy(net: Network, l: ResolvedLayer): ResolvedLayer | null {
  // The resolver puts an implied neuron right after the layer it follows (same spec origin).
  const prev = l.index > 0 ? net.layers[l.index - 1]! : null;
  return prev && prev.origin === l.origin ? prev : null;
}

/**
 * Densities propagated through the graph by each kind's density facet: outputs forward from
 * the input's density (a neuron's from `neuron(li, t)`), output gradients backward from the
 * head's (dense), a layer read by several others taking the union of their gradients (zeros
 * placed independently). The statistical SNN and the ANN baseline differ only in the
 * neuron figures and the input's density.
 */
export function propagatedActivity(net: Network, inputDensity: number, T: number, batch: number, neuron: (li: number, t: number) => NeuronDensities, traced = false): ActivitySource {
  const n = net.layers.length;
  const y: number[][] = Array.from({ length: n }, () => new Array<number>(T).fill(1));
  const dy: number[][] = Array.from({ length: n }, () => new Array<number>(T).fill(0));
  const own = (li: number, t: number): NeuronDensities | null => (net.layers[li]!.def.neuron ? neuron(li, t) : null);
  const yOf = (j: number, t: number): number => (j < 0 ? inputDensity : y[j]![t]!);
  for (let t = 0; t < T; t++) {
    for (const l of net.layers) y[l.index]![t] = l.def.density.output(l, l.inputs.map((j) => yOf(j, t)), own(l.index, t));
    dy[net.head]![t] = 1;
    for (let li = n - 1; li >= 0; li--) {
      const l = net.layers[li]!;
      const g = l.def.density.inputGrad(l, dy[li]![t]!, own(li, t));
      // Union with what other readers sent back.
      for (const j of l.inputs) if (j >= 0) dy[j]![t] = 1 - (1 - dy[j]![t]!) * (1 - g);
    }
  }
  const dens = (li: number, t: number): StepDensities => {
    const l = net.layers[li]!;
    const nd = own(li, t);
    return {
      input: yOf(l.inputs[0]!, t),
      spike: l.def.head ? 1 : y[li]![t]!,
      firingGradient: nd ? nd.firingGradient : 1,
      membraneGradient: nd ? nd.membraneGradient : l.def.head ? 1 : dy[li]![t]!,
    };
  };
  const operand = (li: number, t: number, op: ActivationOperand): number => {
    const l = net.layers[li]!;
    return operandDensity(op, { inputs: l.inputs.map((j) => yOf(j, t)), output: y[li]![t]!, outputGrad: dy[li]![t]! }, l.name);
  };
  return {
    source: 'statistical',
    forward: (li, t) => densityActivity({ ifmap: yOf(net.layers[li]!.inputs[0]!, t), filter: 1 }),
    operands: (li, t, o) => densityActivity({ ifmap: operand(li, t, o.ifmap), filter: operand(li, t, o.filter) }),
    backward: (li, t) => densityActivity({ ifmap: dy[li]![t]!, filter: 1 }),
    // OTTT's presynaptic trace is nonzero where any input so far was: 1 - prod (1 - d).
    weightGrad: (li, t) => {
      const j = net.layers[li]!.inputs[0]!;
      let ifmap = yOf(j, t);
      if (traced) {
        let zero = 1;
        for (let tt = 0; tt <= t; tt++) zero *= 1 - yOf(j, tt);
        ifmap = 1 - zero;
      }
      return densityActivity({ ifmap, filter: dy[li]![t]! });
    },
    gradientSkips: (li, t) => batch * net.layers[li]!.outSize * (1 - (own(li, t)?.firingGradient ?? 1)),
    densities: dens,
  };
}

/**
 * Statistical densities: SATA_Sim's scalar sparsities for every neuron layer, with per-layer
 * and per-step overrides keyed by the neuron's name (for a format-1 network the conv or fc
 * layer's name stands for the neuron the shorthand implies). Every spiking input (pooled
 * spikes included) has its neuron's spike density, as in SATA_Sim's closed form; the first
 * layer's analog input under direct coding is dense.
 */
export function statisticalActivity(net: Network, cfg: ResolvedConfig, algorithm?: AlgorithmInstance): ActivitySource {
  const sp = cfg.sparsity;
  const keyOf = new Map<string, number>();
  for (const l of net.layers) {
    if (!l.def.neuron) continue;
    keyOf.set(l.name, l.index);
    const by = impliedBy(net, l);
    if (by) keyOf.set(by.name, l.index);
  }
  for (const name of Object.keys(sp.perLayer)) {
    if (!keyOf.has(name)) {
      const known = net.layers.some((l) => l.name === name);
      throw new ConfigError(
        `sparsity.perLayer names layer "${name}", which ${known ? `is not a neuron layer of network ${net.name}` : `network ${net.name} does not have`} (neuron layers: ${[...keyOf.keys()].join(', ')})`,
      );
    }
  }
  const overrides = new Map<number, (typeof sp.perLayer)[string]>();
  for (const [name, o] of Object.entries(sp.perLayer)) overrides.set(keyOf.get(name)!, o);
  const figure = (li: number, t: number, key: 'spike' | 'membraneGradient' | 'firingGradient'): number => {
    const o = overrides.get(li);
    return o?.perStep?.[t]?.[key] ?? o?.[key] ?? sp[key];
  };
  return propagatedActivity(net, cfg.coding === 'direct' ? 1 : 1 - sp.spike, cfg.timesteps, cfg.batch, (li, t) => ({
    spike: 1 - figure(li, t, 'spike'),
    firingGradient: 1 - figure(li, t, 'firingGradient'),
    membraneGradient: 1 - figure(li, t, 'membraneGradient'),
  }), algorithm?.presynapticTrace !== undefined);
}

/**
 * The ANN baseline's activity (statistical): zero activations after ReLU, with the ANN's
 * own sparsity, gate the forward multiply, mask the activation gradient (so the backward
 * GEMM's ifmap has the same density) and gate the weight gradient. The input pixels and the
 * output layer's gradient are dense.
 */
export function annActivity(net: Network, cfg: ResolvedConfig): ActivitySource {
  const rho = 1 - cfg.ann.activationSparsity;
  return propagatedActivity(net, 1, 1, cfg.batch, () => ({ spike: rho, firingGradient: 1, membraneGradient: rho }));
}

const nz = (v: number): number => (v !== 0 ? 1 : 0);

/** The transpose, as a matrix of nonzeros. */
export function transposeMatrix(m: Matrix): Matrix {
  const data = new Uint8Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) data[c * m.rows + r] = nz(m.data[r * m.cols + c]!);
  return { rows: m.cols, cols: m.rows, data };
}

/** The GEMM facet of a layer, or a clear error for a kind without GEMMs. */
export function gemmFacetOf(l: ResolvedLayer) {
  const g = l.def.gemms;
  if (!g) throw new ConfigError(`layer ${l.name} is a ${l.kind} layer: it has no GEMM`);
  return g;
}

/** The values at step t of the tensor an activation operand names, from a layer's trace. */
function tensorValues(x: LayerTrace, t: number, op: ActivationOperand): ArrayLike<number> {
  const r = op.tensor;
  const v = r.kind === 'input' ? x.x[r.index]?.[t] : r.kind === 'output' ? x.y[t] : r.kind === 'outputGrad' ? x.dy[t] : x.state[r.name]?.[t];
  if (!v) throw new Error(`layer ${x.layer.name}: the functional model kept no ${r.kind === 'state' ? r.name : r.kind} at step ${t}`);
  return v;
}

/** A cache of GEMM activities by key: each is built once per run, on first use. */
export function memoActivity(): (key: string, make: () => GemmActivity) => GemmActivity {
  const cache = new Map<string, GemmActivity>();
  return (key, make) => {
    let a = cache.get(key);
    if (!a) cache.set(key, (a = make()));
    return a;
  };
}

/**
 * Activity measured from one BPTT iteration of the functional model: every GEMM operand is
 * built from the actual tensors by the layer's kind (its own lowering of inputs and
 * gradients to matrices), so the hardware model's active and gated operations are exact
 * counts, fold by fold.
 */
export function measuredActivity(net: Network, weights: Weights, bptt: BpttResult): ActivitySource {
  const B = bptt.batch;
  const memo = memoActivity();
  const tr = (li: number) => bptt.layers[li]!;
  const forwardIfmap = (li: number, t: number): Matrix => gemmFacetOf(net.layers[li]!).forwardIfmap(net.layers[li]!, tr(li).x[0]![t]!, B);
  // OTTT's weight gradient reads the presynaptic trace the functional model kept.
  const weightGradIfmap = (li: number, t: number): Matrix => {
    const a = tr(li).state['a'];
    return a ? gemmFacetOf(net.layers[li]!).forwardIfmap(net.layers[li]!, a[t]!, B) : forwardIfmap(li, t);
  };
  return {
    source: 'measured',
    forward: (li, t) => memo(`f${li}.${t}`, () => tensorActivity(forwardIfmap(li, t), gemmFacetOf(net.layers[li]!).forwardFilter(net.layers[li]!, weights[li]!))),
    backward: (li, t) =>
      memo(`b${li}.${t}`, () => {
        const l = net.layers[li]!;
        const g = gemmFacetOf(l);
        return tensorActivity(g.backwardIfmap(l, tr(li).dy[t]!, B), g.backwardFilter(l, weights[li]!));
      }),
    weightGrad: (li, t) => memo(`w${li}.${t}`, () => tensorActivity(transposeMatrix(weightGradIfmap(li, t)), gemmFacetOf(net.layers[li]!).gradientMatrix(net.layers[li]!, tr(li).dy[t]!, B))),
    operands: (li, t, o) => tensorActivity(o.ifmap.matrix(tensorValues(tr(li), t, o.ifmap)), o.filter.matrix(tensorValues(tr(li), t, o.filter))),
    gradientSkips: (li, t) => {
      const x = tr(li);
      const sg = x.state['sg'];
      if (!x.layer.def.neuron || !sg) return 0;
      const s = sg[t]!;
      const ds = x.dy[t]!;
      let n = 0;
      for (let i = 0; i < s.length; i++) if (s[i] === 0 || ds[i] === 0) n++;
      return n;
    },
    densities: (li, t) => {
      const x = tr(li);
      const c = x.nnz[t]!;
      const l = x.layer;
      return {
        input: c.x / x.inNumel,
        spike: l.def.head ? 1 : c.y / x.numel,
        firingGradient: l.def.neuron ? c.sg / x.numel : 1,
        membraneGradient: l.def.neuron ? c.du / x.numel : l.def.head ? 1 : c.dy / x.numel,
      };
    },
  };
}
