import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { layerGemms, loadNetworkFile, parseNetwork, resolveNetwork } from './network.js';
import { ZOO } from './zoo.js';

const zoo = (name: string) => resolveNetwork(ZOO.find((z) => z.name === name)!);

const weightShape = (l: { params: readonly { name: string; shape: readonly number[] }[] }): string => l.params.find((p) => p.name === 'weight')?.shape.join('x') ?? '-';

describe('shape inference', () => {
  it('gives vgg5 the CIFAR-10 shapes of the issue, each conv and fc followed by its implied LIF neuron (format 1)', () => {
    const n = zoo('vgg5');
    expect(n.layers.map((l) => [l.name, l.kind, l.inShape.join('x'), l.outShape.join('x'), weightShape(l)])).toEqual([
      ['conv1', 'conv', '3x32x32', '64x32x32', '64x3x3x3'],
      ['conv1_lif', 'lif', '64x32x32', '64x32x32', '-'],
      ['pool1', 'maxpool', '64x32x32', '64x16x16', '-'],
      ['conv2', 'conv', '64x16x16', '128x16x16', '128x64x3x3'],
      ['conv2_lif', 'lif', '128x16x16', '128x16x16', '-'],
      ['conv3', 'conv', '128x16x16', '128x16x16', '128x128x3x3'],
      ['conv3_lif', 'lif', '128x16x16', '128x16x16', '-'],
      ['pool2', 'maxpool', '128x16x16', '128x8x8', '-'],
      ['fc1', 'fc', '128x8x8', '1024x1x1', '1024x8192'],
      ['fc1_lif', 'lif', '1024x1x1', '1024x1x1', '-'],
      ['out', 'out', '1024x1x1', '10x1x1', '10x1024'],
    ]);
    expect(n.layers.map((l) => l.inputNames.join(','))).toEqual(['input', 'conv1', 'conv1_lif', 'pool1', 'conv2', 'conv2_lif', 'conv3', 'conv3_lif', 'pool2', 'fc1', 'fc1_lif']);
    expect(n.layers.map((l) => l.origin)).toEqual([0, 0, 1, 2, 2, 3, 3, 4, 5, 5, 6]);
    expect(n.layers[1]!.value).toBe('spike');
    expect(n.layers[0]!.role).toBe('current');
    expect(n.warnings).toEqual([]);
  });

  it('gives digits-cnn fc 128->64 on 8x8 and every zoo network 10 classes', () => {
    expect(weightShape(zoo('digits-cnn').layers.find((l) => l.kind === 'fc')!)).toBe('64x128');
    for (const z of ZOO) expect(resolveNetwork(z).classes).toBe(10);
    expect(zoo('vgg16').layers.filter((l) => l.kind === 'conv')).toHaveLength(13);
    expect(zoo('vgg11').layers.filter((l) => l.kind === 'conv')).toHaveLength(8);
  });

  it('infers strided and padded conv sizes with floor, as PyTorch', () => {
    const n = resolveNetwork({ name: 't', inputShape: [2, 7, 10], layers: [{ type: 'conv', out: 3, kernel: 3, stride: 2, padding: 1 }, { type: 'pool' }, { type: 'out', out: 2 }] });
    expect(n.layers[0]!.outShape).toEqual([3, 4, 5]);
    expect(n.layers[2]!.outShape).toEqual([3, 2, 2]);
    expect(weightShape(n.layers[3]!)).toBe('2x12');
  });

  it('gives the GEMM sizes of hardware-model.md section 4', () => {
    const conv2 = zoo('vgg5').layers.find((l) => l.name === 'conv2')!;
    expect(layerGemms(conv2, 8)).toEqual({
      forward: { M: 8 * 16 * 16, N: 128, K: 64 * 9 },
      backward: { M: 8 * 16 * 16, N: 64, K: 128 * 9 },
      weightGrad: { M: 64 * 9, N: 128, K: 8 * 16 * 16 },
    });
    expect(layerGemms(zoo('vgg5').layers.find((l) => l.name === 'pool1')!, 8)).toBeNull();
  });

  it('reads a graph: named inputs, fan-out, an add of two branches, batch norm and explicit neurons (no implied ones)', () => {
    const n = resolveNetwork({
      name: 'block', inputShape: [2, 8, 8],
      layers: [
        { type: 'conv', name: 'stem', out: 4, k: 3, pad: 1 },
        { type: 'batchnorm', name: 'bn0' },
        { type: 'lif', name: 'lif0', lam: 0.9, theta: 1 },
        { type: 'conv', name: 'c1', out: 4, k: 3, pad: 1, bias: true },
        { type: 'batchnorm', name: 'bn1' },
        { type: 'add', name: 'add1', inputs: ['bn1', 'bn0'] },
        { type: 'if', name: 'n1', reset: 'subtract' },
        { type: 'avgpool', name: 'p1', k: 2 },
        { type: 'globalavgpool', name: 'gap' },
        { type: 'out', out: 10 },
      ],
    });
    expect(n.layers.map((l) => l.name)).toEqual(['stem', 'bn0', 'lif0', 'c1', 'bn1', 'add1', 'n1', 'p1', 'gap', 'out']);
    expect(n.layers[1]!.readers.map((r) => n.layers[r]!.name)).toEqual(['lif0', 'add1']);
    expect(n.layers[5]!.inputNames).toEqual(['bn1', 'bn0']);
    expect(n.layers[5]!.role).toBe('current');
    expect(n.layers[3]!.params.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual(['weight:4x4x3x3', 'bias:4']);
    expect(n.layers[1]!.params.filter((p) => p.trainable).map((p) => p.name)).toEqual(['gamma', 'beta']);
    expect(n.layers[1]!.weightCount).toBe(8);
    expect(n.layers[8]!.outShape).toEqual([4, 1, 1]);
    expect(n.layers[7]!.bits).toBe(3); // a count of 4 spikes
  });

  it('refuses broken graphs, naming the layer: unknown input, wrong order, different shapes in an add, wrong arity; warns of a layer nobody reads', () => {
    const net = (layers: object[]) => resolveNetwork({ name: 'g', inputShape: [2, 4, 4], layers: layers as never });
    expect(() => net([{ type: 'conv', name: 'a', out: 2, k: 1, inputs: ['nope'] }, { type: 'out', out: 2 }])).toThrow(/layer 0 \(a, conv\): input "nope" is not a layer of the network/);
    expect(() => net([{ type: 'conv', name: 'a', out: 2, k: 1, inputs: ['b'] }, { type: 'lif', name: 'b' }, { type: 'out', out: 2 }])).toThrow(/input "b" comes later: layers must be listed with every input first \(a cycle, or the wrong order\)/);
    expect(() => net([{ type: 'conv', name: 'a', out: 2, k: 1, inputs: ['a'] }, { type: 'out', out: 2 }])).toThrow(/input "a" comes from the layer itself/);
    expect(() => net([{ type: 'conv', name: 'a', out: 2, k: 1 }, { type: 'conv', name: 'b', out: 3, k: 1, inputs: ['input'] }, { type: 'add', inputs: ['a', 'b'] }, { type: 'lif' }, { type: 'out', out: 2 }])).toThrow(
      /layer 2 \(add1, add\): add of different shapes: a 2x4x4, b 3x4x4/,
    );
    expect(() => net([{ type: 'add', inputs: ['input'] }, { type: 'lif' }, { type: 'out', out: 2 }])).toThrow(/a add layer takes 2 to 16 input\(s\), found 1/);
    expect(() => net([{ type: 'conv', name: 'x', out: 2, k: 1 }, { type: 'conv', name: 'x', out: 2, k: 1 }, { type: 'lif' }, { type: 'out', out: 2 }])).toThrow(/two layers are named "x"/);
    const w = net([{ type: 'conv', name: 'dead', out: 2, k: 1 }, { type: 'lif', inputs: ['input'] }, { type: 'out', out: 2 }]);
    expect(w.warnings).toEqual(['g: layer dead (conv) is read by no layer']);
  });

  it('names the layer, expected and found shape for impossible shapes', () => {
    const bad = () => resolveNetwork({ name: 'n', inputShape: [1, 4, 4], layers: [{ type: 'pool' }, { type: 'conv', out: 2, kernel: 5 }, { type: 'out', out: 2 }] });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/layer 1 \(conv1, conv\): kernel 5 with padding 0 needs an input of at least 5x5 per channel, found 1x2x2/);
    expect(() => resolveNetwork({ name: 'n', inputShape: [3, 8, 8], layers: [{ type: 'conv', in: 1, out: 2, kernel: 3 }, { type: 'out', out: 2 }] })).toThrow(
      /layer 0 \(conv1, conv\): in = 1 but the input has 3 channels/,
    );
    expect(() => resolveNetwork({ name: 'n', inputShape: [2, 4, 4], layers: [{ type: 'fc', in: 16, out: 2 }, { type: 'out', out: 2 }] })).toThrow(/in = 16 but the \(flattened\) input has 32 values/);
    expect(() => resolveNetwork({ name: 'n', inputShape: [2, 1, 1], layers: [{ type: 'pool' }, { type: 'out', out: 2 }] })).toThrow(/layer 0 \(pool1, pool\): 2x2 pooling needs at least 2x2 per channel, found 2x1x1/);
    expect(() => resolveNetwork({ name: 'n', inputShape: [2, 1, 1], layers: [{ type: 'out', out: 2 }, { type: 'fc', out: 2 }] })).toThrow(/out layer must be the last/);
    expect(() => resolveNetwork({ name: 'n', inputShape: [2, 1, 1], layers: [{ type: 'fc', out: 2 }] })).toThrow(/last layer must be of type out/);
  });
});

