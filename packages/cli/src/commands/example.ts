import { statValue, type RunResult, type Simulator } from '@sata/core';
import { formatTable, toJson } from '@sata/report';
import { boundedBufferRunKind, NO_ACTION_RECORDER, recordRunToFile } from '@sata/trace';
import type { CommandFactory } from '../context.js';

/** `sata example`: runs the kernel's worked example (producer -> bounded buffer -> consumer). */
export const exampleCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .option('count', { type: 'number', default: 20, describe: 'items to produce' })
      .option('capacity', { type: 'number', default: 4, describe: 'buffer slots (items)' })
      .option('service-time', { type: 'number', default: 3, describe: 'consumer ticks per item' })
      .option('latency', { type: 'number', default: 1, describe: 'link latency (ticks)' })
      .option('seed', { type: 'number', default: 1, describe: 'root random seed' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('trace', { type: 'string', describe: 'record the run into this trace file (replay it with sata replay FILE --verify)' }),
  handler: (argv: { count: number; capacity: number; serviceTime: number; latency: number; seed: number; json: boolean; trace?: string }) => {
    const config = { count: argv.count, capacity: argv.capacity, serviceTime: argv.serviceTime, linkLatency: argv.latency };
    let sim: Simulator | undefined;
    let run: RunResult;
    if (argv.trace) {
      const rec = recordRunToFile(boundedBufferRunKind, config, argv.seed, argv.trace, { plugins: ctx.registry().pluginList() });
      ({ sim, result: run } = rec);
      ctx.io.err(`trace: ${rec.trace.records} records, ${rec.trace.bytes} bytes, digest ${rec.trace.digest} -> ${argv.trace}`);
    } else {
      run = boundedBufferRunKind.run(boundedBufferRunKind.resolveConfig(config), argv.seed, (s) => ((sim = s), NO_ACTION_RECORDER));
    }
    if (!sim) throw new Error('the example run built no simulator');
    const stats = sim.allComponents().flatMap((c) => [...c.stats().values()].map((s) => ({ name: `${c.name}.${s.info.name}`, unit: s.info.unit, value: statValue(s) })));
    if (argv.json) {
      ctx.io.out(toJson({ endTime: run.endTime, events: run.events, stats }));
      return;
    }
    ctx.io.out(`simulated ${run.events} events, ended at tick ${run.endTime}\n`);
    ctx.io.out(formatTable(['statistic', 'unit', 'value'], stats.map((s) => [s.name, s.unit, typeof s.value === 'number' ? s.value : `n=${s.value.count} mean=${s.value.count ? (s.value.sum / s.value.count).toFixed(2) : '-'}`])));
  },
});
