import type { ComparisonResult, SweepResult, TrainingResult } from '@sata/plugin-api';
import { STAGES } from '@sata/plugin-api';
import { toCsv } from './json.js';

/** The headline numbers of one point result, flat, for tables, CSV and sweep charts (energies in pJ). */
export function resultMetrics(r: TrainingResult | ComparisonResult): Record<string, number | string> {
  if (r.kind === 'comparison') {
    const snn = r.snnOverAnn.snn.energyPJ;
    const ann = r.snnOverAnn.ann.energyPJ;
    return {
      snnOverAnn: r.snnOverAnn.value,
      sparsityGain: r.sparsityGain.value,
      snnTotalPJ: snn.total,
      snnComputePJ: snn.compute,
      snnMemoryPJ: snn.memory,
      snnLeakagePJ: snn.leakage,
      annTotalPJ: ann.total,
      annComputePJ: ann.compute,
      annMemoryPJ: ann.memory,
      annLeakagePJ: ann.leakage,
      awareComputePJ: r.sparsityGain.aware.energyPJ.compute,
      unawareComputePJ: r.sparsityGain.unaware.energyPJ.compute,
      snnCycles: r.snnOverAnn.snn.cycles,
      annCycles: r.snnOverAnn.ann.cycles,
    };
  }
  const e = r.energyPJ;
  return {
    arch: r.arch,
    network: r.network,
    sparsitySource: r.sparsitySource,
    totalPJ: e.total,
    computePJ: e.compute,
    memoryPJ: e.memory,
    leakagePJ: e.leakage,
    ...Object.fromEntries(STAGES.map((s) => [`${s}PJ`, e.byStage[s]])),
    cycles: r.cycles,
    stallCycles: r.stallCycles,
  };
}

/** A sweep as rows: point index, the swept values, then the point's metrics. */
export function sweepRows(s: SweepResult): { header: string[]; rows: (string | number | boolean)[][] } {
  const metricNames: string[] = [];
  const seen = new Set<string>();
  const metrics = s.points.map((p) => resultMetrics(p.result));
  for (const m of metrics) for (const k of Object.keys(m)) if (!seen.has(k)) (seen.add(k), metricNames.push(k));
  return {
    header: ['index', ...s.params, ...metricNames],
    rows: s.points.map((p, i) => [p.index, ...s.params.map((k) => p.params[k]!), ...metricNames.map((k) => metrics[i]![k] ?? '')]),
  };
}

/** `sata sweep --csv`: one row per point. */
export function sweepToCsv(s: SweepResult): string {
  const { header, rows } = sweepRows(s);
  return toCsv(header, rows);
}
