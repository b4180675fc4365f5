import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@sata/core';
import { Registry } from '@sata/plugin-api';
import { initWeights, networkFromRef, resolveNetwork, snnPlugin, ZOO, type Network } from '@sata/snn';
import { describe, expect, it } from 'vitest';
import { exportNir } from './export.js';
import type { NirArray, NirGraph, NirNode } from './graph.js';
import { readNirFile } from './graph.js';
import { nirPlugin } from './plugin.js';
import { writeNirFile } from './write.js';

const FIXTURES = join(__dirname, '../../../reference/nir');
if (!existsSync(join(FIXTURES, 'mlp', 'model.nir'))) throw new Error(`NIR fixtures missing: ${FIXTURES}`);
const registry = new Registry().register(snnPlugin).register(nirPlugin).freeze();
const dir = mkdtempSync(join(tmpdir(), 'sata-nir-unit-'));
const fixture = (name: string): string => join(FIXTURES, name, 'model.nir');

const f32 = (data: number[], shape: number[]): NirArray => ({ dtype: 'float32', shape, data });
const i64 = (data: number[], shape: number[] = [data.length]): NirArray => ({ dtype: 'int64', shape, data });
const fill = (v: number, n: number): NirArray => f32(new Array<number>(n).fill(v), [n]);
const lif = (n: number, over: Partial<Record<string, NirArray>> = {}): Record<string, NirArray> => ({
  tau: fill(1e-3, n), r: fill(10, n), v_leak: fill(0, n), v_threshold: fill(1, n), v_reset: fill(0, n), ...over,
} as Record<string, NirArray>);
/** input[4] -> fc (Linear 3x4) -> lif -> output, with the given changes. */
function small(change: (nodes: NirNode[], edges: [string, string][]) => void = () => {}): NirGraph {
  const nodes: NirNode[] = [
    { name: 'input', type: 'Input', fields: { shape: i64([4]) } },
    { name: 'fc', type: 'Linear', fields: { weight: f32([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], [3, 4]) } },
    { name: 'n', type: 'LIF', fields: lif(3) },
    { name: 'output', type: 'Output', fields: { shape: i64([3]) } },
  ];
  const edges: [string, string][] = [['input', 'fc'], ['fc', 'n'], ['n', 'output']];
  change(nodes, edges);
  return { version: '1.0.0', nodes, edges };
}
const replace = (nodes: NirNode[], name: string, n: Partial<NirNode>): void => {
  const i = nodes.findIndex((x) => x.name === name);
  nodes[i] = { ...nodes[i]!, ...n };
};

async function written(g: NirGraph, name: string): Promise<string> {
  const p = join(dir, `${name}.nir`);
  await writeNirFile(g, p);
  return p;
}

