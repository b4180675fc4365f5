import { ConfigError } from '@sata/core';

/** A value a swept parameter takes. */
export type ParamValue = string | number | boolean;

/** One swept parameter: a dotted path into the configuration and the values it takes, in order. */
export interface SweptParam {
  readonly path: string;
  readonly values: readonly ParamValue[];
}

export type SweepMode = 'grid' | 'paired';

/** One point of a sweep: its index in the full sweep and the value of every swept parameter. */
export interface PlannedPoint {
  readonly index: number;
  readonly params: Readonly<Record<string, ParamValue>>;
}

const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Most points one sweep may have: a typo such as `1..100000` should not hang the machine. */
export const MAX_POINTS = 100_000;

/**
 * Parses `path=VALUES`, where VALUES is a comma-separated list whose items are values or
 * inclusive ranges `a..b` (step 1) or `a..b:s`: `timesteps=1,2,4,8`, `timesteps=1..8`,
 * `timesteps=1..8:2`, `sparsity.spike=0.8,0.9`, `dataflow=os,ws`, `gating=true,false`.
 */
export function parseParam(spec: string): SweptParam {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new ConfigError(`--param "${spec}": expected NAME=VALUES, e.g. timesteps=1,2,4,8 or timesteps=1..8`);
  const path = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (!PATH.test(path)) throw new ConfigError(`--param "${spec}": "${path}" is not a parameter name (letters, digits, _ and -, dotted: sparsity.spike)`);
  if (body === '') throw new ConfigError(`--param "${spec}": no values after "="`);
  const values: ParamValue[] = [];
  for (const raw of body.split(',')) {
    const item = raw.trim();
    if (item === '') throw new ConfigError(`--param "${spec}": empty value in the list`);
    if (item.includes('..')) values.push(...parseRange(spec, item));
    else values.push(parseValue(item));
  }
  if (values.length > MAX_POINTS) throw new ConfigError(`--param "${spec}": ${values.length} values, more than the limit of ${MAX_POINTS}`);
  return { path, values };
}

/** `8` → 8, `0.9` → 0.9, `true`/`false` → booleans, anything else stays a string. */
export function parseValue(item: string): ParamValue {
  if (NUMBER.test(item)) return Number(item);
  if (item === 'true') return true;
  if (item === 'false') return false;
  return item;
}

function parseRange(spec: string, item: string): number[] {
  const bad = (why: string): never => {
    throw new ConfigError(`--param "${spec}": range "${item}" ${why} (write a..b or a..b:step, e.g. 1..8 or 0.5..0.9:0.1)`);
  };
  const dots = item.indexOf('..');
  const rest = item.slice(dots + 2).split(':');
  if (rest.length > 2) return bad('is malformed');
  const [from, to, stepText] = [item.slice(0, dots).trim(), rest[0]!.trim(), rest[1]?.trim()];
  if (!NUMBER.test(from) || !NUMBER.test(to)) return bad('needs numeric ends');
  if (stepText !== undefined && !NUMBER.test(stepText)) return bad('needs a numeric step');
  const a = Number(from);
  const b = Number(to);
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!(step > 0)) return bad('needs a positive step');
  if (b < a) return bad('runs downwards');
  const count = Math.floor((b - a) / step + 1e-9) + 1;
  if (count > MAX_POINTS) return bad(`has ${count} values, more than the limit of ${MAX_POINTS}`);
  const out: number[] = [];
  for (let k = 0; k < count; k++) out.push(roundish(a + k * step));
  return out;
}

/** Removes floating-point noise from `a + k * step` (0.1 * 3 → 0.3, not 0.30000000000000004). */
function roundish(x: number): number {
  return Number(x.toPrecision(12));
}

/**
 * The points of a sweep in their deterministic order. Grid: the cartesian product, the first
 * parameter varying slowest (like nested loops in the order given). Paired: the i-th value of
 * every list together, all lists of one length.
 */
export function planPoints(params: readonly SweptParam[], mode: SweepMode): PlannedPoint[] {
  if (params.length === 0) throw new ConfigError('a sweep needs at least one --param NAME=VALUES');
  const paths = new Set<string>();
  for (const p of params) {
    if (paths.has(p.path)) throw new ConfigError(`--param ${p.path} is given twice; put all its values in one list`);
    paths.add(p.path);
  }
  if (mode === 'paired') {
    const n = params[0]!.values.length;
    const mismatch = params.find((p) => p.values.length !== n);
    if (mismatch) {
      throw new ConfigError(`--paired needs lists of one length: ${params.map((p) => `${p.path} has ${p.values.length}`).join(', ')}`);
    }
    // A value may repeat within one list (array.rows=8,8,16 with array.cols=8,16,16), not a whole tuple.
    const seen = new Map<string, number>();
    return Array.from({ length: n }, (_, index) => {
      const key = JSON.stringify(params.map((p) => [typeof p.values[index], p.values[index]]));
      const first = seen.get(key);
      if (first !== undefined) throw new ConfigError(`--paired: points ${first} and ${index} are the same (${params.map((p) => `${p.path}=${String(p.values[index])}`).join(' ')})`);
      seen.set(key, index);
      return { index, params: Object.fromEntries(params.map((p) => [p.path, p.values[index]!])) };
    });
  }
  for (const p of params) {
    const seen = new Set<string>();
    for (const v of p.values) {
      const key = `${typeof v}:${String(v)}`;
      if (seen.has(key)) throw new ConfigError(`--param ${p.path}: value ${String(v)} appears more than once`);
      seen.add(key);
    }
  }
  const total = params.reduce((acc, p) => acc * p.values.length, 1);
  if (total > MAX_POINTS) throw new ConfigError(`the grid has ${total} points, more than the limit of ${MAX_POINTS}`);
  const out: PlannedPoint[] = [];
  for (let index = 0; index < total; index++) {
    let rest = index;
    const values: ParamValue[] = new Array(params.length);
    for (let j = params.length - 1; j >= 0; j--) {
      const n = params[j]!.values.length;
      values[j] = params[j]!.values[rest % n]!;
      rest = Math.floor(rest / n);
    }
    out.push({ index, params: Object.fromEntries(params.map((p, j) => [p.path, values[j]!])) });
  }
  return out;
}

