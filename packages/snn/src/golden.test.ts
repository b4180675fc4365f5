import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Rng, ConfigError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { referenceFiles, referencePath } from '../../../test/reference.js';
import { runBptt } from './bptt.js';
import { checkGolden, checkGoldenFile, parseGolden } from './golden.js';
import { parseLayer, resolveNetwork } from './network.js';

// Copies of the workplace's reference set, kept in the repository (reference/ORIGIN.md says where they come from).
const sets = ['golden', 'golden-graph', 'golden-algorithms', 'golden-attention'].map((dir) => ({ dir, files: referenceFiles(dir, '.json') }));

for (const { dir, files } of sets) {
  describe(`golden files in reference/${dir}`, () => {
    for (const f of files) {
      it(`${basename(f)} matches to 1e-9, spikes exactly`, () => {
        const r = checkGoldenFile(f);
        expect(r.quantities.filter((q) => !q.pass)).toEqual([]);
        expect(r.pass).toBe(true);
        expect(r.quantities.length).toBeGreaterThan(10);
      });
    }
  });
}

describe('a golden check that can fail', () => {
  it('fails a format-1 file whose expectations are off by 1e-8 or one spike', () => {
    const { files } = sets[0]!;
    const doc = JSON.parse(readFileSync(files[0]!, 'utf8'));
    const conv = doc.layers.findIndex((l: { type: string }) => l.type === 'conv' || l.type === 'fc');
    const g = doc.layers[conv].weightGrad as number[];
    const i = g.findIndex((v) => v !== 0);
    g[i] = g[i]! * (1 + 1e-8);
    const failing = checkGolden(parseGolden(doc, 'perturbed')).quantities.filter((q) => !q.pass);
    expect(failing.map((q) => q.quantity)).toEqual(['dW']);
    g[i] = g[i]! / (1 + 1e-8);
    doc.layers[conv].s[0][0] = 1 - doc.layers[conv].s[0][0];
    const r = checkGolden(parseGolden(doc, 'flipped'));
    expect(r.pass).toBe(false);
    expect(r.quantities.filter((q) => q.quantity === 's' && q.mismatches === 1)).toHaveLength(1);
  });

  it('fails a format-2 file whose batch-norm gradient, mean or a spike is off', () => {
    const doc = JSON.parse(readFileSync(referencePath('golden-graph/golden-graph-resnet-block.json'), 'utf8'));
    const bn = doc.layers.findIndex((l: { type: string }) => l.type === 'batchnorm');
    doc.layers[bn].gammaGrad[0] *= 1 + 1e-7;
    doc.layers[bn].mean[1] *= 1 + 1e-7;
    const failing = checkGolden(parseGolden(doc, 'perturbed')).quantities.filter((q) => !q.pass).map((q) => `${q.layerName} ${q.quantity}`);
    expect(failing).toEqual([`${doc.layers[bn].name} mean`, `${doc.layers[bn].name} dgamma`]);
    const lif = doc.layers.findIndex((l: { type: string }) => l.type === 'lif');
    doc.layers[bn].gammaGrad[0] /= 1 + 1e-7;
    doc.layers[bn].mean[1] /= 1 + 1e-7;
    doc.layers[lif].y[1][3] = 1 - doc.layers[lif].y[1][3];
    const r = checkGolden(parseGolden(doc, 'flipped'));
    expect(r.quantities.filter((q) => !q.pass).map((q) => `${q.layerName} ${q.quantity}`)).toEqual([`${doc.layers[lif].name} y`, `${doc.layers[lif].name} s`]);
  });

  it('computes each algorithm\'s own gradient: the files of one algorithm fail under another', () => {
    const doc = JSON.parse(readFileSync(referencePath('golden-algorithms/golden-alg-sltt-conv.json'), 'utf8'));
    expect(checkGolden(parseGolden(doc, 'sltt')).pass).toBe(true);
    const asBptt = checkGolden(parseGolden({ ...doc, algorithm: { name: 'bptt' } }, 'as-bptt'));
    expect(asBptt.pass).toBe(false);
    expect(asBptt.quantities.filter((q) => !q.pass).map((q) => q.quantity)).toContain('du');
    expect(() => parseGolden({ ...doc, algorithm: { name: 'rtrl' } }, 'a.json')).toThrow(/a\.json: field "algorithm": unknown training algorithm "rtrl"/);
    expect(() => parseGolden({ ...doc, algorithm: { name: 'tbptt' } }, 'a.json')).toThrow(/algorithm tbptt needs a parameter/);
    expect(() => parseGolden({ ...doc, format: 3 }, 'a.json')).toThrow(/field "format" must be 1 or 2/);
  });
});

