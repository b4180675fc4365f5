import { ConfigError, readInputText } from '@sata/core';
import { STAGES, type ComparisonResult, type PlacementFlow, type SweepResult, type TrainingResult } from '@sata/plugin-api';
import { resultMetrics, sweepRows } from './metrics.js';
import { barChart, esc, lineChart, resetChartIds, type LineSeries, type Series } from './svg.js';
import { formatNumber } from './table.js';
import { energyOverTime, timelineSvg, timelineViews } from './timeline-svg.js';
import { isSnn } from './text.js';
import { parseResult, type ResultDocument } from './validate.js';

/** One document to report on and where it came from (shown in the report, escaped). */
export interface ReportInput {
  readonly name: string;
  readonly doc: ResultDocument;
}

export interface ReportOptions {
  readonly title?: string;
  /** A line saying what made the report (e.g. `sata report 0.1.0`). */
  readonly generator?: string;
}

/** Reads and checks result files; the first bad one is a ConfigError naming the file and field. */
export function loadReportInputs(files: readonly string[]): ReportInput[] {
  if (files.length === 0) throw new ConfigError('name at least one result file (sata simulate --json, sata compare --json or sata sweep --json output)');
  return files.map((file) => {
    return { name: file, doc: parseResult(readInputText(file, 'result file'), file) };
  });
}

const MAX_SERIES = 10;

function runLabel(r: TrainingResult): string {
  const what = isSnn(r) ? (r.arch === 'sata' ? 'SNN on SATA' : `SNN on ${r.arch}`) : r.arch === 'eyeriss' ? 'ANN on Eyeriss-like baseline' : `ANN on ${r.arch}`;
  return `${what}${r.sparsityAware ? '' : ' (sparsity-unaware)'}`;
}

function num(v: number): string {
  return formatNumber(Number(v.toPrecision(6)));
}

