/**
 * A NIR graph as the simulator's layer graph, with its weights. Each node becomes a layer of
 * the same name (characters a layer name may not hold become `_`); fan-in of several edges
 * becomes an `add` (NIR sums them); NIR's continuous-time neurons become discrete ones with
 * the forward-Euler step `dt`, as the exporting libraries integrate them:
 *   LIF  tau dv/dt = (v_leak - v) + r I  ->  lif: lam = 1 - dt/tau, gain = r dt/tau, fires on v > v_threshold
 *   IF   dv/dt = r I                      ->  if:  gain = r (per step, no dt: snnTorch's importer, Sinabs)
 *   LI, I                                 ->  li (lam, gain as LIF), i (gain = r): integrators that never fire
 *   CubaLIF / CubaLI                      ->  li (the synaptic current: lam = 1 - dt/tau_syn, gain = w_in dt/tau_syn) then lif / li
 *   Threshold                             ->  lif with lam = 0 (no memory), fires on x > threshold
 *   Linear, Affine -> fc (or the `out` head when the Output reads it alone); Conv2d -> conv;
 *   AvgPool2d / SumPool2d -> avgpool / sumpool; Scale -> scale; Flatten -> nothing (fc flattens);
 *   Output -> the `readout` head (logits: the mean over time of what it reads).
 * What the layer graph cannot hold exactly is refused with the node's name: recurrent
 * edges (cycles), nested graphs, per-neuron parameters that differ within a layer,
 * non-zero v_leak or v_reset, grouped, dilated or non-square convolutions, padded pooling.
 */
import { ConfigError } from '@sata/core';
import { DEFAULT_DT_SECONDS, type LayerParams, type LayerSpec, type NetworkFileContents, type NetworkSpec } from '@sata/plugin-api';
import { resolveNetwork } from '@sata/snn';
import type { NirArray, NirGraph, NirNode } from './graph.js';

/** The exporting libraries' step (snnTorch, SpikingJelly): 0.1 ms (plugin-api's DEFAULT_DT_SECONDS, the one source). */
export const DEFAULT_DT = DEFAULT_DT_SECONDS;

/** |gain - 1| below this is a gain of 1: float32 rounding of r dt / tau (snnTorch's importer ignores it the same way). */
const UNIT_GAIN_TOLERANCE = 1e-6;

const NEURON_TYPES = new Set(['LIF', 'IF', 'LI', 'I', 'CubaLIF', 'CubaLI', 'Threshold']);

interface Ctx {
  readonly path: string;
  readonly dt: number;
  readonly notes: string[];
}

const where = (c: Ctx, n: NirNode): string => `${c.path}: node "${n.name}" (${n.type})`;

function field(c: Ctx, n: NirNode, name: string): NirArray {
  const f = n.fields[name];
  if (!f) throw new ConfigError(`${where(c, n)}: missing dataset "${name}" (found: ${Object.keys(n.fields).join(', ') || 'none'})`);
  return f;
}

function numbers(c: Ctx, n: NirNode, name: string): readonly number[] {
  const f = field(c, n, name);
  if (f.dtype === 'string') throw new ConfigError(`${where(c, n)}: dataset "${name}" holds strings, expected numbers`);
  const d = f.data as readonly number[];
  if (!d.every(Number.isFinite)) throw new ConfigError(`${where(c, n)}: dataset "${name}" holds a value that is not finite`);
  return d;
}

/** One value for a whole layer: a scalar, or an array whose entries are all equal. */
function uniform(c: Ctx, n: NirNode, name: string, fallback?: number): number {
  if (fallback !== undefined && !n.fields[name]) return fallback;
  const d = numbers(c, n, name);
  if (d.length === 0) throw new ConfigError(`${where(c, n)}: dataset "${name}" is empty`);
  const v = d[0]!;
  const odd = d.findIndex((x) => x !== v);
  if (odd >= 0) throw new ConfigError(`${where(c, n)}: "${name}" differs between neurons (${v} at 0, ${d[odd]} at ${odd}); per-neuron parameters are not supported: a layer's neurons share their parameters`);
  return v;
}

