import { ConfigError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { formatIndexes, parseParam, parseShard, planPoints, shardPoints } from './params.js';

const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('parseParam', () => {
  it('reads lists, ranges, stepped ranges and mixtures', () => {
    expect(parseParam('timesteps=1,2,4,8')).toEqual({ path: 'timesteps', values: [1, 2, 4, 8] });
    expect(parseParam('timesteps=1..8').values).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseParam('timesteps=1..8:2').values).toEqual([1, 3, 5, 7]);
    expect(parseParam('timesteps=1..4,8,16').values).toEqual([1, 2, 3, 4, 8, 16]);
    expect(parseParam('sparsity.spike=0.8,0.9')).toEqual({ path: 'sparsity.spike', values: [0.8, 0.9] });
    expect(parseParam('sparsity.spike=0.5..0.9:0.1').values).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(parseParam('dataflow=os,ws,is').values).toEqual(['os', 'ws', 'is']);
    expect(parseParam('sparsityAware=true,false').values).toEqual([true, false]);
    expect(parseParam('x=-2..2').values).toEqual([-2, -1, 0, 1, 2]);
  });

  it('rejects malformed specs with messages that say what to write', () => {
    expect(err(() => parseParam('timesteps'))).toMatch(/expected NAME=VALUES/);
    expect(err(() => parseParam('timesteps='))).toMatch(/no values/);
    expect(err(() => parseParam('=1,2'))).toMatch(/not a parameter name/);
    expect(err(() => parseParam('t=1,,2'))).toMatch(/empty value/);
    expect(err(() => parseParam('t=8..1'))).toMatch(/runs downwards/);
    expect(err(() => parseParam('t=1..8:0'))).toMatch(/positive step/);
    expect(err(() => parseParam('t=a..b'))).toMatch(/numeric ends/);
    expect(err(() => parseParam('t=1..8:2:3'))).toMatch(/malformed/);
    expect(err(() => planPoints([parseParam('t=1,2,1')], 'grid'))).toMatch(/--param t: value 1 appears more than once/);
    // Paired lists may repeat a value; only a repeated tuple is an error.
    expect(planPoints([parseParam('rows=8,8,16'), parseParam('cols=8,16,16')], 'paired').map((p) => p.params)).toEqual([{ rows: 8, cols: 8 }, { rows: 8, cols: 16 }, { rows: 16, cols: 16 }]);
    expect(err(() => planPoints([parseParam('rows=8,16,8'), parseParam('cols=8,16,8')], 'paired'))).toMatch(/--paired: points 0 and 2 are the same \(rows=8 cols=8\)/);
    expect(err(() => parseParam('t=1..1000000'))).toMatch(/limit/);
  });
});

describe('planPoints', () => {
  const T = parseParam('timesteps=1,2,4');
  const S = parseParam('sparsity.spike=0.8,0.9');

  it('grid: the cartesian product, first parameter slowest, indexes in order', () => {
    const pts = planPoints([T, S], 'grid');
    expect(pts.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(pts.map((p) => [p.params.timesteps, p.params['sparsity.spike']])).toEqual([
      [1, 0.8], [1, 0.9], [2, 0.8], [2, 0.9], [4, 0.8], [4, 0.9],
    ]);
  });

  it('paired: the i-th values together; lists must have one length', () => {
    const pts = planPoints([parseParam('timesteps=1,2'), S], 'paired');
    expect(pts.map((p) => p.params)).toEqual([{ timesteps: 1, 'sparsity.spike': 0.8 }, { timesteps: 2, 'sparsity.spike': 0.9 }]);
    expect(err(() => planPoints([T, S], 'paired'))).toMatch(/one length: timesteps has 3, sparsity.spike has 2/);
  });

  it('rejects no parameters, a parameter twice, and huge grids', () => {
    expect(err(() => planPoints([], 'grid'))).toMatch(/at least one --param/);
    expect(err(() => planPoints([T, parseParam('timesteps=8')], 'grid'))).toMatch(/given twice/);
    const big = parseParam('a=1..1000');
    expect(err(() => planPoints([big, parseParam('b=1..1000')], 'grid'))).toMatch(/1000000 points/);
  });
});

describe('shards', () => {
  it('parses i/n, 0-based, and explains bad specs', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(err(() => parseShard('4/4'))).toMatch(/0-based and must be below 4 \(0\/4 \.\. 3\/4\)/);
    expect(err(() => parseShard('1/0'))).toMatch(/at least 1/);
    expect(err(() => parseShard('1-4'))).toMatch(/expected i\/n/);
    expect(err(() => parseShard('-1/4'))).toMatch(/expected i\/n/);
  });

  it('auto takes the index and count from a Slurm job array, offset by its first task', () => {
    const slurm = (id: number, min: number, count: number, extra: Record<string, string> = {}) => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_COUNT: String(count), ...extra });
    expect(parseShard('auto', slurm(0, 0, 4))).toEqual({ index: 0, count: 4 });
    expect(parseShard('auto', slurm(4, 1, 4, { SLURM_ARRAY_TASK_MAX: '4' }))).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto/4', slurm(2, 0, 4))).toEqual({ index: 2, count: 4 });
    expect(err(() => parseShard('auto/8', slurm(2, 0, 4)))).toMatch(/has 4 tasks \(SLURM_ARRAY_TASK_COUNT\), not 8/);
    expect(err(() => parseShard('auto', slurm(3, 0, 3, { SLURM_ARRAY_TASK_MAX: '6', SLURM_ARRAY_TASK_STEP: '3' })))).toMatch(/not a contiguous range .*--array=0-2/);
    expect(err(() => parseShard('auto', slurm(0, 0, 3, { SLURM_ARRAY_TASK_MAX: '7' })))).toMatch(/not a contiguous range/);
    expect(err(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' }))).toMatch(/SLURM_ARRAY_TASK_MIN is not set/);
    expect(err(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' }))).toMatch(/SLURM_ARRAY_TASK_ID is "x", not a whole number/);
  });

  it('auto/n takes the index from a Kubernetes indexed job; the count must be given', () => {
    expect(parseShard('auto/5', { JOB_COMPLETION_INDEX: '4' })).toEqual({ index: 4, count: 5 });
    expect(err(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: '4' }))).toMatch(/JOB_COMPLETION_INDEX=4\): the shard index is 0-based and must be below 4/);
    expect(err(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' }))).toMatch(/give them, --shard auto\/N/);
    expect(err(() => parseShard('auto', {}))).toMatch(/no job-array task index in the environment/);
  });

  it('slices are disjoint and together cover every point, for any count', () => {
    const pts = planPoints([parseParam('a=1..7'), parseParam('b=1..3')], 'grid');
    for (const count of [1, 2, 3, 5, 21, 30]) {
      const slices = Array.from({ length: count }, (_, index) => shardPoints(pts, { index, count }).map((p) => p.index));
      const all = slices.flat().sort((x, y) => x - y);
      expect(all).toEqual(pts.map((p) => p.index));
      // balanced: sizes differ by at most one
      const sizes = slices.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardPoints(pts, undefined)).toHaveLength(21);
  });

  it('formats index lists as ranges', () => {
    expect(formatIndexes([9, 0, 1, 2, 5, 7, 8])).toBe('0-2, 5, 7-9');
    expect(formatIndexes([])).toBe('');
  });
});
