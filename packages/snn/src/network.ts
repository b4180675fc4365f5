/**
 * Network specifications: parsing (JSON, YAML, the golden-file layer format), validation and
 * shape inference. Every error is a ConfigError that names the source, the layer and the
 * field, and for shapes the expected and the found shape.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError } from '@sata/core';
import type { LayerSpec, NetworkSpec } from '@sata/plugin-api';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { convOutSize } from './kernels.js';

export type Shape3 = readonly [number, number, number];
export type LayerKind = LayerSpec['type'];

/** One layer with its shapes inferred: what the hardware model converts into GEMMs. */
export interface ResolvedLayer {
  readonly index: number;
  /** The spec's name, or `<type><n>` numbered per type from 1 (conv1, pool1, fc1, out). */
  readonly name: string;
  readonly kind: LayerKind;
  /** Input and output [C, H, W] of one sample (fc and out produce [out, 1, 1]). */
  readonly inShape: Shape3;
  readonly outShape: Shape3;
  /** Values per sample in and out. */
  readonly inSize: number;
  readonly outSize: number;
  /** conv: its kernel/stride/padding; pool: 2/2/0; fc and out: 1/1/0 over the flattened input. */
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  /** [K, C, R, S] for conv, [out, in] for fc and out, null for pool. */
  readonly weightShape: readonly number[] | null;
  readonly weightCount: number;
  /** Inputs that feed one output (C*R*S or in); weight initialisation scales by it. */
  readonly fanIn: number;
  /** True for conv and fc: followed by LIF neurons that fire. */
  readonly spiking: boolean;
}

export interface Network {
  readonly name: string;
  readonly inputShape: Shape3;
  readonly layers: readonly ResolvedLayer[];
  /** Outputs of the `out` layer. */
  readonly classes: number;
  readonly spec: NetworkSpec;
}

/** GEMM sizes of a layer per time step for a batch, as in hardware-model.md section 4. */
export interface LayerGemms {
  /** Forward: M = B*E*F, N = Kf, K = C*R*S (fc: M = B, N = out, K = in). */
  readonly forward: { M: number; N: number; K: number };
  /** Backward to the input: M = B*H*W, N = C, K = Kf*R*S (fc: M = B, N = in, K = out). */
  readonly backward: { M: number; N: number; K: number };
  /** Weight gradient: M = C*R*S, N = Kf, K = B*E*F (fc: M = in, N = out, K = B). */
  readonly weightGrad: { M: number; N: number; K: number };
}

export function layerGemms(layer: ResolvedLayer, batch: number): LayerGemms | null {
  if (layer.kind === 'pool') return null;
  const [C, H, W] = layer.inShape;
  const [Kf, E, F] = layer.outShape;
  if (layer.kind === 'conv') {
    const RS = layer.kernel * layer.kernel;
    return {
      forward: { M: batch * E * F, N: Kf, K: C * RS },
      backward: { M: batch * H * W, N: C, K: Kf * RS },
      weightGrad: { M: C * RS, N: Kf, K: batch * E * F },
    };
  }
  return {
    forward: { M: batch, N: Kf, K: layer.inSize },
    backward: { M: batch, N: layer.inSize, K: Kf },
    weightGrad: { M: layer.inSize, N: Kf, K: batch },
  };
}

const fmtShape = (s: readonly number[]): string => s.join('x');

