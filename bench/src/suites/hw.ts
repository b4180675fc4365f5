import { isDataflow } from '@sata/dataflow-is';
import { osDataflow } from '@sata/dataflow-os';
import { wsDataflow } from '@sata/dataflow-ws';
import { sata32EnergyModel } from '@sata/energy-sata32';
import { convForwardGemm, runCycleLevel, simulateLayer, type ConvShape, type Matrix } from '@sata/hw';
import type { DataflowContribution, GemmShape } from '@sata/plugin-api';
import type { BenchCase, BenchSuite } from '../harness.js';

/**
 * Hardware-model suites. `sata layer` on every layer of VGG16 for CIFAR-10 (13 convs, 3x3,
 * pad 1, and the 512 -> 10 classifier), fold-level, one dataflow per case; the VGG5 layers
 * SCALE-Sim v2 was timed on (reference/scalesim-v2.csv: the shapes only, the
 * comparison is in the note); the cycle-level reference's PE-steps per second.
 */
const conv = (H: number, C: number, K: number): ConvShape => ({ H, W: H, R: 3, S: 3, C, K, stride: 1, pad: 1 });
const VGG16_CIFAR: GemmShape[] = [
  conv(32, 3, 64), conv(32, 64, 64),
  conv(16, 64, 128), conv(16, 128, 128),
  conv(8, 128, 256), conv(8, 256, 256), conv(8, 256, 256),
  conv(4, 256, 512), conv(4, 512, 512), conv(4, 512, 512),
  conv(2, 512, 512), conv(2, 512, 512), conv(2, 512, 512),
].map((c) => convForwardGemm(c)).concat([{ M: 1, N: 10, K: 512 }]);

// The SCALE-Sim rows: VGG5 on CIFAR-10 shapes, inputs pre-padded, as the CSV gives them.
const VGG5_SCALESIM: GemmShape[] = [
  convForwardGemm({ H: 34, W: 34, R: 3, S: 3, C: 3, K: 64, stride: 1, pad: 0 }),
  convForwardGemm({ H: 18, W: 18, R: 3, S: 3, C: 64, K: 128, stride: 1, pad: 0 }),
  convForwardGemm({ H: 18, W: 18, R: 3, S: 3, C: 128, K: 128, stride: 1, pad: 0 }),
  { M: 1, N: 1024, K: 8192 },
  { M: 1, N: 10, K: 1024 },
];

function network(layers: readonly GemmShape[], dataflow: DataflowContribution, stats: { cycles: number; events: number; folds: number }): () => void {
  return () => {
    let cycles = 0;
    let events = 0;
    let folds = 0;
    for (const gemm of layers) {
      const r = simulateLayer({ gemm, dataflow, energyModel: sata32EnergyModel });
      cycles += r.cycles;
      events += r.events;
      folds += r.mapping.folds;
    }
    Object.assign(stats, { cycles, events, folds });
  };
}

function networkCase(name: string, layers: readonly GemmShape[], dataflow: DataflowContribution): BenchCase {
  const stats = { cycles: 0, events: 0, folds: 0 };
  const fn = network(layers, dataflow, stats);
  return { name, unitsPerCall: layers.length, rateName: 'layersPerSecond', fn, extra: () => ({ ...stats, layers: layers.length }) };
}

function cycleLevelCase(): BenchCase {
  const gemm = { M: 64, N: 64, K: 64 };
  const ones = (rows: number, cols: number): Matrix => ({ rows, cols, data: new Float64Array(rows * cols).fill(1) });
  const plan = wsDataflow.plan(gemm, { rows: 8, cols: 16 });
  const a = ones(64, 64);
  const b = ones(64, 64);
  const peSteps = runCycleLevel(plan, a, b, 'ifmap').peSteps;
  return { name: 'cycle-level-ws-64x64x64', unitsPerCall: peSteps, rateName: 'peStepsPerSecond', fn: () => void runCycleLevel(plan, a, b, 'ifmap'), extra: () => ({ peSteps }) };
}

export const hwSuite: BenchSuite = {
  name: 'hw',
  cases: () => [
    networkCase('vgg16-cifar10-ws', VGG16_CIFAR, wsDataflow),
    networkCase('vgg16-cifar10-os', VGG16_CIFAR, osDataflow),
    networkCase('vgg16-cifar10-is', VGG16_CIFAR, isDataflow),
    networkCase('vgg5-scalesim-layers-ws', VGG5_SCALESIM, wsDataflow),
    networkCase('vgg5-scalesim-layers-os', VGG5_SCALESIM, osDataflow),
    networkCase('vgg5-scalesim-layers-is', VGG5_SCALESIM, isDataflow),
    cycleLevelCase(),
  ],
};