/** A slice of a sweep for one job of a job array: `index` of `count`, 0-based. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Parses `i/n` (0 <= i < n), as Kubernetes indexed jobs and `sbatch --array=0-(n-1)` number
 * their tasks, or `auto` / `auto/n`: the index (and count) from the job array this process
 * runs in, read from `env` (see shardFromJobArray).
 */
export function parseShard(spec: string, env: Readonly<Record<string, string | undefined>> = process.env): Shard {
  const auto = /^\s*auto\s*(?:\/\s*(\d+)\s*)?$/.exec(spec);
  if (auto) return shardFromJobArray(env, auto[1] === undefined ? undefined : Number(auto[1]), spec);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new ConfigError(`--shard "${spec}": expected i/n with integers, 0 <= i < n (e.g. 0/4 .. 3/4), or auto (from a Slurm job array or a Kubernetes indexed job)`);
  return checkedShard(Number(m[1]), Number(m[2]), `--shard "${spec}"`);
}

function checkedShard(index: number, count: number, where: string): Shard {
  if (count < 1) throw new ConfigError(`${where}: the number of shards must be at least 1`);
  if (index >= count) throw new ConfigError(`${where}: the shard index is 0-based and must be below ${count} (0/${count} .. ${count - 1}/${count})`);
  return { index, count };
}

/**
 * The shard of a job-array task. Slurm (`sbatch --array=A-B`): index SLURM_ARRAY_TASK_ID -
 * SLURM_ARRAY_TASK_MIN, count SLURM_ARRAY_TASK_COUNT (the array must be a contiguous range
 * with step 1, so that every index is some task's). A Kubernetes Indexed Job: index
 * JOB_COMPLETION_INDEX, and the count must be given (`auto/n`, n = the job's completions),
 * as Kubernetes does not pass it to the pod. A count given with Slurm must agree with it.
 */
export function shardFromJobArray(env: Readonly<Record<string, string | undefined>>, given: number | undefined, spec = 'auto'): Shard {
  const where = `--shard ${spec}`;
  const int = (name: string): number => {
    const v = env[name];
    if (v === undefined || !/^\d+$/.test(v.trim())) throw new ConfigError(`${where}: ${name} is ${v === undefined ? 'not set' : `"${v}", not a whole number`}`);
    return Number(v);
  };
  if (env['SLURM_ARRAY_TASK_ID'] !== undefined) {
    const id = int('SLURM_ARRAY_TASK_ID');
    const min = int('SLURM_ARRAY_TASK_MIN');
    const count = int('SLURM_ARRAY_TASK_COUNT');
    const step = env['SLURM_ARRAY_TASK_STEP'] === undefined ? 1 : int('SLURM_ARRAY_TASK_STEP');
    const max = env['SLURM_ARRAY_TASK_MAX'] === undefined ? min + count - 1 : int('SLURM_ARRAY_TASK_MAX');
    if (step !== 1 || max - min + 1 !== count) throw new ConfigError(`${where}: the Slurm array is not a contiguous range (tasks ${min}..${max} step ${step}, ${count} tasks): submit it as --array=0-${count - 1}`);
    if (given !== undefined && given !== count) throw new ConfigError(`${where}: the Slurm array has ${count} tasks (SLURM_ARRAY_TASK_COUNT), not ${given}`);
    return checkedShard(id - min, count, `${where} (SLURM_ARRAY_TASK_ID=${id}, SLURM_ARRAY_TASK_MIN=${min})`);
  }
  if (env['JOB_COMPLETION_INDEX'] !== undefined) {
    const index = int('JOB_COMPLETION_INDEX');
    if (given === undefined) throw new ConfigError(`${where}: a Kubernetes indexed job does not tell a pod how many completions it has: give them, --shard auto/N (N = the job's completions)`);
    return checkedShard(index, given, `${where} (JOB_COMPLETION_INDEX=${index})`);
  }
  throw new ConfigError(`${where}: no job-array task index in the environment (SLURM_ARRAY_TASK_ID from sbatch --array, or JOB_COMPLETION_INDEX from a Kubernetes indexed job); give the shard as i/n`);
}

/**
 * The points of one shard: every point whose index is congruent to the shard's index modulo
 * the count. Striding rather than blocks spreads expensive corners of a grid (large T, the
 * last values of the first parameter) over all shards.
 */
export function shardPoints<P extends { readonly index: number }>(points: readonly P[], shard: Shard | undefined): P[] {
  if (!shard) return [...points];
  return points.filter((p) => p.index % shard.count === shard.index);
}

/** `[0,1,2,5,7,8,9]` → `0-2, 5, 7-9`. */
export function formatIndexes(indexes: readonly number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
