import { ConfigError, deriveConfig, freezeConfig, type Config } from '@sata/core';
import type { ParamValue, PlannedPoint } from './params.js';

export type BaseConfig = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that `path` names a scalar (number, string or boolean) of the fully resolved base
 * configuration, and converts `value` to that scalar's type. An unknown path is an error that
 * lists the names known at that level: a typo must not silently sweep nothing.
 */
export function coerceParam(base: Config<BaseConfig>, path: string, value: ParamValue): ParamValue {
  const parts = path.split('.');
  let node: unknown = base;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if (!isRecord(node) || !Object.prototype.hasOwnProperty.call(node, key)) {
      const where = parts.slice(0, i).join('.');
      const known = isRecord(node) ? Object.keys(node).sort() : [];
      throw new ConfigError(
        `--param ${path}: the configuration has no "${key}"${where ? ` under "${where}"` : ''}${known.length ? `; known there: ${known.join(', ')}` : ''}`,
      );
    }
    node = node[key];
  }
  const current = node;
  switch (typeof current) {
    case 'number':
      if (typeof value !== 'number') throw new ConfigError(`--param ${path}: expected numbers (the configuration has ${String(current)}), found "${String(value)}"`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigError(`--param ${path}: expected true or false, found "${String(value)}"`);
      return value;
    case 'string':
      return String(value);
    default:
      throw new ConfigError(`--param ${path}: "${path}" is ${current === null ? 'null' : Array.isArray(current) ? 'a list' : typeof current} in the configuration; only numbers, strings and booleans can be swept`);
  }
}

/** The configuration of one point: the base with the point's values set, derived with immer (the base is never edited). */
export function deriveOne(base: Config<BaseConfig>, params: Readonly<Record<string, ParamValue>>): Config<BaseConfig> {
  return deriveConfig<BaseConfig>(base, (draft) => {
    for (const [path, value] of Object.entries(params)) {
      const parts = path.split('.');
      let node = draft as Record<string, unknown>;
      for (const key of parts.slice(0, -1)) node = node[key] as Record<string, unknown>;
      node[parts[parts.length - 1]!] = value;
    }
  });
}

/** Coerces every point's values against the base (the first bad one is the error) and returns the points with typed values. */
export function typedPoints(base: Config<BaseConfig>, points: readonly PlannedPoint[]): PlannedPoint[] {
  return points.map((p) => ({ index: p.index, params: Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, coerceParam(base, k, v)])) }));
}

export { freezeConfig };
