import { ConfigError, readDocument } from '@sata/core';
import { DEFAULT_DT, exportNir, writeNirFile } from '@sata/nir';
import { formatTable, toJson, writeFileAtomic } from '@sata/report';
import { initWeights, networkFromRef, parseRunInput, runNetwork, summarizeNetwork, type Network, type NetworkRun, type NetworkSummary } from '@sata/snn';
import { DEFAULT_CONFIG } from '@sata/training';
import { stringify as toYaml } from 'yaml';
import type { Argv, CommandFactory, CommandContext } from '../context.js';

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

/** Input files of `sata network run` larger than this are refused before they are read. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const dtOption = (c: Argv): Argv => c.option('dt', { type: 'number', default: DEFAULT_DT, describe: 'seconds per time step for NIR\'s continuous-time neurons (lam = 1 - dt/tau)' });

function netOf(ctx: CommandContext, ref: string, dt: number): Network {
  if (!(dt > 0) || !Number.isFinite(dt)) throw new ConfigError(`--dt must be a positive number of seconds, found ${dt}`);
  const net = networkFromRef(ref, ctx.registry(), { dt });
  for (const w of net.warnings) ctx.io.err(`warning: ${w}`);
  return net;
}

const fmtValue = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** Per layer and step: what it holds, its nonzeros, and its first values (all of them under --json). */
function describeRun(r: NetworkRun, maxValues: number): string {
  const rows = r.layers.flatMap((l) => l.steps.map((st) => [
    l.name, l.kind, st.t + 1, l.neuron ? st.nonzero : '', l.neuron ? `${(st.density * 100).toFixed(1)}%` : '',
    st.values.slice(0, maxValues).map(fmtValue).join(' ') + (st.values.length > maxValues ? ` ... (${st.values.length})` : ''),
  ]));
  const spikes = r.layers.filter((l) => l.neuron).map((l) => `${l.name} ${l.spikes}`).join(', ');
  return [
    `${r.network}: T=${r.T}, batch 1, ${r.weights === 'own' ? 'the network\'s own weights' : 'weights drawn from --seed'}`,
    formatTable(['layer', 'kind', 't', 'spikes', 'density', 'output'], rows, { alignRight: [2, 3, 4] }),
    `spikes per neuron layer over all steps: ${spikes || 'none (no neuron layers)'}`,
  ].join('\n');
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
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
            .option('dt', { type: 'number', default: DEFAULT_DT, describe: 'seconds per time step for NIR\'s continuous-time neurons' }),
        (parsed): void => {
          const argv = parsed as unknown as { network: string; batch: number; json: boolean; dt: number };
          if (!Number.isInteger(argv.batch) || argv.batch < 1) throw new ConfigError(`--batch must be a positive integer, found ${argv.batch}`);
          const s = summarizeNetwork(netOf(ctx, argv.network, argv.dt), argv.batch);
          ctx.io.out(argv.json ? toJson(s) : describe(s));
        },
      )
      .command(
        'run <network>',
        'The functional forward pass on one input: per layer and time step its output (spikes, currents or potentials), each neuron layer\'s spike count and density',
        (c: Argv) =>
          dtOption(c)
            .positional('network', { type: 'string', describe: 'a built-in network, a .json/.yaml file or a .nir file' })
            .option('input', { type: 'string', demandOption: true, describe: 'JSON file { "input": [[...], ...], "T"?: n }: one flat array per time step in the input layout (C, H, W), or one for every step' })
            .option('timesteps', { alias: 'T', type: 'number', describe: 'time steps (default: the file\'s T, else its number of steps)' })
            .option('leak', { type: 'number', default: DEFAULT_CONFIG.lif.leak, describe: 'leak of neurons that leave it to the run' })
            .option('threshold', { type: 'number', default: DEFAULT_CONFIG.lif.threshold, describe: 'threshold of neurons that leave it to the run' })
            .option('seed', { type: 'number', default: DEFAULT_CONFIG.seed, describe: 'seed of the weights of a network that carries none' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON document (every value of every step)' }),
        (parsed): void => {
          const argv = parsed as unknown as { network: string; input: string; timesteps?: number; leak: number; threshold: number; seed: number; json: boolean; dt: number };
          if (argv.timesteps !== undefined && (!Number.isInteger(argv.timesteps) || argv.timesteps < 1)) throw new ConfigError(`--timesteps must be a positive integer, found ${argv.timesteps}`);
          const net = netOf(ctx, argv.network, argv.dt);
          const { T, inputs } = parseRunInput(readDocument(argv.input, 'input file', MAX_INPUT_BYTES), net, argv.input, argv.timesteps);
          const r = runNetwork(net, inputs, { T, lam: argv.leak, theta: argv.threshold, seed: argv.seed });
          ctx.io.out(argv.json ? toJson(r) : describeRun(r, 16));
        },
      )
      .command(
        'convert <network>',
        'Writes a network (a .nir file, a built-in one) in the project\'s own format, YAML or JSON by the extension of -o',
        (c: Argv) =>
          dtOption(c)
            .positional('network', { type: 'string', describe: 'a .nir file, a built-in network or a network file' })
            .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the .yaml/.yml or .json file to write (atomically)' }),
        (parsed): void => {
          const argv = parsed as unknown as { network: string; output: string; dt: number };
          if (!/\.(ya?ml|json)$/i.test(argv.output)) throw new ConfigError(`-o ${argv.output}: the file name must end in .yaml, .yml or .json`);
          const net = netOf(ctx, argv.network, argv.dt);
          writeFileAtomic(argv.output, /\.json$/i.test(argv.output) ? `${toJson(net.spec)}\n` : toYaml(net.spec));
          ctx.io.err(`wrote ${argv.output}: ${net.layers.length} layers${net.params ? `; the weights are not in it (they stay in ${argv.network}: use --network ${argv.network} to run with them)` : ''}`);
        },
      )
      .command(
        'export <network>',
        'Writes a network with its weights as a NIR file (an error lists the layers NIR cannot carry)',
        (c: Argv) =>
          dtOption(c)
            .positional('network', { type: 'string', describe: 'a built-in network, a network file or a .nir file' })
            .option('format', { type: 'string', choices: ['nir'], default: 'nir', describe: 'the file format' })
            .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the .nir file to write (atomically)' })
            .option('leak', { type: 'number', default: DEFAULT_CONFIG.lif.leak, describe: 'leak of neurons that leave it to the run' })
            .option('threshold', { type: 'number', default: DEFAULT_CONFIG.lif.threshold, describe: 'threshold of neurons that leave it to the run' })
            .option('seed', { type: 'number', default: DEFAULT_CONFIG.seed, describe: 'seed of the weights of a network that carries none' }),
        async (parsed): Promise<void> => {
          const argv = parsed as unknown as { network: string; output: string; dt: number; leak: number; threshold: number; seed: number };
          if (!/\.nir$/i.test(argv.output)) throw new ConfigError(`-o ${argv.output}: the file name must end in .nir`);
          const net = netOf(ctx, argv.network, argv.dt);
          const weights = initWeights(net, { seed: argv.seed, dtype: 'float32' });
          const { graph, warnings } = exportNir(net, weights, { dt: argv.dt, lam: argv.leak, theta: argv.threshold });
          for (const w of warnings) ctx.io.err(`warning: ${w}`);
          await writeNirFile(graph, argv.output);
          ctx.io.err(`wrote ${argv.output}: ${graph.nodes.length} NIR nodes, ${graph.edges.length} edges, ${net.params ? 'the network\'s own weights' : `weights drawn from seed ${argv.seed}`}`);
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
      .demandCommand(1, 'name a network subcommand: show, run, convert, export, list'),
  handler: () => {},
});