describe('reading NIR files', () => {
  it('maps the snnTorch fixtures onto layer kinds, with the converted neuron parameters and the weights', () => {
    const net = networkFromRef(fixture('cnn-strided'), registry);
    expect(net.layers.map((l) => `${l.name}:${l.kind}`)).toEqual(['0:conv', '1:lif', '2:conv', '3:lif', '4:avgpool', '6:fc', '7:lif', 'output:readout']);
    expect(net.layers[0]!.attrs).toMatchObject({ out: 8, kernel: 5, stride: 2, padding: 1, bias: true });
    // Leaky(beta = 0.8): tau = 1e-4 / 0.2 in float32; float32(1 - dt / tau) is beta again.
    expect(net.layers[1]!.attrs).toMatchObject({ lam: Math.fround(0.8), theta: 0.5, gain: 1, compare: '>', reset: 'zero' });
    const raw = readNirFile(fixture('cnn-strided')).nodes.find((n) => n.name === '0')!.fields['weight']!;
    expect(Array.from(net.params![0]!['weight']!)).toEqual(raw.data);
    expect(net.params![4]).toEqual({});
  });

  it('reads IF neurons (gain r, no dt), a fan-in as an add, and refuses the recurrent cycle', () => {
    expect(networkFromRef(fixture('if-neurons'), registry).layers[1]!.attrs).toMatchObject({ lam: 1, theta: 1, gain: 1, compare: '>' });
    const res = networkFromRef(fixture('residual'), registry);
    expect(res.layers.find((l) => l.name === 'L2_in')).toMatchObject({ kind: 'add', inputNames: ['B', 'L1'] });
    expect(() => networkFromRef(fixture('recurrent'), registry)).toThrow(/node "1\.lif" \(LIF\): a recurrent edge closes the cycle 1\.lif -> 1\.w_rec -> 1\.lif/);
  });

  it('takes dt: lam = 1 - dt / tau and gain = r dt / tau', () => {
    const net = networkFromRef(fixture('mlp'), registry, { dt: 5e-5 });
    const a = net.layers[1]!.attrs as { lam: number; gain: number };
    expect(a.lam).toBeCloseTo(0.95, 6);
    expect(a.gain).toBeCloseTo(0.5, 6);
  });

  it('reads LI, I, CubaLIF, Scale, SumPool2d, Threshold and a Linear head', async () => {
    const g: NirGraph = {
      version: '1.0.0',
      nodes: [
        { name: 'input', type: 'Input', fields: { shape: i64([2, 4, 4]) } },
        { name: 'sc', type: 'Scale', fields: { scale: f32([...new Array(16).fill(2), ...new Array(16).fill(-1)], [2, 4, 4]) } },
        { name: 'sp', type: 'SumPool2d', fields: { kernel_size: i64([2, 2]), stride: i64([2, 2]), padding: i64([0, 0]) } },
        { name: 'th', type: 'Threshold', fields: { threshold: fill(0.5, 8) } },
        { name: 'fl', type: 'Flatten', fields: { start_dim: i64([0], []), end_dim: i64([-1], []), input_type: i64([2, 2, 2]) } },
        { name: 'a', type: 'Affine', fields: { weight: f32(new Array(24).fill(0.1), [3, 8]), bias: f32([0.1, 0, 0], [3]) } },
        { name: 'cuba', type: 'CubaLIF', fields: { tau_syn: fill(2e-4, 3), tau_mem: fill(1e-3, 3), r: fill(10, 3), v_leak: fill(0, 3), v_threshold: fill(1, 3), v_reset: fill(0, 3), w_in: fill(2, 3) } },
        { name: 'li', type: 'LI', fields: { tau: fill(4e-4, 3), r: fill(4, 3), v_leak: fill(0, 3) } },
        { name: 'i', type: 'I', fields: { r: fill(0.5, 3) } },
        { name: 'head', type: 'Linear', fields: { weight: f32(new Array(6).fill(1), [2, 3]) } },
        { name: 'output', type: 'Output', fields: { shape: i64([2]) } },
      ],
      edges: [['input', 'sc'], ['sc', 'sp'], ['sp', 'th'], ['th', 'fl'], ['fl', 'a'], ['a', 'cuba'], ['cuba', 'li'], ['li', 'i'], ['i', 'head'], ['head', 'output']],
    };
    const net = networkFromRef(await written(g, 'kinds'), registry);
    expect(net.layers.map((l) => `${l.name}:${l.kind}`)).toEqual(['sc:scale', 'sp:sumpool', 'th:lif', 'a:fc', 'cuba_syn:li', 'cuba:lif', 'li:li', 'i:i', 'head:out']);
    const at = (n: string) => net.layers.find((l) => l.name === n)!.attrs as Record<string, unknown>;
    expect(at('sc')).toEqual({ factor: [2, -1] });
    expect(at('th')).toMatchObject({ lam: 0, theta: 0.5, compare: '>' });
    expect(at('cuba_syn')).toMatchObject({ lam: Math.fround(0.5), gain: 1 });
    expect(at('cuba')).toMatchObject({ lam: Math.fround(0.9), gain: 1 });
    expect(at('li')).toMatchObject({ lam: Math.fround(0.75), gain: 1 });
    expect(at('i')).toEqual({ lam: 1, gain: 0.5 });
    expect(net.warnings.join('\n')).toMatch(/"cuba" \(CubaLIF\) is its synaptic current "cuba_syn" \(li\) followed by "cuba"/);
  });
});

