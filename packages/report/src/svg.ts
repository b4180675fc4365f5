/**
 * Charts as inline SVG strings, generated at report time: deterministic (same input, same
 * bytes), testable by parsing, and needing no script, font or network in the page. Every
 * string that reaches the markup goes through `esc`.
 */
import { formatNumber } from './table.js';

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Okabe-Ito, distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#7F3C8D'] as const;

export const color = (i: number): string => PALETTE[i % PALETTE.length]!;

/** A unit with SI prefixes: scale values so the axis reads 0..999 (`pJ` → nJ, µJ, mJ, J). */
export interface ScaledUnit {
  readonly factor: number;
  readonly label: string;
}

const PREFIXES: readonly [number, string][] = [
  [1e-12, 'p'],
  [1e-9, 'n'],
  [1e-6, 'µ'],
  [1e-3, 'm'],
  [1, ''],
  [1e3, 'k'],
  [1e6, 'M'],
  [1e9, 'G'],
  [1e12, 'T'],
];

/** Picks the prefix for values up to `max` given in `baseExp` (pJ: 1e-12 J; bits: 1). `unit` '' means a plain ratio. */
export function scaleUnit(max: number, unit: string, baseScale = 1): ScaledUnit {
  if (unit === '' || unit === 'x') return { factor: 1, label: unit };
  const abs = Math.abs(max) * baseScale;
  let chosen = PREFIXES.find(([s]) => s === baseScale) ?? [1, ''];
  for (const p of PREFIXES) if (p[0] >= baseScale && abs >= p[0]) chosen = p;
  return { factor: baseScale / chosen[0], label: `${chosen[1]}${unit}` };
}

/** Energy given in pJ. */
export const energyUnit = (maxPJ: number): ScaledUnit => scaleUnit(maxPJ, 'J', 1e-12);
export const bitsUnit = (maxBits: number): ScaledUnit => scaleUnit(maxBits, 'b', 1);

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    if (max === min) return max === 0 ? [0, 1] : niceTicks(Math.min(0, min), Math.max(0, max) || 1, count);
    return [0, 1];
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9 || ticks.length < 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  return formatNumber(Number(v.toPrecision(6)));
}

const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

let chartSeq = 0;
/** Restarts chart ids (one report = ids from 1), so reports are byte-for-byte deterministic. */
export function resetChartIds(): void {
  chartSeq = 0;
}

function open(kind: string, title: string, f: Frame, desc: string): { id: string; head: string } {
  const id = `chart-${++chartSeq}`;
  const head =
    `<svg class="chart" data-kind="${esc(kind)}" id="${id}" xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-labelledby="${id}-t ${id}-d">` +
    `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>` +
    `<rect class="bg" x="0" y="0" width="${f.width}" height="${f.height}" fill="#fff"/>` +
    `<text class="title" x="${f.width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(truncate(title, Math.floor((f.width - 16) / 8.6)))}</text>`;
  return { id, head };
}

function legend(names: readonly string[], f: Frame, kind: 'box' | 'line'): string {
  if (names.length <= 1 && kind === 'box' && names[0] === '') return '';
  let x = f.left;
  let y = 38;
  const parts: string[] = ['<g class="legend" font-size="12">'];
  names.forEach((n, i) => {
    const label = truncate(n, 40);
    const w = 22 + label.length * 6.6 + 14;
    if (x + w > f.width - 8 && x > f.left) {
      x = f.left;
      y += 16;
    }
    parts.push(
      kind === 'box'
        ? `<rect x="${r2(x)}" y="${y - 9}" width="12" height="10" fill="${color(i)}"/>`
        : `<line x1="${r2(x)}" y1="${y - 4}" x2="${r2(x + 14)}" y2="${y - 4}" stroke="${color(i)}" stroke-width="2.5"/><circle cx="${r2(x + 7)}" cy="${y - 4}" r="3" fill="${color(i)}"/>`,
      `<text x="${r2(x + 18)}" y="${y}">${esc(label)}</text>`,
    );
    x += w;
  });
  parts.push('</g>');
  return parts.join('');
}

function legendRows(names: readonly string[], width: number, left: number): number {
  let x = left;
  let rows = 1;
  for (const n of names) {
    const w = 22 + truncate(n, 40).length * 6.6 + 14;
    if (x + w > width - 8 && x > left) {
      x = left;
      rows++;
    }
    x += w;
  }
  return rows;
}

