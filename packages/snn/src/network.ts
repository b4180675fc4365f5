/**
 * Network specifications: parsing (JSON, YAML, the golden-file layer formats), validation and
 * shape inference of the layer graph. A spec lists named layers in an order where every
 * input comes first; a layer reads `inputs` (default: the layer before it; `input` is the
 * network input). Each layer's kind (the layer table) validates its fields and infers its
 * output. A network without neuron layers is format 1: every conv and fc is followed by a
 * LIF neuron named `<layer>_lif`, which takes the run's leak and threshold. Every error is a
 * ConfigError naming the source, the layer and the problem.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError, readDocument } from '@sata/core';
import type { GemmShape, InputInfo, LayerKind, LayerParams, LayerSpec, NetworkFormatContribution, NetworkReadOptions, NetworkSpec, ParamDecl, Registry, ResolvedLayer, Shape3 } from '@sata/plugin-api';
import { quote } from './layers/common.js';
import { BUILTIN_LAYER_TABLE, KIND_ALIASES, layerTable, type LayerTable } from './layers/index.js';

export type { ResolvedLayer, Shape3 } from '@sata/plugin-api';
export type LayerKindName = string;

export interface Network {
  readonly name: string;
  readonly inputShape: Shape3;
  /** Values of one input sample. */
  readonly inSize: number;
  /** The graph's nodes in an order where every input comes first. */
  readonly layers: readonly ResolvedLayer<any>[];
  /** Outputs of the head (`out`) layer. */
  readonly classes: number;
  /** Index of the head layer (the last). */
  readonly head: number;
  readonly spec: NetworkSpec;
  /** Problems that do not stop a run (a layer nobody reads; what a file format mapped approximately). */
  readonly warnings: readonly string[];
  /**
   * The network's own parameters, per layer (a file that carries trained weights, such as
   * NIR); measured sparsity and `sata train` start from them instead of the seed's.
   */
  readonly params?: readonly LayerParams[];
}

/** GEMM sizes of a weighted layer per time step for a batch (hardware-model.md section 4); null for other kinds. */
export function layerGemms(layer: ResolvedLayer<any>, batch: number): { forward: GemmShape; backward: GemmShape; weightGrad: GemmShape } | null {
  return layer.def.gemms?.shapes(layer, batch) ?? null;
}

const fmtShape = (s: readonly number[]): string => s.join('x');
const BASE_FIELDS = ['type', 'name', 'inputs'];

function kindOf(type: unknown, where: string, table: LayerTable): LayerKind<any> {
  const name = typeof type === 'string' ? (KIND_ALIASES[type] ?? type) : undefined;
  const kind = name === undefined ? undefined : table.get(name);
  if (!kind) throw new ConfigError(`${where}: field "type" must be one of ${[...table.keys(), ...Object.keys(KIND_ALIASES)].sort().join(', ')}; found ${quote(type)}`);
  return kind;
}

/** The kind's own fields of a spec layer (type, name and inputs removed). */
function ownFields(l: LayerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(l)) if (!BASE_FIELDS.includes(k)) out[k] = l[k];
  return out;
}

interface Node {
  readonly spec: LayerSpec;
  readonly kind: LayerKind<any>;
  readonly origin: number;
  readonly name: string;
  readonly inputs: readonly string[];
}

/** The spec's layers as graph nodes: names given or numbered per type, inputs defaulted, format-1 neurons added. */
function expand(spec: NetworkSpec, source: string, table: LayerTable): Node[] {
  const kinds = spec.layers.map((l, i) => kindOf(l.type, `${source}: layer ${i}`, table));
  const format1 = !kinds.some((k) => k.neuron);
  const lif = table.get('lif');
  const counters: Record<string, number> = {};
  const nodes: Node[] = [];
  spec.layers.forEach((l, i) => {
    const kind = kinds[i]!;
    counters[l.type] = (counters[l.type] ?? 0) + 1;
    const name = l.name ?? (kind.head ? 'out' : `${l.type}${counters[l.type]}`);
    const prev = nodes.length > 0 ? nodes[nodes.length - 1]!.name : 'input';
    nodes.push({ spec: l, kind, origin: i, name, inputs: l.inputs ?? [prev] });
    if (format1 && kind.impliesNeuron && lif) nodes.push({ spec: { type: 'lif' }, kind: lif, origin: i, name: `${name}_lif`, inputs: [name] });
  });
  return nodes;
}

