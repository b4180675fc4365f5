import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, ConfigError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { runBptt } from './bptt.js';
import { checkGolden, checkGoldenFile, parseGolden } from './golden.js';
import { parseLayer, resolveNetwork } from './network.js';

const GOLDEN = join(__dirname, '../../../../shared/reference/golden');
const files = existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.json')).sort() : [];

describe.skipIf(files.length === 0)(`golden files in ${GOLDEN}`, () => {
  for (const f of files) {
    it(`${f} matches to 1e-9, spikes exactly`, () => {
      const r = checkGoldenFile(join(GOLDEN, f));
      expect(r.quantities.filter((q) => !q.pass)).toEqual([]);
      expect(r.pass).toBe(true);
      expect(r.quantities.length).toBeGreaterThan(10);
    });
  }

  it('fails a golden file whose expectations are off by 1e-8 or one spike', () => {
    const doc = JSON.parse(readFileSync(join(GOLDEN, files[0]!), 'utf8'));
    const conv = doc.layers.findIndex((l: { type: string }) => l.type === 'conv' || l.type === 'fc');
    const g = doc.layers[conv].weightGrad as number[];
    const i = g.findIndex((v) => v !== 0);
    g[i] = g[i]! * (1 + 1e-8);
    expect(checkGolden(parseGolden(doc, 'perturbed')).quantities.filter((q) => !q.pass).map((q) => `${q.layer} ${q.quantity}`)).toEqual([`${conv} dW`]);
    g[i] = g[i]! / (1 + 1e-8);
    doc.layers[conv].s[0][0] = 1 - doc.layers[conv].s[0][0];
    const r = checkGolden(parseGolden(doc, 'flipped'));
    expect(r.pass).toBe(false);
    expect(r.quantities.find((q) => q.quantity === 's' && q.layer === conv)!.mismatches).toBe(1);
  });
});

if (files.length === 0) console.warn(`golden files skipped: ${GOLDEN} is not present in this checkout`);

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
    const weights = net.layers.map((l) => (l.weightCount ? Float64Array.from({ length: l.weightCount }, () => (2.5 * rng.nextNormal()) / Math.sqrt(l.fanIn)) : null));
    const inputs = Array.from({ length: T }, () => Float64Array.from({ length: B * 60 }, () => rng.nextFloat()));
    const labels = [0, 2];
    const r = runBptt(net, weights, inputs, labels, { T, lam, theta });
    const list = (a: ArrayLike<number>) => Array.from(a);
    const doc = {
      name: 'probe', T, lam, theta, batch: B, coding: 'direct', inputShape: [B, ...inShape], input: inputs.map(list), labels, loss: r.loss, logits: list(r.logits),
      layers: r.layers.map((tr, i) => {
        const rec: Record<string, unknown> = { index: i, ...layers[i] };
        if (tr.dW) Object.assign(rec, { weight: list(weights[i]!), weightShape: tr.layer.weightShape, weightGrad: list(tr.dW) });
        if (tr.kind === 'conv' || tr.kind === 'fc') {
          Object.assign(rec, { u: tr.steps.map((s) => list(s.u)), s: tr.steps.map((s) => list(s.s)), du: tr.steps.map((s) => list(s.du)), ds: tr.steps.map((s) => list(s.ds)), surrogate: tr.steps.map((s) => list(s.sg)) });
        } else if (tr.kind === 'pool') rec['s'] = tr.steps.map((s) => list(s.s));
        else if (tr.kind === 'out') Object.assign(rec, { I: tr.steps.map((s) => list(s.I)), dI: tr.steps.map((s) => list(s.dI)) });
        return rec;
      }),
    };
    const report = checkGolden(parseGolden(JSON.parse(JSON.stringify(doc)), 'probe.json'));
    expect(report.pass).toBe(true);
    expect(report.quantities.find((q) => q.quantity === 'u' && q.layer === 2)!.values).toBe(B * 5 * T);
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