export interface BarChartSpec {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  /** Stack the series (parts of a whole) instead of grouping them side by side. */
  readonly stacked?: boolean;
  /** Bars run left to right, categories down the side (long labels, many categories). */
  readonly horizontal?: boolean;
  /** The quantity and its base unit: 'J' for values in pJ, 'b' for bits, '' for plain numbers. */
  readonly unit: 'J' | 'b' | '';
  readonly valueLabel: string;
  readonly categoryLabel: string;
  readonly width?: number;
}

/** A grouped or stacked bar chart, vertical or horizontal, with axes, units, a legend and a tooltip per bar. */
export function barChart(spec: BarChartSpec): string {
  const { categories, series } = spec;
  const names = series.map((s) => s.name);
  const width = spec.width ?? 760;
  const legendH = names.length > 1 || names[0] !== '' ? legendRows(names, width, 70) * 16 + 6 : 0;
  const maxLabel = Math.min(36, Math.max(4, ...categories.map((c) => c.length)));
  const horizontal = spec.horizontal ?? false;
  const bandPx = horizontal ? Math.max(16, 8 + (spec.stacked ? 1 : series.length) * 9) : 0;
  const plotH = horizontal ? Math.max(60, categories.length * bandPx) : 260;
  const f: Frame = horizontal
    ? { width, left: Math.min(300, 16 + maxLabel * 6.4), right: 24, top: 36 + legendH, bottom: 48, height: 0 }
    : { width, left: 78, right: 20, top: 36 + legendH, bottom: categories.some((c) => c.length > 8) ? 44 + Math.round(Math.min(22, maxLabel) * 6.2 * 0.58) : 56, height: 0 };
  const frame: Frame = { ...f, height: f.top + plotH + f.bottom };
  const totals = categories.map((_, ci) => (spec.stacked ? series.reduce((a, s) => a + Math.max(0, s.values[ci] ?? 0), 0) : Math.max(0, ...series.map((s) => s.values[ci] ?? 0))));
  const minVal = Math.min(0, ...series.flatMap((s) => s.values));
  const maxVal = Math.max(0, ...totals);
  const unit = spec.unit === 'J' ? energyUnit(maxVal) : spec.unit === 'b' ? bitsUnit(maxVal) : scaleUnit(maxVal, '');
  const ticks = niceTicks(minVal * unit.factor, maxVal * unit.factor);
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const plotW = frame.width - frame.left - frame.right;
  const valueLen = horizontal ? plotW : plotH;
  const pos = (v: number): number => ((v * unit.factor - lo) / (hi - lo)) * valueLen;
  const { id, head } = open('bar', spec.title, frame, `${spec.valueLabel} by ${spec.categoryLabel}`);
  const out: string[] = [head, legend(names, frame, 'box')];
  const axisTitle = `${spec.valueLabel}${unit.label ? ` (${unit.label})` : ''}`;
  // value axis with grid lines
  out.push('<g class="axis value-axis" font-size="11" fill="#333">');
  for (const t of ticks) {
    const p = ((t - lo) / (hi - lo)) * valueLen;
    if (horizontal) {
      const x = frame.left + p;
      out.push(`<line x1="${r2(x)}" y1="${frame.top}" x2="${r2(x)}" y2="${frame.top + plotH}" stroke="#ddd"/>`, `<text x="${r2(x)}" y="${frame.top + plotH + 15}" text-anchor="middle">${esc(fmt(t))}</text>`);
    } else {
      const y = frame.top + plotH - p;
      out.push(`<line x1="${frame.left}" y1="${r2(y)}" x2="${frame.left + plotW}" y2="${r2(y)}" stroke="#ddd"/>`, `<text x="${frame.left - 6}" y="${r2(y + 4)}" text-anchor="end">${esc(fmt(t))}</text>`);
    }
  }
  out.push(
    horizontal
      ? `<text class="axis-title" x="${frame.left + plotW / 2}" y="${frame.height - 10}" text-anchor="middle" font-size="12">${esc(axisTitle)}</text>`
      : `<text class="axis-title" transform="translate(16 ${frame.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(axisTitle)}</text>`,
    '</g>',
  );
  // bars
  const n = categories.length;
  const band = (horizontal ? plotH : plotW) / Math.max(1, n);
  const groupW = band * 0.78;
  const barW = spec.stacked ? groupW : groupW / Math.max(1, series.length);
  const zero = pos(0 / unit.factor);
  out.push('<g class="marks">');
  categories.forEach((cat, ci) => {
    const bandStart = ci * band + (band - groupW) / 2;
    let acc = 0;
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      let a: number;
      let b: number;
      if (spec.stacked) {
        a = pos(acc);
        acc += Math.max(0, v);
        b = pos(acc);
      } else {
        a = zero;
        b = pos(v);
      }
      const len = Math.abs(b - a);
      const start = Math.min(a, b);
      const off = bandStart + (spec.stacked ? 0 : si * barW);
      const tip = `${s.name ? `${s.name}, ` : ''}${cat}: ${fmt(v * unit.factor)}${unit.label ? ` ${unit.label}` : ''}`;
      const rect = horizontal
        ? `x="${r2(frame.left + start)}" y="${r2(frame.top + off)}" width="${r2(len)}" height="${r2(Math.max(1, barW - 1))}"`
        : `x="${r2(frame.left + off)}" y="${r2(frame.top + plotH - start - len)}" width="${r2(Math.max(1, barW - 1))}" height="${r2(len)}"`;
      out.push(`<rect class="mark" ${rect} fill="${color(si)}"><title>${esc(tip)}</title></rect>`);
    });
  });
  out.push('</g>');
  // category axis
  out.push('<g class="axis category-axis" font-size="11" fill="#333">');
  if (horizontal) {
    out.push(`<line x1="${frame.left}" y1="${frame.top}" x2="${frame.left}" y2="${frame.top + plotH}" stroke="#333"/>`);
    categories.forEach((cat, ci) => {
      out.push(`<text x="${frame.left - 6}" y="${r2(frame.top + ci * band + band / 2 + 4)}" text-anchor="end">${esc(truncate(cat, 36))}<title>${esc(cat)}</title></text>`);
    });
  } else {
    out.push(`<line x1="${frame.left}" y1="${r2(frame.top + plotH - zero)}" x2="${frame.left + plotW}" y2="${r2(frame.top + plotH - zero)}" stroke="#333"/>`);
    const rotate = categories.some((c) => c.length > 8);
    categories.forEach((cat, ci) => {
      const x = frame.left + ci * band + band / 2;
      const y = frame.top + plotH + 15;
      out.push(
        rotate
          ? `<text transform="translate(${r2(x)} ${y}) rotate(-35)" text-anchor="end">${esc(truncate(cat, 22))}<title>${esc(cat)}</title></text>`
          : `<text x="${r2(x)}" y="${y}" text-anchor="middle">${esc(cat)}</text>`,
      );
    });
    out.push(`<text class="axis-title" x="${frame.left + plotW / 2}" y="${frame.height - 8}" text-anchor="middle" font-size="12">${esc(spec.categoryLabel)}</text>`);
  }
  out.push('</g></svg>');
  void id;
  return out.join('');
}

