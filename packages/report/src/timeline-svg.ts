/**
 * The timeline of a training iteration as inline SVG (no script): one lane per component
 * that did work, its steps coloured by stage, its waits for DRAM marked on top. Views are
 * plain SVGs of a time range (a stage's span) or of one layer's steps; the page switches
 * between them with links and CSS `:target`. Slices closer than a pixel are drawn as one
 * mark (its tooltip says how many), so a view has at most a few marks per pixel column. A
 * DRAM mark spans a step's bursts; its shade says how busy the channel was in it.
 */
import { STAGES, type Stage, type Timeline, type TimelineSliceEntry } from '@sata/plugin-api';
import { barChart, color, esc, niceTicks } from './svg.js';
import { formatNumber } from './table.js';

const STALL_COLOR = '#B00020';
const DRAIN_COLOR = '#999999';
const stageColor = (s: Stage | undefined): string => (s ? color(STAGES.indexOf(s)) : '#555555');

export interface TimelineView {
  /** Element id (the link target). */
  readonly id: string;
  readonly title: string;
  /** The cycles shown (default: the whole iteration). */
  readonly from?: number;
  readonly to?: number;
  /** Only this layer's steps. */
  readonly layer?: string;
}

const fmt = (v: number): string => formatNumber(Number(v.toPrecision(4)));
const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

interface Mark {
  x0: number;
  x1: number;
  kind: 'work' | 'stall' | 'drain';
  stage: Stage | undefined;
  first: TimelineSliceEntry;
  count: number;
  cycles: number;
  /** Cycles the component was really busy inside the mark (DRAM: its bursts), when the slices say. */
  busy: number | undefined;
}

/** One view of the timeline: lanes of marks under a time axis in microseconds. */
export function timelineSvg(tl: Timeline, view: TimelineView): string {
  const width = 760;
  const left = 128;
  const right = 16;
  const plotW = width - left - right;
  const from = view.from ?? 0;
  const to = Math.max(view.to ?? tl.cycles, from + 1);
  const stepOf = (s: TimelineSliceEntry) => (typeof s.args.step === 'number' ? tl.steps[s.args.step] : undefined);
  const shown = tl.slices.filter((s) => s.end >= from && s.start <= to && (view.layer === undefined || stepOf(s)?.layer === view.layer));
  const lanes = tl.tracks.filter((t) => tl.slices.some((s) => s.track === t.name));
  const laneH = 16;
  const gap = 6;
  const top = 52;
  const plotH = lanes.length * (laneH + gap);
  const height = top + plotH + 44;
  const x = (cycle: number): number => left + ((Math.min(Math.max(cycle, from), to) - from) / (to - from)) * plotW;
  const us = (cycle: number): number => cycle / tl.clockMHz;
  const out: string[] = [
    `<svg class="timeline" id="${esc(view.id)}-svg" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${esc(view.id)}-t">`,
    `<title id="${esc(view.id)}-t">${esc(view.title)}</title>`,
    `<rect class="bg" x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="title" x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(view.title)}</text>`,
  ];
  // Legend: the stages, stalls, drains.
  const legend: Array<[string, string]> = [...STAGES.map((s) => [s, stageColor(s)] as [string, string]), ['stall (waiting for DRAM)', STALL_COLOR], ['drain', DRAIN_COLOR]];
  let lx = left;
  out.push('<g class="legend" font-size="11">');
  for (const [name, c] of legend) {
    out.push(`<rect x="${lx}" y="28" width="10" height="10" fill="${c}"/><text x="${lx + 14}" y="37">${esc(name)}</text>`);
    lx += 22 + name.length * 6.2;
  }
  out.push('</g>');
  lanes.forEach((lane, li) => {
    const y = top + li * (laneH + gap);
    const slices = shown.filter((s) => s.track === lane.name).sort((a, b) => a.start - b.start || b.end - a.end);
    // Marks per kind (and stage), merged where they are closer than a pixel.
    const marks: Mark[] = [];
    const open = new Map<string, Mark>();
    for (const s of slices) {
      const kind = s.name === 'stall' ? 'stall' : s.name === 'drain' ? 'drain' : 'work';
      const stage = stepOf(s)?.stage;
      const key = `${kind}/${stage ?? ''}`;
      const x0 = x(s.start);
      const x1 = x(s.end);
      const m = open.get(key);
      if (m && x0 - m.x1 < 1) {
        m.x1 = Math.max(m.x1, x1);
        m.count++;
        m.cycles += s.end - s.start;
        if (m.busy !== undefined && typeof s.args.busyCycles === 'number') m.busy += s.args.busyCycles;
        continue;
      }
      const mark: Mark = { x0, x1, kind, stage, first: s, count: 1, cycles: s.end - s.start, busy: typeof s.args.busyCycles === 'number' ? s.args.busyCycles : undefined };
      open.set(key, mark);
      marks.push(mark);
    }
    out.push(`<g class="lane" data-lane="${esc(lane.name)}" data-role="${esc(lane.role)}">`);
    out.push(`<rect class="lane-bg" x="${left}" y="${y}" width="${plotW}" height="${laneH}" fill="#f4f4f4"/>`);
    out.push(`<text class="lane-label" x="${left - 6}" y="${y + laneH - 4}" text-anchor="end" font-size="11">${esc(lane.name)}</text>`);
    // Work first, then drains and stalls on top (they lie inside their step's work).
    for (const kind of ['work', 'drain', 'stall'] as const) {
      for (const m of marks.filter((k) => k.kind === kind)) {
        const fill = kind === 'stall' ? STALL_COLOR : kind === 'drain' ? DRAIN_COLOR : stageColor(m.stage);
        const h = kind === 'work' ? laneH : laneH / 2;
        const yy = kind === 'work' ? y : y + laneH / 2;
        const step = stepOf(m.first);
        const what = m.count > 1 ? `${m.count} ${kind === 'work' ? 'steps' : `${kind}s`}, ${formatNumber(m.cycles)} cycles` : `${kind === 'work' ? m.first.name : `${m.first.name}${m.first.args.cause ? ` (${m.first.args.cause})` : ''} in ${step?.label ?? ''}`}: ${fmt(us(m.first.start))}–${fmt(us(m.first.end))} µs, ${formatNumber(m.cycles)} cycles`;
        const energy = kind === 'work' && m.count === 1 && step ? `, step energy ${fmt(step.energyPJ / 1e6)} µJ` : '';
        // A group of bursts is shaded by how busy the channel was in it.
        const share = m.busy !== undefined && m.cycles > 0 ? Math.min(1, m.busy / m.cycles) : undefined;
        const busy = share !== undefined ? `, busy ${(100 * share).toFixed(0)}% of it` : '';
        const opacity = share !== undefined ? ` fill-opacity="${r2(0.15 + 0.85 * share)}"` : '';
        out.push(`<rect class="mark ${kind}" data-stage="${esc(m.stage ?? '')}" x="${r2(m.x0)}" y="${r2(yy)}" width="${r2(Math.max(0.5, m.x1 - m.x0))}" height="${h}" fill="${fill}"${opacity}><title>${esc(`${lane.name}: ${what}${busy}${energy}`)}</title></rect>`);
      }
    }
    out.push('</g>');
  });
  // Time axis.
  const ticks = niceTicks(us(from), us(to));
  const axisY = top + plotH + 2;
  out.push('<g class="axis" font-size="11" fill="#333">');
  out.push(`<line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" stroke="#333"/>`);
  for (const t of ticks) {
    const c = t * tl.clockMHz;
    if (c < from - 1e-9 || c > to + 1e-9) continue;
    out.push(`<line x1="${r2(x(c))}" y1="${axisY}" x2="${r2(x(c))}" y2="${axisY + 4}" stroke="#333"/><text x="${r2(x(c))}" y="${axisY + 16}" text-anchor="middle">${esc(fmt(t))}</text>`);
  }
  out.push(`<text class="axis-title" x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">time (µs at ${esc(fmt(tl.clockMHz))} MHz)</text>`);
  out.push('</g></svg>');
  return out.join('');
}

