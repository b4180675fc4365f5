import { ConfigError, readDocument } from '@sata/core';
import type { SweepResult } from '@sata/plugin-api';
import { formatTable, sweepRows, sweepToCsv, toJson, writeFileAtomic } from '@sata/report';
import { getRunner, mergeShards, parseParam, parseShard, ProgressBar, runSweep, runnerNames, type BaseConfig, type RunnerSpec } from '@sata/sweep';
import type { CliIO, CommandFactory } from '../context.js';
import { localOptions } from '../yargs-options.js';
import { checkCompareParams, simulationRunners, SIMULATION_RUNNERS } from '../sweep-runners.js';
import { overridesFromArgs, trainingOptions, type TrainingArgs } from '../training/options.js';

/**
 * The runner `sata sweep` uses when `--runner` is not given: `compare`, so that every point
 * carries both headline figures (SNN/ANN energy, sparsity gain) and the full SNN and ANN
 * results behind them; `--runner simulate` is about 3x cheaper per point (one iteration).
 */
export const DEFAULT_RUNNER = 'compare';

interface SweepArgs extends TrainingArgs {
  param: string[];
  paired: boolean;
  runner: string;
  base?: string;
  shard?: string;
  jobs?: number;
  csv: boolean;
  output?: string;
  progress: boolean;
}

interface MergeArgs {
  files: string[];
  json: boolean;
  csv: boolean;
  output?: string;
}

function formatOf(args: { json: boolean; csv: boolean; output?: string | undefined }): 'json' | 'csv' | 'table' {
  if (args.json && args.csv) throw new ConfigError('--json and --csv: choose one');
  if (args.json) return 'json';
  if (args.csv) return 'csv';
  if (args.output !== undefined) return /\.csv$/i.test(args.output) ? 'csv' : 'json';
  return 'table';
}

function emit(io: CliIO, result: SweepResult, args: { json: boolean; csv: boolean; output?: string | undefined }): void {
  const format = formatOf(args);
  let text: string;
  if (format === 'json') text = `${toJson(result)}\n`;
  else if (format === 'csv') text = sweepToCsv(result);
  else {
    const { header, rows } = sweepRows(result);
    const keep = header.map((h, i) => [h, i] as const).filter(([h]) => !/^(arch|network|sparsitySource)$/.test(h));
    text = formatTable(
      keep.map(([h]) => h),
      rows.map((r) => keep.map(([, i]) => { const v = r[i]!; return typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v; })),
      { title: `sweep over ${result.params.join(', ')} (${result.mode}, ${result.points.length} of ${result.totalPoints} points${result.shard ? `, shard ${result.shard.index}/${result.shard.count}` : ''}); energies in pJ` },
    );
  }
  if (args.output !== undefined && args.output !== '-') {
    writeFileAtomic(args.output, text);
    io.err(`wrote ${args.output} (${result.points.length} points, ${format})`);
  } else io.out(text);
}

/**
 * The base configuration: the `--base`/`--config` file with the simulate/compare flags on
 * top (`--network`, `--timesteps`, `--dataflow`, `--set path=value`, ...), parsed exactly as
 * `sata simulate` parses them; the runner fills in the defaults.
 */
function baseFromArgs(argv: SweepArgs): BaseConfig {
  if (argv.base !== undefined && argv.config !== undefined) throw new ConfigError('--base and --config name the same thing (the base configuration file): give one');
  const file = argv.base ?? argv.config;
  return overridesFromArgs({ ...argv, config: file } as TrainingArgs & Record<string, unknown>) as BaseConfig;
}

/**
 * `sata sweep`: a configuration parameter over lists or ranges, as a grid or paired lists,
 * in parallel on worker threads, optionally one shard of it; `sata sweep merge` joins shards.
 */
/** A runner of @sata/sweep by name; an unknown name is an error listing the simulation runners too. */
function getRunnerOrList(name: string): RunnerSpec {
  try {
    return getRunner(name);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`--runner ${name}: no such runner; known: ${[...SIMULATION_RUNNERS, ...runnerNames()].join(', ')} (or path/to/module.js#exportName)`);
    throw e;
  }
}

