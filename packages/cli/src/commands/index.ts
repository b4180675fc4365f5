import type { CommandEntry } from '../context.js';

/**
 * Every `sata` command, in the order `--help` lists them. Add one line per new command. A
 * command's module (its options and what it runs) is imported only when that command runs,
 * so that `sata --help`, `--version` and each command load no code of the others.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'simulate',
    describe: 'Simulate one training iteration: SNN BPTT on SATA (--arch sata) or the ANN on the Eyeriss-like baseline (--arch eyeriss): cycles and energy by stage, layer, step, component, action, data placement',
    load: async () => (await import('./simulate.js')).simulateCommand,
  },
  {
    command: 'compare',
    describe: 'Compare SNN training on SATA with ANN training on the Eyeriss-like baseline, and sparsity-aware with unaware: the sparsity gain in computation energy and SNN/ANN total energy, with the breakdown that explains them',
    load: async () => (await import('./compare.js')).compareCommand,
  },
  {
    command: 'plugins',
    describe: 'List the registered plugins and what they contribute (parameters with defaults and units, ports, statistics)',
    load: async () => (await import('./plugins.js')).pluginsCommand,
  },
  {
    command: 'arch <action> [name]',
    describe: 'List the architecture specs (list), or show one resolved (show NAME|FILE): its components with class, role and parameters, and its links',
    plugins: 'hardware',
    load: async () => (await import('./arch.js')).archCommand,
  },
  {
    command: 'example',
    describe: 'Run the kernel worked example: a producer, a bounded buffer with backpressure, a consumer',
    load: async () => (await import('./example.js')).exampleCommand,
  },
  {
    command: 'layer',
    describe: 'Run one conv layer or GEMM on the systolic array with a dataflow: compute and stall cycles, utilization, SRAM and DRAM traffic, energy',
    plugins: 'hardware',
    load: async () => (await import('./layer.js')).layerCommand,
  },
  {
    command: 'network',
    describe: 'Show a network as the simulator resolves it (layers, shapes, parameters, operations), or list the built-in ones',
    load: async () => (await import('./network.js')).networkCommand,
  },
  {
    command: 'reference',
    describe: 'Check the functional SNN model against reference (golden) files',
    load: async () => (await import('./reference.js')).referenceCommand,
  },
  {
    command: 'train',
    describe: 'Train an SNN with BPTT (functional model) and report test accuracy and per-layer densities per epoch',
    load: async () => (await import('./train.js')).trainCommand,
  },
  {
    command: 'trace <action> <file>',
    describe: 'Inspect a recorded trace (info: header, counts, digest check, how far a damaged file reads, the size of its export) or export it for Perfetto (--view timeline: where the time goes; --view events: every kernel event)',
    load: async () => (await import('./trace.js')).traceCommand,
  },
  {
    command: 'replay <file>',
    describe: 'Replay a recorded trace: --verify re-runs it and compares byte for byte; --energy MODEL prices its action counts with another energy model',
    load: async () => (await import('./replay.js')).replayCommand,
  },
  {
    command: 'sweep',
    describe: 'Run a parameter sweep in parallel (grid or paired, shardable); "sata sweep merge" joins shards',
    load: async () => (await import('./sweep.js')).sweepCommand,
  },
  {
    command: 'report <files..>',
    describe: 'Render result JSON files (simulate, compare, sweep) as one self-contained HTML report with charts',
    load: async () => (await import('./report.js')).reportCommand,
  },
];
