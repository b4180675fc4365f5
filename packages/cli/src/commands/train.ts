import { ConfigError } from '@sata/core';
import { DEFAULT_DT_SECONDS } from '@sata/plugin-api';
import { formatTable, toJson } from '@sata/report';
import { DEFAULT_LR, type DType, type EpochRecord, type LrSchedule, type LayerDensity, type OptimizerName } from '@sata/snn';
import { recordRunToFile } from '@sata/trace';
import { writeActivityFromBptt } from '@sata/training';
import type { CommandFactory } from '../context.js';
import { activityIteration, resolveTrainConfig, trainRunKind, type TrainHooks, type TrainRun } from '../runs/train-kind.js';

interface TrainArgs {
  network: string;
  dataset: 'digits' | 'synthetic';
  timesteps: number;
  epochs: number;
  batch: number;
  optimizer: OptimizerName;
  lr?: number;
  schedule: LrSchedule;
  seed: number;
  lam: number;
  theta: number;
  encoder: string;
  dtype: DType;
  gain: number;
  samples: number;
  algorithm?: string;
  dt?: number;
  trace?: string;
  recordActivity?: string;
  activityBatch?: number;
  json: boolean;
}

/**
 * `sata train`: BPTT training of a network on real data (the shipped digits) or synthetic
 * data, printing per epoch the test accuracy and the measured densities of every layer.
 */
