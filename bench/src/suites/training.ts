import { builtinRegistry } from '@sata/cli';
import { resolveConfig, simulateTraining } from '@sata/training';
import type { BenchSuite } from '../harness.js';

/**
 * One training iteration simulated end to end (schedule, events through the hardware,
 * pricing): VGG5, VGG16, the graph networks ResNet-19 (tdBN) and SEW-ResNet-18 and the
 * spiking transformer Spikformer-4-384 with CIFAR-10 shapes, T = 4, batch 1, statistical sparsity.
 * The rate is iterations per second; events per iteration and events per second are
 * reported beside it.
 */
export const trainingSuite: BenchSuite = {
  name: 'training',
  cases: () => {
    const registry = builtinRegistry();
    const make = (network: string, dataflow: string) => {
      const cfg = resolveConfig({ network, dataflow, timesteps: 4, batch: 1 });
      let events = 0;
      let seconds = 0;
      let runs = 0;
      return {
        name: `${network}-T4-${dataflow}`,
        unitsPerCall: 1,
        rateName: 'iterationsPerSecond',
        fn: () => {
          const t0 = process.hrtime.bigint();
          events = simulateTraining(cfg, registry).result.events;
          seconds += Number(process.hrtime.bigint() - t0) / 1e9;
          runs++;
        },
        extra: () => ({ eventsPerIteration: events, eventsPerSecond: (events * runs) / seconds, wallSecondsPerIteration: seconds / runs }),
      };
    };
    return [make('vgg5', 'sata-tiled'), make('vgg5', 'sata'), make('vgg5', 'ws'), make('vgg16', 'sata-tiled'), make('vgg16', 'sata'), make('vgg16', 'ws'), make('resnet19', 'sata-tiled'), make('sew-resnet18', 'sata-tiled'), make('spikformer-4-384', 'sata-tiled')];
  },
};
