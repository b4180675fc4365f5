import { ConfigError, SataError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { coerceParam, deriveOne } from './derive.js';
import { mergeShards } from './merge.js';
import { parseParam } from './params.js';
import { getRunner } from './runners.js';
import { planSweep, runSweep } from './sweep.js';
import { freezeConfig } from '@sata/core';

const standIn = getRunner('stand-in');

describe('configurations of points', () => {
  const base = freezeConfig(standIn.resolveBase({}));

  it('derives each point from the frozen base without touching it', () => {
    const c = deriveOne(base, { timesteps: 8, 'sparsity.spike': 0.5 });
    expect(c.timesteps).toBe(8);
    expect((c.sparsity as { spike: number }).spike).toBe(0.5);
    expect(base.timesteps).toBe(4);
    expect((base.sparsity as { spike: number }).spike).toBe(0.9);
    expect(Object.isFrozen(c) && Object.isFrozen(c.sparsity)).toBe(true);
    expect(c.bits).toBe(base.bits); // structural sharing: untouched branches are the same objects
  });

  it('rejects unknown paths, listing what is known there, and values of the wrong type', () => {
    expect(() => coerceParam(base, 'sparsity.spik', 0.5)).toThrow(/no "spik" under "sparsity"; known there: firingGradient, membraneGradient, spike/);
    expect(() => coerceParam(base, 'timestep', 4)).toThrow(ConfigError);
    expect(() => coerceParam(base, 'timesteps', 'many')).toThrow(/expected numbers/);
    expect(() => coerceParam(base, 'sparsityAware', 1)).toThrow(/true or false/);
    expect(() => coerceParam(base, 'sparsity', 1)).toThrow(/only numbers, strings and booleans/);
    expect(coerceParam(base, 'network', 5)).toBe('5');
  });

  it('plans a shard: the total counts every point, the points are this shard\'s', () => {
    const plan = planSweep({ runner: standIn, params: [parseParam('timesteps=1..5')], shard: { index: 1, count: 2 } });
    expect(plan.totalPoints).toBe(5);
    expect(plan.points.map((p) => p.index)).toEqual([1, 3]);
    expect(plan.points.map((p) => p.config.timesteps)).toEqual([2, 4]);
  });

  it('applies --set values to the base of every point', () => {
    const plan = planSweep({ runner: standIn, set: { batch: 4, network: 'digits-cnn' }, params: [parseParam('timesteps=1,2')] });
    expect(plan.base.batch).toBe(4);
    expect(plan.points.every((p) => p.config.batch === 4 && p.config.network === 'digits-cnn')).toBe(true);
    expect(() => planSweep({ runner: standIn, set: { batchSize: 4 }, params: [parseParam('timesteps=1')] })).toThrow(/no "batchSize"/);
  });
});

describe('runSweep in this thread (jobs: 0) and merge', () => {
  const params = [parseParam('timesteps=1,2,4'), parseParam('sparsity.spike=0.8,0.9')];

  it('gives a SweepResult in index order, deterministic', async () => {
    const a = await runSweep({ runner: standIn, params, jobs: 0 });
    expect(a.kind).toBe('sweep');
    expect(a.mode).toBe('grid');
    expect(a.params).toEqual(['timesteps', 'sparsity.spike']);
    expect(a.totalPoints).toBe(6);
    expect(a.points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.shard).toBeUndefined();
    const r = a.points[5]!.result;
    expect(r.kind === 'training-iteration' && r.config.timesteps === 4).toBe(true);
    const b = await runSweep({ runner: standIn, params, jobs: 0 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('merged shards equal the unsharded sweep, in any file order', async () => {
    const whole = await runSweep({ runner: standIn, params, jobs: 0 });
    const shards = await Promise.all([0, 1, 2, 3].map((index) => runSweep({ runner: standIn, params, jobs: 0, shard: { index, count: 4 } })));
    expect(shards.map((s) => s.points.length)).toEqual([2, 2, 1, 1]);
    const merged = mergeShards([3, 1, 0, 2].map((i) => ({ name: `s${i}.json`, doc: shards[i] })));
    expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
  });

  it('merge names missing and duplicated points, and refuses slices of different sweeps', async () => {
    const shards = await Promise.all([0, 1, 2].map((index) => runSweep({ runner: standIn, params, jobs: 0, shard: { index, count: 3 } })));
    const named = shards.map((doc, i) => ({ name: `s${i}.json`, doc }));
    expect(() => mergeShards([named[0]!, named[2]!])).toThrow(/2 of 6 points missing: 1, 4 \(shards 1\/3 not given or incomplete\)/);
    expect(() => mergeShards([named[0]!, named[1]!, named[2]!, { ...named[1]!, name: 'copy.json' }])).toThrow(/duplicated points: 1 \(s1.json and copy.json\), 4 \(s1.json and copy.json\)/);
    const other = await runSweep({ runner: standIn, params: [parseParam('timesteps=1,2,4'), parseParam('sparsity.spike=0.7,0.9')], jobs: 0, shard: { index: 1, count: 3 } });
    expect(() => mergeShards([named[0]!, { name: 'other.json', doc: other }, named[2]!])).toThrow(/do not form one sweep \(3 values of timesteps x 3 values of sparsity.spike make 9 combinations, not 6\)/);
    expect(() => mergeShards([{ name: 'a.json', doc: { kind: 'comparison' } }])).toThrow(/a.json: field "sparsityGain"/);
    expect(() => mergeShards([{ name: 'r.json', doc: shards[0]!.points[0]!.result }])).toThrow(/r.json: kind is "training-iteration"/);
    expect(() => mergeShards([])).toThrow(/at least one/);
  });

  it('a point that throws fails the sweep naming the point; a ConfigError keeps exit code 2', async () => {
    const fail = runSweep({ runner: standIn, base: { failAtTimesteps: 2 }, params: [parseParam('timesteps=1,2,4')], jobs: 0 });
    await expect(fail).rejects.toThrow(/point 1 \(timesteps=2\) failed: stand-in runner: asked to fail/);
    await expect(fail).rejects.toMatchObject({ exitCode: 1 });
    const bad = runSweep({ runner: standIn, params: [parseParam('sparsity.spike=0.5,1.5')], jobs: 0 });
    await expect(bad).rejects.toBeInstanceOf(SataError);
    await expect(bad).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/point 1 \(sparsity.spike=1.5\).*within \[0, 1\]/) });
  });

  it('comparison runners give comparison points', async () => {
    const s = await runSweep({ runner: getRunner('stand-in-compare'), params: [parseParam('timesteps=1,4')], jobs: 0 });
    expect(s.points.map((p) => p.result.kind)).toEqual(['comparison', 'comparison']);
  });

  it('unknown runners are named with the known ones', () => {
    expect(() => getRunner('simulat')).toThrow(/no such runner; known: stand-in, stand-in-compare/);
  });
});
