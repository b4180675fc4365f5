import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sata } from './cli.js';

/**
 * Issue 7's acceptance: a sweep of T = 1..8 over VGG5, real simulations (the default
 * `compare` runner), run on 2 worker threads and as 3 shards merged: the two JSON documents
 * are byte-identical (that a run in one thread, --jobs 0, gives the same document too is
 * tested with the stand-in runner, packages/sweep/src/sweep.test.ts). The `sata` dataflow (SATA's weight-stationary
 * mapping with the T steps batched) keeps it to a few seconds per run.
 */
// Workers load packages/sweep/dist/worker.js and packages/cli/dist/sweep-point.js (npm test builds first).
const built = ['../packages/sweep/dist/worker.js', '../packages/cli/dist/sweep-point.js'].every((p) => existsSync(fileURLToPath(new URL(p, import.meta.url))));

describe.skipIf(!built)('sata sweep of T = 1..8 over VGG5 (real simulations)', () => {
  const args = ['sweep', '--network', 'vgg5', '--dataflow', 'sata', '--param', 'timesteps=1..8', '--no-progress'];

  it('on 2 workers and as 3 merged shards: byte-identical documents', { timeout: 180_000 }, async () => {
    const parallel = await sata(...args, '--jobs', '2', '--json');
    expect(parallel.code, parallel.err).toBe(0);
    expect(parallel.err).not.toMatch(/stand-in/);

    const dir = mkdtempSync(join(tmpdir(), 'sata-sweep-'));
    const files = [0, 1, 2].map((i) => join(dir, `shard-${i}.json`));
    for (const [i, f] of files.entries()) {
      const r = await sata(...args, '--jobs', '2', '--shard', `${i}/3`, '-o', f);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(readFileSync(f, 'utf8')).points).toHaveLength(i < 2 ? 3 : 2);
    }
    const merged = await sata('sweep', 'merge', files[2]!, files[0]!, files[1]!, '--json');
    expect(merged.code, merged.err).toBe(0);
    expect(merged.out).toBe(parallel.out);

    const doc = JSON.parse(parallel.out);
    expect(doc.kind).toBe('sweep');
    expect(doc.totalPoints).toBe(8);
    expect(doc.base.network).toBe('vgg5');
    expect(doc.base.dataflow).toBe('sata');
    expect(doc.points.map((p: { params: { timesteps: number } }) => p.params.timesteps)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const p of doc.points) {
      expect(p.result.kind).toBe('comparison');
      expect(p.result.snnOverAnn.snn.config.timesteps).toBe(p.params.timesteps);
    }
    // More time steps cost the SNN more energy; the ANN does not depend on T.
    const snn = doc.points.map((p: { result: { snnOverAnn: { snn: { energyPJ: { total: number } } } } }) => p.result.snnOverAnn.snn.energyPJ.total);
    for (let i = 1; i < snn.length; i++) expect(snn[i]).toBeGreaterThan(snn[i - 1]);
    const ann = new Set(doc.points.map((p: { result: { snnOverAnn: { ann: { energyPJ: { total: number } } } } }) => p.result.snnOverAnn.ann.energyPJ.total));
    expect(ann.size).toBe(1);
  });

  it('the simulate runner: the flags set the base, --param values override it', { timeout: 60_000 }, async () => {
    const r = await sata('sweep', '--runner', 'simulate', '--network', 'digits-cnn', '-T', '3', '--bits', 'weight=8', '--set', 'array.rows=16', '--param', 'dataflow=os,ws,is,sata', '--jobs', '0', '--no-progress', '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.base).toMatchObject({ network: 'digits-cnn', timesteps: 3, bits: { weight: 8 }, array: { rows: 16 } });
    expect(doc.points.map((p: { result: { kind: string; config: { dataflow: string } } }) => [p.result.kind, p.result.config.dataflow])).toEqual([
      ['training-iteration', 'os'],
      ['training-iteration', 'ws'],
      ['training-iteration', 'is'],
      ['training-iteration', 'sata'],
    ]);
  });
});
