import { SIMULATOR_VERSION } from '@sata/core';
import { loadReportInputs, renderReport, writeFileAtomic } from '@sata/report';
import type { CommandFactory } from '../context.js';

interface ReportArgs {
  files: string[];
  output: string;
  title?: string;
}

/**
 * `sata report RESULT.json... -o report.html`: one self-contained HTML file (inline SVG
 * charts, no script, nothing fetched) from `sata simulate|compare|sweep --json` documents.
 * Every input is checked first; a bad one exits 2 naming the file and field, and writes nothing.
 */
export const reportCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'result documents (sata simulate|compare|sweep --json)' })
      .option('output', { alias: 'o', type: 'string', default: 'report.html', describe: 'the HTML file to write (written atomically); - for stdout' })
      .option('title', { type: 'string', describe: 'the report title' }),
  handler: (argv: ReportArgs) => {
    const inputs = loadReportInputs(argv.files.map(String));
    const html = renderReport(inputs, { ...(argv.title !== undefined ? { title: argv.title } : {}), generator: `sata report ${SIMULATOR_VERSION}` });
    if (argv.output === '-') {
      ctx.io.out(html);
      return;
    }
    writeFileAtomic(argv.output, html);
    ctx.io.err(`wrote ${argv.output} (${(Buffer.byteLength(html) / 1024).toFixed(1)} KiB) from ${inputs.length} result file${inputs.length === 1 ? '' : 's'}`);
  },
});