export interface LineSeries {
  readonly name: string;
  /** x (a number, or a category index when the chart's x is categorical) and y. */
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartSpec {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly xLabel: string;
  /** When given, x values are indexes into these names, evenly spaced. */
  readonly xCategories?: readonly string[];
  readonly unit: 'J' | 'b' | '' | 'x';
  readonly yLabel: string;
  /** Draws a dashed horizontal reference line (e.g. a ratio of 1). */
  readonly reference?: { readonly y: number; readonly label: string };
  readonly width?: number;
}

/** A line chart with markers, axes, units and a legend; y starts at zero. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 760;
  const names = spec.series.map((s) => s.name);
  const legendH = legendRows(names, width, 70) * 16 + 6;
  const plotH = 260;
  const frame: Frame = { width, left: 78, right: 24, top: 36 + legendH, bottom: 56, height: 36 + legendH + plotH + 56 };
  const plotW = width - frame.left - frame.right;
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  if (spec.reference) ys.push(spec.reference.y);
  const maxY = Math.max(0, ...ys);
  const minY = Math.min(0, ...ys);
  const unit = spec.unit === 'J' ? energyUnit(maxY) : spec.unit === 'b' ? bitsUnit(maxY) : { factor: 1, label: spec.unit };
  const ticks = niceTicks(minY * unit.factor, maxY * unit.factor);
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const xs = spec.xCategories ? spec.xCategories.map((_, i) => i) : spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const categorical = spec.xCategories !== undefined;
  let xTicks: number[];
  let xLo: number;
  let xHi: number;
  if (categorical) {
    xTicks = xs;
    xLo = -0.5;
    xHi = Math.max(0, xs.length - 1) + 0.5;
  } else {
    const minX = Math.min(...xs);
    const maxX = Math.max(...xs);
    const distinct = [...new Set(xs)].sort((a, b) => a - b);
    xTicks = distinct.length <= 10 ? distinct : niceTicks(minX, maxX);
    const pad = maxX > minX ? (maxX - minX) * 0.04 : 1;
    xLo = Math.min(minX - pad, xTicks[0]!);
    xHi = Math.max(maxX + pad, xTicks[xTicks.length - 1]!);
  }
  const px = (x: number): number => frame.left + ((x - xLo) / (xHi - xLo)) * plotW;
  const py = (y: number): number => frame.top + plotH - ((y * unit.factor - lo) / (hi - lo)) * plotH;
  const { head } = open('line', spec.title, frame, `${spec.yLabel} against ${spec.xLabel}`);
  const out: string[] = [head, legend(names, frame, 'line')];
  out.push('<g class="axis" font-size="11" fill="#333">');
  for (const t of ticks) {
    const y = frame.top + plotH - ((t - lo) / (hi - lo)) * plotH;
    out.push(`<line x1="${frame.left}" y1="${r2(y)}" x2="${frame.left + plotW}" y2="${r2(y)}" stroke="#ddd"/>`, `<text x="${frame.left - 6}" y="${r2(y + 4)}" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  out.push(`<line x1="${frame.left}" y1="${frame.top + plotH}" x2="${frame.left + plotW}" y2="${frame.top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${frame.left}" y1="${frame.top}" x2="${frame.left}" y2="${frame.top + plotH}" stroke="#333"/>`);
  for (const t of xTicks) {
    const label = categorical ? truncate(spec.xCategories![t] ?? '', 16) : fmt(t);
    out.push(`<line x1="${r2(px(t))}" y1="${frame.top + plotH}" x2="${r2(px(t))}" y2="${frame.top + plotH + 4}" stroke="#333"/><text x="${r2(px(t))}" y="${frame.top + plotH + 16}" text-anchor="middle">${esc(label)}</text>`);
  }
  const yTitle = `${spec.yLabel}${unit.label ? ` (${unit.label})` : ''}`;
  out.push(
    `<text class="axis-title" transform="translate(16 ${frame.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yTitle)}</text>`,
    `<text class="axis-title" x="${frame.left + plotW / 2}" y="${frame.height - 12}" text-anchor="middle" font-size="12">${esc(spec.xLabel)}</text>`,
    '</g>',
  );
  if (spec.reference) {
    const y = py(spec.reference.y);
    out.push(
      `<g class="reference"><line x1="${frame.left}" y1="${r2(y)}" x2="${frame.left + plotW}" y2="${r2(y)}" stroke="#666" stroke-dasharray="5 4"/><text x="${frame.left + plotW - 4}" y="${r2(y - 4)}" text-anchor="end" font-size="11" fill="#444">${esc(spec.reference.label)}</text></g>`,
    );
  }
  out.push('<g class="marks">');
  spec.series.forEach((s, si) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    if (pts.length > 1) out.push(`<polyline class="mark" fill="none" stroke="${color(si)}" stroke-width="2" points="${pts.map((p) => `${r2(px(p[0]))},${r2(py(p[1]))}`).join(' ')}"/>`);
    for (const p of pts) {
      const xName = categorical ? (spec.xCategories![p[0]] ?? '') : fmt(p[0]);
      out.push(
        `<circle class="mark" cx="${r2(px(p[0]))}" cy="${r2(py(p[1]))}" r="3.5" fill="${color(si)}"><title>${esc(`${s.name ? `${s.name}, ` : ''}${spec.xLabel} ${xName}: ${fmt(p[1] * unit.factor)}${unit.label ? ` ${unit.label}` : ''}`)}</title></circle>`,
      );
    }
  });
  out.push('</g></svg>');
  return out.join('');
}