/** A pair (H, W) from a scalar or a 2-vector; `same` checks both entries are equal. */
function pair(c: Ctx, n: NirNode, name: string, fallback?: number): [number, number] {
  if (fallback !== undefined && !n.fields[name]) return [fallback, fallback];
  const d = numbers(c, n, name);
  if (d.length === 1) return [d[0]!, d[0]!];
  if (d.length === 2) return [d[0]!, d[1]!];
  throw new ConfigError(`${where(c, n)}: "${name}" must be a number or a pair, found ${d.length} values`);
}

function square(c: Ctx, n: NirNode, name: string, p: [number, number], what: string): number {
  if (p[0] !== p[1]) throw new ConfigError(`${where(c, n)}: ${name} (${p.join(', ')}) differs between height and width; ${what}`);
  return p[0];
}

/** The discrete leak and gain of tau dv/dt = -v + r I with step dt (forward Euler). */
function leakAndGain(c: Ctx, n: NirNode, tauName: string, gainScale: number): { lam: number; gain: number } {
  const tau = uniform(c, n, tauName);
  if (!(tau >= c.dt)) throw new ConfigError(`${where(c, n)}: ${tauName} = ${tau} s is shorter than the step dt = ${c.dt} s (1 - dt/tau < 0); pass a smaller --dt`);
  // Rounded to float32, the exporters' precision: float32(1 - dt/tau) gives back snnTorch's beta exactly.
  const lam = Math.fround(1 - c.dt / tau);
  let gain = (gainScale * c.dt) / tau;
  if (Math.abs(gain - 1) < UNIT_GAIN_TOLERANCE) gain = 1;
  return { lam, gain };
}

function zeroOnly(c: Ctx, n: NirNode, name: string, what: string): void {
  if (!n.fields[name]) return;
  const v = uniform(c, n, name);
  if (v !== 0) throw new ConfigError(`${where(c, n)}: ${name} = ${v}; only ${name} = 0 is supported (${what})`);
}

function threshold(c: Ctx, n: NirNode, name: string): number {
  const th = uniform(c, n, name);
  if (!(th > 0)) throw new ConfigError(`${where(c, n)}: ${name} = ${th}; the neuron needs a positive threshold`);
  return th;
}

const f32 = (d: readonly number[], dtype: string): Float32Array | Float64Array => (dtype === 'float64' ? Float64Array.from(d) : Float32Array.from(d));

/** Layer name for a node: the NIR name where the resolver allows it. */
function layerNames(g: NirGraph): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>(['input']);
  for (const n of g.nodes) {
    if (n.type === 'Input') {
      out.set(n.name, 'input');
      continue;
    }
    let name = n.name.replace(/[.[\]/\s]/g, '_');
    if (name === '' || name === 'input') name = `${name}_`;
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    out.set(n.name, name);
  }
  return out;
}

/** Nodes in an order where every input comes first; a cycle is a ConfigError naming its nodes. */
function topologicalOrder(c: Ctx, g: NirGraph, preds: Map<string, string[]>): NirNode[] {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: NirNode[] = [];
  const natural = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
  const visit = (name: string, stack: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw new ConfigError(`${c.path}: node "${name}" (${byName.get(name)!.type}): a recurrent edge closes the cycle ${cycle.join(' -> ')}; recurrent connections are not supported (the layer graph is acyclic)`);
    }
    state.set(name, 'visiting');
    for (const p of [...(preds.get(name) ?? [])].sort(natural)) visit(p, [...stack, name]);
    state.set(name, 'done');
    order.push(byName.get(name)!);
  };
  for (const n of [...g.nodes].sort((a, b) => natural(a.name, b.name))) visit(n.name, []);
  return order;
}

