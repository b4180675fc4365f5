import { ConfigError, isSataError } from '@sata/core';
import type { SweepPoint, SweepResult } from '@sata/plugin-api';
import { validateResult } from '@sata/report';
import { formatIndexes } from './params.js';

/** One shard's document and where it came from (a file name, for messages). */
export interface ShardInput {
  readonly name: string;
  readonly doc: unknown;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Joins the shards of one sweep into the document the unsharded sweep would have produced.
 * Every input must be a sweep with the same base, parameters, mode and point count; the
 * union of their points must be every index 0..totalPoints-1 exactly once. Errors name the
 * files and the missing or duplicated point indexes (ConfigError: exit 2).
 */
export function mergeShards(inputs: readonly ShardInput[]): SweepResult {
  if (inputs.length === 0) throw new ConfigError('sweep merge: name at least one shard file');
  const docs: { name: string; doc: SweepResult }[] = inputs.map(({ name, doc }) => {
    let v;
    try {
      v = validateResult(doc, name);
    } catch (e) {
      if (isSataError(e)) throw e;
      throw new ConfigError(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (v.kind !== 'sweep') throw new ConfigError(`${name}: kind is "${v.kind}", sweep merge needs "sweep" documents (sata sweep --json)`);
    return { name, doc: v };
  });
  const first = docs[0]!;
  const key = (d: SweepResult): string => canonical({ base: d.base, params: d.params, mode: d.mode, totalPoints: d.totalPoints });
  const ref = key(first.doc);
  for (const d of docs.slice(1)) {
    if (key(d.doc) !== ref) {
      const what = canonical(d.doc.base) !== canonical(first.doc.base) ? 'base configuration' : canonical(d.doc.params) !== canonical(first.doc.params) ? 'parameters' : d.doc.mode !== first.doc.mode ? 'mode' : 'number of points';
      throw new ConfigError(`sweep merge: ${d.name} and ${first.name} are slices of different sweeps (their ${what} differ)`);
    }
  }
  const counts = new Set(docs.map((d) => d.doc.shard?.count ?? 1));
  if (counts.size > 1) throw new ConfigError(`sweep merge: the files come from different shard counts (${[...counts].sort().join(', ')})`);
  const total = first.doc.totalPoints;
  const owner = new Map<number, string>();
  const points = new Map<number, SweepPoint>();
  const dupes: string[] = [];
  const outOfRange: number[] = [];
  for (const d of docs) {
    for (const p of d.doc.points) {
      if (p.index < 0 || p.index >= total || !Number.isInteger(p.index)) outOfRange.push(p.index);
      else if (owner.has(p.index)) dupes.push(`${p.index} (${owner.get(p.index)} and ${d.name})`);
      else {
        owner.set(p.index, d.name);
        points.set(p.index, p);
      }
    }
  }
  if (outOfRange.length) throw new ConfigError(`sweep merge: point indexes outside 0..${total - 1}: ${formatIndexes(outOfRange)}`);
  if (dupes.length) throw new ConfigError(`sweep merge: duplicated points: ${dupes.slice(0, 20).join(', ')}${dupes.length > 20 ? `, and ${dupes.length - 20} more` : ''}`);
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!points.has(i)) missing.push(i);
  if (missing.length) {
    const count = first.doc.shard?.count;
    const shardsMissing = count ? [...new Set(missing.map((i) => i % count))].sort((a, b) => a - b).map((s) => `${s}/${count}`) : [];
    throw new ConfigError(
      `sweep merge: ${missing.length} of ${total} points missing: ${formatIndexes(missing)}${shardsMissing.length ? ` (shards ${shardsMissing.join(', ')} not given or incomplete)` : ''}`,
    );
  }
  const ordered = [...points.values()].sort((a, b) => a.index - b.index);
  checkStructure(ordered, first.doc.params, first.doc.mode, docs.map((d) => d.name));
  return {
    kind: 'sweep',
    base: first.doc.base,
    params: first.doc.params,
    mode: first.doc.mode,
    totalPoints: total,
    points: ordered,
  };
}

/**
 * The documents do not carry the value lists, so check that the joined points could come
 * from one sweep: in a grid, the distinct values of each parameter (in index order) must
 * multiply to the point count and every point must sit where the grid puts it; in a paired
 * sweep no parameter takes one value twice (lists never repeat a value).
 */
function checkStructure(points: readonly SweepPoint[], params: readonly string[], mode: 'grid' | 'paired', names: readonly string[]): void {
  const fail = (why: string): never => {
    throw new ConfigError(`sweep merge: the points of ${names.join(', ')} do not form one sweep (${why}); were they run with the same --param lists?`);
  };
  const key = (v: unknown): string => `${typeof v}:${String(v)}`;
  const lists = params.map((name) => {
    const seen: unknown[] = [];
    for (const p of points) if (!seen.some((v) => key(v) === key(p.params[name]))) seen.push(p.params[name]);
    return seen;
  });
  if (mode === 'paired') {
    params.forEach((name, j) => {
      if (lists[j]!.length !== points.length) fail(`${name} takes one value at two points`);
    });
    return;
  }
  const product = lists.reduce((a, l) => a * l.length, 1);
  if (product !== points.length) fail(`${params.map((name, j) => `${lists[j]!.length} values of ${name}`).join(' x ')} make ${product} combinations, not ${points.length}`);
  for (const p of points) {
    let rest = p.index;
    for (let j = params.length - 1; j >= 0; j--) {
      const n = lists[j]!.length;
      if (key(lists[j]![rest % n]) !== key(p.params[params[j]!])) fail(`point ${p.index} has ${params[j]}=${String(p.params[params[j]!])} where the grid puts ${String(lists[j]![rest % n])}`);
      rest = Math.floor(rest / n);
    }
  }
}
