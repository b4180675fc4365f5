/**
 * Golden files (snn-model.md, "Golden files"): a network in the golden layer format, its
 * weights, inputs and labels, and the values an independent implementation computed. The
 * check runs the functional model in float64 and reports the largest relative error of
 * every quantity (loss, logits, and per layer u, s, sg, du, ds, dW, I, dI, densities).
 */
import { ConfigError, quote, readDocument } from '@sata/core';
import type { AlgorithmInstance, LayerSpec, NetworkSpec } from '@sata/plugin-api';
import { algorithmFor } from './algorithms/index.js';
import { countNonzero } from './tensor.js';
import { runBptt, type BpttResult, type LayerTrace } from './bptt.js';
import { parseInputShape, parseLayer, resolveNetwork, type Network } from './network.js';

/** Relative error tolerance of the contract (float64). Spikes must match exactly. */
export const GOLDEN_TOLERANCE = 1e-9;

/** |u - theta| below this is a threshold tie: reported, since summation order may flip it. */
export const TIE_MARGIN = 1e-12;

/** Golden-file fields that hold data rather than the layer's specification (both formats). */
const DATA_FIELDS = new Set([
  'index', 'weight', 'weightShape', 'weightGrad', 'u', 's', 'du', 'ds', 'surrogate', 'outShape', 'density', 'I', 'dI',
  'y', 'dy', 'biasShape', 'biasGrad', 'gamma', 'gammaShape', 'gammaGrad', 'beta', 'betaShape', 'betaGrad', 'mean', 'var', 'gain', 'betaShift',
]);

export interface GoldenCase {
  readonly name: string;
  readonly source: string;
  /** 1: a chain whose conv/fc imply LIF neurons; 2: a graph of simple operations. */
  readonly format: 1 | 2;
  readonly T: number;
  /** Neuron parameters of format 1 (format 2 neurons carry their own; these are then unused). */
  readonly lam: number;
  readonly theta: number;
  readonly batch: number;
  readonly coding: string;
  /** The training algorithm whose gradients the file holds (default: BPTT). */
  readonly algorithm?: AlgorithmInstance;
  readonly network: Network;
  readonly weights: Record<string, Float64Array>[];
  readonly inputs: Float64Array[];
  readonly labels: number[];
  readonly expected: { readonly loss: number; readonly logits: Float64Array; readonly layers: readonly Record<string, unknown>[] };
}

export interface QuantityError {
  /** loss, logits, or a layer's u, s, sg, du, ds, dW, I, dI, y, dy, d<param>, mean, var, density.* */
  readonly quantity: string;
  readonly layer: number | null;
  readonly layerName: string | null;
  readonly values: number;
  /** max |actual - expected| / |expected| over the values with a nonzero expectation (0 when all agree). */
  readonly maxRelError: number;
  readonly maxAbsError: number;
  /** Values whose expectation is exactly zero but whose actual value is not (these have no relative error). */
  readonly zeroMismatches: number;
  /** Spikes only: entries that differ. */
  readonly mismatches?: number;
  readonly pass: boolean;
}

export interface GoldenReport {
  readonly name: string;
  readonly source: string;
  readonly format: 1 | 2;
  readonly T: number;
  readonly lam: number;
  readonly theta: number;
  readonly batch: number;
  readonly coding: string;
  readonly tolerance: number;
  readonly quantities: QuantityError[];
  /** Membrane potentials within TIE_MARGIN of theta (a spike decided by rounding). */
  readonly ties: number;
  readonly pass: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(doc: Record<string, unknown>, field: string, where: string): number {
  const v = doc[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where}: field "${field}" must be a finite number, found ${quote(v)}`);
  return v;
}

function flat(v: unknown, n: number, where: string, field: string): Float64Array {
  if (!Array.isArray(v)) throw new ConfigError(`${where}: field "${field}" must be an array of ${n} numbers`);
  if (v.length !== n) throw new ConfigError(`${where}: field "${field}" has ${v.length} values, expected ${n}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ConfigError(`${where}: field "${field}"[${i}] is not a finite number`);
    out[i] = x;
  }
  return out;
}

/** One array per time step, each of n numbers. */
function perStep(v: unknown, T: number, n: number, where: string, field: string): Float64Array[] {
  if (!Array.isArray(v) || v.length !== T) throw new ConfigError(`${where}: field "${field}" must hold ${T} arrays (one per time step), found ${Array.isArray(v) ? v.length : typeof v}`);
  return v.map((a, t) => flat(a, n, where, `${field}[${t}]`));
}

