/**
 * A network as a NIR graph, the inverse of `importNir` (export.ts and import.ts hold the
 * same mapping): conv -> Conv2d, fc -> Linear / Affine (after a Flatten when its input is
 * not flat), out -> Linear / Affine then Output, readout -> Output, lif -> LIF
 * (tau = dt / (1 - lam), r = gain tau / dt), if -> IF (r = gain), li -> LI, i -> I,
 * scale -> Scale, avgpool / sumpool -> AvgPool2d / SumPool2d, add -> fan-in edges (NIR's
 * sum). What NIR cannot carry is refused, every such layer listed at once: batch norm, max
 * pooling, global average pooling, subtract reset, kinds from plugins.
 */
import { ConfigError } from '@sata/core';
import type { LayerParams } from '@sata/plugin-api';
import type { LifAttrs, LiAttrs, Network, PoolAttrs, ResolvedLayer, ScaleAttrs, ConvAttrs } from '@sata/snn';
import type { NirArray, NirGraph, NirNode } from './graph.js';
import { DEFAULT_DT } from './import.js';

/** The NIR version these files claim: the format of NIR 1.0 (nir.write). */
export const NIR_VERSION = '1.0.0';

export interface ExportOptions {
  readonly dt?: number;
  /** Leak and threshold of neurons that leave them to the run. */
  readonly lam: number;
  readonly theta: number;
}

const f32 = (data: ArrayLike<number>, shape: readonly number[]): NirArray => ({ dtype: 'float32', shape, data: Array.from(data, (v) => Math.fround(v)) });
const i64 = (data: readonly number[], shape: readonly number[] = [data.length]): NirArray => ({ dtype: 'int64', shape, data });
const filled = (v: number, shape: readonly number[]): NirArray => f32(new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(v), shape);

/** Layers NIR can express, and why not for the others. */
function refusal(l: ResolvedLayer<any>): string | null {
  switch (l.kind) {
    case 'conv': case 'fc': case 'out': case 'readout': case 'li': case 'i': case 'add': case 'scale': case 'avgpool': case 'sumpool':
      return null;
    case 'lif': case 'if':
      return (l.attrs as LifAttrs).reset === 'subtract' ? 'subtract reset (NIR neurons reset to v_reset)' : null;
    case 'batchnorm': return 'batch norm (no NIR node; fold it into the preceding layer first)';
    case 'maxpool': return 'max pooling (no NIR node)';
    case 'globalavgpool': return 'global average pooling (not mapped)';
    default: return `kind ${l.kind} (no NIR mapping)`;
  }
}

