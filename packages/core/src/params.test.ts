import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { resolveParams } from './params.js';

const specs = {
  rows: { type: 'int', default: 8, min: 1, max: 256, unit: 'PEs', description: 'array rows' },
  clockMHz: { type: 'number', default: 400, min: 1, unit: 'MHz', description: 'clock' },
  gating: { type: 'bool', default: true, description: 'gate zero operands' },
  dataflow: { type: 'enum', default: 'ws', values: ['os', 'ws', 'is'], description: 'mapping' },
} as const;

describe('resolveParams', () => {
  it('fills defaults and keeps given values', () => {
    expect(resolveParams('c', specs, { rows: 16 })).toEqual({ rows: 16, clockMHz: 400, gating: true, dataflow: 'ws' });
  });

  it('names the component and the parameter in every error', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ rows: 0 }, /component pe: parameter "rows" must be >= 1 PEs, got 0/],
      [{ rows: 300 }, /parameter "rows" must be <= 256 PEs, got 300/],
      [{ rows: 2.5 }, /parameter "rows" must be an integer/],
      [{ rows: '8' }, /parameter "rows" must be a number, got "8"/],
      [{ clockMHz: Infinity }, /parameter "clockMHz" must be finite/],
      [{ gating: 1 }, /parameter "gating" must be true or false/],
      [{ dataflow: 'xs' }, /parameter "dataflow" must be one of os, ws, is, got "xs"/],
      [{ colums: 3 }, /unknown parameter "colums" \(known: clockMHz, dataflow, gating, rows\)/],
    ];
    for (const [given, re] of bad) {
      expect(() => resolveParams('component pe', specs, given)).toThrow(ConfigError);
      expect(() => resolveParams('component pe', specs, given)).toThrow(re);
    }
  });

  it('returns a frozen value', () => {
    expect(Object.isFrozen(resolveParams('c', specs))).toBe(true);
  });
});
