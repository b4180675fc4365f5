import { formatComparison, toJson } from '@sata/report';
import { compareTraining } from '@sata/training';
import type { CommandFactory } from '../context.js';
import { configFromArgs, trainingOptions, type TrainingArgs } from '../training/options.js';
import { progressReporter } from '../training/progress.js';

/** `sata compare`: SNN on SATA against the ANN on the Eyeriss-like baseline, and sparsity-aware against unaware. */
export const compareCommand: CommandFactory = (ctx) => ({
  command: 'compare',
  describe: 'Compare SNN training on SATA with ANN training on the Eyeriss-like baseline, and sparsity-aware with unaware: the sparsity gain in computation energy and SNN/ANN total energy, with the breakdown that explains them',
  builder: (y) => trainingOptions(y),
  handler: (argv: TrainingArgs) => {
    const cfg = configFromArgs(argv as TrainingArgs & Record<string, unknown>);
    const progress = progressReporter(ctx.io);
    const runs = compareTraining(cfg, ctx.registry(), { progress: progress.message, attach: progress.attach });
    progress.done();
    ctx.io.out(argv.json ? toJson(runs.result) : formatComparison(runs.result));
  },
});
