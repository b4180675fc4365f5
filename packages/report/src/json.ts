/**
 * JSON for results: stable key order as built, numbers as they are; rejects values JSON
 * cannot carry faithfully (NaN, Infinity) instead of silently writing null.
 */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`result field "${key}" is ${String(v)}, which JSON cannot represent`);
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Map) return Object.fromEntries(v);
      return v;
    },
    indent,
  );
}

/** CSV with RFC 4180 quoting. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const q = (v: unknown): string => {
    const s = v === undefined || v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.map(q).join(','), ...rows.map((r) => r.map(q).join(','))].join('\n') + '\n';
}
