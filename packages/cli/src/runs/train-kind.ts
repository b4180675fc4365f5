/**
 * `sata train` as a replayable run. Training runs the functional model, not the hardware,
 * so its trace is the run's progress as events: after the (deterministic) training loop, a
 * simulator replays one `epoch` event per epoch (time = epoch number) whose payload holds
 * the epoch's train loss, train and test accuracy and per-layer spike densities. Replay
 * (`sata replay FILE --verify`) re-trains from the header's options and compares the
 * streams byte for byte: a check that training is reproducible. There are no action counts.
 */
import { Component, ConfigError, defineComponentInfo, quote, Rng, Simulator, type RunResult } from '@sata/core';
import type { Registry } from '@sata/plugin-api';
import { algorithmFor, checkFunctionalModelFits, digitsSplit, encodeSequence, gatherBatch, networkFromRef, runBptt, splitDataset, syntheticDataset, train, type DType, type EpochRecord, type LrSchedule, type Network, type OptimizerName, type Split, type TrainResult, type Weights } from '@sata/snn';
import type { ActionRecorder, ReplayableRunKind } from '@sata/trace';

export const TRAIN_RUN_KIND = 'train';

export interface TrainConfig {
  readonly network: string;
  readonly dataset: 'digits' | 'synthetic';
  readonly timesteps: number;
  readonly epochs: number;
  readonly batch: number;
  readonly optimizer: OptimizerName;
  /** Absent: the optimizer's default. */
  readonly lr?: number;
  readonly schedule: LrSchedule;
  readonly seed: number;
  readonly lam: number;
  readonly theta: number;
  readonly encoder: string;
  readonly dtype: DType;
  readonly gain: number;
  readonly samples: number;
  /** The training algorithm (default bptt). */
  readonly algorithm?: string;
  /** Seconds per time step for a network file with continuous-time neurons (default DEFAULT_DT_SECONDS). */
  readonly dt?: number;
}

const FIELDS = ['network', 'dataset', 'timesteps', 'epochs', 'batch', 'optimizer', 'lr', 'schedule', 'seed', 'lam', 'theta', 'encoder', 'dtype', 'gain', 'samples', 'algorithm', 'dt'];

