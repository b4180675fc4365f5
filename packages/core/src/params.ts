import { ConfigError } from './errors.js';

/** One declared parameter of a component, with its unit, as `sata plugins` lists it. */
export type ParamSpec =
  | { type: 'int'; default: number; min?: number; max?: number; unit?: string; description: string }
  | { type: 'number'; default: number; min?: number; max?: number; unit?: string; description: string }
  | { type: 'bool'; default: boolean; description: string; unit?: undefined }
  | { type: 'string'; default: string; description: string; unit?: undefined }
  | { type: 'enum'; default: string; values: readonly string[]; description: string; unit?: undefined };

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The resolved parameter values for a set of specs. */
export type ParamValues<S extends ParamSpecs> = {
  readonly [K in keyof S]: S[K] extends { type: 'bool' } ? boolean : S[K] extends { type: 'int' | 'number' } ? number : string;
};

/**
 * Validates user-given parameters against the specs: fills defaults, checks types and
 * ranges, rejects unknown names. Errors name the component and the parameter.
 */
export function resolveParams<S extends ParamSpecs>(owner: string, specs: S, given: Readonly<Record<string, unknown>> = {}): ParamValues<S> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(specs, key)) {
      const known = Object.keys(specs).sort().join(', ') || '(none)';
      throw new ConfigError(`${owner}: unknown parameter "${key}" (known: ${known})`);
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    const value = Object.prototype.hasOwnProperty.call(given, key) ? given[key] : spec.default;
    out[key] = checkParam(owner, key, spec, value);
  }
  return Object.freeze(out) as ParamValues<S>;
}

function checkParam(owner: string, key: string, spec: ParamSpec, value: unknown): unknown {
  const where = `${owner}: parameter "${key}"`;
  switch (spec.type) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) throw new ConfigError(`${where} must be a number, got ${describe(value)}`);
      if (spec.type === 'int' && !Number.isSafeInteger(value)) throw new ConfigError(`${where} must be an integer, got ${value}`);
      if (!Number.isFinite(value)) throw new ConfigError(`${where} must be finite, got ${value}`);
      const unit = spec.unit ? ` ${spec.unit}` : '';
      if (spec.min !== undefined && value < spec.min) throw new ConfigError(`${where} must be >= ${spec.min}${unit}, got ${value}`);
      if (spec.max !== undefined && value > spec.max) throw new ConfigError(`${where} must be <= ${spec.max}${unit}, got ${value}`);
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw new ConfigError(`${where} must be true or false, got ${describe(value)}`);
      return value;
    case 'string':
      if (typeof value !== 'string') throw new ConfigError(`${where} must be a string, got ${describe(value)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new ConfigError(`${where} must be one of ${spec.values.join(', ')}, got ${describe(value)}`);
      }
      return value;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
