import { exportPerfetto, exportPerfettoToFile, exportTimelinePerfetto, inspectTrace, TraceReader, writeFileAtomic, type TraceInfo } from '@sata/trace';
import { formatTable, toJson } from '@sata/report';
import { ConfigError } from '@sata/core';
import type { CommandContext, CommandFactory } from '../context.js';
import { SIMULATE_RUN_KIND, trainingTimelineOfTrace } from '../runs/simulate-kind.js';

/** `sata trace info|export`: look into a recorded trace. */
export const traceCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .positional('action', { choices: ['info', 'export'] as const, describe: 'what to do' })
      .positional('file', { type: 'string', describe: 'the trace file' })
      .option('format', { choices: ['perfetto'] as const, default: 'perfetto' as const, describe: 'export format: Chrome trace-event JSON for Perfetto' })
      .option('view', { choices: ['timeline', 'events'] as const, describe: 'timeline: per component the work of every step (layer, stage, time step, energy), the waits for DRAM, buffer occupancy and bandwidth (simulate traces); events: every kernel event as an instant or link slice, for kernel debugging [default: timeline for simulate traces, else events]' })
      .option('output', { alias: 'o', type: 'string', describe: 'export to this file (written atomically) instead of stdout' })
      .option('json', { type: 'boolean', default: false, describe: 'info as JSON' }),
  handler: (argv: { action: 'info' | 'export'; file: string; view?: 'timeline' | 'events'; output?: string; json: boolean }) => {
    if (argv.action === 'export') {
      const view = argv.view ?? (runKindOf(argv.file) === SIMULATE_RUN_KIND ? 'timeline' : 'events');
      if (view === 'timeline') return exportTimeline(ctx, argv.file, argv.output);
      if (argv.output) {
        const r = exportPerfettoToFile(argv.file, argv.output);
        ctx.io.err(`wrote ${r.records} records to ${argv.output}`);
      } else exportPerfetto(argv.file, (t) => ctx.io.out(t));
      return;
    }
    const info = inspectTrace(argv.file);
    printInfo(ctx, info, argv.json);
    if (info.error) throw new ConfigError(info.error.message);
  },
});

function runKindOf(file: string): string {
  const r = TraceReader.open(file);
  r.close();
  return r.header.runKind;
}

function exportTimeline(ctx: CommandContext, file: string, output: string | undefined): void {
  const runKind = runKindOf(file);
  if (runKind !== SIMULATE_RUN_KIND) throw new ConfigError(`${file}: the timeline view is of a training iteration (a ${SIMULATE_RUN_KIND} trace: sata simulate|compare --trace); this is a ${runKind} trace: use --view events`);
  const timeline = trainingTimelineOfTrace(file, ctx.registry());
  const r = TraceReader.open(file);
  r.close();
  const cfg = r.header.config as { network?: string; arch?: string };
  const meta = { title: `sata simulate: ${cfg.network} on ${cfg.arch}`, simulator: r.header.simulator, runKind, seed: r.header.seed, plugins: r.header.plugins };
  if (!output) {
    exportTimelinePerfetto(timeline, (t) => ctx.io.out(t), meta);
    return;
  }
  let counts!: ReturnType<typeof exportTimelinePerfetto>;
  writeFileAtomic(output, (write) => {
    counts = exportTimelinePerfetto(timeline, write, meta);
  });
  ctx.io.err(`wrote the timeline of ${timeline.steps.length} steps (${counts.slices} slices, ${counts.counters} counter samples, ${counts.flows} flows) to ${output}`);
}

function printInfo(ctx: CommandContext, info: TraceInfo, json: boolean): void {
  if (json) {
    ctx.io.out(toJson({ ...info, kinds: Object.fromEntries(info.kinds) }));
    return;
  }
  const h = info.header;
  const rows: Array<[string, string | number]> = [['file', `${info.path} (${info.bytes} bytes)`]];
  if (h) {
    rows.push(
      ['format', `${h.format} v${h.version}`],
      ['simulator', h.simulator],
      ['run kind', h.runKind],
      ['seed', h.seed],
      ['plugins', h.plugins.join(', ') || '(none)'],
      ['configuration', JSON.stringify(h.config)],
      ['components', `${h.components.length} (${h.components.map((c) => c.name).join(', ')})`],
      ['ports / links', `${h.ports.length} / ${h.links.length}`],
      ['records per chunk', h.chunkRecords],
    );
  }
  rows.push(['valid chunks', info.chunks], ['valid records', info.records]);
  if (info.firstTime !== undefined) rows.push(['time span', `${info.firstTime}..${info.lastTime} ticks`]);
  rows.push(['records with action counts', info.recordsWithActions]);
  const t = info.timeline;
  rows.push(['timeline entries', `${t.slices} slices, ${t.counters} counter samples`]);
  if (t.slices + t.counters > 0) rows.push(['timeline export', `${t.export.slices} slices, ${t.export.counters} counter samples, ${t.export.flows} flows (sata trace export --view timeline)`]);
  if (info.footer) rows.push(['digest', `${info.footer.digest} (verified)`]);
  rows.push(['status', info.valid ? 'complete and valid' : `damaged: readable up to record ${info.records}`]);
  ctx.io.out(formatTable(['field', 'value'], rows));
  if (info.kinds.length) ctx.io.out(`\n${formatTable(['kind', 'records'], info.kinds.map(([k, n]) => [k, n]))}`);
}