/** The parameter fields of a golden layer: values, shape field and gradient field by parameter name. */
const PARAM_FIELDS: Readonly<Record<string, { values: string; shape: string; grad: string }>> = {
  weight: { values: 'weight', shape: 'weightShape', grad: 'weightGrad' },
  bias: { values: 'bias', shape: 'biasShape', grad: 'biasGrad' },
  gamma: { values: 'gamma', shape: 'gammaShape', grad: 'gammaGrad' },
  beta: { values: 'beta', shape: 'betaShape', grad: 'betaGrad' },
};

/** A golden layer's specification: its data fields set aside, a bias given as values becomes `bias: true`. */
function layerSpecOf(raw: unknown, where: string): LayerSpec {
  if (!isRecord(raw)) throw new ConfigError(`${where}: a layer must be an object`);
  const spec = Array.isArray(raw['bias']) ? { ...raw, bias: true } : raw;
  return parseLayer(spec, where, DATA_FIELDS);
}

/** Validates a parsed golden document (format 1 or 2) and builds the network, parameters and inputs it states. */
export function parseGolden(doc: unknown, source: string): GoldenCase {
  if (!isRecord(doc)) throw new ConfigError(`${source}: a golden file must hold a JSON object`);
  const format = doc['format'] === undefined ? 1 : doc['format'];
  if (format !== 1 && format !== 2) throw new ConfigError(`${source}: field "format" must be 1 or 2, found ${quote(format)}`);
  const T = num(doc, 'T', source);
  if (!Number.isInteger(T) || T < 1) throw new ConfigError(`${source}: field "T" must be a positive integer, found ${T}`);
  // The training algorithm whose gradients the file holds: { name, K? , traceLam? } (snn-model.md, "Training algorithms").
  const alg = doc['algorithm'];
  let algorithm: AlgorithmInstance | undefined;
  if (alg !== undefined) {
    if (!isRecord(alg) || typeof alg['name'] !== 'string') throw new ConfigError(`${source}: field "algorithm" must be an object with a "name"`);
    const param = alg['K'] ?? alg['traceLam'];
    algorithm = algorithmFor(param === undefined ? alg['name'] : `${alg['name']}:${String(param)}`, T, 0, undefined, `${source}: field "algorithm"`);
  }
  // Format 2 neurons carry lam and theta; the defaults then only serve neurons that leave them out.
  const lam = format === 1 ? num(doc, 'lam', source) : 0.9;
  const theta = format === 1 ? num(doc, 'theta', source) : 1;
  if (!(theta > 0)) throw new ConfigError(`${source}: field "theta" must be positive, found ${theta}`);
  if (!(lam >= 0 && lam <= 1)) throw new ConfigError(`${source}: field "lam" must be in [0, 1], found ${lam}`);
  const batch = num(doc, 'batch', source);
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError(`${source}: field "batch" must be a positive integer, found ${batch}`);
  const shape = doc['inputShape'];
  if (!Array.isArray(shape) || shape[0] !== batch) throw new ConfigError(`${source}: field "inputShape" must be [batch, ...sample shape] with batch = ${batch}, found ${quote(shape)}`);
  const inputShape = parseInputShape(shape.slice(1), source);
  const rawLayers = doc['layers'];
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ConfigError(`${source}: field "layers" must be a non-empty list`);
  const layers = rawLayers.map((l, i) => layerSpecOf(l, `${source}: layers[${i}]`));
  const name = typeof doc['name'] === 'string' ? doc['name'] : source;
  const spec: NetworkSpec = { name, inputShape, layers };
  const network = resolveNetwork(spec, source);
  const weights = network.layers.map((l) => {
    const raw = rawLayers[l.origin] as Record<string, unknown>;
    const where = `${source}: layers[${l.origin}] (${l.name})`;
    const params: Record<string, Float64Array> = {};
    for (const d of l.params) {
      const n = d.shape.reduce((a, b) => a * b, 1);
      const f = PARAM_FIELDS[d.name];
      if (!f) {
        // Not in the file (running statistics): their initial values.
        params[d.name] = new Float64Array(n).fill(d.init.kind === 'constant' ? d.init.value : 0);
        continue;
      }
      if (d.name === 'weight') {
        const ws = raw[f.shape];
        if (!Array.isArray(ws) || ws.join('x') !== d.shape.join('x')) {
          throw new ConfigError(`${where}: field "${f.shape}" is ${quote(ws)}, but the layer's inferred weight shape is [${d.shape.join(', ')}]`);
        }
      }
      params[d.name] = flat(raw[f.values], n, where, f.values);
    }
    return params;
  });
  const inputs = perStep(doc['input'], T, batch * network.inSize, source, 'input');
  const labelsRaw = doc['labels'];
  if (!Array.isArray(labelsRaw) || labelsRaw.length !== batch) throw new ConfigError(`${source}: field "labels" must hold ${batch} class indices`);
  const labels = labelsRaw.map((y, b) => {
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= network.classes) throw new ConfigError(`${source}: labels[${b}] = ${quote(y)} is not a class in 0..${network.classes - 1}`);
    return y;
  });
  const loss = num(doc, 'loss', source);
  const logits = flat(doc['logits'], batch * network.classes, source, 'logits');
  return {
    name, source, format, T, lam, theta, batch, ...(algorithm ? { algorithm } : {}),
    coding: typeof doc['coding'] === 'string' ? doc['coding'] : 'unknown',
    network,
    weights,
    inputs,
    labels,
    expected: { loss, logits, layers: rawLayers as Record<string, unknown>[] },
  };
}

