/**
 * Golden files (snn-model.md, "Golden files"): a network in the golden layer format, its
 * weights, inputs and labels, and the values an independent implementation computed. The
 * check runs the functional model in float64 and reports the largest relative error of
 * every quantity (loss, logits, and per layer u, s, sg, du, ds, dW, I, dI, densities).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@sata/core';
import type { LayerSpec, NetworkSpec } from '@sata/plugin-api';
import { runBptt, type BpttResult, type LayerTrace } from './bptt.js';
import { parseInputShape, parseLayer, resolveNetwork, type Network } from './network.js';

/** Relative error tolerance of the contract (float64). Spikes must match exactly. */
export const GOLDEN_TOLERANCE = 1e-9;

/** |u - theta| below this is a threshold tie: reported, since summation order may flip it. */
export const TIE_MARGIN = 1e-12;

/** Golden-file fields that hold data rather than the layer's specification. */
const DATA_FIELDS = new Set(['index', 'weight', 'weightShape', 'weightGrad', 'u', 's', 'du', 'ds', 'surrogate', 'outShape', 'density', 'I', 'dI']);

export interface GoldenLayer {
  readonly spec: LayerSpec;
  readonly raw: Record<string, unknown>;
}

export interface GoldenCase {
  readonly name: string;
  readonly source: string;
  readonly T: number;
  readonly lam: number;
  readonly theta: number;
  readonly batch: number;
  readonly coding: string;
  readonly network: Network;
  readonly weightsByLayer: (Float64Array | null)[];
  readonly inputs: Float64Array[];
  readonly labels: number[];
  readonly expected: { readonly loss: number; readonly logits: Float64Array; readonly layers: readonly Record<string, unknown>[] };
}

export interface QuantityError {
  /** loss, logits, or u, s, sg, du, ds, dW, I, dI, density.* of a layer. */
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
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where}: field "${field}" must be a finite number, found ${JSON.stringify(v)}`);
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

/** Validates a parsed golden document and builds the network, weights and inputs it states. */
export function parseGolden(doc: unknown, source: string): GoldenCase {
  if (!isRecord(doc)) throw new ConfigError(`${source}: a golden file must hold a JSON object`);
  const T = num(doc, 'T', source);
  if (!Number.isInteger(T) || T < 1) throw new ConfigError(`${source}: field "T" must be a positive integer, found ${T}`);
  const lam = num(doc, 'lam', source);
  const theta = num(doc, 'theta', source);
  if (!(theta > 0)) throw new ConfigError(`${source}: field "theta" must be positive, found ${theta}`);
  if (!(lam >= 0 && lam <= 1)) throw new ConfigError(`${source}: field "lam" must be in [0, 1], found ${lam}`);
  const batch = num(doc, 'batch', source);
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError(`${source}: field "batch" must be a positive integer, found ${batch}`);
  const shape = doc['inputShape'];
  if (!Array.isArray(shape) || shape[0] !== batch) throw new ConfigError(`${source}: field "inputShape" must be [batch, ...sample shape] with batch = ${batch}, found ${JSON.stringify(shape)}`);
  const inputShape = parseInputShape(shape.slice(1), source);
  const rawLayers = doc['layers'];
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ConfigError(`${source}: field "layers" must be a non-empty list`);
  const layers = rawLayers.map((l, i) => parseLayer(l, `${source}: layers[${i}]`, DATA_FIELDS));
  const name = typeof doc['name'] === 'string' ? doc['name'] : source;
  const spec: NetworkSpec = { name, inputShape, layers };
  const network = resolveNetwork(spec, source);
  const weightsByLayer = network.layers.map((l, i) => {
    const raw = rawLayers[i] as Record<string, unknown>;
    const where = `${source}: layers[${i}] (${l.name})`;
    if (l.kind === 'pool') return null;
    const ws = raw['weightShape'];
    if (!Array.isArray(ws) || ws.join('x') !== l.weightShape!.join('x')) {
      throw new ConfigError(`${where}: field "weightShape" is ${JSON.stringify(ws)}, but the layer's inferred weight shape is [${l.weightShape!.join(', ')}]`);
    }
    return flat(raw['weight'], l.weightCount, where, 'weight');
  });
  const inSize = network.layers[0]!.inSize;
  const inputs = perStep(doc['input'], T, batch * inSize, source, 'input');
  const labelsRaw = doc['labels'];
  if (!Array.isArray(labelsRaw) || labelsRaw.length !== batch) throw new ConfigError(`${source}: field "labels" must hold ${batch} class indices`);
  const labels = labelsRaw.map((y, b) => {
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= network.classes) throw new ConfigError(`${source}: labels[${b}] = ${JSON.stringify(y)} is not a class in 0..${network.classes - 1}`);
    return y;
  });
  const loss = num(doc, 'loss', source);
  const logits = flat(doc['logits'], batch * network.classes, source, 'logits');
  return {
    name, source, T, lam, theta, batch,
    coding: typeof doc['coding'] === 'string' ? doc['coding'] : 'unknown',
    network,
    weightsByLayer,
    inputs,
    labels,
    expected: { loss, logits, layers: rawLayers as Record<string, unknown>[] },
  };
}

