import { exportPerfetto, exportPerfettoToFile, inspectTrace, type TraceInfo } from '@sata/trace';
import { formatTable, toJson } from '@sata/report';
import { ConfigError } from '@sata/core';
import type { CommandContext, CommandFactory } from '../context.js';

/** `sata trace info|export`: look into a recorded trace. */
export const traceCommand: CommandFactory = (ctx) => ({
  command: 'trace <action> <file>',
  describe: 'Inspect a recorded trace (info: header, counts, digest check, how far a damaged file reads) or export it (--format perfetto)',
  builder: (y) =>
    y
      .positional('action', { choices: ['info', 'export'] as const, describe: 'what to do' })
      .positional('file', { type: 'string', describe: 'the trace file' })
      .option('format', { choices: ['perfetto'] as const, default: 'perfetto' as const, describe: 'export format: Chrome trace-event JSON for Perfetto' })
      .option('output', { alias: 'o', type: 'string', describe: 'export to this file (written atomically) instead of stdout' })
      .option('json', { type: 'boolean', default: false, describe: 'info as JSON' }),
  handler: (argv: { action: 'info' | 'export'; file: string; output?: string; json: boolean }) => {
    if (argv.action === 'export') {
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
  if (info.footer) rows.push(['digest', `${info.footer.digest} (verified)`]);
  rows.push(['status', info.valid ? 'complete and valid' : `damaged: readable up to record ${info.records}`]);
  ctx.io.out(formatTable(['field', 'value'], rows));
  if (info.kinds.length) ctx.io.out(`\n${formatTable(['kind', 'records'], info.kinds.map(([k, n]) => [k, n]))}`);
}