/** Reads and parses a golden file. */
export function loadGolden(path: string): GoldenCase {
  return parseGolden(readDocument(path, 'golden file'), path);
}

function compare(quantity: string, layer: { index: number; name: string } | null, actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, exact = false): QuantityError {
  let maxRel = 0;
  let maxAbs = 0;
  let zeroMismatches = 0;
  let mismatches = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const abs = Math.abs(a - e);
    if (a !== e) mismatches++;
    maxAbs = Math.max(maxAbs, abs);
    if (e === 0) {
      if (a !== 0) zeroMismatches++;
    } else {
      maxRel = Math.max(maxRel, abs / Math.abs(e));
    }
  }
  const pass = exact ? mismatches === 0 : maxRel <= tolerance && zeroMismatches === 0;
  return {
    quantity, layer: layer?.index ?? null, layerName: layer?.name ?? null, values: expected.length,
    maxRelError: maxRel, maxAbsError: maxAbs, zeroMismatches, ...(exact ? { mismatches } : {}), pass,
  };
}

function concat(arrays: readonly ArrayLike<number>[]): Float64Array {
  const n = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a as ArrayLike<number>, o);
    o += a.length;
  }
  return out;
}

/** Compares a BPTT result with a golden case's expectations. */
export function compareGolden(g: GoldenCase, r: BpttResult, tolerance = GOLDEN_TOLERANCE): GoldenReport {
  const q: QuantityError[] = [];
  q.push(compare('loss', null, [r.loss], [g.expected.loss], tolerance));
  q.push(compare('logits', null, r.logits, g.expected.logits, tolerance));
  let ties = 0;
  const T = g.T;
  const compareNeuron = (tr: LayerTrace, raw: Record<string, unknown>, ref: { index: number; name: string }, where: string, names: { u: string; s: string; ds: string }): void => {
    const steps = (field: string): Float64Array => concat(perStep(raw[field], T, tr.numel, where, field));
    const theta = (tr.layer.attrs as { theta?: number }).theta ?? g.theta;
    q.push(compare('u', ref, concat(tr.state['u']!), steps(names.u), tolerance));
    q.push(compare('s', ref, concat(tr.y), steps(names.s), tolerance, true));
    q.push(compare('sg', ref, concat(tr.state['sg']!), steps('surrogate'), tolerance));
    const du = perStep(raw['du'], T, tr.numel, where, 'du');
    const producer = tr.layer.inputs[0]!;
    // With an input gain u[0] = g x[0] is a tensor of its own: nothing aliased.
    const aliased = producer >= 0 && r.layers[producer]!.layer.readers.length > 1 && ((tr.layer.attrs as { gain?: number }).gain ?? 1) === 1;
    if (aliased) {
      // The reference starts a neuron with u = x[0], the very tensor of its input, so the du it
      // records at the first step is that input's whole gradient when other layers read it too
      // (a shortcut): compared as such; the other steps are the neuron's own du.
      q.push(compare('du', ref, concat(tr.state['du']!.slice(1)), concat(du.slice(1)), tolerance));
      q.push(compare('du[1] (reference: the input gradient)', ref, r.layers[producer]!.dy[0]!, du[0]!, tolerance));
    } else q.push(compare('du', ref, concat(tr.state['du']!), concat(du), tolerance));
    q.push(compare('ds', ref, concat(tr.dy), steps(names.ds), tolerance));
    for (const u of tr.state['u']!) for (const v of u) if (Math.abs(v - theta) < TIE_MARGIN) ties++;
    const d = raw['density'];
    if (isRecord(d)) {
      const own = r.densities[tr.layer.index]!.overall;
      // Under the reference's aliasing (above) its du density counts the input gradient at the first step.
      const ours = aliased
        ? { ...own, du: (countNonzero(r.layers[producer]!.dy[0]!) + tr.state['du']!.slice(1).reduce((n, a) => n + countNonzero(a), 0)) / (tr.numel * T) }
        : own;
      const pairs: [string, number | null, unknown][] = [
        ['density.spike', ours.spike, d['spike']],
        ['density.surrogate', ours.surrogate, d['surrogateNonzero']],
        ['density.du', ours.du, d['duNonzero']],
      ];
      for (const [name, a, e] of pairs) if (typeof e === 'number') q.push(compare(name, ref, [a ?? NaN], [e], tolerance));
    }
  };
  const compareParams = (tr: LayerTrace, raw: Record<string, unknown>, ref: { index: number; name: string }, where: string): void => {
    for (const d of tr.layer.params) {
      const f = PARAM_FIELDS[d.name];
      if (!f || !d.trainable) continue;
      const n = d.shape.reduce((a, b) => a * b, 1);
      q.push(compare(d.name === 'weight' ? 'dW' : `d${d.name}`, ref, tr.grads[d.name]!, flat(raw[f.grad], n, where, f.grad), tolerance));
    }
  };
  for (const tr of r.layers) {
    const l = tr.layer;
    const raw = g.expected.layers[l.origin]!;
    const where = `${g.source}: layers[${l.origin}] (${l.name})`;
    const ref = { index: l.index, name: l.name };
    const steps = (field: string, n = tr.numel): Float64Array => concat(perStep(raw[field], T, n, where, field));
    if (g.format === 1) {
      // A format-1 conv/fc is two nodes: its current (weights) and its neuron (u, s, sg, du, ds).
      if (l.def.neuron) compareNeuron(tr, raw, ref, where, { u: 'u', s: 's', ds: 'ds' });
      else if (l.def.head) {
        q.push(compare('I', ref, concat(tr.y), steps('I'), tolerance));
        q.push(compare('dI', ref, concat(tr.dy), steps('dI'), tolerance));
      } else if (l.params.length === 0) q.push(compare('s', ref, concat(tr.y), steps('s'), tolerance, true));
      compareParams(tr, raw, ref, where);
      continue;
    }
    q.push(compare('y', ref, concat(tr.y), steps('y'), tolerance, l.def.neuron === true));
    q.push(compare('dy', ref, concat(tr.dy), steps('dy'), tolerance));
    if (l.def.neuron) compareNeuron(tr, raw, ref, where, { u: 'u', s: 'y', ds: 'dy' });
    const stats = tr.fwd.stats;
    if (stats) for (const k of ['mean', 'var']) if (stats[k]) q.push(compare(k, ref, stats[k]!, flat(raw[k], stats[k]!.length, where, k), tolerance));
    compareParams(tr, raw, ref, where);
  }
  return {
    name: g.name, source: g.source, format: g.format, T: g.T, lam: g.lam, theta: g.theta, batch: g.batch, coding: g.coding,
    tolerance, quantities: q, ties, pass: q.every((x) => x.pass),
  };
}

/** Runs a golden case through the functional model in float64 and compares every quantity. */
export function checkGolden(g: GoldenCase, tolerance = GOLDEN_TOLERANCE): GoldenReport {
  const r = runBptt(g.network, g.weights, g.inputs, g.labels, { T: g.T, lam: g.lam, theta: g.theta, ...(g.algorithm ? { algorithm: g.algorithm } : {}) });
  return compareGolden(g, r, tolerance);
}

/** `sata reference check FILE` as a library function: load, run, compare. */
export function checkGoldenFile(path: string, tolerance = GOLDEN_TOLERANCE): GoldenReport {
  return checkGolden(loadGolden(path), tolerance);
}