/** Infers every layer's shapes; impossible shapes and broken graphs are ConfigErrors naming the layer. */
export function resolveNetwork(spec: NetworkSpec, source = spec.name, table: LayerTable = BUILTIN_LAYER_TABLE): Network {
  if (spec.layers.length === 0) throw new ConfigError(`${source}: the network has no layers`);
  const nodes = expand(spec, source, table);
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (n.name === 'input') throw new ConfigError(`${source}: layer ${n.origin} is named "input", which names the network input`);
    if (/[.[\]/\s]/.test(n.name)) throw new ConfigError(`${source}: layer ${n.origin}: name ${quote(n.name)} may not contain '.', '/', '[', ']' or spaces`);
    if (index.has(n.name)) throw new ConfigError(`${source}: two layers are named "${n.name}"`);
    index.set(n.name, i);
  });
  const inputShape = spec.inputShape;
  const inputInfo: InputInfo = { index: -1, name: 'input', shape: inputShape, value: 'real', role: 'activation' };
  const layers: ResolvedLayer<any>[] = [];
  const readers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const where = `${source}: layer ${n.origin} (${n.name}, ${n.spec.type})`;
    const arity = n.kind.arity ?? { min: 1, max: 1 };
    if (n.inputs.length < arity.min || n.inputs.length > arity.max) {
      throw new ConfigError(`${where}: a ${n.kind.name} layer takes ${arity.min === arity.max ? arity.min : `${arity.min} to ${arity.max}`} input(s), found ${n.inputs.length}`);
    }
    const infos = n.inputs.map((name): InputInfo => {
      if (name === 'input') return inputInfo;
      const j = index.get(name);
      if (j === undefined) throw new ConfigError(`${where}: input "${name}" is not a layer of the network (layers: ${nodes.map((x) => x.name).join(', ')})`);
      if (j >= i) throw new ConfigError(`${where}: input "${name}" comes ${j === i ? 'from the layer itself' : 'later'}: layers must be listed with every input first (a cycle, or the wrong order)`);
      const p = layers[j]!;
      return { index: j, name, shape: p.outShape, value: p.value, role: p.role };
    });
    const attrs = n.kind.parse(ownFields(n.spec), where);
    const inferred = n.kind.infer(attrs, infos, where);
    const params: readonly ParamDecl[] = n.kind.params?.(attrs, infos, inferred.outShape) ?? [];
    const [C, H, W] = infos[0]!.shape;
    const out = inferred.outShape;
    layers.push({
      index: i, name: n.name, kind: n.kind.name, def: n.kind, attrs,
      inputs: infos.map((x) => x.index), inputNames: infos.map((x) => x.name), inShapes: infos.map((x) => x.shape),
      inShape: infos[0]!.shape, inSize: C * H * W, outShape: out, outSize: out[0] * out[1] * out[2],
      value: inferred.value, role: inferred.role, ...(inferred.bits !== undefined ? { bits: inferred.bits } : {}),
      readers: readers[i]!, params,
      weightCount: params.filter((p) => p.trainable).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0),
      origin: n.origin,
    });
    for (const x of infos) if (x.index >= 0) readers[x.index]!.push(i);
  });
  const heads = layers.filter((l) => l.def.head);
  const last = layers[layers.length - 1]!;
  if (heads.length !== 1 || !last.def.head) {
    const where = `${source}: layer ${last.origin} (${last.name}, ${last.kind})`;
    throw new ConfigError(heads.length === 0 ? `${where}: the last layer must be of type out (found ${last.kind})` : `${source}: the out layer must be the last layer, and the only one (found ${heads.map((h) => h.name).join(', ')})`);
  }
  const warnings = layers.filter((l) => !l.def.head && l.readers.length === 0).map((l) => `${source}: layer ${l.name} (${l.kind}) is read by no layer`);
  return { name: spec.name, inputShape, inSize: inputShape[0] * inputShape[1] * inputShape[2], layers, classes: last.outSize, head: last.index, spec, warnings };
}