/** The NIR graph of a network with its parameters; `warnings` says what NIR changes. */
export function exportNir(net: Network, weights: readonly LayerParams[], o: ExportOptions): { graph: NirGraph; warnings: string[] } {
  const dt = o.dt ?? DEFAULT_DT;
  const refused = net.layers.map((l) => [l, refusal(l)] as const).filter(([, why]) => why !== null);
  if (refused.length) throw new ConfigError(`${net.name}: NIR cannot carry ${refused.length} layer(s): ${refused.map(([l, why]) => `${l.name} (${why})`).join('; ')}`);
  const warnings: string[] = [];
  const nodes: NirNode[] = [];
  const edges: [string, string][] = [];
  const used = new Set(net.layers.map((l) => l.name));
  const fresh = (base: string): string => {
    let n = base;
    while (used.has(n)) n = `${n}_`;
    used.add(n);
    return n;
  };
  // Flat tensors are [n] in NIR; spatial ones [C, H, W].
  const flat: boolean[] = [];
  const inputFlat = net.inputShape[1] === 1 && net.inputShape[2] === 1;
  const isFlat = (j: number): boolean => (j < 0 ? inputFlat : flat[j]!);
  const nirShape = (s: readonly number[], isflat: boolean): number[] => (isflat ? [s[0]! * s[1]! * s[2]!] : [...s]);
  // What a reader of layer j connects to: the node of j, or every input of an add.
  const sources = (j: number): string[] => {
    if (j < 0) return ['input'];
    const l = net.layers[j]!;
    return l.kind === 'add' ? l.inputs.flatMap(sources) : [l.name];
  };
  const connect = (l: ResolvedLayer<any>, target: string): void => {
    for (const s of l.inputs.flatMap(sources)) edges.push([s, target]);
  };
  nodes.push({ name: 'input', type: 'Input', fields: { shape: i64(nirShape(net.inputShape, inputFlat)) } });
  let strictWarned = false;
  for (const l of net.layers) {
    const p = weights[l.index] ?? {};
    const shape = nirShape(l.outShape, l.kind === 'fc' || l.kind === 'out' ? true : ['conv', 'avgpool', 'sumpool'].includes(l.kind) ? false : isFlat(l.inputs[0]!));
    flat.push(shape.length === 1);
    const node = (type: string, fields: Record<string, NirArray>, name = l.name): void => void nodes.push({ name, type, fields });
    switch (l.kind) {
      case 'add':
        continue;
      case 'conv': {
        const a = l.attrs as ConvAttrs;
        const w = p['weight']!;
        node('Conv2d', {
          weight: f32(w, [l.outShape[0], l.inShape[0], a.kernel, a.kernel]),
          bias: p['bias'] ? f32(p['bias'], [l.outShape[0]]) : filled(0, [l.outShape[0]]),
          stride: i64([a.stride, a.stride]), padding: i64([a.padding, a.padding]), dilation: i64([1, 1]), groups: i64([1], []),
          input_shape: i64([l.inShape[1], l.inShape[2]]),
        });
        connect(l, l.name);
        break;
      }
      case 'fc':
      case 'out': {
        const w = f32(p['weight']!, [l.outSize, l.inSize]);
        node(p['bias'] ? 'Affine' : 'Linear', p['bias'] ? { weight: w, bias: f32(p['bias'], [l.outSize]) } : { weight: w });
        if (!isFlat(l.inputs[0]!) || l.inputs.length > 1) {
          const fl = fresh(`${l.name}_flatten`);
          node('Flatten', { start_dim: i64([0], []), end_dim: i64([-1], []), input_type: i64([...l.inShape]) }, fl);
          connect(l, fl);
          edges.push([fl, l.name]);
        } else connect(l, l.name);
        if (l.kind === 'out') {
          const outName = fresh('output');
          node('Output', { shape: i64([l.outSize]) }, outName);
          edges.push([l.name, outName]);
        }
        break;
      }
      case 'readout':
        node('Output', { shape: i64(shape) });
        connect(l, l.name);
        break;
      case 'lif':
      case 'if': {
        const a = l.attrs as LifAttrs;
        const lam = a.lam ?? o.lam;
        const theta = a.theta ?? o.theta;
        if (a.compare !== '>' && !strictWarned) {
          warnings.push('NIR neurons fire on v > v_threshold; this network\'s fire on v >= theta (the same except where a membrane lands exactly on its threshold)');
          strictWarned = true;
        }
        if (lam === 1) node('IF', { r: filled(a.gain, shape), v_threshold: filled(theta, shape), v_reset: filled(0, shape) });
        else {
          const tau = dt / (1 - lam);
          node('LIF', { tau: filled(tau, shape), r: filled((a.gain * tau) / dt, shape), v_leak: filled(0, shape), v_threshold: filled(theta, shape), v_reset: filled(0, shape) });
        }
        connect(l, l.name);
        break;
      }
      case 'li':
      case 'i': {
        const a = l.attrs as LiAttrs;
        const lam = a.lam ?? o.lam;
        if (lam === 1) node('I', { r: filled(a.gain, shape) });
        else {
          const tau = dt / (1 - lam);
          node('LI', { tau: filled(tau, shape), r: filled((a.gain * tau) / dt, shape), v_leak: filled(0, shape) });
        }
        connect(l, l.name);
        break;
      }
      case 'scale': {
        const f = (l.attrs as ScaleAttrs).factor;
        const [C, H, W] = l.outShape;
        node('Scale', { scale: f32(Array.from({ length: C * H * W }, (_, i) => (typeof f === 'number' ? f : f[Math.floor(i / (H * W))]!)), shape) });
        connect(l, l.name);
        break;
      }
      case 'avgpool':
      case 'sumpool': {
        const a = l.attrs as PoolAttrs;
        node(l.kind === 'avgpool' ? 'AvgPool2d' : 'SumPool2d', { kernel_size: i64([a.k, a.k]), stride: i64([a.stride, a.stride]), padding: i64([0, 0]) });
        connect(l, l.name);
        break;
      }
    }
  }
  return { graph: { version: NIR_VERSION, nodes, edges }, warnings };
}
