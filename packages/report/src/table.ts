/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export interface TableOptions {
  title?: string;
  /** Column indexes to right-align; by default every column whose cells are all numeric. */
  alignRight?: readonly number[];
}

export type Cell = string | number | bigint | boolean | null | undefined;

export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  const text = rows.map((r) => header.map((_, i) => cellText(r[i])));
  const right = new Set(
    opts.alignRight ?? header.map((_, i) => i).filter((i) => rows.length > 0 && rows.every((r) => r[i] === undefined || r[i] === null || typeof r[i] === 'number' || typeof r[i] === 'bigint')),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [];
  if (opts.title) out.push(opts.title);
  out.push(line(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of text) out.push(line(r));
  return out.join('\n');
}

function cellText(c: Cell): string {
  if (c === undefined || c === null) return '';
  if (typeof c === 'number') return formatNumber(c);
  return String(c);
}

/**
 * Integers, and numbers of 1000 or more (expected counts are fractional), with thousands
 * separators; smaller numbers with 4 significant digits; an exponent when tiny or beyond
 * 1e15.
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  // Thousands separators by hand: toLocaleString's first call loads ICU's number formats (16 ms of a `sata layer` run).
  if (a < 1e15 && (Number.isInteger(x) || a >= 1000)) return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (a !== 0 && (a < 1e-3 || a >= 1e15)) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}