/** The views a report offers: the whole iteration, each stage's span, each layer's steps. */
export function timelineViews(tl: Timeline, idPrefix: string): TimelineView[] {
  const views: TimelineView[] = [{ id: `${idPrefix}-all`, title: 'Timeline: the whole iteration' }];
  for (const s of STAGES) {
    const steps = tl.steps.filter((x) => x.stage === s);
    if (steps.length === 0) continue;
    views.push({ id: `${idPrefix}-${s}`, title: `Timeline: ${s} (zoomed to its span)`, from: Math.min(...steps.map((x) => x.startCycle)), to: Math.max(...steps.map((x) => x.endCycle)) });
  }
  const layers: string[] = [];
  for (const x of tl.steps) if (!layers.includes(x.layer)) layers.push(x.layer);
  layers.forEach((l, i) => views.push({ id: `${idPrefix}-layer${i}`, title: `Timeline: the steps of layer ${l}`, layer: l }));
  return views;
}

/** Energy over time: each step's computation, data movement and leakage spread over its cycles, in equal bins. */
export function energyOverTime(tl: Timeline, title: string, bins = 20): string {
  const n = Math.max(1, Math.min(bins, tl.cycles));
  const width = tl.cycles / n;
  const parts = { computation: new Array<number>(n).fill(0), 'data movement': new Array<number>(n).fill(0), leakage: new Array<number>(n).fill(0) };
  for (const s of tl.steps) {
    const shares: Array<[keyof typeof parts, number]> = [['computation', s.computePJ], ['data movement', s.memoryPJ], ['leakage', s.leakagePJ]];
    const len = s.endCycle - s.startCycle;
    for (let b = Math.floor(s.startCycle / width); b < n && b * width <= s.endCycle; b++) {
      const overlap = len > 0 ? (Math.min(s.endCycle, (b + 1) * width) - Math.max(s.startCycle, b * width)) / len : b === Math.min(n - 1, Math.floor(s.startCycle / width)) ? 1 : 0;
      if (overlap <= 0) continue;
      for (const [k, e] of shares) parts[k][b]! += e * overlap;
    }
  }
  // Bins labelled by their start, in ms once the iteration is long (short labels fit under the bars).
  const [unit, perUs] = tl.cycles / tl.clockMHz >= 10_000 ? ['ms', 1e-3] : ['µs', 1];
  const label = (cycles: number): string => String(Number(((cycles / tl.clockMHz) * perUs).toPrecision(3)));
  return barChart({
    title,
    categories: Array.from({ length: n }, (_, b) => label(b * width)),
    series: Object.entries(parts).map(([name, values]) => ({ name, values })),
    stacked: true,
    unit: 'J',
    valueLabel: `energy per ${label(width)} ${unit}`,
    categoryLabel: `time from the start of the iteration (${unit}), each bar one bin`,
  });
}