export const trainCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .option('network', { type: 'string', default: 'digits-cnn', describe: 'built-in network name, or a .json/.yaml network file' })
      .option('dataset', { choices: ['digits', 'synthetic'] as const, default: 'digits' as const, describe: 'digits: the shipped UCI digits (1500/297 split); synthetic: generated for the network input shape' })
      .option('timesteps', { alias: 'T', type: 'number', default: 4, describe: 'time steps per sample' })
      .option('epochs', { type: 'number', default: 25, describe: 'training epochs' })
      .option('batch', { type: 'number', default: 64, describe: 'mini-batch size' })
      .option('optimizer', { choices: ['sgd', 'adam'] as const, default: 'sgd' as const, describe: 'sgd with momentum 0.9, or adam' })
      .option('schedule', { choices: ['constant', 'cosine'] as const, default: 'constant' as const, describe: 'learning rate: constant, or cosine decay to 0' })
      .option('lr', { type: 'number', describe: `learning rate (default: adam ${DEFAULT_LR.adam}, sgd ${DEFAULT_LR.sgd})` })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the initial weights, the batch order, the encoder and synthetic data' })
      .option('lam', { type: 'number', default: 0.9, describe: 'membrane leak per step' })
      .option('theta', { type: 'number', default: 1.0, describe: 'firing threshold' })
      .option('encoder', { type: 'string', default: 'direct', describe: 'spike encoder (see sata plugins)' })
      .option('dtype', { choices: ['float32', 'float64'] as const, default: 'float32' as const, describe: 'arithmetic precision' })
      .option('gain', { type: 'number', default: 2, describe: 'weight initialisation gain (normal * gain / sqrt(fan-in))' })
      .option('samples', { type: 'number', default: 2000, describe: 'synthetic data: samples (5/6 train, 1/6 test)' })
      .option('algorithm', { type: 'string', describe: 'training algorithm: bptt, tbptt:K, sltt, sltt:K, ottt, ottt:lambda, bptt-checkpoint:K, bptt-checkpoint-layers:K [default: bptt]' })
      .option('dt', { type: 'number', describe: `seconds per time step, for a network file with continuous-time neurons (NIR's tau: lam = 1 - dt/tau) [default: ${DEFAULT_DT_SECONDS}]` })
      .option('record-activity', { type: 'string', describe: 'after training, write the spikes and gradients of one BPTT iteration (per layer and step) as an activity trace to FILE (sata simulate --activity FILE)' })
      .option('activity-batch', { type: 'number', describe: 'test samples of the recorded iteration (default 1; sata simulate --batch must match)' })
      .option('trace', { type: 'string', describe: 'record the run (one event per epoch: loss, accuracies, spike densities) into FILE; sata replay FILE --verify re-trains and compares' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
  handler: (argv: TrainArgs) => {
    const reg = ctx.registry();
    if (!Number.isInteger(argv.timesteps) || argv.timesteps < 1) throw new ConfigError(`--timesteps must be a positive integer, found ${argv.timesteps}`);
    const kind = trainRunKind(reg);
    const cfg = resolveTrainConfig(
      {
        network: argv.network, dataset: argv.dataset, timesteps: argv.timesteps, epochs: argv.epochs, batch: argv.batch, optimizer: argv.optimizer,
        ...(argv.lr !== undefined ? { lr: argv.lr } : {}),
        schedule: argv.schedule, seed: argv.seed, lam: argv.lam, theta: argv.theta, encoder: argv.encoder, dtype: argv.dtype, gain: argv.gain, samples: argv.samples,
        ...(argv.algorithm !== undefined ? { algorithm: argv.algorithm } : {}),
        ...(argv.dt !== undefined ? { dt: argv.dt } : {}),
      },
      'sata train options',
    );
    if (argv.activityBatch !== undefined && argv.recordActivity === undefined) throw new ConfigError('--activity-batch goes with --record-activity FILE');
    const t0 = performance.now();
    const hooks: TrainHooks = {
      onStart: (net, data) => {
        const source = data.train.source;
        const header = `training ${net.name} on ${data.train.name.replace(/-train$/, '')} (${source}${source === 'synthetic' ? ': generated data, not a real task' : ''}; ${data.train.count} train / ${data.test.count} test), T=${argv.timesteps}, ${argv.encoder} coding, ${argv.optimizer} lr ${argv.lr ?? DEFAULT_LR[argv.optimizer]} (${argv.schedule}), batch ${argv.batch}, ${argv.dtype}, seed ${argv.seed}`;
        ctx.io.err(header);
        if (!argv.json) ctx.io.out(header);
      },
      ...(ctx.io.interactive ? { onBatch: (e: number, done: number, total: number) => void process.stderr.write(`\repoch ${e}: batch ${done}/${total}`) } : {}),
      onEpoch: (e) => {
        if (ctx.io.interactive) process.stderr.write('\r');
        ctx.io.err(`epoch ${e.epoch}/${argv.epochs}: test accuracy ${pct(e.testAccuracy)}, train loss ${e.trainLoss.toFixed(4)}, ${e.seconds.toFixed(1)} s`);
        if (!argv.json) ctx.io.out(describeEpoch(e));
      },
    };
    let run!: TrainRun;
    if (argv.trace !== undefined) {
      const rec = recordRunToFile({ ...kind, run: (c, _seed, attach) => ((run = kind.execute(c, attach, hooks)), { endTime: run.result.epochs.length, events: run.result.epochs.length, reason: 'empty' }) }, cfg, cfg.seed, argv.trace, { plugins: reg.pluginList() });
      ctx.io.err(`trace: ${rec.trace.records} records, ${rec.trace.bytes} bytes in ${argv.trace} (digest ${rec.trace.digest})`);
    } else run = kind.execute(cfg, undefined, hooks);
    const { net, data, result } = run;
    const source = data.train.source;
    if (argv.recordActivity !== undefined) {
      const samples = argv.activityBatch ?? 1;
      const bptt = activityIteration(net, result.weights, data, cfg, samples, argv.encoder, reg);
      const w = writeActivityFromBptt(argv.recordActivity, net, bptt);
      ctx.io.err(`activity: ${w.records} step records (spikes and gradients of ${net.layers.length} layers x ${cfg.timesteps} steps, ${samples} test sample(s)) in ${argv.recordActivity}; replay: sata simulate --network ${argv.network} -T ${cfg.timesteps} --batch ${samples} --activity ${argv.recordActivity}`);
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    ctx.io.err(`trained in ${wallSeconds.toFixed(1)} s`);
    if (argv.json) {
      ctx.io.out(
        toJson({
          network: net.name,
          dataset: { name: data.train.name.replace(/-train$/, ''), source, description: data.train.description, train: data.train.count, test: data.test.count },
          options: { T: argv.timesteps, lam: argv.lam, theta: argv.theta, encoder: argv.encoder, optimizer: argv.optimizer, lr: argv.lr ?? DEFAULT_LR[argv.optimizer], schedule: argv.schedule, batch: argv.batch, epochs: argv.epochs, seed: argv.seed, dtype: argv.dtype, gain: argv.gain, algorithm: argv.algorithm ?? 'bptt' },
          // Wall times go to stderr only: the same options and seed give the same document, byte for byte.
          epochs: result.epochs.map(({ seconds: _seconds, ...epoch }) => epoch),
          testAccuracy: result.testAccuracy,
        }),
      );
    } else {
      ctx.io.out(`final test accuracy ${pct(result.testAccuracy)} after ${argv.epochs} epochs (${wallSeconds.toFixed(1)} s)`);
    }
  },
});

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

const f3 = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
const perStep = (d: LayerDensity, key: 'spike' | 'surrogate' | 'du' | 'ds'): string => (d.overall[key] === null ? '-' : d.perStep.map((p) => f3(p[key])).join(' '));

function describeEpoch(e: EpochRecord): string {
  const rows = e.densities.map((d) => [
    `${d.index} ${d.name}`, f3(d.overall.input), f3(d.overall.spike), f3(d.overall.surrogate), f3(d.overall.du), f3(d.overall.ds), perStep(d, 'spike'), perStep(d, 'surrogate'), perStep(d, 'du'),
  ]);
  return `epoch ${e.epoch}: test accuracy ${pct(e.testAccuracy)}  train accuracy ${pct(e.trainAccuracy)}  train loss ${e.trainLoss.toFixed(4)}  (${e.seconds.toFixed(1)} s)\n${formatTable(
    ['layer', 'input', 'spike', 'surrogate', 'du', 'ds', 'spike per step', 'surrogate per step', 'du per step'],
    rows,
    { alignRight: [1, 2, 3, 4, 5] },
  )}\n`;
}