export function resolveTrainConfig(raw: unknown, where = 'train configuration'): TrainConfig {
  const fail = (m: string): never => {
    throw new ConfigError(`${where}: ${m}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('must be a map');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(`unknown field "${k}" (known: ${FIELDS.join(', ')})`);
  // Upper bounds as the simulator's configuration has them (timesteps, batch), and a finite amount of work (epochs).
  const int = (k: string, min: number, max = Number.MAX_SAFE_INTEGER): number =>
    typeof o[k] === 'number' && Number.isSafeInteger(o[k]) && (o[k] as number) >= min && (o[k] as number) <= max ? (o[k] as number) : fail(`${k} must be an integer in ${min}..${max}, got ${quote(o[k])}`);
  const num = (k: string): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : fail(`${k} must be a finite number, got ${quote(o[k])}`));
  const oneOf = <T extends string>(k: string, values: readonly T[]): T => (values.includes(o[k] as T) ? (o[k] as T) : fail(`${k} must be one of ${values.join(', ')}, got ${quote(o[k])}`));
  const str = (k: string): string => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : fail(`${k} must be a non-empty string`));
  return {
    network: str('network'),
    dataset: oneOf('dataset', ['digits', 'synthetic']),
    timesteps: int('timesteps', 1, 1024),
    epochs: int('epochs', 1, 100_000),
    batch: int('batch', 1, 65536),
    optimizer: oneOf('optimizer', ['sgd', 'adam']),
    ...(o.lr !== undefined ? { lr: num('lr') } : {}),
    schedule: oneOf('schedule', ['constant', 'cosine']),
    seed: int('seed', 0),
    lam: num('lam'),
    theta: num('theta'),
    encoder: str('encoder'),
    dtype: oneOf('dtype', ['float32', 'float64']),
    gain: num('gain'),
    samples: int('samples', 2),
    ...(o.algorithm !== undefined ? { algorithm: str('algorithm') } : {}),
    ...(o.dt !== undefined ? { dt: typeof o.dt === 'number' && o.dt > 0 && o.dt <= 1 ? o.dt : fail(`dt must be > 0 and <= 1 (seconds per time step), got ${quote(o.dt)}`) } : {}),
  };
}

export interface TrainRun {
  readonly net: Network;
  readonly data: Split;
  readonly result: TrainResult;
}

export interface TrainHooks {
  readonly onEpoch?: (e: EpochRecord) => void;
  readonly onBatch?: (epoch: number, done: number, total: number) => void;
  readonly onStart?: (net: Network, data: Split) => void;
}

const trainerInfo = defineComponentInfo({ type: 'cli.TrainingProgress', version: '1.0.0', description: 'replays a finished training run as one event per epoch', params: {}, ports: {}, stats: {} });

class TrainingProgress extends Component<typeof trainerInfo.params> {
  constructor(sim: Simulator, private readonly epochs: readonly EpochRecord[]) {
    super(sim, 'training', trainerInfo, {});
  }
  override init(): void {
    this.epochs.forEach((e, i) => {
      const payload = { kind: 'epoch', epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy, spike: e.densities.map((d) => d.overall.spike ?? -1) };
      this.schedule(i + 1, () => undefined, payload);
    });
  }
}

export interface TrainRunKind extends ReplayableRunKind<TrainConfig> {
  execute(config: TrainConfig, attach: ((sim: Simulator) => ActionRecorder) | undefined, hooks?: TrainHooks): TrainRun;
}

export function trainRunKind(registry: Registry): TrainRunKind {
  const execute: TrainRunKind['execute'] = (c, attach, hooks = {}) => {
    const net = networkFromRef(c.network, registry, c.dt !== undefined ? { dt: c.dt } : {});
    const encoder = registry.get('encoders', c.encoder);
    checkFunctionalModelFits(net, { timesteps: c.timesteps, batch: c.batch, dtype: c.dtype, samples: c.dataset === 'digits' ? 0 : c.samples }, 'sata train');
    const data: Split =
      c.dataset === 'digits'
        ? digitsSplit(0)
        : splitDataset(syntheticDataset({ inputShape: net.inputShape, classes: net.classes, count: c.samples, seed: c.seed }), Math.round((c.samples * 5) / 6), c.seed);
    hooks.onStart?.(net, data);
    const spec = c.algorithm ?? 'bptt';
    algorithmFor(spec, c.timesteps, c.seed, registry, 'algorithm'); // refused before any epoch if it is not one
    // One instance per iteration, its seed drawn from the run's: sltt:K draws its K steps anew each time.
    const algorithm = (iteration: number) => algorithmFor(spec, c.timesteps, new Rng(c.seed, `algorithm.iteration${iteration}`).nextInt(2 ** 31), registry, 'algorithm');
    const result = train(net, data, {
      T: c.timesteps, lam: c.lam, theta: c.theta, epochs: c.epochs, batch: c.batch, optimizer: c.optimizer, algorithm,
      ...(c.lr !== undefined ? { lr: c.lr } : {}),
      schedule: c.schedule, seed: c.seed, dtype: c.dtype, encoder, gain: c.gain,
      ...(hooks.onBatch ? { onBatch: hooks.onBatch } : {}),
      ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
    });
    if (attach) {
      const sim = new Simulator({ seed: c.seed });
      new TrainingProgress(sim, result.epochs);
      attach(sim);
      sim.run();
    }
    return { net, data, result };
  };
  return {
    name: TRAIN_RUN_KIND,
    description: 'BPTT training of the functional model, one event per epoch (sata train)',
    resolveConfig: (raw) => resolveTrainConfig(raw, 'trace configuration'),
    execute,
    run(config, _seed, attach): RunResult {
      const r = execute(config, attach);
      return { endTime: r.result.epochs.length, events: r.result.epochs.length, reason: 'empty' };
    },
  };
}

/**
 * One BPTT iteration of trained weights on the first `samples` test samples (encoded as in
 * measured mode): the tensors an activity trace records.
 */
export function activityIteration(net: Network, weights: Weights, data: Split, c: TrainConfig, samples: number, encoderName: string, registry: Registry) {
  if (!Number.isSafeInteger(samples) || samples < 1 || samples > data.test.count) throw new ConfigError(`--activity-batch must be an integer in 1..${data.test.count} (the test samples), got ${samples}`);
  const encoder = registry.get('encoders', encoderName);
  const { x, labels } = gatherBatch(data.test, Array.from({ length: samples }, (_, i) => i), c.dtype);
  const inputs = encodeSequence(encoder, x, c.timesteps, new Rng(c.seed, 'measure.encoder'));
  return runBptt(net, weights, inputs, labels, { T: c.timesteps, lam: c.lam, theta: c.theta, algorithm: algorithmFor(c.algorithm ?? 'bptt', c.timesteps, c.seed, registry, 'algorithm') });
}