describe('bad NIR files: a ConfigError naming the file and the node', () => {
  const cases: [string, NirGraph, RegExp][] = [
    ['missing dataset', small((n) => replace(n, 'n', { fields: Object.fromEntries(Object.entries(lif(3)).filter(([k]) => k !== 'tau')) })), /node "n" \(LIF\): missing dataset "tau"/],
    ['unknown node type', small((n) => replace(n, 'n', { type: 'Spiky' })), /node "n" \(Spiky\): unknown node type "Spiky"/],
    ['shapes that do not chain', small((n) => replace(n, 'n', { fields: lif(5) })), /node "n" \(LIF\): "\w+" has 5 values .* but the layer has 3 neurons/],
    ['Linear that does not fit its input', small((n) => replace(n, 'fc', { fields: { weight: f32(new Array(15).fill(0), [3, 5]) } })), /layer 0 \(fc, fc\): in = 5 but the \(flattened\) input has 4 values/],
    ['a cycle', small((_n, e) => e.push(['n', 'fc'])), /node "fc" \(Linear\): a recurrent edge closes the cycle fc -> n -> fc/],
    ['per-neuron parameters', small((n) => replace(n, 'n', { fields: lif(3, { v_threshold: f32([1, 2, 1], [3]) }) })), /"v_threshold" differs between neurons \(1 at 0, 2 at 1\)/],
    ['a resting potential', small((n) => replace(n, 'n', { fields: lif(3, { v_leak: fill(0.1, 3) }) })), /v_leak = 0\.1\d*; only v_leak = 0 is supported/],
    ['tau below dt', small((n) => replace(n, 'n', { fields: lif(3, { tau: fill(1e-5, 3) }) })), /tau = 0\.00000999\d* s is shorter than the step dt = 0\.0001 s/],
    ['an edge to nowhere', small((_n, e) => e.push(['n', 'ghost'])), /edge n -> ghost names "ghost", which is not a node/],
    ['grouped convolution', {
      version: '1.0.0',
      nodes: [
        { name: 'input', type: 'Input', fields: { shape: i64([2, 4, 4]) } },
        { name: 'c', type: 'Conv2d', fields: { weight: f32(new Array(18).fill(0), [2, 1, 3, 3]), bias: fill(0, 2), stride: i64([1, 1]), padding: i64([1, 1]), dilation: i64([1, 1]), groups: i64([2], []) } },
        { name: 'output', type: 'Output', fields: { shape: i64([2, 4, 4]) } },
      ],
      edges: [['input', 'c'], ['c', 'output']],
    }, /node "c" \(Conv2d\): groups = 2; grouped \(and depthwise\) convolutions are not supported/],
  ];
  for (const [what, g, re] of cases) {
    it(what, async () => {
      const p = await written(g, what.replace(/\s/g, '-'));
      let err: unknown;
      try {
        networkFromRef(p, registry);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(p);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('truncated, damaged and foreign files', () => {
    const bytes = readFileSync(fixture('mlp'));
    const truncated = join(dir, 'truncated.nir');
    writeFileSync(truncated, bytes.subarray(0, 30_000));
    expect(() => readNirFile(truncated)).toThrow(new RegExp(`${truncated}: damaged or truncated HDF5 file`));
    const damaged = join(dir, 'damaged.nir');
    const d = Buffer.from(bytes);
    for (let i = 8; i < 200; i++) d[i] = 0xff;
    writeFileSync(damaged, d);
    expect(() => readNirFile(damaged)).toThrow(new RegExp(`${damaged}: damaged`));
    const text = join(dir, 'text.nir');
    writeFileSync(text, 'not hdf5');
    expect(() => readNirFile(text)).toThrow(/text\.nir: not an HDF5 file/);
    expect(() => readNirFile(join(dir, 'absent.nir'))).toThrow(/NIR file .*absent\.nir: cannot read: no such file/);
  });
});

describe('exporting to NIR', () => {
  const spec = {
    name: 'roundtrip',
    inputShape: [2, 6, 6] as [number, number, number],
    layers: [
      { type: 'conv', name: 'c1', out: 4, kernel: 3, padding: 1, bias: true },
      { type: 'lif', name: 'n1', lam: 0.875, theta: 0.5, gain: 1, compare: '>' },
      { type: 'sumpool', name: 'sp', k: 2 },
      { type: 'conv', name: 'c2', out: 4, kernel: 3, padding: 1 },
      // NIR has no add node (fan-in sums): the importer names it after its reader.
      { type: 'add', name: 'n2_in', inputs: ['c2', 'sp'] },
      { type: 'if', name: 'n2', theta: 1.5, gain: 2, compare: '>' },
      { type: 'avgpool', name: 'ap', k: 3 },
      { type: 'scale', name: 's', factor: [0.5, 1, 2, -1] },
      { type: 'fc', name: 'f', out: 5, bias: true },
      { type: 'li', name: 'li', lam: 0.75, gain: 1 },
      { type: 'out', name: 'head', out: 3 },
    ],
  };

  it('round-trips: importing the export gives back the same network and weights', async () => {
    const net = resolveNetwork(spec);
    const weights = initWeights(net, { seed: 7, dtype: 'float32' });
    weights[0]!['bias']!.set([0.1, -0.2, 0.3, 0.05]);
    weights[8]!['bias']!.fill(0.25);
    const { graph, warnings } = exportNir(net, weights, { lam: 0.9, theta: 1 });
    expect(warnings).toEqual([]);
    const p = await written(graph, 'roundtrip');
    const back = networkFromRef(p, registry);
    const shape = (n: Network) => n.layers.map((l) => ({ name: l.name, kind: l.kind, inputs: l.inputNames, out: l.outShape }));
    expect(shape(back)).toEqual(shape(net));
    back.layers.forEach((l, i) => {
      // Every field of the original (the import adds `in`, a check of the input size).
      const b = l.attrs as Record<string, unknown>;
      for (const [k, v] of Object.entries(net.layers[i]!.attrs as Record<string, unknown>)) {
        if (typeof v === 'number') expect(b[k], `${l.name}.${k}`).toBeCloseTo(v, 6);
        else expect(b[k], `${l.name}.${k}`).toEqual(v);
      }
      for (const d of l.params) expect(Array.from(back.params![i]![d.name]!), `${l.name}.${d.name}`).toEqual(Array.from(weights[i]![d.name]!));
    });
  });

  it('round-trips a snnTorch fixture: the same NIR nodes, edges and values', async () => {
    const net = networkFromRef(fixture('cnn-avgpool'), registry);
    const { graph } = exportNir(net, net.params!, { lam: 0.9, theta: 1 });
    const again = networkFromRef(await written(graph, 'cnn-again'), registry);
    expect(again.layers.map((l) => [l.name, l.kind, l.attrs])).toEqual(net.layers.map((l) => [l.name, l.kind, l.attrs]));
    expect(again.params).toEqual(net.params);
  });

  it('refuses an output it cannot write, before HDF5 tries (and leaves an existing file alone)', async () => {
    await expect(writeNirFile(small(), join(dir, 'no-such-folder', 'x.nir'))).rejects.toThrow(/its folder .*no-such-folder is not writable \(ENOENT\)/);
    await expect(writeNirFile(small(), dir)).rejects.toThrow(/it is a folder/);
    const kept = join(dir, 'kept.nir');
    writeFileSync(kept, 'previous contents');
    await expect(writeNirFile({ ...small(), nodes: [{ name: 'bad', type: 'X', fields: { v: { dtype: 'float32', shape: [2], data: [1] } } }] }, kept)).rejects.toThrow(ConfigError);
    expect(readFileSync(kept, 'utf8')).toBe('previous contents');
  });

  it('refuses what NIR cannot carry, listing every such layer', () => {
    const vgg = resolveNetwork(ZOO.find((z) => z.name === 'resnet19')!);
    expect(() => exportNir(vgg, initWeights(vgg, { seed: 1, dtype: 'float32' }), { lam: 0.9, theta: 1 })).toThrow(/NIR cannot carry \d+ layer\(s\): .*\(batch norm .*\)/);
    const sub = resolveNetwork({ name: 'sub', inputShape: [1, 4, 4], layers: [{ type: 'conv', out: 2, kernel: 3, padding: 1 }, { type: 'lif', name: 'n', reset: 'subtract' }, { type: 'maxpool', name: 'mp' }, { type: 'out', out: 2 }] });
    expect(() => exportNir(sub, initWeights(sub, { seed: 1, dtype: 'float32' }), { lam: 0.9, theta: 1 })).toThrow(/sub: NIR cannot carry 2 layer\(s\): n \(subtract reset .*\); mp \(max pooling/);
  });
});