describe('network files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sata-snn-'));

  it('reads YAML and JSON with documented or golden-file field names', () => {
    const yaml = join(dir, 'net.yaml');
    writeFileSync(yaml, 'name: small\ninputShape: [1, 8, 8]\nlayers:\n  - { type: conv, out: 4, kernel: 3, padding: 1 }\n  - { type: pool }\n  - { type: conv, in: 4, out: 8, k: 3, pad: 1, stride: 2 }\n  - { type: fc, out: 16 }\n  - { type: out, out: 10 }\n');
    const n = resolveNetwork(loadNetworkFile(yaml));
    expect(n.layers.filter((l) => l.kind !== 'lif').map((l) => l.outShape.join('x'))).toEqual(['4x8x8', '4x4x4', '8x2x2', '16x1x1', '10x1x1']);
    const json = join(dir, 'net.json');
    writeFileSync(json, JSON.stringify({ inputShape: [64], layers: [{ type: 'fc', out: 8 }, { type: 'out', in: 8, out: 3 }] }));
    expect(resolveNetwork(loadNetworkFile(json)).inputShape).toEqual([64, 1, 1]);
  });

  it('rejects malformed files with the file, the layer and the field', () => {
    const yaml = join(dir, 'broken.yaml');
    writeFileSync(yaml, 'inputShape: [1, 8, 8]\nlayers:\n  - { type: conv, out: 4, kernel: 3\n');
    expect(() => loadNetworkFile(yaml)).toThrow(new RegExp(`${yaml.replace(/[.]/g, '\\.')}:\\d+:\\d+: not valid YAML`));
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'conv', out: 4, kernal: 3 }] }, 'f.yaml')).toThrow(/f\.yaml: layers\[0\]: unknown field "kernal" for a conv layer/);
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'conv', out: 0, kernel: 3 }] }, 'f.yaml')).toThrow(/layers\[0\]: field "out" must be an integer >= 1, found 0/);
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'lstm', out: 3 }] }, 'f.yaml')).toThrow(
      /layers\[0\]: field "type" must be one of add, avgpool, batchnorm, conv, fc, globalavgpool, i, if, li, lif, maxpool, mul, out, pool, readout, scale, ssa, sumpool, tokensum; found "lstm"/,
    );
    const qkv = [{ type: 'conv', name: 'q', out: 6, kernel: 1 }, { type: 'conv', name: 'k', out: 6, kernel: 1, inputs: ['input'] }, { type: 'conv', name: 'v', out: 4, kernel: 1, inputs: ['input'] }];
    expect(() => parseNetwork({ inputShape: [1, 4, 4], layers: [...qkv, { type: 'ssa', heads: 2, inputs: ['q', 'k', 'v'] }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/layer 3 \(ssa1, ssa\): Q, K and V must have one shape, found q 6x4x4, k 6x4x4, v 4x4x4/);
    expect(() => parseNetwork({ inputShape: [1, 4, 4], layers: [...qkv.slice(0, 2), { type: 'ssa', heads: 4, inputs: ['q', 'k', 'q'] }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/4 heads do not divide the 6 channels of 6x4x4/);
    expect(() => parseNetwork({ inputShape: [1, 4, 4], layers: [...qkv.slice(0, 2), { type: 'ssa', heads: 2, inputs: ['q', 'k'] }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/a ssa layer takes 3 input\(s\), found 2/);
    expect(() => parseNetwork({ inputShape: [1, 4, 4], layers: [...qkv, { type: 'mul', inputs: ['q', 'v'] }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/mul needs inputs of one shape, or a second of \[C,1,1\] with the first's channels; found q 6x4x4, v 4x4x4/);
    expect(() => parseNetwork({ inputShape: [1, 4, 4], layers: [{ type: 'maxpool', k: 3, padding: 2 }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/padding 2 must be at most half the window 3/);
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'lif', reset: 'hard' }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/layers\[0\]: field "reset" must be one of zero, subtract, found "hard"/);
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'conv', out: 2, k: 1, inputs: 'input' }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/field "inputs" must be a non-empty list of layer names/);
    expect(() => parseNetwork({ inputShape: [1, 8], layers: [] }, 'f.yaml')).toThrow(/field "inputShape" must be \[C, H, W\] or \[n\]/);
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'pool', stride: 0 }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/layers\[0\]: field "stride" must be an integer >= 1, found 0/);
    expect(() => loadNetworkFile(join(dir, 'missing.yaml'))).toThrow(/network file .*missing\.yaml: cannot read: no such file/);
  });
});
