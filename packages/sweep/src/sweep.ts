import { ConfigError, SataError, freezeConfig, type Config } from '@sata/core';
import type { SweepPoint, SweepResult } from '@sata/plugin-api';
import { validateResult } from '@sata/report';
import { coerceParam, deriveOne, typedPoints, type BaseConfig } from './derive.js';
import { planPoints, shardPoints, type ParamValue, type Shard, type SweepMode, type SweptParam } from './params.js';
import { defaultJobs, runTasks } from './pool.js';
import type { PointResult, RunnerSpec } from './runners.js';

export interface SweepOptions {
  readonly runner: RunnerSpec;
  /** The user's partial base configuration (a `--base` file); the runner fills the defaults in. */
  readonly base?: BaseConfig;
  /** Fixed values set on the base before sweeping (`--set path=value`). */
  readonly set?: Readonly<Record<string, ParamValue>>;
  readonly params: readonly SweptParam[];
  readonly mode?: SweepMode;
  readonly shard?: Shard;
  /** Worker threads (default: the machine's parallelism); 0 runs in this thread. */
  readonly jobs?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a sweep will run, without running it: the resolved base and the points of this shard with their configurations. */
export interface SweepPlan {
  readonly base: Config<BaseConfig>;
  readonly params: readonly string[];
  readonly mode: SweepMode;
  readonly shard?: Shard;
  readonly totalPoints: number;
  readonly points: readonly { readonly index: number; readonly params: Readonly<Record<string, ParamValue>>; readonly config: Config<BaseConfig> }[];
}

/** Resolves the base, checks every parameter against it, expands and shards the points and derives their configurations. */
export function planSweep(opts: Omit<SweepOptions, 'jobs' | 'onProgress'>): SweepPlan {
  const mode = opts.mode ?? 'grid';
  let base = freezeConfig(opts.runner.resolveBase(opts.base ?? {}));
  if (opts.set && Object.keys(opts.set).length > 0) {
    const typed = Object.fromEntries(Object.entries(opts.set).map(([k, v]) => [k, coerceParam(base, k, v)]));
    base = deriveOne(base, typed);
  }
  const all = typedPoints(base, planPoints(opts.params, mode));
  const mine = shardPoints(all, opts.shard);
  const points = mine.map((p) => {
    const config = deriveOne(base, p.params);
    opts.runner.check?.(config);
    return { ...p, config };
  });
  return { base, params: opts.params.map((p) => p.path), mode, ...(opts.shard ? { shard: opts.shard } : {}), totalPoints: all.length, points };
}

export function pointLabel(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/**
 * Runs a sweep (or one shard of it) and returns the `SweepResult`, points in index order.
 * The document depends only on the inputs: no timings, no worker count, so a sharded and
 * merged sweep is identical to the same sweep run at once.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const plan = planSweep(opts);
  const tasks = plan.points.map((p) => ({ index: p.index, label: pointLabel(p.params), config: p.config as BaseConfig }));
  opts.onProgress?.(0, tasks.length);
  const results = await runTasks(tasks, opts.runner, opts.jobs ?? defaultJobs(), (done) => opts.onProgress?.(done, tasks.length));
  const points: SweepPoint[] = plan.points.map((p, i) => {
    let result: PointResult;
    try {
      const checked = validateResult(results[i], `point ${p.index} (${pointLabel(p.params)})`);
      if (checked.kind === 'sweep') throw new ConfigError('a point result must be a training-iteration or a comparison, not a sweep');
      result = checked;
    } catch (e) {
      throw new SataError(`runner ${opts.runner.name} returned an invalid result: ${e instanceof Error ? e.message : String(e)}`, 1);
    }
    return { index: p.index, params: p.params, result };
  });
  return {
    kind: 'sweep',
    base: plan.base as BaseConfig,
    params: plan.params,
    mode: plan.mode,
    ...(plan.shard ? { shard: { index: plan.shard.index, count: plan.shard.count } } : {}),
    totalPoints: plan.totalPoints,
    points,
  };
}
