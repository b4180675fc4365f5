import { ConfigError } from '@sata/core';
import { formatTable, toJson } from '@sata/report';
import { networkFromRef, summarizeNetwork, type NetworkSummary } from '@sata/snn';
import type { Argv, CommandFactory } from '../context.js';

const shape = (s: readonly number[]): string => s.join('x');

function describe(s: NetworkSummary): string {
  const rows = s.layers.map((l) => [
    l.index, l.name, l.kind, l.inputs.join(', '), l.inShapes.map(shape).join(' + '), shape(l.outShape),
    l.value === 'spike' ? 'spikes' : l.bits !== undefined ? `count (${l.bits} b)` : 'real', l.params || '', l.ops.FP || '', l.ops.BP || '', l.ops.WG || '',
  ]);
  rows.push(['', 'total', '', '', '', '', '', s.totals.params, s.totals.ops.FP, s.totals.ops.BP, s.totals.ops.WG]);
  const head = `${s.name}: input ${shape(s.inputShape)}, batch ${s.batch}, ${s.layers.length} layers, ${s.totals.params.toLocaleString('en-US')} parameters, ${s.totals.neurons.toLocaleString('en-US')} neurons`;
  const table = formatTable(['#', 'layer', 'kind', 'inputs', 'input shape', 'output shape', 'output', 'params', 'FP ops/step', 'BP ops/step', 'WG ops/step'], rows, { alignRight: [0, 7, 8, 9, 10] });
  const notes = [
    'ops: dense operations per time step for the batch (multiply-accumulates of GEMMs; vector operations of the other kinds); BP counts the gradient to the input.',
    ...s.warnings.map((w) => `warning: ${w}`),
  ];
  return `${head}\n${table}\n${notes.join('\n')}`;
}

/** `sata network show NET` and `sata network list`: the layer table a user checks before simulating. */
export const networkCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .command(
        'show <network>',
        'The layer table: kind, inputs, shapes, parameters, dense operations per time step for FP, BP and WG, totals',
        (c: Argv) =>
          c
            .positional('network', { type: 'string', describe: 'a built-in network or a .json/.yaml file' })
            .option('batch', { alias: 'b', type: 'number', default: 1, describe: 'samples per iteration (scales the operation counts)' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
        (parsed): void => {
          const argv = parsed as unknown as { network: string; batch: number; json: boolean };
          if (!Number.isInteger(argv.batch) || argv.batch < 1) throw new ConfigError(`--batch must be a positive integer, found ${argv.batch}`);
          const s = summarizeNetwork(networkFromRef(argv.network, ctx.registry()), argv.batch);
          ctx.io.out(argv.json ? toJson(s) : describe(s));
        },
      )
      .command(
        'list',
        'The built-in networks with their descriptions',
        (c: Argv) => c.option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
        (parsed): void => {
          const nets = ctx.registry().list('networks').map((e) => ({ name: e.contribution.name, description: e.contribution.description }));
          if ((parsed as { json?: boolean }).json) ctx.io.out(toJson(nets));
          else ctx.io.out(formatTable(['network', 'description'], nets.map((n) => [n.name, n.description])));
        },
      )
      .demandCommand(1, 'name a network subcommand: show, list'),
  handler: () => {},
});
