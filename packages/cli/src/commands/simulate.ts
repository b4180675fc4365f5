import { formatTrainingResult, toJson } from '@sata/report';
import { simulateTraining } from '@sata/training';
import type { CommandFactory } from '../context.js';
import { configFromArgs, trainingOptions, type TrainingArgs } from '../training/options.js';
import { progressReporter } from '../training/progress.js';

/** `sata simulate`: one training iteration (SNN on SATA, or the ANN on the baseline). */
export const simulateCommand: CommandFactory = (ctx) => ({
  command: 'simulate',
  describe: 'Simulate one training iteration: SNN BPTT on SATA (--arch sata) or the ANN on the Eyeriss-like baseline (--arch eyeriss): cycles and energy by stage, layer, step, component, action, data placement',
  builder: (y) => trainingOptions(y),
  handler: (argv: TrainingArgs) => {
    const cfg = configFromArgs(argv as TrainingArgs & Record<string, unknown>);
    const progress = progressReporter(ctx.io);
    const run = simulateTraining(cfg, ctx.registry(), { progress: progress.message, attach: progress.attach });
    progress.done();
    ctx.io.out(argv.json ? toJson(run.result) : formatTrainingResult(run.result));
  },
});