function table(header: readonly string[], rows: readonly (readonly (string | number | boolean)[])[], cls = ''): string {
  const cell = (v: string | number | boolean): string => (typeof v === 'number' ? `<td class="n">${esc(num(v))}</td>` : `<td>${esc(String(v))}</td>`);
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

function figure(svg: string, caption?: string): string {
  return `<figure>${svg}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}</figure>`;
}

const pj = (v: number): string => {
  const a = Math.abs(v);
  const [f, u] = a >= 1e12 ? [1e-12, 'J'] : a >= 1e9 ? [1e-9, 'mJ'] : a >= 1e6 ? [1e-6, 'µJ'] : a >= 1e3 ? [1e-3, 'nJ'] : [1, 'pJ'];
  return `${num(v * f)} ${u}`;
};

function placementChart(title: string, flows: readonly PlacementFlow[]): string {
  const keys: string[] = [];
  const byKey = new Map<string, Record<string, number>>();
  for (const f of flows) {
    const k = `${f.tensor}: ${f.from} → ${f.to}`;
    if (!byKey.has(k)) (byKey.set(k, {}), keys.push(k));
    const rec = byKey.get(k)!;
    rec[f.stage] = (rec[f.stage] ?? 0) + f.bits;
  }
  const series: Series[] = STAGES.map((s) => ({ name: s, values: keys.map((k) => byKey.get(k)![s] ?? 0) }));
  return barChart({ title, categories: keys, series, stacked: true, horizontal: true, unit: 'b', valueLabel: 'data moved', categoryLabel: 'tensor: from → to' });
}

function summaryTable(r: TrainingResult): string {
  const e = r.energyPJ;
  return table(
    ['', ''],
    [
      ['network', r.network],
      ['architecture', runLabel(r)],
      ['sparsity source', r.sparsitySource],
      ['total energy', pj(e.total)],
      ['computation / memory / leakage', `${pj(e.compute)} / ${pj(e.memory)} / ${pj(e.leakage)}`],
      ['cycles (compute + stall)', `${formatNumber(r.cycles)} (${formatNumber(r.computeCycles)} + ${formatNumber(r.stallCycles)})`],
      ['time', `${num(r.seconds)} s`],
      ['time steps', r.timesteps.length],
      ['energy model', `${r.energyModel.name}@${r.energyModel.version}`],
      ['events', r.events],
    ],
    'kv',
  );
}

let timelineSeq = 0;

/**
 * The run's timeline: views switched by plain links (CSS :target, no script), the whole
 * iteration shown until a link picks another; then the energy over time.
 */
function timelineBlock(r: TrainingResult, who: string): string {
  const tl = r.timeline!;
  const prefix = `tl-${++timelineSeq}`;
  const views = timelineViews(tl, prefix);
  const link = (id: string, text: string): string => `<a href="#${esc(id)}">${esc(text)}</a>`;
  const stages = views.filter((v) => v.from !== undefined);
  const layers = views.filter((v) => v.layer !== undefined);
  const nav = [
    link(views[0]!.id, 'whole iteration'),
    stages.length ? `zoom to a stage: ${stages.map((v) => link(v.id, v.title.split(' ')[1]!)).join(' · ')}` : '',
    layers.length ? `one layer's steps: ${layers.map((v) => link(v.id, v.layer!)).join(' · ')}` : '',
  ].filter(Boolean);
  const counted = `${formatNumber(tl.slices.length)} slices on ${tl.tracks.length} tracks, ${formatNumber(tl.steps.length)} steps, ${formatNumber(tl.cycles)} cycles`;
  return (
    `<h4>Timeline</h4><p class="note">Where the cycles go: per component, the work of every step (coloured by stage), the waits for DRAM (red), the drains (grey); ${esc(counted)}. Hover a mark for its step, cycles and energy.</p>` +
    `<p class="tl-nav">${nav.join('<br>')}</p>` +
    `<div class="tl-views">${views.map((v, i) => `<div id="${esc(v.id)}" class="tl-view${i === 0 ? ' tl-default' : ''}">${timelineSvg(tl, v)}</div>`).join('')}</div>` +
    figure(energyOverTime(tl, `Energy over time: ${who}`), 'Each step\'s energy spread evenly over its cycles.')
  );
}

function trainingSection(r: TrainingResult, title: string): string {
  const e = r.energyPJ;
  const who = runLabel(r);
  const parts = [summaryTable(r)];
  parts.push(figure(barChart({ title: `Energy by stage: ${who}`, categories: [...STAGES], series: [{ name: '', values: STAGES.map((s) => e.byStage[s]) }], unit: 'J', valueLabel: 'energy', categoryLabel: 'training stage' })));
  parts.push(figure(barChart({ title: `Computation, memory and leakage: ${who}`, categories: ['computation', 'memory', 'leakage'], series: [{ name: '', values: [e.compute, e.memory, e.leakage] }], unit: 'J', valueLabel: 'energy', categoryLabel: 'energy class' })));
  if (e.byLayer.length > 0) {
    const layers = e.byLayer.map((l) => `${l.index} ${l.name}`);
    parts.push(figure(barChart({ title: `Energy by layer and stage: ${who}`, categories: layers, series: STAGES.map((s) => ({ name: s, values: e.byLayer.map((l) => l.byStage[s]) })), stacked: true, unit: 'J', valueLabel: 'energy', categoryLabel: 'layer' })));
    parts.push(figure(barChart({ title: `Computation and memory energy by layer: ${who}`, categories: layers, series: [{ name: 'computation', values: e.byLayer.map((l) => l.computePJ) }, { name: 'memory', values: e.byLayer.map((l) => l.memoryPJ) }], stacked: true, unit: 'J', valueLabel: 'energy', categoryLabel: 'layer' })));
  }
  const comps = Object.entries(e.byComponent).sort((a, b) => b[1] - a[1]);
  if (comps.length > 0) parts.push(figure(barChart({ title: `Energy by component: ${who}`, categories: comps.map((c) => c[0]), series: [{ name: '', values: comps.map((c) => c[1]) }], horizontal: true, unit: 'J', valueLabel: 'energy', categoryLabel: 'component' })));
  if (r.placement.length > 0) parts.push(figure(placementChart(`Data placement by tensor and stage: ${who}`, r.placement)));
  if (r.timesteps.length > 1) parts.push(figure(barChart({ title: `Energy by time step: ${who}`, categories: r.timesteps.map((t) => String(t.t)), series: [{ name: '', values: r.timesteps.map((t) => t.energyPJ) }], unit: 'J', valueLabel: 'energy', categoryLabel: 'time step t' })));
  if (r.timeline) parts.push(timelineBlock(r, who));
  const ops = Object.entries(r.ops);
  if (ops.length > 0) parts.push(`<h4>Operations</h4>${table(['kind', 'active', 'gated', 'gated share'], ops.map(([k, o]) => [k, o.active, o.gated, o.active + o.gated > 0 ? `${((100 * o.gated) / (o.active + o.gated)).toFixed(1)}%` : '-']))}`);
  return section(title, parts.join(''));
}

/** Charts of several training results side by side (the SNN on SATA against the ANN baseline, or any runs given). */
function compareRuns(runs: readonly { label: string; r: TrainingResult }[], title: string, intro: string): string {
  const series = (f: (r: TrainingResult) => readonly number[]): Series[] => runs.map(({ label, r }) => ({ name: label, values: f(r) }));
  const parts = [`<p>${esc(intro)}</p>`];
  parts.push(figure(barChart({ title: 'Energy by training stage', categories: [...STAGES], series: series((r) => STAGES.map((s) => r.energyPJ.byStage[s])), unit: 'J', valueLabel: 'energy', categoryLabel: 'training stage' })));
  parts.push(figure(barChart({ title: 'Computation, memory and leakage energy', categories: ['computation', 'memory', 'leakage', 'total'], series: series((r) => [r.energyPJ.compute, r.energyPJ.memory, r.energyPJ.leakage, r.energyPJ.total]), unit: 'J', valueLabel: 'energy', categoryLabel: 'energy class' })));
  const layerNames: string[] = [];
  for (const { r } of runs) for (const l of r.energyPJ.byLayer) if (!layerNames.includes(`${l.index} ${l.name}`)) layerNames.push(`${l.index} ${l.name}`);
  if (layerNames.length > 0) {
    parts.push(figure(barChart({ title: 'Energy by layer', categories: layerNames, series: series((r) => layerNames.map((n) => r.energyPJ.byLayer.find((l) => `${l.index} ${l.name}` === n)?.totalPJ ?? 0)), unit: 'J', valueLabel: 'energy', categoryLabel: 'layer' })));
  }
  const comps: string[] = [];
  for (const { r } of runs) for (const k of Object.keys(r.energyPJ.byComponent)) if (!comps.includes(k)) comps.push(k);
  if (comps.length > 0) parts.push(figure(barChart({ title: 'Energy by component', categories: comps, series: series((r) => comps.map((k) => r.energyPJ.byComponent[k] ?? 0)), horizontal: true, unit: 'J', valueLabel: 'energy', categoryLabel: 'component' })));
  const stagesMoved = (r: TrainingResult): number[] => STAGES.map((s) => r.placement.filter((f) => f.stage === s).reduce((a, f) => a + f.bits, 0));
  if (runs.some(({ r }) => r.placement.length > 0)) parts.push(figure(barChart({ title: 'Data moved between memory levels by stage', categories: [...STAGES], series: series(stagesMoved), unit: 'b', valueLabel: 'data moved', categoryLabel: 'training stage' })));
  return section(title, parts.join(''));
}

function comparisonSection(c: ComparisonResult, title: string): string {
  const g = c.sparsityGain;
  const s = c.snnOverAnn;
  const headline = table(
    ['figure', 'ours', 'paper', 'definition'],
    [
      ['sparsity gain (computation energy)', `${num(g.value)}x`, `${num(g.paper)}x`, g.definition],
      ['SNN / ANN total training energy', `${num(s.value)}x`, `${num(s.paper)}x`, s.definition],
    ],
  );
  const runs = [
    { label: 'SNN on SATA (sparsity-aware)', r: g.aware },
    { label: 'SNN on SATA (sparsity-unaware)', r: g.unaware },
    { label: 'ANN on Eyeriss-like baseline', r: s.ann },
  ];
  const inner = compareRuns(runs, `${title}: breakdown`, 'The SNN trained with BPTT on SATA, with and without sparsity gating, against the same network trained as an ANN on the Eyeriss-like baseline.');
  const placement = figure(placementChart('Data placement by tensor and stage: SNN on SATA', s.snn.placement)) + figure(placementChart('Data placement by tensor and stage: ANN on baseline', s.ann.placement));
  const timelines = runs.filter(({ r }) => r.timeline).map(({ label, r }) => `<h4>${esc(label)}</h4>${timelineBlock(r, label)}`).join('');
  return section(title, `<h4>Headline figures</h4>${headline}${inner}${s.snn.placement.length + s.ann.placement.length > 0 ? placement : ''}${timelines}`);
}

function sweepSection(sw: SweepResult, title: string): string {
  const parts: string[] = [];
  parts.push(
    table(
      ['', ''],
      [
        ['swept parameters', sw.params.join(', ')],
        ['mode', sw.mode],
        ['points', `${sw.points.length} of ${sw.totalPoints}${sw.shard ? ` (shard ${sw.shard.index}/${sw.shard.count})` : ''}`],
      ],
      'kv',
    ),
  );
  if (sw.points.length === 0) return section(title, `${parts.join('')}<p>No points.</p>`);
  const comparison = sw.points.every((p) => p.result.kind === 'comparison');
  const training = sw.points.every((p) => p.result.kind === 'training-iteration');
  for (const param of sw.params) {
    const values = sw.points.map((p) => p.params[param]!);
    const numeric = values.every((v) => typeof v === 'number');
    const cats = numeric ? undefined : [...new Set(values.map(String))];
    const xOf = (v: string | number | boolean): number => (numeric ? (v as number) : cats!.indexOf(String(v)));
    const others = sw.params.filter((q) => q !== param);
    const groupKey = (p: SweepResult['points'][number]): string => sw.mode === 'paired' ? '' : others.map((q) => `${q}=${String(p.params[q])}`).join(', ');
    const groups: string[] = [];
    for (const p of sw.points) if (!groups.includes(groupKey(p))) groups.push(groupKey(p));
    const shown = groups.slice(0, MAX_SERIES);
    const note = groups.length > MAX_SERIES ? `Showing the first ${MAX_SERIES} of ${groups.length} combinations of ${others.join(', ')}.` : undefined;
    const lines = (metric: (r: SweepResult['points'][number]['result']) => number | undefined, prefix = ''): LineSeries[] =>
      shown.map((gk) => ({
        name: `${prefix}${gk}` || 'all points',
        points: sw.points.filter((p) => groupKey(p) === gk).flatMap((p) => {
          const y = metric(p.result);
          return y === undefined ? [] : [[xOf(p.params[param]!), y] as const];
        }),
      }));
    const base = { xLabel: param, ...(cats ? { xCategories: cats } : {}) };
    if (training) {
      parts.push(figure(lineChart({ ...base, title: `Total training energy against ${param}`, series: lines((r) => (r.kind === 'training-iteration' ? r.energyPJ.total : undefined)), unit: 'J', yLabel: 'energy per iteration' }), note));
      if (others.length === 0 || sw.mode === 'paired') {
        const byClass: LineSeries[] = (['compute', 'memory', 'leakage'] as const).map((k) => ({ name: k === 'compute' ? 'computation' : k, points: sw.points.map((p) => [xOf(p.params[param]!), (p.result as TrainingResult).energyPJ[k]] as const) }));
        parts.push(figure(lineChart({ ...base, title: `Computation, memory and leakage energy against ${param}`, series: byClass, unit: 'J', yLabel: 'energy per iteration' })));
        const byStage: LineSeries[] = STAGES.map((s) => ({ name: s, points: sw.points.map((p) => [xOf(p.params[param]!), (p.result as TrainingResult).energyPJ.byStage[s]] as const) }));
        parts.push(figure(lineChart({ ...base, title: `Energy by stage against ${param}`, series: byStage, unit: 'J', yLabel: 'energy per iteration' })));
      }
    } else if (comparison) {
      const cmp = (f: (c: ComparisonResult) => number) => (r: SweepResult['points'][number]['result']) => (r.kind === 'comparison' ? f(r) : undefined);
      parts.push(figure(lineChart({ ...base, title: `SNN/ANN training energy ratio against ${param}`, series: lines(cmp((c) => c.snnOverAnn.value)), unit: 'x', yLabel: 'SNN energy / ANN energy', reference: { y: 1, label: 'equal energy' } }), note));
      parts.push(figure(lineChart({ ...base, title: `Sparsity gain (computation energy) against ${param}`, series: lines(cmp((c) => c.sparsityGain.value)), unit: 'x', yLabel: 'unaware / aware computation energy' }), note));
      const both = others.length === 0 || sw.mode === 'paired' ? [...lines(cmp((c) => c.snnOverAnn.snn.energyPJ.total), 'SNN on SATA '), ...lines(cmp((c) => c.snnOverAnn.ann.energyPJ.total), 'ANN on baseline ')] : lines(cmp((c) => c.snnOverAnn.snn.energyPJ.total));
      parts.push(figure(lineChart({ ...base, title: `${others.length === 0 || sw.mode === 'paired' ? 'SNN and ANN' : 'SNN'} total training energy against ${param}`, series: both, unit: 'J', yLabel: 'energy per iteration' }), note));
    } else {
      parts.push(figure(lineChart({ ...base, title: `Total energy against ${param}`, series: lines((r) => resultMetrics(r)[r.kind === 'comparison' ? 'snnTotalPJ' : 'totalPJ'] as number), unit: 'J', yLabel: 'energy per iteration' }), note));
    }
  }
  const { header, rows } = sweepRows(sw);
  parts.push(`<h4>Points</h4><div class="scroll">${table(header, rows)}</div>`);
  return section(title, parts.join(''));
}

let sectionSeq = 0;
const toc: string[] = [];
function section(title: string, body: string): string {
  const id = `section-${++sectionSeq}`;
  toc.push(`<li><a href="#${id}">${esc(title)}</a></li>`);
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:820px;padding:16px 24px;color:#111;background:#fff}
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:2em}h4{margin:1.2em 0 .4em}
figure{margin:16px 0}figcaption{font-size:.85em;color:#555}svg.chart{display:block;max-width:100%;height:auto;border:1px solid #eee}
table{border-collapse:collapse;font-size:.85em;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
table.kv td:first-child{color:#555}.scroll{overflow-x:auto}.note{color:#555;font-size:.9em}code{font-size:.95em}
svg.timeline{display:block;max-width:100%;height:auto;border:1px solid #eee}.tl-nav{font-size:.85em;line-height:1.6}
.tl-view{display:none}.tl-view:target{display:block}.tl-views:not(:has(.tl-view:target)) .tl-default{display:block}
`;

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no font or image
 * to fetch; a Content-Security-Policy forbids any) from result documents. Every string taken
 * from the inputs is escaped. Deterministic: the same inputs give the same bytes.
 */
export function renderReport(inputs: readonly ReportInput[], opts: ReportOptions = {}): string {
  resetChartIds();
  sectionSeq = 0;
  timelineSeq = 0;
  toc.length = 0;
  const sections: string[] = [];
  const trainings = inputs.filter((i): i is ReportInput & { doc: TrainingResult } => i.doc.kind === 'training-iteration');
  if (trainings.length >= 2) {
    sections.push(
      compareRuns(
        trainings.map((t) => ({ label: `${runLabel(t.doc)}: ${t.doc.network} (${t.name})`, r: t.doc })),
        'Training results side by side',
        `The ${trainings.length} training results given, side by side.`,
      ),
    );
  }
  for (const input of inputs) {
    const d = input.doc;
    if (d.kind === 'training-iteration') sections.push(trainingSection(d, `${runLabel(d)}: ${d.network} (${input.name})`));
    else if (d.kind === 'comparison') sections.push(comparisonSection(d, `Comparison: ${d.snnOverAnn.snn.network} (${input.name})`));
    else sections.push(sweepSection(d, `Sweep over ${d.params.join(', ')} (${input.name})`));
  }
  const title = opts.title ?? 'SATA training energy report';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    `<p class="note">${opts.generator ? `${esc(opts.generator)} from ` : 'From '}${inputs.length} result document${inputs.length === 1 ? '' : 's'}: ${inputs.map((i) => `<code>${esc(i.name)}</code> (${esc(i.doc.kind)})`).join(', ')}. Energies per training iteration.</p>`,
    `<nav><ol>${toc.join('')}</ol></nav>`,
    ...sections,
    '</body></html>',
    '',
  ].join('\n');
}
