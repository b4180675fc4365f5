import { describe, expect, it } from 'vitest';
import { formatNumber, formatTable } from './table.js';
import { formatEnergy } from './text.js';

describe('tables', () => {
  it('formats counts with separators, expected (fractional) counts rounded, small numbers to 4 digits', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(26008780.800003)).toBe('26,008,781');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(2e-5)).toBe('2.000e-5');
    expect(formatNumber(3e16)).toBe('3.000e+16');
  });

  it('aligns numeric columns right and pads the rest', () => {
    const t = formatTable(['name', 'count'], [['a', 5], ['bbb', 12345]]);
    expect(t.split('\n')).toEqual(['name   count', '----  ------', 'a          5', 'bbb   12,345']);
  });

  it('gives energies an SI prefix', () => {
    expect(formatEnergy(3.2e10)).toBe('32.000 mJ');
    expect(formatEnergy(59473)).toBe('59.473 nJ');
    expect(formatEnergy(0.5)).toBe('0.500 pJ');
  });
});