/** Reads and parses a golden file. */
export function loadGolden(path: string): GoldenCase {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read golden file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseGolden(doc, path);
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
  r.layers.forEach((tr: LayerTrace, i) => {
    const raw = g.expected.layers[i]!;
    const l = tr.layer;
    const where = `${g.source}: layers[${i}] (${l.name})`;
    const ref = { index: i, name: l.name };
    const steps = (field: string): Float64Array => concat(perStep(raw[field], g.T, tr.numel, where, field));
    if (tr.kind === 'conv' || tr.kind === 'fc') {
      q.push(compare('u', ref, concat(tr.steps.map((s) => s.u)), steps('u'), tolerance));
      q.push(compare('s', ref, concat(tr.steps.map((s) => s.s)), steps('s'), tolerance, true));
      q.push(compare('sg', ref, concat(tr.steps.map((s) => s.sg)), steps('surrogate'), tolerance));
      q.push(compare('du', ref, concat(tr.steps.map((s) => s.du)), steps('du'), tolerance));
      q.push(compare('ds', ref, concat(tr.steps.map((s) => s.ds)), steps('ds'), tolerance));
      for (const st of tr.steps) for (const u of st.u) if (Math.abs(u - g.theta) < TIE_MARGIN) ties++;
      const d = raw['density'];
      if (isRecord(d)) {
        const ours = r.densities[i]!.overall;
        const pairs: [string, number | null, unknown][] = [
          ['density.spike', ours.spike, d['spike']],
          ['density.surrogate', ours.surrogate, d['surrogateNonzero']],
          ['density.du', ours.du, d['duNonzero']],
        ];
        for (const [name, a, e] of pairs) if (typeof e === 'number') q.push(compare(name, ref, [a ?? NaN], [e], tolerance));
      }
    } else if (tr.kind === 'pool') {
      q.push(compare('s', ref, concat(tr.steps.map((s) => s.s)), steps('s'), tolerance, true));
    } else if (tr.kind === 'out') {
      q.push(compare('I', ref, concat(tr.steps.map((s) => s.I)), steps('I'), tolerance));
      q.push(compare('dI', ref, concat(tr.steps.map((s) => s.dI)), steps('dI'), tolerance));
    }
    if (tr.dW) q.push(compare('dW', ref, tr.dW, flat(raw['weightGrad'], tr.layer.weightCount, where, 'weightGrad'), tolerance));
  });
  return {
    name: g.name, source: g.source, T: g.T, lam: g.lam, theta: g.theta, batch: g.batch, coding: g.coding,
    tolerance, quantities: q, ties, pass: q.every((x) => x.pass),
  };
}

/** Runs a golden case through the functional model in float64 and compares every quantity. */
export function checkGolden(g: GoldenCase, tolerance = GOLDEN_TOLERANCE): GoldenReport {
  const r = runBptt(g.network, g.weightsByLayer, g.inputs, g.labels, { T: g.T, lam: g.lam, theta: g.theta });
  return compareGolden(g, r, tolerance);
}

/** `sata reference check FILE` as a library function: load, run, compare. */
export function checkGoldenFile(path: string, tolerance = GOLDEN_TOLERANCE): GoldenReport {
  return checkGolden(loadGolden(path), tolerance);
}