export interface ImportOptions {
  /** Seconds per step (default 1e-4). */
  readonly dt?: number;
}

/** The network a NIR graph describes, with its parameters by layer name. */
export function importNir(g: NirGraph, path: string, opts: ImportOptions = {}): NetworkFileContents {
  const dt = opts.dt ?? DEFAULT_DT;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new ConfigError(`--dt must be a positive number of seconds, found ${dt}`);
  const c: Ctx = { path, dt, notes: [] };
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const preds = new Map<string, string[]>(g.nodes.map((n) => [n.name, []]));
  const readers = new Map<string, string[]>(g.nodes.map((n) => [n.name, []]));
  for (const [a, b] of g.edges) {
    for (const x of [a, b]) if (!byName.has(x)) throw new ConfigError(`${path}: edge ${a} -> ${b} names "${x}", which is not a node (nodes: ${g.nodes.map((n) => n.name).join(', ')})`);
    if (preds.get(b)!.includes(a)) continue;
    preds.get(b)!.push(a);
    readers.get(a)!.push(b);
  }
  const inputs = g.nodes.filter((n) => n.type === 'Input');
  const outputs = g.nodes.filter((n) => n.type === 'Output');
  if (inputs.length !== 1) throw new ConfigError(`${path}: the graph has ${inputs.length} Input nodes; exactly one is supported`);
  if (outputs.length !== 1) throw new ConfigError(`${path}: the graph has ${outputs.length} Output nodes; exactly one is supported`);
  const input = inputs[0]!;
  const output = outputs[0]!;
  const inShape = numbers(c, input, 'shape');
  if (inShape.length !== 1 && inShape.length !== 3) throw new ConfigError(`${where(c, input)}: shape [${inShape.join(', ')}]; supported are [n] and [C, H, W]`);
  if (!inShape.every((v) => Number.isInteger(v) && v >= 1)) throw new ConfigError(`${where(c, input)}: shape [${inShape.join(', ')}] must be positive integers`);
  const inputShape: [number, number, number] = inShape.length === 1 ? [inShape[0]!, 1, 1] : [inShape[0]!, inShape[1]!, inShape[2]!];
  const names = layerNames(g);
  for (const n of g.nodes) if (n.type !== 'Input' && names.get(n.name) !== n.name) c.notes.push(`node "${n.name}" is layer "${names.get(n.name)}"`);

  // A Linear or Affine that only the Output reads is the `out` head itself (same logits).
  const outPreds = preds.get(output.name)!;
  const headNode = outPreds.length === 1 && ['Linear', 'Affine'].includes(byName.get(outPreds[0]!)!.type) && readers.get(outPreds[0]!)!.length === 1 ? outPreds[0]! : null;
  // Flatten is the identity on row-major data: its readers read its input.
  const through = (name: string): string => {
    const n = byName.get(name)!;
    return n.type === 'Flatten' ? through(preds.get(name)![0]!) : name;
  };

  const layers: LayerSpec[] = [];
  const params: Record<string, LayerParams> = {};
  for (const n of topologicalOrder(c, g, preds)) {
    if (n.type === 'Input') {
      if (preds.get(n.name)!.length) throw new ConfigError(`${where(c, n)}: the Input node has an incoming edge`);
      continue;
    }
    const ps = preds.get(n.name)!;
    if (ps.length === 0) throw new ConfigError(`${where(c, n)}: no edge leads into this node`);
    const name = names.get(n.name)!;
    let from = ps.map((p) => names.get(through(p))!);
    if (n.type === 'Flatten') {
      flatten(c, n, ps, readers.get(n.name)!.map((r) => byName.get(r)!));
      continue;
    }
    if (n.type === 'Output' && headNode) continue;
    if (from.length > 1) {
      layers.push({ type: 'add', name: `${name}_in`, inputs: from });
      from = [`${name}_in`];
    }
    const at = (spec: Record<string, unknown>): void => void layers.push({ name, inputs: from, ...spec } as unknown as LayerSpec);
    switch (n.type) {
      case 'Output':
        at({ type: 'readout' });
        break;
      case 'Linear':
      case 'Affine': {
        const w = field(c, n, 'weight');
        if (w.shape.length !== 2) throw new ConfigError(`${where(c, n)}: weight of shape [${w.shape.join(', ')}], expected (out, in)`);
        const [out, nIn] = w.shape as [number, number];
        const p: Record<string, Float32Array | Float64Array> = { weight: f32(numbers(c, n, 'weight'), w.dtype) };
        if (n.type === 'Affine') {
          const b = numbers(c, n, 'bias');
          if (b.length !== out) throw new ConfigError(`${where(c, n)}: bias has ${b.length} values for ${out} outputs`);
          // An all-zero bias is the Linear layer exactly.
          if (b.some((v) => v !== 0)) p['bias'] = f32(b, field(c, n, 'bias').dtype);
        }
        at({ type: n.name === headNode ? 'out' : 'fc', out, in: nIn, bias: p['bias'] !== undefined });
        params[name] = p;
        break;
      }
      case 'Conv2d': {
        const w = field(c, n, 'weight');
        if (w.shape.length !== 4) throw new ConfigError(`${where(c, n)}: weight of shape [${w.shape.join(', ')}], expected (C_out, C_in, kH, kW)`);
        const [out, cin, kh, kw] = w.shape as [number, number, number, number];
        if (kh !== kw) throw new ConfigError(`${where(c, n)}: kernel ${kh}x${kw}; only square kernels are supported`);
        const groups = n.fields['groups'] ? uniform(c, n, 'groups') : 1;
        if (groups !== 1) throw new ConfigError(`${where(c, n)}: groups = ${groups}; grouped (and depthwise) convolutions are not supported`);
        const dil = pair(c, n, 'dilation', 1);
        if (dil[0] !== 1 || dil[1] !== 1) throw new ConfigError(`${where(c, n)}: dilation (${dil.join(', ')}); only dilation 1 is supported`);
        const stride = square(c, n, 'stride', pair(c, n, 'stride', 1), 'only equal strides are supported');
        const pad = n.fields['padding']?.dtype === 'string' ? namedPadding(c, n, kh, stride) : square(c, n, 'padding', pair(c, n, 'padding', 0), 'only symmetric padding is supported');
        const p: Record<string, Float32Array | Float64Array> = { weight: f32(numbers(c, n, 'weight'), w.dtype) };
        if (n.fields['bias']) {
          const b = numbers(c, n, 'bias');
          if (b.length !== out) throw new ConfigError(`${where(c, n)}: bias has ${b.length} values for ${out} output channels`);
          if (b.some((v) => v !== 0)) p['bias'] = f32(b, field(c, n, 'bias').dtype);
        }
        at({ type: 'conv', out, in: cin, kernel: kh, stride, padding: pad, bias: p['bias'] !== undefined });
        params[name] = p;
        break;
      }
      case 'AvgPool2d':
      case 'SumPool2d': {
        const k = square(c, n, 'kernel_size', pair(c, n, 'kernel_size'), 'only square windows are supported');
        const stride = square(c, n, 'stride', pair(c, n, 'stride', k), 'only equal strides are supported');
        const pad = pair(c, n, 'padding', 0);
        if (pad[0] !== 0 || pad[1] !== 0) throw new ConfigError(`${where(c, n)}: padding (${pad.join(', ')}); padded pooling is not supported`);
        at({ type: n.type === 'AvgPool2d' ? 'avgpool' : 'sumpool', k, stride });
        break;
      }
      case 'Scale': {
        const f = field(c, n, 'scale');
        const d = numbers(c, n, 'scale');
        at({ type: 'scale', factor: scaleFactor(c, n, d, f.shape) });
        break;
      }
      case 'LIF': {
        zeroOnly(c, n, 'v_leak', 'a resting potential would be a bias the neuron kinds do not have');
        zeroOnly(c, n, 'v_reset', 'the neuron resets to zero');
        const { lam, gain } = leakAndGain(c, n, 'tau', uniform(c, n, 'r'));
        at({ type: 'lif', lam, theta: threshold(c, n, 'v_threshold'), gain, compare: '>', reset: 'zero' });
        break;
      }
      case 'IF': {
        zeroOnly(c, n, 'v_reset', 'the neuron resets to zero');
        at({ type: 'if', theta: threshold(c, n, 'v_threshold'), gain: uniform(c, n, 'r'), compare: '>', reset: 'zero' });
        break;
      }
      case 'LI': {
        zeroOnly(c, n, 'v_leak', 'a resting potential would be a bias');
        const { lam, gain } = leakAndGain(c, n, 'tau', uniform(c, n, 'r'));
        at({ type: 'li', lam, gain });
        break;
      }
      case 'I':
        at({ type: 'i', gain: uniform(c, n, 'r') });
        break;
      case 'CubaLIF':
      case 'CubaLI': {
        zeroOnly(c, n, 'v_leak', 'a resting potential would be a bias');
        const syn = leakAndGain(c, n, 'tau_syn', uniform(c, n, 'w_in', 1));
        layers.push({ type: 'li', name: `${name}_syn`, inputs: from, lam: syn.lam, gain: syn.gain });
        const mem = leakAndGain(c, n, 'tau_mem', uniform(c, n, 'r'));
        if (n.type === 'CubaLIF') {
          zeroOnly(c, n, 'v_reset', 'the neuron resets to zero');
          layers.push({ type: 'lif', name, inputs: [`${name}_syn`], lam: mem.lam, theta: threshold(c, n, 'v_threshold'), gain: mem.gain, compare: '>', reset: 'zero' });
        } else layers.push({ type: 'li', name, inputs: [`${name}_syn`], lam: mem.lam, gain: mem.gain });
        c.notes.push(`node "${n.name}" (${n.type}) is its synaptic current "${name}_syn" (li) followed by "${name}"`);
        break;
      }
      case 'Threshold':
        at({ type: 'lif', lam: 0, theta: threshold(c, n, 'threshold'), compare: '>', reset: 'zero' });
        break;
      case 'Delay':
        throw new ConfigError(`${where(c, n)}: delays are not supported`);
      case 'Conv1d':
        throw new ConfigError(`${where(c, n)}: 1-D convolutions are not supported (the layer graph is [C, H, W])`);
      default:
        throw new ConfigError(`${where(c, n)}: unknown node type "${n.type}" (supported: Input, Output, Linear, Affine, Conv2d, AvgPool2d, SumPool2d, Flatten, Scale, LIF, IF, LI, I, CubaLIF, CubaLI, Threshold)`);
    }
  }
  const spec: NetworkSpec = { name: path, inputShape, layers, description: `imported from NIR ${g.version} (dt = ${dt} s)` };
  checkShapes(c, g, spec, names);
  return { spec, params, notes: c.notes };
}

