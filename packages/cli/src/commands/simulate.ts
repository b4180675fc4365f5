import { formatTrainingResult, toJson } from '@sata/report';
import { recordRunToFile } from '@sata/trace';
import type { TrainingRun } from '@sata/training';
import type { CommandFactory } from '../context.js';
import { simulateRunKind } from '../runs/simulate-kind.js';
import { configFromArgs, trainingOptions, type TrainingArgs } from '../training/options.js';
import { progressReporter } from '../training/progress.js';

/** `sata simulate`: one training iteration (SNN on SATA, or the ANN on the baseline). */
export const simulateCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    trainingOptions(y)
      .option('trace', { type: 'string', describe: 'record a simulation trace of the run into FILE (sata replay FILE --verify | --energy MODEL; sata trace info FILE; sata trace export FILE: its timeline for Perfetto)' })
      .option('timeline', { type: 'boolean', default: false, describe: 'put the iteration\'s timeline into the --json result (per component the work of every step, the waits for DRAM, buffer occupancy), which sata report draws' }),
  handler: (argv: TrainingArgs & { trace?: string; timeline?: boolean }) => {
    const registry = ctx.registry();
    const cfg = configFromArgs(argv as TrainingArgs & Record<string, unknown>, registry);
    const progress = progressReporter(ctx.io);
    const kind = simulateRunKind(registry);
    let run!: TrainingRun;
    if (argv.trace !== undefined) {
      const rec = recordRunToFile(
        { ...kind, run: (c, _seed, attach) => ((run = kind.execute(c, attach, { progress: progress.message, observe: progress.attach, timeline: argv.timeline })), { endTime: run.run.totalCycles, events: run.run.events, reason: 'empty' }) },
        cfg, cfg.seed, argv.trace, { plugins: registry.pluginList() },
      );
      progress.done();
      ctx.io.err(`trace: ${rec.trace.records} records, ${rec.trace.bytes} bytes in ${argv.trace} (digest ${rec.trace.digest})`);
    } else {
      run = kind.execute(cfg, undefined, { progress: progress.message, observe: progress.attach, timeline: argv.timeline });
      progress.done();
    }
    ctx.io.out(argv.json ? toJson(run.result) : formatTrainingResult(run.result));
  },
});
