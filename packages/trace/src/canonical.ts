/**
 * Canonical values and the one frozen msgpackr configuration. A canonical value is JSON-like
 * data with map keys sorted by code unit, no `undefined` (object properties holding it are
 * dropped, as JSON does; inside arrays it is an error), finite numbers only, and -0 written
 * as 0. Encoding a canonical value with the frozen options always gives the same bytes.
 */
import { createRequire } from 'node:module';
import { ConfigError } from '@sata/core';
import type { Packr } from 'msgpackr';
import { DEFAULT_LIMITS, StrictDecoder, type DecodeLimits } from './msgpack.js';

/** The encoder options every trace is written with. Changing any of them is a new format version. */
export const ENCODER_OPTIONS = Object.freeze({
  useRecords: false, // no msgpackr record extension: plain maps that any MessagePack reader understands
  structuredClone: false, // no cycles or shared references (they would need an extension)
  moreTypes: false,
  useFloat32: 0, // never narrow: numbers round-trip exactly
  variableMapSize: true, // the smallest map header, so sizes are canonical
  encodeUndefinedAsNil: false,
  bundleStrings: false,
  int64AsType: 'number',
} as const);

let packr: Packr | undefined;

/**
 * The encoder every trace and activity trace is written with, made on first use: a run
 * that writes no trace does not load msgpackr (a fifth of the CLI's start-up).
 */
export function tracePackr(): Packr {
  return (packr ??= new (createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr')).Packr({ ...ENCODER_OPTIONS }));
}

const MAX_CANONICAL_DEPTH = 32;

/** A deep copy of `value` in canonical form; errors name the path of an offending field. */
export function canonicalize(value: unknown, path = 'value', depth = 0): unknown {
  if (depth > MAX_CANONICAL_DEPTH) throw new ConfigError(`${path}: nested deeper than ${MAX_CANONICAL_DEPTH} levels (or a cycle)`);
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new ConfigError(`${path}: ${String(value)} cannot be written to a trace`);
      return value === 0 ? 0 : value;
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Uint8Array) return Uint8Array.from(value);
      if (Array.isArray(value)) {
        return value.map((v, i) => {
          if (v === undefined) throw new ConfigError(`${path}[${i}]: undefined cannot be written to a trace`);
          return canonicalize(v, `${path}[${i}]`, depth + 1);
        });
      }
      if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (v, i) => canonicalize(v, `${path}[${i}]`, depth + 1));
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort(cmp)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        Object.defineProperty(out, key, { value: canonicalize(v, `${path}.${key}`, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      throw new ConfigError(`${path}: a ${typeof value} cannot be written to a trace`);
  }
}

/** Canonical MessagePack bytes of `value`. */
export function encodeCanonical(value: unknown, path?: string): Buffer {
  return tracePackr().pack(canonicalize(value, path));
}

/**
 * Decodes exactly one value filling `bytes` with the strict decoder. Not msgpackr's decoder:
 * its built-in extensions (0x65 builds Error objects, 0x78 RegExps, 0x73 Sets...) are global
 * and cannot be switched off, and nothing in a trace may make the reader construct anything.
 * `base` is the absolute offset of `bytes` in its file, for error messages.
 */
export function decodeRestricted(bytes: Uint8Array, base: number, what: string, limits: DecodeLimits = DEFAULT_LIMITS): unknown {
  const d: StrictDecoder = new StrictDecoder(bytes, 0, bytes.length, base, limits, what);
  const value = d.value();
  if (!d.done) d.fail(`${bytes.length - d.pos} unexpected bytes after the value`);
  return value;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