/**
 * The shapes NIR states against the ones the layer graph infers: a neuron's parameter
 * arrays, a convolution's input_shape, a Flatten's input_type, the Output's shape. The
 * resolver itself refuses layers that do not chain (naming the layer, which is the node).
 */
function checkShapes(c: Ctx, g: NirGraph, spec: NetworkSpec, names: ReadonlyMap<string, string>): void {
  const net = resolveNetwork(spec, c.path);
  const layer = (node: string) => net.layers.find((l) => l.name === names.get(node));
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  for (const n of g.nodes) {
    const l = layer(n.name);
    if (NEURON_TYPES.has(n.type) && l) {
      for (const [k, f] of Object.entries(n.fields)) {
        const m = size(f.shape);
        if (m !== 1 && m !== l.outSize) throw new ConfigError(`${where(c, n)}: "${k}" has ${m} values (shape [${f.shape.join(', ')}]) but the layer has ${l.outSize} neurons (input shape ${l.inShape.join('x')}): the shapes do not chain`);
      }
    }
    if (n.type === 'Conv2d' && l && n.fields['input_shape']) {
      const hw = numbers(c, n, 'input_shape');
      if (hw.length === 2 && (hw[0] !== l.inShape[1] || hw[1] !== l.inShape[2])) throw new ConfigError(`${where(c, n)}: input_shape (${hw.join(', ')}) but its input is ${l.inShape.join('x')}: the shapes do not chain`);
    }
    if (n.type === 'Flatten' && n.fields['input_type']) {
      const t = numbers(c, n, 'input_type');
      const src = g.edges.find(([, b]) => b === n.name)?.[0];
      const p = src === undefined ? undefined : layer(src);
      const got = p ? p.outSize : g.nodes.find((x) => x.name === src)?.type === 'Input' ? net.inSize : size(t);
      if (size(t) !== got) throw new ConfigError(`${where(c, n)}: input_type [${t.join(', ')}] (${size(t)} values) but its input has ${got}: the shapes do not chain`);
    }
    if (n.type === 'Output' && n.fields['shape']) {
      const s = numbers(c, n, 'shape');
      if (size(s) !== net.classes) throw new ConfigError(`${where(c, n)}: shape [${s.join(', ')}] but the network gives ${net.classes} outputs: the shapes do not chain`);
    }
  }
}

