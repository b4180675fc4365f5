import { SataError } from '@sata/core';
import { formatTable, toJson } from '@sata/report';
import { checkGoldenFile, GOLDEN_TOLERANCE, type GoldenReport } from '@sata/snn';
import type { Argv, CommandFactory } from '../context.js';

/**
 * `sata reference check FILE...`: runs golden files (network, weights, inputs, expected
 * values; snn-model.md) through the functional model in float64 and prints the largest
 * relative error per quantity and layer. Exit 0 when all are within the tolerance (spikes
 * exact), 1 otherwise, 2 for a file that cannot be used.
 */
export const referenceCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .command(
        'check <files..>',
        'Run golden files in float64 and print the largest relative error per quantity (exit 1 above the tolerance)',
        (c: Argv) =>
          c
            .positional('files', { type: 'string', array: true, describe: 'golden JSON files' })
            .option('tolerance', { type: 'number', default: GOLDEN_TOLERANCE, describe: 'largest relative error that passes' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
        (parsed): void => {
          const argv = parsed as unknown as { files: string[]; tolerance: number; json: boolean };
          const reports: GoldenReport[] = argv.files.map((f) => checkGoldenFile(f, argv.tolerance));
          if (argv.json) ctx.io.out(toJson({ tolerance: argv.tolerance, pass: reports.every((r) => r.pass), files: reports }));
          else for (const r of reports) ctx.io.out(describe(r));
          const failed = reports.filter((r) => !r.pass);
          if (failed.length) throw new SataError(`reference check failed for ${failed.map((r) => r.source).join(', ')} (tolerance ${argv.tolerance})`, 1);
        },
      )
      .demandCommand(1, 'name a reference subcommand: check'),
  handler: () => {},
});

function describe(r: GoldenReport): string {
  const rows = r.quantities.map((q) => [
    q.layer === null ? '-' : `${q.layer} ${q.layerName}`,
    q.quantity,
    q.values,
    q.maxRelError === 0 ? '0' : q.maxRelError.toExponential(2),
    q.maxAbsError === 0 ? '0' : q.maxAbsError.toExponential(2),
    q.mismatches !== undefined ? `${q.mismatches} differ` : q.zeroMismatches ? `${q.zeroMismatches} nonzero where 0 expected` : '',
    q.pass ? 'ok' : 'FAIL',
  ]);
  const neurons = r.format === 1 ? ` lam=${r.lam} theta=${r.theta}` : '';
  const head = `${r.source}: ${r.name} (format ${r.format}), T=${r.T}${neurons} batch=${r.batch} coding=${r.coding}`;
  const foot = `${r.pass ? 'PASS' : 'FAIL'}: largest relative error ${Math.max(...r.quantities.map((q) => q.maxRelError)).toExponential(2)} (tolerance ${r.tolerance}), spikes ${r.quantities.filter((q) => q.mismatches !== undefined).every((q) => q.mismatches === 0) ? 'exact' : 'DIFFER'}, ${r.ties} threshold ties within 1e-12\n`;
  return `${head}\n${formatTable(['layer', 'quantity', 'values', 'max rel error', 'max abs error', 'note', ''], rows, { alignRight: [2, 3, 4] })}\n${foot}`;
}
