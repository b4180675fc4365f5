import { ConfigError } from '@sata/core';
import { STAGES, TIMELINE_ROLES, type ComparisonResult, type SweepResult, type Timeline, type TrainingResult } from '@sata/plugin-api';

/** Any document `sata simulate --json`, `sata compare --json` or `sata sweep --json` writes. */
export type ResultDocument = TrainingResult | ComparisonResult | SweepResult;

const KINDS = ['training-iteration', 'comparison', 'sweep'] as const;

class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new ConfigError(`${this.source}: ${path ? `field "${path}" ` : ''}${problem}`);
  }

  private describe(v: unknown): string {
    if (v === undefined) return 'missing';
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'a list';
    if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    if (typeof v === 'object') return 'an object';
    return `${typeof v} ${String(v)}`;
  }

  obj(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `must be an object, found ${this.describe(v)}`);
    return v as Record<string, unknown>;
  }
  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `must be a list, found ${this.describe(v)}`);
    return v;
  }
  num(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a finite number, found ${this.describe(v)}`);
    return v;
  }
  int(v: unknown, path: string, min = 0): number {
    const n = this.num(v, path);
    if (!Number.isInteger(n) || n < min) this.fail(path, `must be an integer >= ${min}, found ${n}`);
    return n;
  }
  str(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `must be a string, found ${this.describe(v)}`);
    return v;
  }
  bool(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') this.fail(path, `must be true or false, found ${this.describe(v)}`);
    return v;
  }
  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, found ${this.describe(v)}`);
    return v as T;
  }
  numRecord(v: unknown, path: string): void {
    const o = this.obj(v, path);
    for (const [k, x] of Object.entries(o)) this.num(x, `${path}.${k}`);
  }
  stages(v: unknown, path: string): void {
    const o = this.obj(v, path);
    for (const s of STAGES) this.num(o[s], `${path}.${s}`);
  }

  training(v: unknown, p: string): TrainingResult {
    const o = this.obj(v, p);
    const at = (k: string): string => (p ? `${p}.${k}` : k);
    if (o.kind !== 'training-iteration') this.fail(at('kind'), `must be "training-iteration", found ${this.describe(o.kind)}`);
    this.str(o.arch, at('arch'));
    if (o.workload !== undefined) this.oneOf(o.workload, at('workload'), ['snn', 'ann']);
    this.str(o.network, at('network'));
    this.obj(o.config, at('config'));
    this.oneOf(o.sparsitySource, at('sparsitySource'), ['statistical', 'measured', 'replayed', 'dense']);
    this.bool(o.sparsityAware, at('sparsityAware'));
    for (const k of ['cycles', 'computeCycles', 'stallCycles', 'seconds', 'events']) this.num(o[k], at(k));
    const e = this.obj(o.energyPJ, at('energyPJ'));
    for (const k of ['total', 'compute', 'memory', 'leakage']) this.num(e[k], at(`energyPJ.${k}`));
    this.stages(e.byStage, at('energyPJ.byStage'));
    this.arr(e.byLayer, at('energyPJ.byLayer')).forEach((l, i) => {
      const lp = at(`energyPJ.byLayer[${i}]`);
      const lo = this.obj(l, lp);
      this.int(lo.index, `${lp}.index`);
      this.str(lo.name, `${lp}.name`);
      this.str(lo.kind, `${lp}.kind`);
      for (const k of ['totalPJ', 'computePJ', 'memoryPJ']) this.num(lo[k], `${lp}.${k}`);
      this.stages(lo.byStage, `${lp}.byStage`);
    });
    this.numRecord(e.byComponent, at('energyPJ.byComponent'));
    this.numRecord(e.byAction, at('energyPJ.byAction'));
    this.arr(o.timesteps, at('timesteps')).forEach((t, i) => {
      const tp = at(`timesteps[${i}]`);
      const to = this.obj(t, tp);
      for (const k of ['t', 'cycles', 'energyPJ']) this.num(to[k], `${tp}.${k}`);
    });
    this.arr(o.placement, at('placement')).forEach((f, i) => {
      const fp = at(`placement[${i}]`);
      const fo = this.obj(f, fp);
      this.str(fo.tensor, `${fp}.tensor`);
      this.oneOf(fo.stage, `${fp}.stage`, STAGES);
      this.str(fo.from, `${fp}.from`);
      this.str(fo.to, `${fp}.to`);
      this.num(fo.bits, `${fp}.bits`);
    });
    for (const [k, c] of Object.entries(this.obj(o.ops, at('ops')))) {
      const co = this.obj(c, at(`ops.${k}`));
      this.num(co.active, at(`ops.${k}.active`));
      this.num(co.gated, at(`ops.${k}.gated`));
    }
    const m = this.obj(o.energyModel, at('energyModel'));
    this.str(m.name, at('energyModel.name'));
    this.str(m.version, at('energyModel.version'));
    for (const [k, s] of Object.entries(this.obj(m.sources, at('energyModel.sources')))) this.str(s, at(`energyModel.sources.${k}`));
    if (o.timeline !== undefined) this.timeline(o.timeline, at('timeline'));
    return v as TrainingResult;
  }

  /** A timeline: every slice on a listed track, inside the run, naming a step that exists. */
  timeline(v: unknown, p: string): Timeline {
    const o = this.obj(v, p);
    const clock = this.num(o.clockMHz, `${p}.clockMHz`);
    if (!(clock > 0)) this.fail(`${p}.clockMHz`, `must be above 0, found ${clock}`);
    const cycles = this.int(o.cycles, `${p}.cycles`);
    const tracks = new Set<string>();
    this.arr(o.tracks, `${p}.tracks`).forEach((t, i) => {
      const to = this.obj(t, `${p}.tracks[${i}]`);
      const name = this.str(to.name, `${p}.tracks[${i}].name`);
      if (tracks.has(name)) this.fail(`${p}.tracks[${i}].name`, `names track ${JSON.stringify(name)} twice`);
      tracks.add(name);
      this.oneOf(to.role, `${p}.tracks[${i}].role`, TIMELINE_ROLES);
    });
    const steps = this.arr(o.steps, `${p}.steps`);
    steps.forEach((s, i) => {
      const sp = `${p}.steps[${i}]`;
      const so = this.obj(s, sp);
      this.str(so.label, `${sp}.label`);
      this.str(so.layer, `${sp}.layer`);
      this.oneOf(so.stage, `${sp}.stage`, STAGES);
      if (so.t !== null) this.int(so.t, `${sp}.t`);
      const start = this.int(so.startCycle, `${sp}.startCycle`);
      const end = this.int(so.endCycle, `${sp}.endCycle`);
      if (end < start || end > cycles) this.fail(`${sp}.endCycle`, `must be within ${start}..${cycles}, found ${end}`);
      for (const k of ['energyPJ', 'computePJ', 'memoryPJ', 'leakagePJ']) this.num(so[k], `${sp}.${k}`);
    });
    this.arr(o.slices, `${p}.slices`).forEach((s, i) => {
      const sp = `${p}.slices[${i}]`;
      const so = this.obj(s, sp);
      const track = this.str(so.track, `${sp}.track`);
      if (!tracks.has(track)) this.fail(`${sp}.track`, `names ${JSON.stringify(track)}, which is not among the tracks`);
      const start = this.int(so.start, `${sp}.start`);
      const end = this.int(so.end, `${sp}.end`);
      if (end < start) this.fail(`${sp}.end`, `must not be before start (${start}), found ${end}`);
      this.str(so.name, `${sp}.name`);
      const args = this.obj(so.args, `${sp}.args`);
      for (const [k, x] of Object.entries(args)) if (typeof x !== 'string') this.num(x, `${sp}.args.${k}`);
      if (args.step !== undefined) {
        const step = this.int(args.step, `${sp}.args.step`);
        if (step >= steps.length) this.fail(`${sp}.args.step`, `must index one of the ${steps.length} steps, found ${step}`);
      }
    });
    this.arr(o.counters, `${p}.counters`).forEach((c, i) => {
      const cp = `${p}.counters[${i}]`;
      const co = this.obj(c, cp);
      const track = this.str(co.track, `${cp}.track`);
      if (!tracks.has(track)) this.fail(`${cp}.track`, `names ${JSON.stringify(track)}, which is not among the tracks`);
      this.int(co.tick, `${cp}.tick`);
      this.num(co.value, `${cp}.value`);
    });
    return v as Timeline;
  }

  headline(v: unknown, path: string): Record<string, unknown> {
    const o = this.obj(v, path);
    this.num(o.value, `${path}.value`);
    this.str(o.definition, `${path}.definition`);
    this.num(o.paper, `${path}.paper`);
    return o;
  }

  comparison(v: unknown, p: string): ComparisonResult {
    const o = this.obj(v, p);
    const at = (k: string): string => (p ? `${p}.${k}` : k);
    if (o.kind !== 'comparison') this.fail(at('kind'), `must be "comparison", found ${this.describe(o.kind)}`);
    const g = this.headline(o.sparsityGain, at('sparsityGain'));
    this.training(g.aware, at('sparsityGain.aware'));
    this.training(g.unaware, at('sparsityGain.unaware'));
    const r = this.headline(o.snnOverAnn, at('snnOverAnn'));
    this.training(r.snn, at('snnOverAnn.snn'));
    this.training(r.ann, at('snnOverAnn.ann'));
    return v as ComparisonResult;
  }

  sweep(v: unknown): SweepResult {
    const o = this.obj(v, '');
    this.obj(o.base, 'base');
    const params = this.arr(o.params, 'params').map((x, i) => this.str(x, `params[${i}]`));
    this.oneOf(o.mode, 'mode', ['grid', 'paired']);
    if (o.shard !== undefined) {
      const s = this.obj(o.shard, 'shard');
      const count = this.int(s.count, 'shard.count', 1);
      const index = this.int(s.index, 'shard.index');
      if (index >= count) this.fail('shard.index', `must be below shard.count (${count}), found ${index}`);
    }
    this.int(o.totalPoints, 'totalPoints');
    this.arr(o.points, 'points').forEach((pt, i) => {
      const pp = `points[${i}]`;
      const po = this.obj(pt, pp);
      this.int(po.index, `${pp}.index`);
      const values = this.obj(po.params, `${pp}.params`);
      for (const name of params) {
        const x = values[name];
        if (typeof x !== 'string' && typeof x !== 'boolean' && !(typeof x === 'number' && Number.isFinite(x))) this.fail(`${pp}.params.${name}`, `must be a number, string or boolean, found ${this.describe(x)}`);
      }
      const r = this.obj(po.result, `${pp}.result`);
      if (r.kind === 'comparison') this.comparison(r, `${pp}.result`);
      else this.training(r, `${pp}.result`);
    });
    return v as SweepResult;
  }
}

/**
 * Checks a parsed document against the result contract (packages/plugin-api/src/result.ts):
 * every field a consumer relies on, with its type. A problem is a ConfigError naming
 * `source` and the field (`results/a.json: field "energyPJ.byStage.BP" must be a finite number, found missing`).
 */
export function validateResult(value: unknown, source: string): ResultDocument {
  const c = new Checker(source);
  const o = c.obj(value, '');
  const kind = c.oneOf(o.kind, 'kind', KINDS);
  if (kind === 'training-iteration') return c.training(o, '');
  if (kind === 'comparison') return c.comparison(o, '');
  return c.sweep(o);
}

/** Parses JSON text as a result document; malformed JSON is a ConfigError naming `source`. */
export function parseResult(text: string, source: string): ResultDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: not a JSON document (${e instanceof Error ? e.message : String(e)})`);
  }
  return validateResult(value, source);
}