/** Infers every layer's shapes; impossible shapes are ConfigErrors naming layer, expected and found. */
export function resolveNetwork(spec: NetworkSpec, source = spec.name): Network {
  const counters: Record<string, number> = {};
  let shape: Shape3 = spec.inputShape;
  const layers: ResolvedLayer[] = [];
  const n = spec.layers.length;
  if (n === 0) throw new ConfigError(`${source}: the network has no layers`);
  spec.layers.forEach((l, index) => {
    counters[l.type] = (counters[l.type] ?? 0) + 1;
    const name = l.name ?? (l.type === 'out' ? 'out' : `${l.type}${counters[l.type]}`);
    const where = `${source}: layer ${index} (${name}, ${l.type})`;
    const [C, H, W] = shape;
    const inSize = C * H * W;
    if (l.type === 'out' && index !== n - 1) throw new ConfigError(`${where}: the out layer must be the last layer`);
    if (l.type !== 'out' && index === n - 1) throw new ConfigError(`${where}: the last layer must be of type out (found ${l.type})`);
    let out: ResolvedLayer;
    if (l.type === 'conv') {
      const stride = l.stride ?? 1;
      const padding = l.padding ?? 0;
      if (l.in !== undefined && l.in !== C) throw new ConfigError(`${where}: in = ${l.in} but the input has ${C} channels (input shape ${fmtShape(shape)})`);
      const Ho = convOutSize(H, l.kernel, stride, padding);
      const Wo = convOutSize(W, l.kernel, stride, padding);
      if (Ho < 1 || Wo < 1) {
        throw new ConfigError(
          `${where}: kernel ${l.kernel} with padding ${padding} needs an input of at least ${Math.max(1, l.kernel - 2 * padding)}x${Math.max(1, l.kernel - 2 * padding)} per channel, found ${fmtShape(shape)}`,
        );
      }
      out = {
        index, name, kind: 'conv', inShape: shape, outShape: [l.out, Ho, Wo], inSize, outSize: l.out * Ho * Wo,
        kernel: l.kernel, stride, padding, weightShape: [l.out, C, l.kernel, l.kernel], weightCount: l.out * C * l.kernel * l.kernel,
        fanIn: C * l.kernel * l.kernel, spiking: true,
      };
    } else if (l.type === 'pool') {
      if (H < 2 || W < 2) throw new ConfigError(`${where}: 2x2 pooling needs at least 2x2 per channel, found ${fmtShape(shape)}`);
      const Ho = H >> 1;
      const Wo = W >> 1;
      out = {
        index, name, kind: 'pool', inShape: shape, outShape: [C, Ho, Wo], inSize, outSize: C * Ho * Wo,
        kernel: 2, stride: 2, padding: 0, weightShape: null, weightCount: 0, fanIn: 4, spiking: false,
      };
    } else {
      if (l.in !== undefined && l.in !== inSize) {
        throw new ConfigError(`${where}: in = ${l.in} but the (flattened) input has ${inSize} values (input shape ${fmtShape(shape)})`);
      }
      out = {
        index, name, kind: l.type, inShape: shape, outShape: [l.out, 1, 1], inSize, outSize: l.out,
        kernel: 1, stride: 1, padding: 0, weightShape: [l.out, inSize], weightCount: l.out * inSize, fanIn: inSize, spiking: l.type === 'fc',
      };
    }
    layers.push(out);
    shape = out.outShape;
  });
  return { name: spec.name, inputShape: spec.inputShape, layers, classes: layers[n - 1]!.outSize, spec };
}

// ---------------------------------------------------------------------------------------
// Parsing user files

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown, where: string, field: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(`${where}: field "${field}" must be an integer >= ${min}, found ${JSON.stringify(v)}`);
  }
  return v;
}

const LAYER_FIELDS: Record<LayerKind, readonly string[]> = {
  conv: ['type', 'name', 'in', 'out', 'kernel', 'k', 'stride', 'padding', 'pad'],
  fc: ['type', 'name', 'in', 'out'],
  pool: ['type', 'name', 'kernel', 'k', 'stride'],
  out: ['type', 'name', 'in', 'out'],
};

/**
 * One layer from a plain object. Accepts the documented field names (`kernel`, `padding`)
 * and the golden-file names (`k`, `pad`); unknown fields are rejected, so a typo does not
 * silently fall back to a default. Extra golden-file data fields are ignored by the caller.
 */
