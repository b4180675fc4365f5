import { STAGES, type AlgorithmComparisonResult, type ComparisonResult, type TrainingResult } from '@sata/plugin-api';
import { formatNumber, formatTable } from './table.js';

/** Energy with an SI prefix: 3.2e10 pJ -> "32.0 mJ". */
export function formatEnergy(pj: number): string {
  const units: Array<[number, string]> = [[1e12, 'J'], [1e9, 'mJ'], [1e6, 'uJ'], [1e3, 'nJ'], [1, 'pJ']];
  for (const [scale, unit] of units) if (Math.abs(pj) >= scale) return `${(pj / scale).toFixed(3)} ${unit}`;
  return `${pj.toFixed(3)} pJ`;
}

function formatBits(bits: number): string {
  const bytes = bits / 8;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(2)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

const pct = (part: number, total: number): string => (total > 0 ? `${((100 * part) / total).toFixed(1)}%` : '-');

/** The stage and layer tables' own line for the leakage of the final wait for posted DRAM writes. */
export const DRAIN_LINE = 'drain (final wait for posted DRAM writes)';

/** The drain line of a stage or layer table, when the result has one. */
export function drainRows<R>(e: TrainingResult['energyPJ'], row: (drainPJ: number) => R): R[] {
  return e.drain !== undefined && e.drain > 0 ? [row(e.drain)] : [];
}

/**
 * The energy of one iteration, readable: the split into computation, data movement and
 * leakage, then tables by stage, by layer and by component (what simulate prints and what
 * replay --energy prints after re-costing).
 */
export function energyLines(e: TrainingResult['energyPJ']): string[] {
  const lines: string[] = [];
  lines.push(`energy ${formatEnergy(e.total)}: computation ${formatEnergy(e.compute)} (${pct(e.compute, e.total)}), data movement ${formatEnergy(e.memory)} (${pct(e.memory, e.total)}), leakage ${formatEnergy(e.leakage)} (${pct(e.leakage, e.total)})`);
  lines.push('');
  lines.push(formatTable(['stage', 'energy', 'share'], [...STAGES.map((s) => [s, formatEnergy(e.byStage[s]), pct(e.byStage[s], e.total)]), ...drainRows(e, (d) => [DRAIN_LINE, formatEnergy(d), pct(d, e.total)])], { title: 'Energy by stage' }));
  lines.push('');
  lines.push(
    formatTable(
      ['layer', 'kind', 'energy', 'computation', 'data movement', 'FP', 'BP', 'WG', 'WU'],
      [
        ...e.byLayer.map((l) => [l.name, l.kind, formatEnergy(l.totalPJ), formatEnergy(l.computePJ), formatEnergy(l.memoryPJ), ...STAGES.map((s) => formatEnergy(l.byStage[s]))]),
        ...drainRows(e, (d) => ['drain', '-', formatEnergy(d), '-', '-', '-', '-', '-', '-']),
      ],
      { title: 'Energy by layer (leakage shared by cycles)' },
    ),
  );
  lines.push('');
  const comps = Object.entries(e.byComponent).sort((a, b) => b[1] - a[1]);
  lines.push(formatTable(['component', 'energy', 'share'], comps.map(([k, v]) => [k, formatEnergy(v), pct(v, e.total)]), { title: 'Energy by component' }));
  return lines;
}

/** The readable form of one training-iteration result. */
export function formatTrainingResult(r: TrainingResult, opts: { placementRows?: number } = {}): string {
  const e = r.energyPJ;
  const cfg = r.config as { timesteps?: number; batch?: number; dataflow?: string; array?: { rows: number; cols: number } };
  const lines: string[] = [];
  lines.push(
    `${isSnn(r) ? `SNN BPTT (T=${cfg.timesteps})` : 'ANN'} training iteration of ${r.network} on ${r.arch === 'sata' ? 'SATA' : r.arch === 'eyeriss' ? 'the Eyeriss-like baseline' : r.arch}: batch ${cfg.batch}, dataflow ${cfg.dataflow}, array ${cfg.array?.rows}x${cfg.array?.cols}`,
  );
  lines.push(`sparsity: ${r.sparsitySource}${r.sparsityAware ? ', gating on' : ', sparsity-unaware (nothing gated)'}; energy model ${r.energyModel.name}@${r.energyModel.version}`);
  lines.push(`cycles ${formatNumber(r.cycles)} (compute ${formatNumber(r.computeCycles)}, stall ${formatNumber(r.stallCycles)}), ${(r.seconds * 1e3).toFixed(3)} ms; ${formatNumber(r.events)} events`);
  lines.push(...energyLines(e));
  lines.push('');
  const ops = Object.entries(r.ops);
  lines.push(formatTable(['operations', 'active', 'gated', 'active share'], ops.map(([k, o]) => [k, o.active, o.gated, pct(o.active, o.active + o.gated)]), { title: 'Operations (gated: skipped because an operand was zero)' }));
  lines.push('');
  const dramFlows = r.placement.filter((p) => p.from === 'dram' || p.to === 'dram').sort((a, b) => b.bits - a.bits).slice(0, opts.placementRows ?? 12);
  lines.push(formatTable(['tensor', 'stage', 'from', 'to', 'moved'], dramFlows.map((p) => [p.tensor, p.stage, p.from, p.to, formatBits(p.bits)]), { title: 'Largest DRAM traffic by tensor and stage (all flows: --json placement)' }));
  if (r.timesteps.length > 0 && isSnn(r)) {
    lines.push('');
    lines.push(formatTable(['step', 'cycles', 'energy'], r.timesteps.map((t) => [t.t === 0 ? 'all steps (batched GEMMs, WU)' : `t=${t.t}`, t.cycles, formatEnergy(t.energyPJ)]), { title: 'By time step' }));
  }
  const unpriced = r.unpriced ?? [];
  if (unpriced.length) lines.push('', `not priced by ${r.energyModel.name} (counted, energy 0): ${unpriced.join(', ')}`);
  return lines.join('\n');
}

function sumOps(r: TrainingResult, prefix: string): number {
  return Object.entries(r.ops)
    .filter(([k]) => ['FP', 'BP', 'WG'].some((s) => k.startsWith(`${s}.`)) && (k.endsWith('.mac') || k.endsWith('.and_accumulate')) && k.startsWith(prefix))
    .reduce((s, [, o]) => s + o.active + o.gated, 0);
}

/** The readable form of `sata compare`: the two headline figures, their definitions and what explains them. */
export function formatComparison(c: ComparisonResult): string {
  const { aware, unaware } = c.sparsityGain;
  const { snn, ann } = c.snnOverAnn;
  const T = (snn.config as { timesteps?: number }).timesteps ?? 1;
  const lines: string[] = [];
  lines.push(`Sparsity gain in computation energy: ${c.sparsityGain.value.toFixed(2)}x (paper: ${c.sparsityGain.paper}x)`);
  lines.push(`  = ${c.sparsityGain.definition}`);
  lines.push(`SNN / ANN total training energy: ${c.snnOverAnn.value.toFixed(2)}x (paper: ${c.snnOverAnn.paper}x)`);
  lines.push(`  = ${c.snnOverAnn.definition}`);
  lines.push('');
  lines.push(
    formatTable(
      ['', 'SNN, sparsity-aware', 'SNN, unaware', 'ANN (baseline)'],
      [
        ['total energy', formatEnergy(aware.energyPJ.total), formatEnergy(unaware.energyPJ.total), formatEnergy(ann.energyPJ.total)],
        ['computation', formatEnergy(aware.energyPJ.compute), formatEnergy(unaware.energyPJ.compute), formatEnergy(ann.energyPJ.compute)],
        ['data movement', formatEnergy(aware.energyPJ.memory), formatEnergy(unaware.energyPJ.memory), formatEnergy(ann.energyPJ.memory)],
        ['leakage', formatEnergy(aware.energyPJ.leakage), formatEnergy(unaware.energyPJ.leakage), formatEnergy(ann.energyPJ.leakage)],
        ...STAGES.map((s) => [`  ${s}`, formatEnergy(aware.energyPJ.byStage[s]), formatEnergy(unaware.energyPJ.byStage[s]), formatEnergy(ann.energyPJ.byStage[s])]),
        ['  drain', ...[aware, unaware, ann].map((r) => formatEnergy(r.energyPJ.drain ?? 0))],
        ['cycles', formatNumber(aware.cycles), formatNumber(unaware.cycles), formatNumber(ann.cycles)],
      ],
      { title: `${snn.network}, batch ${(snn.config as { batch?: number }).batch}, sparsity ${aware.sparsitySource}` },
    ),
  );
  lines.push('');
  const snnOps = sumOps(snn, '');
  const annOps = sumOps(ann, '');
  const bwdMem = (r: TrainingResult): number => {
    // Data movement of the backward stages: layer shares are per stage; split memory by stage share of each layer.
    return r.energyPJ.byLayer.reduce((s, l) => s + (l.totalPJ > 0 ? (l.memoryPJ * (l.byStage.BP + l.byStage.WG)) / l.totalPJ : 0), 0);
  };
  lines.push('What explains SNN / ANN:');
  lines.push(`- time-repeated convolutions: the SNN runs its FP, BP and WG GEMMs for T = ${T} steps: ${formatNumber(Math.round(snnOps))} PE operations against the ANN's ${formatNumber(Math.round(annOps))} (${(snnOps / annOps).toFixed(2)}x), though most of the SNN's are cheap AND-accumulates and many are gated`);
  lines.push(`- backward data movement: BP and WG move ${formatEnergy(bwdMem(snn))} in the SNN against ${formatEnergy(bwdMem(ann))} in the ANN (${(bwdMem(snn) / bwdMem(ann)).toFixed(2)}x): potentials, spikes and gradients of every step are kept for BP, and per-step weight and gradient traffic repeats`);
  lines.push(`- data movement is ${pct(snn.energyPJ.memory, snn.energyPJ.total)} of the SNN's energy and computation ${pct(snn.energyPJ.compute, snn.energyPJ.total)}: sparsity's ${c.sparsityGain.value.toFixed(2)}x on computation changes the total by ${pct(unaware.energyPJ.total - aware.energyPJ.total, unaware.energyPJ.total)}`);
  return lines.join('\n');
}

const dramBytes = (r: TrainingResult): number => r.placement.filter((p) => p.from === 'dram' || p.to === 'dram').reduce((s, p) => s + p.bits, 0) / 8;
const bytes = (b: number): string => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

/** The readable form of `sata compare --algorithms`: one column per algorithm, the ANN beside them. */
export function formatAlgorithmComparison(c: AlgorithmComparisonResult): string {
  const cols = [...c.runs.map((r) => ({ name: r.algorithm, r: r.result })), { name: 'ANN (baseline)', r: c.ann }];
  const row = (label: string, f: (r: TrainingResult) => string): string[] => [label, ...cols.map((x) => f(x.r))];
  const kept = (r: TrainingResult, k: 'onChipBytes' | 'dramBytes' | 'stateBytes'): string => (r.keptState ? bytes(r.keptState.peak[k]) : '-');
  const table = formatTable(
    ['', ...cols.map((x) => x.name)],
    [
      row('total energy', (r) => formatEnergy(r.energyPJ.total)),
      ...STAGES.map((s) => row(`  ${s}`, (r) => formatEnergy(r.energyPJ.byStage[s]))),
      row('computation', (r) => formatEnergy(r.energyPJ.compute)),
      row('data movement', (r) => formatEnergy(r.energyPJ.memory)),
      row('leakage', (r) => formatEnergy(r.energyPJ.leakage)),
      row('cycles', (r) => formatNumber(r.cycles)),
      row('peak kept state (no dW)', (r) => kept(r, 'stateBytes')),
      row('peak kept, on chip', (r) => kept(r, 'onChipBytes')),
      row('peak kept, in DRAM', (r) => kept(r, 'dramBytes')),
      row('DRAM traffic', (r) => bytes(dramBytes(r))),
      row('vs ANN (total energy)', (r) => `${(r.energyPJ.total / c.ann.energyPJ.total).toFixed(2)}x`),
    ],
    { title: `${c.network}, T = ${c.timesteps}: one training iteration per algorithm on SATA (dataflow ${(c.ann.config as { dataflow?: string }).dataflow})` },
  );
  return `${table}\nkept: tensors written for a later step and not yet read for the last time (peaks over the iteration); state: without the weight gradients, which every algorithm accumulates until WU; DRAM traffic: bytes moved to and from DRAM.`;
}

/** An SNN run (documents of older versions name no workload: eyeriss was the ANN). */
export function isSnn(r: TrainingResult): boolean {
  return r.workload ? r.workload === 'snn' : r.arch !== 'eyeriss';
}