describe('golden-file reader on other shapes', () => {
  it('reads strided convolutions, fc after conv and other T, lam, theta', () => {
    const layers = [
      { type: 'conv', in: 2, out: 3, k: 3, pad: 2, stride: 2 },
      { type: 'pool' },
      { type: 'fc', in: 12, out: 5 },
      { type: 'out', in: 5, out: 3 },
    ];
    const B = 2;
    const T = 5;
    const lam = 0.8;
    const theta = 0.7;
    const inShape = [2, 5, 6];
    // A golden-format document (as torch_reference.py writes it) produced by this model: checks the reader on other shapes.
    const net = resolveNetwork({ name: 'probe', inputShape: [2, 5, 6], layers: layers.map((l, i) => parseLayer(l, `layers[${i}]`)) });
    expect(net.layers[0]!.outShape).toEqual([3, 4, 4]);
    const rng = new Rng(9);
    const weights = net.layers.map((l) => Object.fromEntries(l.params.map((d) => {
      const n = d.shape.reduce((x, y) => x * y, 1);
      return [d.name, Float64Array.from({ length: n }, () => (d.init.kind === 'normal' ? (2.5 * rng.nextNormal()) / Math.sqrt(d.init.fanIn) : 0))];
    })));
    const inputs = Array.from({ length: T }, () => Float64Array.from({ length: B * 60 }, () => rng.nextFloat()));
    const labels = [0, 2];
    const r = runBptt(net, weights, inputs, labels, { T, lam, theta });
    const list = (a: ArrayLike<number>) => Array.from(a);
    // Format 1 records a conv/fc and its implied neuron as one layer.
    const doc = {
      name: 'probe', T, lam, theta, batch: B, coding: 'direct', inputShape: [B, ...inShape], input: inputs.map(list), labels, loss: r.loss, logits: list(r.logits),
      layers: layers.map((spec, i) => {
        const nodes = r.layers.filter((tr) => tr.layer.origin === i);
        const main = nodes[0]!;
        const rec: Record<string, unknown> = { index: i, ...spec };
        const w = weights[main.layer.index]!['weight'];
        if (w) Object.assign(rec, { weight: list(w), weightShape: main.layer.params[0]!.shape, weightGrad: list(main.grads['weight']!) });
        const neuron = nodes[1];
        if (neuron) {
          Object.assign(rec, {
            u: neuron.state['u']!.map(list), s: neuron.y.map(list), du: neuron.state['du']!.map(list), ds: neuron.dy.map(list), surrogate: neuron.state['sg']!.map(list),
          });
        } else if (spec.type === 'pool') rec['s'] = main.y.map(list);
        else if (spec.type === 'out') Object.assign(rec, { I: main.y.map(list), dI: main.dy.map(list) });
        return rec;
      }),
    };
    const report = checkGolden(parseGolden(JSON.parse(JSON.stringify(doc)), 'probe.json'));
    expect(report.pass).toBe(true);
    expect(report.quantities.find((q) => q.quantity === 'u' && q.layerName === 'fc1_lif')!.values).toBe(B * 5 * T);
  });

  it('rejects a malformed golden file naming the field', () => {
    const base = { T: 2, lam: 0.9, theta: 1, batch: 1, inputShape: [1, 4], input: [[0, 0, 0, 0], [0, 0, 0, 0]], labels: [0], loss: 0, logits: [0, 0], layers: [{ type: 'out', in: 4, out: 2, weight: [0, 0, 0, 0, 0, 0, 0, 0], weightShape: [2, 4] }] };
    expect(() => parseGolden(base, 'g.json')).not.toThrow();
    expect(() => parseGolden({ ...base, T: 0 }, 'g.json')).toThrow(/g\.json: field "T" must be a positive integer/);
    expect(() => parseGolden({ ...base, input: [[0, 0, 0, 0]] }, 'g.json')).toThrow(ConfigError);
    expect(() => parseGolden({ ...base, labels: [5] }, 'g.json')).toThrow(/labels\[0\] = 5 is not a class in 0\.\.1/);
    expect(() => parseGolden({ ...base, layers: [{ ...base.layers[0], weightShape: [4, 2] }] }, 'g.json')).toThrow(/layers\[0\] \(out\): field "weightShape" is \[4,2\]/);
    expect(() => parseGolden({ ...base, layers: [{ ...base.layers[0], in: 5 }] }, 'g.json')).toThrow(/in = 5 but the \(flattened\) input has 4 values/);
    expect(() => parseGolden({ ...base, logits: [0, 'x'] }, 'g.json')).toThrow(/field "logits"\[1\] is not a finite number/);
  });
});