export function parseLayer(raw: unknown, where: string, ignore: ReadonlySet<string> = new Set()): LayerSpec {
  if (!isRecord(raw)) throw new ConfigError(`${where}: a layer must be an object, found ${JSON.stringify(raw)}`);
  const type = raw['type'];
  if (type !== 'conv' && type !== 'fc' && type !== 'pool' && type !== 'out') {
    throw new ConfigError(`${where}: field "type" must be one of conv, fc, pool, out; found ${JSON.stringify(type)}`);
  }
  for (const k of Object.keys(raw)) {
    if (!LAYER_FIELDS[type].includes(k) && !ignore.has(k)) throw new ConfigError(`${where}: unknown field "${k}" for a ${type} layer (known: ${LAYER_FIELDS[type].join(', ')})`);
  }
  const name = raw['name'];
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new ConfigError(`${where}: field "name" must be a non-empty string`);
  const named = name === undefined ? {} : { name };
  const inField = raw['in'] === undefined ? {} : { in: positiveInt(raw['in'], where, 'in') };
  if (type === 'pool') {
    for (const [f, v] of [['kernel', raw['kernel'] ?? raw['k']], ['stride', raw['stride']]] as const) {
      if (v !== undefined && v !== 2) throw new ConfigError(`${where}: pooling is 2x2 with stride 2; field "${f}" = ${JSON.stringify(v)} is not supported`);
    }
    return { type, ...named };
  }
  const outCount = positiveInt(raw['out'], where, 'out');
  if (type === 'conv') {
    if (raw['kernel'] !== undefined && raw['k'] !== undefined) throw new ConfigError(`${where}: give either "kernel" or "k", not both`);
    if (raw['padding'] !== undefined && raw['pad'] !== undefined) throw new ConfigError(`${where}: give either "padding" or "pad", not both`);
    const kernel = positiveInt(raw['kernel'] ?? raw['k'], where, raw['k'] !== undefined ? 'k' : 'kernel');
    const stride = raw['stride'] === undefined ? 1 : positiveInt(raw['stride'], where, 'stride');
    const padRaw = raw['padding'] ?? raw['pad'];
    const padding = padRaw === undefined ? 0 : positiveInt(padRaw, where, raw['pad'] !== undefined ? 'pad' : 'padding', 0);
    return { type, ...named, ...inField, out: outCount, kernel, stride, padding };
  }
  return { type, ...named, ...inField, out: outCount };
}

/** An input shape [C,H,W] or [n] (flat, becomes [n,1,1]). */
export function parseInputShape(raw: unknown, where: string): Shape3 {
  if (!Array.isArray(raw) || (raw.length !== 1 && raw.length !== 3)) {
    throw new ConfigError(`${where}: field "inputShape" must be [C, H, W] or [n], found ${JSON.stringify(raw)}`);
  }
  const v = raw.map((x, i) => positiveInt(x, where, `inputShape[${i}]`));
  return v.length === 1 ? [v[0]!, 1, 1] : [v[0]!, v[1]!, v[2]!];
}

/** A network specification from a parsed JSON/YAML document: `{ name?, inputShape, layers, dataset?, description? }`. */
export function parseNetwork(doc: unknown, source: string): NetworkSpec {
  if (!isRecord(doc)) throw new ConfigError(`${source}: a network file must hold an object with inputShape and layers`);
  for (const k of Object.keys(doc)) {
    if (!['name', 'inputShape', 'layers', 'dataset', 'description'].includes(k)) throw new ConfigError(`${source}: unknown field "${k}" (known: name, inputShape, layers, dataset, description)`);
  }
  const name = doc['name'] ?? source;
  if (typeof name !== 'string') throw new ConfigError(`${source}: field "name" must be a string`);
  const inputShape = parseInputShape(doc['inputShape'], source);
  const rawLayers = doc['layers'];
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ConfigError(`${source}: field "layers" must be a non-empty list`);
  const layers = rawLayers.map((l, i) => parseLayer(l, `${source}: layers[${i}]`));
  const spec: NetworkSpec = {
    name,
    inputShape,
    layers,
    ...(typeof doc['dataset'] === 'string' ? { dataset: doc['dataset'] } : {}),
    ...(typeof doc['description'] === 'string' ? { description: doc['description'] } : {}),
  };
  resolveNetwork(spec, source);
  return spec;
}

/** Parses JSON or YAML text (by the file's extension; YAML is a superset of JSON otherwise). */
export function parseDocument(text: string, source: string): unknown {
  if (extname(source).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new ConfigError(`${source}: not valid JSON: ${(e as Error).message}`);
    }
  }
  try {
    return parseYaml(text) as unknown;
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const pos = e.linePos?.[0];
      throw new ConfigError(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
}

/** Reads a network file (.json, .yaml or .yml). */
export function loadNetworkFile(path: string): NetworkSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read network file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseNetwork(parseDocument(text, path), path);
}