/** `same` (stride 1, odd kernel: (k - 1) / 2) or `valid` (0). */
function namedPadding(c: Ctx, n: NirNode, k: number, stride: number): number {
  const p = field(c, n, 'padding').data[0] as string;
  if (p === 'valid') return 0;
  if (p === 'same' && stride === 1 && k % 2 === 1) return (k - 1) / 2;
  throw new ConfigError(`${where(c, n)}: padding "${p}" with kernel ${k} and stride ${stride}; supported are "valid" and "same" with stride 1 and an odd kernel`);
}

/** A scalar, or one factor per channel when the array (input-shaped or [C]) is uniform over each channel. */
function scaleFactor(c: Ctx, n: NirNode, d: readonly number[], shape: readonly number[]): number | number[] {
  if (d.length === 0) throw new ConfigError(`${where(c, n)}: "scale" is empty`);
  if (d.every((v) => v === d[0])) return d[0]!;
  const C = shape[0]!;
  const P = d.length / C;
  const per = Array.from({ length: C }, (_, ch) => d[ch * P]!);
  for (let i = 0; i < d.length; i++) {
    if (d[i] !== per[Math.floor(i / P)]) throw new ConfigError(`${where(c, n)}: "scale" differs within channel ${Math.floor(i / P)}; a scale is one factor, or one per channel`);
  }
  return per;
}

/** A full flatten before linear layers (which flatten their input themselves) is nothing. */
function flatten(c: Ctx, n: NirNode, preds: readonly string[], readers: readonly NirNode[]): void {
  if (preds.length !== 1) throw new ConfigError(`${where(c, n)}: a Flatten takes one input, found ${preds.length}`);
  const start = n.fields['start_dim'] ? uniform(c, n, 'start_dim') : 0;
  const end = n.fields['end_dim'] ? uniform(c, n, 'end_dim') : -1;
  const dims = n.fields['input_type'] ? numbers(c, n, 'input_type').length : 3;
  if (!(start === 0 && (end === -1 || end === dims - 1))) throw new ConfigError(`${where(c, n)}: start_dim ${start}, end_dim ${end}; only a full flatten (0, -1) is supported`);
  const bad = readers.filter((r) => !['Linear', 'Affine', 'Output', 'Flatten'].includes(r.type));
  if (bad.length) throw new ConfigError(`${where(c, n)}: read by ${bad.map((r) => `"${r.name}" (${r.type})`).join(', ')}; a Flatten may only feed Linear or Affine layers here`);
}


