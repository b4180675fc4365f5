import { extname } from 'node:path';
import { checkOutputPath, ConfigError } from '@sata/core';
import { formatAlgorithmComparison, formatComparison, toJson } from '@sata/report';
import { algorithmFor } from '@sata/snn';
import type { TraceWriter } from '@sata/trace';
import { compareAlgorithms, compareTraining, comparisonConfigs } from '@sata/training';
import type { CommandFactory } from '../context.js';
import { recordSteps } from '../runs/hw-trace.js';
import { startTrainingTrace } from '../runs/simulate-kind.js';
import { configFromArgs, trainingOptions, type TrainingArgs } from '../training/options.js';
import { progressReporter } from '../training/progress.js';

/**
 * The files `sata compare --trace FILE` writes: one `simulate` trace per simulated run
 * (FILE.ext -> FILE.snn.ext, FILE.snn-unaware.ext, FILE.ann.ext), each replayable and
 * re-costable on its own.
 */
export function compareTracePaths(file: string): { aware: string; unaware: string; ann: string } {
  const ext = extname(file) || '.trace';
  const base = extname(file) ? file.slice(0, -ext.length) : file;
  return { aware: `${base}.snn${ext}`, unaware: `${base}.snn-unaware${ext}`, ann: `${base}.ann${ext}` };
}

/** `sata compare`: SNN on SATA against the ANN on the Eyeriss-like baseline, and sparsity-aware against unaware. */
export const compareCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    trainingOptions(y)
      .option('trace', { type: 'string', describe: 'record the three simulated runs: FILE.ext gives FILE.snn.ext, FILE.snn-unaware.ext and FILE.ann.ext (simulate traces)' })
      .option('timeline', { type: 'boolean', default: false, describe: 'put each run\'s timeline into the --json result (sata report draws them)' })
      .option('algorithms', { type: 'string', describe: 'compare training algorithms instead: a comma-separated list (bptt,tbptt:2,sltt,ottt,bptt-checkpoint:2), one SNN iteration each beside the ANN' }),
  handler: (argv: TrainingArgs & { trace?: string; timeline?: boolean; algorithms?: string }) => {
    const registry = ctx.registry();
    const cfg = configFromArgs(argv as TrainingArgs & Record<string, unknown>, registry);
    const progress = progressReporter(ctx.io);
    if (argv.algorithms !== undefined) {
      const list = argv.algorithms.split(',').map((a) => a.trim()).filter((a) => a !== '');
      if (list.length === 0) throw new ConfigError('--algorithms needs a comma-separated list of training algorithms, e.g. bptt,sltt');
      if (argv.trace !== undefined) throw new ConfigError('--algorithms and --trace do not go together: trace one algorithm with sata simulate --algorithm A --trace FILE');
      // Every name checked before the first (long) run.
      for (const a of list) algorithmFor(a, cfg.timesteps, cfg.seed, registry, '--algorithms');
      const c = compareAlgorithms(cfg, registry, list, { progress: progress.message, attach: progress.attach });
      progress.done();
      ctx.io.out(argv.json ? toJson(c) : formatAlgorithmComparison(c));
      return;
    }
    if (argv.trace === undefined) {
      const runs = compareTraining(cfg, registry, { progress: progress.message, attach: progress.attach, timeline: argv.timeline });
      progress.done();
      ctx.io.out(argv.json ? toJson(runs.result) : formatComparison(runs.result));
      return;
    }
    if (checkOutputPath(argv.trace, '--trace').special) throw new ConfigError(`--trace ${argv.trace}: compare writes three traces named after FILE (${Object.values(compareTracePaths('FILE.trace')).join(', ')}); give a regular file name, not a device or pipe`);
    const paths = compareTracePaths(argv.trace);
    const files = [paths.aware, paths.unaware, paths.ann];
    for (const f of files) checkOutputPath(f, '--trace');
    const configs = comparisonConfigs(cfg, registry);
    const writers: TraceWriter[] = [];
    try {
      const runs = compareTraining(cfg, registry, {
        progress: progress.message,
        timeline: argv.timeline,
        attach: (sim, acc) => {
          progress.attach(sim);
          const i = writers.length;
          if (i >= 3) throw new ConfigError('compare ran more than three simulations; --trace records three');
          const w = startTrainingTrace(sim, files[i]!, configs[i]!, registry.pluginList());
          writers.push(w);
          recordSteps(acc, w);
        },
      });
      progress.done();
      const actual = [runs.aware, runs.unaware, runs.ann].map((r) => JSON.stringify(r.result.config));
      configs.forEach((c, i) => {
        if (JSON.stringify(c) !== actual[i]) throw new ConfigError(`internal: compare's run ${i + 1} used another configuration than the one recorded in ${files[i]}`);
      });
      for (const [i, w] of writers.entries()) {
        const s = w.finish();
        ctx.io.err(`trace: ${s.records} records, ${s.bytes} bytes in ${files[i]} (digest ${s.digest})`);
      }
      ctx.io.out(argv.json ? toJson(runs.result) : formatComparison(runs.result));
    } catch (e) {
      for (const w of writers) w.fail();
      throw e;
    }
  },
});