export const sweepCommand: CommandFactory = (ctx) => ({
  builder: (top) =>
    localOptions(top, (y) =>
      trainingOptions(y)
      .command({
        command: 'merge <files..>',
        describe: 'Join the shards of a sweep (sata sweep --shard i/n --json) into one document, checking that no point is missing or duplicated',
        builder: (m) =>
          m
            .positional('files', { type: 'string', array: true, describe: 'shard documents' })
            .option('json', { type: 'boolean', default: false, describe: 'print the merged JSON document' })
            .option('csv', { type: 'boolean', default: false, describe: 'print one CSV row per point' })
            .option('output', { alias: 'o', type: 'string', describe: 'write to this file (atomically; format from --json/--csv or the extension)' }),
        handler: (args) => {
          const argv = args as unknown as MergeArgs;
          const merged = mergeShards(argv.files.map((f) => ({ name: String(f), doc: readDocument(String(f), 'shard') })));
          emit(ctx.io, merged, { json: argv.json, csv: argv.csv, output: argv.output });
        },
      })
      .option('param', { alias: 'p', type: 'string', array: true, default: [], describe: 'NAME=VALUES: a list (timesteps=1,2,4,8), a range (timesteps=1..8, 1..8:2) or both (1..4,8); dotted names reach nested fields (sparsity.spike=0.8,0.9)' })
      .option('paired', { type: 'boolean', default: false, describe: 'take the i-th value of every list together instead of the grid of all combinations' })
      .option('runner', { type: 'string', default: DEFAULT_RUNNER, describe: `what runs one point: compare (sata compare: SNN on SATA against the ANN baseline), simulate (sata simulate: one iteration, ~3x cheaper), ${runnerNames().join(', ')}, or path/to/module.js#exportName` })
      .option('base', { type: 'string', describe: 'the base configuration file (JSON or YAML; same as --config); the simulate/compare flags and --set override it, --param values override those' })
      .option('shard', { type: 'string', describe: 'i/n: run only the points whose index is i modulo n (0 <= i < n), for job arrays; auto: i and n from a Slurm array (SLURM_ARRAY_TASK_ID, _MIN, _COUNT); auto/n: i from a Kubernetes indexed job (JOB_COMPLETION_INDEX), n its completions (docs/cluster.md)' })
      .option('jobs', { alias: 'j', type: 'number', describe: 'worker threads (default: the number of CPUs); 0 runs in this thread' })
      .option('json', { type: 'boolean', default: false, describe: 'print the SweepResult JSON document' })
      .option('csv', { type: 'boolean', default: false, describe: 'print one CSV row per point' })
      .option('output', { alias: 'o', type: 'string', describe: 'write to this file (atomically; format from --json/--csv or the extension)' })
      .option('progress', { type: 'boolean', default: true, describe: 'a progress bar on stderr (--no-progress: none)' }),
    ),
  handler: async (argv: SweepArgs) => {
    const simulation = simulationRunners(ctx.registry);
    const runner: RunnerSpec = simulation.find((r) => r.name === argv.runner) ?? getRunnerOrList(argv.runner);
    if (argv.jobs !== undefined && (!Number.isInteger(argv.jobs) || argv.jobs < 0)) throw new ConfigError(`--jobs must be a whole number >= 0, found ${argv.jobs}`);
    const params = argv.param.map((p) => parseParam(String(p)));
    if (params.length === 0) throw new ConfigError('name at least one --param NAME=VALUES (e.g. --param timesteps=1,2,4,8)');
    if (runner.name === 'compare') checkCompareParams(params.map((p) => p.path));
    const base = baseFromArgs(argv);
    const shard = argv.shard !== undefined ? parseShard(argv.shard) : undefined;
    if (shard && /auto/.test(argv.shard!)) ctx.io.err(`shard ${shard.index}/${shard.count} (--shard ${argv.shard}, from the job array's environment)`);
    formatOf(argv);
    if (runner.name.startsWith('stand-in')) ctx.io.err(`note: runner "${runner.name}" gives ${runner.description}`);
    let bar: ProgressBar | undefined;
    try {
      const result = await runSweep({
        runner,
        base,
        params,
        mode: argv.paired ? 'paired' : 'grid',
        ...(shard ? { shard } : {}),
        ...(argv.jobs !== undefined ? { jobs: argv.jobs } : {}),
        onProgress: argv.progress
          ? (done, total) => {
              bar ??= new ProgressBar(ctx.io.interactive ? (t) => void process.stderr.write(t) : (t) => ctx.io.err(t), total, ctx.io.interactive);
              bar.update(done);
            }
          : undefined,
      });
      bar?.finish();
      emit(ctx.io, result, argv);
    } catch (e) {
      bar?.finish();
      throw e;
    }
  },
});