// ---------------------------------------------------------------------------------------
// Parsing user files

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown, where: string, field: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(`${where}: field "${field}" must be an integer >= ${min}, found ${quote(v)}`);
  }
  return v;
}

/**
 * One layer from a plain object: its type must be in the layer table, its fields the
 * kind's (a typo does not silently fall back to a default). `ignore` lists golden-file data
 * fields that the caller reads itself.
 */
export function parseLayer(raw: unknown, where: string, ignore: ReadonlySet<string> = new Set(), table: LayerTable = BUILTIN_LAYER_TABLE): LayerSpec {
  if (!isRecord(raw)) throw new ConfigError(`${where}: a layer must be an object, found ${quote(raw)}`);
  const kind = kindOf(raw['type'], where, table);
  const known = [...BASE_FIELDS, ...Object.keys(kind.fields)];
  for (const k of Object.keys(raw)) {
    if (!known.includes(k) && !ignore.has(k)) throw new ConfigError(`${where}: unknown field "${k}" for a ${String(raw['type'])} layer (known: ${known.join(', ')})`);
  }
  const name = raw['name'];
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new ConfigError(`${where}: field "name" must be a non-empty string`);
  const inputs = raw['inputs'];
  if (inputs !== undefined && (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((x) => typeof x === 'string' && x !== ''))) {
    throw new ConfigError(`${where}: field "inputs" must be a non-empty list of layer names, found ${quote(inputs)}`);
  }
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(kind.fields)) if (raw[k] !== undefined) fields[k] = raw[k];
  kind.parse(fields, where);
  return { type: raw['type'] as string, ...(name !== undefined ? { name } : {}), ...(inputs !== undefined ? { inputs: inputs as string[] } : {}), ...fields };
}

/** An input shape [C,H,W] or [n] (flat, becomes [n,1,1]). */
export function parseInputShape(raw: unknown, where: string): Shape3 {
  if (!Array.isArray(raw) || (raw.length !== 1 && raw.length !== 3)) {
    throw new ConfigError(`${where}: field "inputShape" must be [C, H, W] or [n], found ${quote(raw)}`);
  }
  const v = raw.map((x, i) => positiveInt(x, where, `inputShape[${i}]`));
  return v.length === 1 ? [v[0]!, 1, 1] : [v[0]!, v[1]!, v[2]!];
}

/** A network specification from a parsed JSON/YAML document: `{ name?, inputShape, layers, dataset?, description? }`. */
export function parseNetwork(doc: unknown, source: string, table: LayerTable = BUILTIN_LAYER_TABLE): NetworkSpec {
  if (!isRecord(doc)) throw new ConfigError(`${source}: a network file must hold an object with inputShape and layers`);
  for (const k of Object.keys(doc)) {
    if (!['name', 'inputShape', 'layers', 'dataset', 'description'].includes(k)) throw new ConfigError(`${source}: unknown field "${k}" (known: name, inputShape, layers, dataset, description)`);
  }
  const name = doc['name'] ?? source;
  if (typeof name !== 'string') throw new ConfigError(`${source}: field "name" must be a string`);
  const inputShape = parseInputShape(doc['inputShape'], source);
  const rawLayers = doc['layers'];
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ConfigError(`${source}: field "layers" must be a non-empty list`);
  const layers = rawLayers.map((l, i) => parseLayer(l, `${source}: layers[${i}]`, new Set(), table));
  const spec: NetworkSpec = {
    name,
    inputShape,
    layers,
    ...(typeof doc['dataset'] === 'string' ? { dataset: doc['dataset'] } : {}),
    ...(typeof doc['description'] === 'string' ? { description: doc['description'] } : {}),
  };
  resolveNetwork(spec, source, table);
  return spec;
}

