import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { layerGemms, loadNetworkFile, parseNetwork, resolveNetwork } from './network.js';
import { ZOO } from './zoo.js';

const zoo = (name: string) => resolveNetwork(ZOO.find((z) => z.name === name)!);

describe('shape inference', () => {
  it('gives vgg5 the CIFAR-10 shapes of the issue', () => {
    const n = zoo('vgg5');
    expect(n.layers.map((l) => [l.kind, l.inShape.join('x'), l.outShape.join('x'), l.weightShape?.join('x') ?? '-'])).toEqual([
      ['conv', '3x32x32', '64x32x32', '64x3x3x3'],
      ['pool', '64x32x32', '64x16x16', '-'],
      ['conv', '64x16x16', '128x16x16', '128x64x3x3'],
      ['conv', '128x16x16', '128x16x16', '128x128x3x3'],
      ['pool', '128x16x16', '128x8x8', '-'],
      ['fc', '128x8x8', '1024x1x1', '1024x8192'],
      ['out', '1024x1x1', '10x1x1', '10x1024'],
    ]);
  });

  it('gives digits-cnn fc 128->64 on 8x8 and every zoo network 10 classes', () => {
    expect(zoo('digits-cnn').layers.find((l) => l.kind === 'fc')!.weightShape).toEqual([64, 128]);
    for (const z of ZOO) expect(resolveNetwork(z).classes).toBe(10);
    expect(zoo('vgg16').layers.filter((l) => l.kind === 'conv')).toHaveLength(13);
    expect(zoo('vgg11').layers.filter((l) => l.kind === 'conv')).toHaveLength(8);
  });

  it('infers strided and padded conv sizes with floor, as PyTorch', () => {
    const n = resolveNetwork({ name: 't', inputShape: [2, 7, 10], layers: [{ type: 'conv', out: 3, kernel: 3, stride: 2, padding: 1 }, { type: 'pool' }, { type: 'out', out: 2 }] });
    expect(n.layers[0]!.outShape).toEqual([3, 4, 5]);
    expect(n.layers[1]!.outShape).toEqual([3, 2, 2]);
    expect(n.layers[2]!.weightShape).toEqual([2, 12]);
  });

  it('gives the GEMM sizes of hardware-model.md section 4', () => {
    const conv2 = zoo('vgg5').layers[2]!;
    expect(layerGemms(conv2, 8)).toEqual({
      forward: { M: 8 * 16 * 16, N: 128, K: 64 * 9 },
      backward: { M: 8 * 16 * 16, N: 64, K: 128 * 9 },
      weightGrad: { M: 64 * 9, N: 128, K: 8 * 16 * 16 },
    });
    expect(layerGemms(zoo('vgg5').layers[1]!, 8)).toBeNull();
  });

  it('names the layer, expected and found shape for impossible shapes', () => {
    const bad = () => resolveNetwork({ name: 'n', inputShape: [1, 4, 4], layers: [{ type: 'pool' }, { type: 'conv', out: 2, kernel: 5 }, { type: 'out', out: 2 }] });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/layer 1 \(conv1, conv\): kernel 5 with padding 0 needs an input of at least 5x5 per channel, found 1x2x2/);
    expect(() => resolveNetwork({ name: 'n', inputShape: [3, 8, 8], layers: [{ type: 'conv', in: 1, out: 2, kernel: 3 }, { type: 'out', out: 2 }] })).toThrow(
      /layer 0 \(conv1, conv\): in = 1 but the input has 3 channels/,
    );
    expect(() => resolveNetwork({ name: 'n', inputShape: [2, 4, 4], layers: [{ type: 'fc', in: 16, out: 2 }, { type: 'out', out: 2 }] })).toThrow(/in = 16 but the \(flattened\) input has 32 values/);
    expect(() => resolveNetwork({ name: 'n', inputShape: [2, 1, 1], layers: [{ type: 'pool' }, { type: 'out', out: 2 }] })).toThrow(/2x2 pooling needs at least 2x2 per channel, found 2x1x1/);
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
    expect(n.layers.map((l) => l.outShape.join('x'))).toEqual(['4x8x8', '4x4x4', '8x2x2', '16x1x1', '10x1x1']);
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
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'lstm', out: 3 }] }, 'f.yaml')).toThrow(/layers\[0\]: field "type" must be one of conv, fc, pool, out; found "lstm"/);
    expect(() => parseNetwork({ inputShape: [1, 8], layers: [] }, 'f.yaml')).toThrow(/field "inputShape" must be \[C, H, W\] or \[n\]/);
    expect(() => parseNetwork({ inputShape: [1, 8, 8], layers: [{ type: 'pool', stride: 3 }, { type: 'out', out: 2 }] }, 'f.yaml')).toThrow(/pooling is 2x2 with stride 2/);
    expect(() => loadNetworkFile(join(dir, 'missing.yaml'))).toThrow(/cannot read network file .*missing\.yaml: ENOENT/);
  });
});
