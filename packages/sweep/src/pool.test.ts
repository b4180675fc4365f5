import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseParam } from './params.js';
import { distModuleUrl, getRunner } from './runners.js';
import { runSweep } from './sweep.js';

// Workers run compiled JS: these tests need `npx tsc -b packages/sweep` (npm test builds first).
const built = existsSync(fileURLToPath(distModuleUrl('worker.js')));
if (!built) console.warn('packages/sweep/dist is missing: skipping the worker-thread tests (build with npx tsc -b packages/sweep)');

describe.skipIf(!built)('worker-thread pool', () => {
  const standIn = getRunner('stand-in');
  const params = [parseParam('timesteps=1..4'), parseParam('sparsity.spike=0.8,0.9')];

  it('gives the same document as running in this thread, in index order, whatever order workers finish in', async () => {
    const inThread = await runSweep({ runner: standIn, params, jobs: 0 });
    const seen: number[] = [];
    // points with large T take longer (workMs scales nothing, but order of completion is not index order in general)
    const pooled = await runSweep({ runner: standIn, params, jobs: 2, onProgress: (done) => seen.push(done) });
    expect(JSON.stringify(pooled)).toBe(JSON.stringify(inThread));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a failing point stops the pool and names the point', async () => {
    const run = runSweep({ runner: standIn, base: { failAtTimesteps: 3 }, params, jobs: 2 });
    await expect(run).rejects.toThrow(/point 4 \(timesteps=3 sparsity.spike=0.8\) failed: stand-in runner: asked to fail at timesteps=3/);
  });

  it('a runner module of your own (path#export) runs in the workers', async () => {
    const file = fileURLToPath(new URL('../../../test/fixtures/runner.mjs', import.meta.url));
    const custom = getRunner(`${file}#square`);
    const s = await runSweep({ runner: custom, base: { x: 0, label: 'fixture' }, params: [parseParam('x=1..5')], jobs: 2 });
    expect(s.points.map((p) => p.result.kind === 'training-iteration' && p.result.energyPJ.total)).toEqual([1, 4, 9, 16, 25]);
    await expect(runSweep({ runner: getRunner(`${file}#nothing`), base: { x: 0 }, params: [parseParam('x=1')], jobs: 1 })).rejects.toThrow(/no exported function "nothing"/);
    await expect(runSweep({ runner: getRunner(`${file}#invalid`), base: { x: 0 }, params: [parseParam('x=1')], jobs: 1 })).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/returned an invalid result: point 0 \(x=1\): field "arch"/) });
  });
});