/** Reads a network file (.json, .yaml or .yml). */
export function loadNetworkFile(path: string, table: LayerTable = BUILTIN_LAYER_TABLE): NetworkSpec {
  return parseNetwork(readDocument(path, 'network file'), path, table);
}

export { fmtShape };

/** The layer table of a registry: the built-in kinds and every plugin's `layers`. */
export function layerTableOf(registry: Registry): LayerTable {
  return layerTable(registry.list('layers').map((e) => e.contribution as LayerKind<any>).filter((k) => !BUILTIN_LAYER_TABLE.has(k.name) || BUILTIN_LAYER_TABLE.get(k.name) !== k));
}

/** The format contribution whose extension the file name has, if any. */
function formatOf(ref: string, registry: Registry): NetworkFormatContribution | undefined {
  const ext = extname(ref).toLowerCase();
  return registry.list('networkFormats').map((e) => e.contribution).find((f) => f.extensions.includes(ext));
}

/** Whether a network reference names a file rather than a registered network. */
export const looksLikeNetworkFile = (ref: string): boolean => /\.(json|ya?ml)$/i.test(ref) || ref.includes('/') || existsSync(ref);

/**
 * Parameters read with a network, in layer order: each checked against the layer's
 * declaration (name, shape), so a file's weights cannot silently mis-shape a layer.
 * Layers the file gives nothing for get `{}` (initialised from the seed).
 */
export function attachParams(net: Network, byName: Readonly<Record<string, LayerParams>>, source: string): Network {
  for (const name of Object.keys(byName)) {
    if (!net.layers.some((l) => l.name === name)) throw new ConfigError(`${source}: parameters for "${name}", which is not a layer of the network`);
  }
  const params = net.layers.map((l): LayerParams => {
    const given = byName[l.name];
    if (!given) return {};
    for (const k of Object.keys(given)) if (!l.params.some((d) => d.name === k)) throw new ConfigError(`${source}: layer ${l.name} (${l.kind}) has no parameter "${k}" (it has: ${l.params.map((d) => d.name).join(', ') || 'none'})`);
    for (const d of l.params) {
      const v = given[d.name];
      const n = d.shape.reduce((a, b) => a * b, 1);
      if (!v) throw new ConfigError(`${source}: layer ${l.name} (${l.kind}): parameter ${d.name} is missing`);
      if (v.length !== n) throw new ConfigError(`${source}: layer ${l.name} (${l.kind}): parameter ${d.name} has ${v.length} values, the layer needs ${fmtShape(d.shape)} (${n})`);
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new ConfigError(`${source}: layer ${l.name} (${l.kind}): parameter ${d.name}[${i}] is not finite (${v[i]})`);
    }
    return given;
  });
  return { ...net, params };
}

/**
 * The network a command names: a registered (zoo) network, a JSON/YAML file, or a file of
 * a registered format (`.nir`), resolved with the registry's layer table. One function for
 * every command that takes `--network`.
 */
export function networkFromRef(ref: string, registry: Registry, options: NetworkReadOptions = {}): Network {
  const table = layerTableOf(registry);
  const format = formatOf(ref, registry);
  if (format && !registry.has('networks', ref)) {
    const file = format.read(ref, options);
    const net = resolveNetwork(file.spec, ref, table);
    const withNotes = file.notes?.length ? { ...net, warnings: [...net.warnings, ...file.notes.map((n) => `${ref}: ${n}`)] } : net;
    return file.params ? attachParams(withNotes, file.params, ref) : withNotes;
  }
  let spec: NetworkSpec;
  if (registry.has('networks', ref)) spec = registry.get('networks', ref).spec;
  else if (looksLikeNetworkFile(ref)) spec = loadNetworkFile(ref, table);
  else throw new ConfigError(`unknown network ${quote(ref)}: not a built-in network (${registry.list('networks').map((n) => n.contribution.name).join(', ')}) nor a network file (.json, .yaml${registry.list('networkFormats').flatMap((f) => f.contribution.extensions).map((e) => `, ${e}`).join('')})`);
  return resolveNetwork(spec, looksLikeNetworkFile(ref) ? ref : spec.name, table);
}
