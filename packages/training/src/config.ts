import { ConfigError, freezeConfig, quote, type Config } from '@sata/core';

/**
 * The configuration of one simulated training iteration. Every field has a default (the
 * SATA paper's and SATA_Sim's, hardware-model.md sections 2, 3 and 8); `resolveConfig`
 * fills them, validates everything and freezes the result, which goes into every result
 * and trace header as `config`.
 */
export interface TrainingConfig {
  /** A zoo name (vgg5, vgg9, vgg11, vgg16, digits-cnn, mlp) or a JSON/YAML network file. */
  readonly network: string;
  /** `sata`: the SNN with BPTT on SATA; `eyeriss`: the same network as an ANN on the Eyeriss-like baseline. */
  readonly arch: 'sata' | 'eyeriss';
  /** SNN time steps T (the ANN runs one). */
  readonly timesteps: number;
  readonly batch: number;
  /**
   * A registered dataflow: os, ws, is, sata (ws with a layer's T steps batched into one
   * GEMM, SATA_Sim's dataflow), or sata-tiled (sata with the streamed rows split so that
   * partial sums stay on chip; the default). The ANN baseline, which has no steps to batch,
   * runs the same mapping unbatched.
   */
  readonly dataflow: string;
  /** A registered energy model. */
  readonly energyModel: string;
  /**
   * The SNN's training algorithm, `name` or `name:param` (registered: bptt, tbptt:K, sltt,
   * sltt:K, ottt, ottt:lambda, bptt-checkpoint:K). The ANN always runs one backward pass.
   */
  readonly algorithm: string;
  readonly clockMHz: number;
  readonly array: { readonly rows: number; readonly cols: number };
  readonly bits: {
    readonly spike: number;
    readonly weight: number;
    readonly membrane: number;
    readonly gradient: number;
    /** ANN activations and activation gradients. */
    readonly activation: number;
  };
  readonly memory: {
    /** Global buffers by tensor class, KiB. */
    readonly glbKiB: { readonly spikes: number; readonly membrane: number; readonly weights: number; readonly gradients: number; readonly misc: number };
    /** Per-PE scratchpads, bytes. */
    readonly scratchpadBytes: { readonly spike: number; readonly weight: number; readonly psum: number };
    /** Global-buffer port width per bank, bits per cycle, and banks. */
    readonly glbPortBits: number;
    readonly glbBanks: number;
    /**
     * Bits per cycle each partition delivers to and takes from the array. Default 512: the
     * partial sums of a 16-column weight-stationary array (16 reads and 16 writes of 16
     * bits per cycle), so the array is not starved by its own partial sums, as SCALE-Sim
     * assumes. SATA_Sim's CACTI figures are per 8-bit access of 16 banks (128 bits/cycle)
     * and give no bandwidth; with 128 the weight-stationary array stalls most cycles.
     */
    readonly glbBandwidthBitsPerCycle: number;
    /** Share of a partition's tile space that tensors kept for later steps may take (the rest: GEMM working tiles). */
    readonly pinnedShare: number;
    readonly dramCapacityMiB: number;
    /** DRAM bus width, bits per cycle. */
    readonly dramBusBits: number;
    readonly dramLatencyCycles: number;
  };
  readonly sparsity: {
    /**
     * statistical: densities from flags or a profile; measured: counted from the functional
     * model's tensors; replayed: counted from a recorded activity trace (`activityTrace`).
     */
    readonly mode: 'statistical' | 'measured' | 'replayed';
    /** Replayed mode: the activity trace file (packages/trace/ACTIVITY-FORMAT.md). */
    readonly activityTrace: string;
    /** False: sparsity-unaware, no operation is gated. */
    readonly gating: boolean;
    /** Sparsities (1 - density), used in statistical mode; per-layer overrides in `perLayer`. */
    readonly spike: number;
    readonly membraneGradient: number;
    readonly firingGradient: number;
    readonly perLayer: Readonly<Record<string, LayerSparsity>>;
    /** Measured mode: epochs of BPTT training before the measured iteration (0: the initial weights). */
    readonly trainEpochs: number;
  };
  /** The ANN baseline's own sparsity (zero activations after ReLU gate the PEs, as in Eyeriss). */
  readonly ann: { readonly gating: boolean; readonly activationSparsity: number };
  readonly lif: { readonly leak: number; readonly threshold: number };
  readonly coding: 'direct' | 'rate';
  /** What the forward pass keeps for the backward pass besides spikes. */
  readonly keepForBackward: 'membrane' | 'surrogate';
  /** Input data for measured mode: synthetic (any shape) or the UCI digits (1x8x8). */
  readonly dataset: 'synthetic' | 'digits';
  readonly seed: number;
}

/** Sparsities of one layer; `perStep[t]` overrides the layer's figures at step t. */
export interface LayerSparsity {
  readonly spike?: number;
  readonly membraneGradient?: number;
  readonly firingGradient?: number;
  readonly perStep?: readonly { readonly spike?: number; readonly membraneGradient?: number; readonly firingGradient?: number }[];
}

export type ResolvedConfig = Config<TrainingConfig>;

export const DEFAULT_CONFIG: TrainingConfig = {
  network: 'vgg5',
  arch: 'sata',
  timesteps: 4,
  batch: 1,
  dataflow: 'sata-tiled',
  energyModel: 'sata-32nm',
  algorithm: 'bptt',
  clockMHz: 400,
  array: { rows: 8, cols: 16 },
  bits: { spike: 1, weight: 16, membrane: 16, gradient: 16, activation: 16 },
  memory: {
    glbKiB: { spikes: 32, membrane: 256, weights: 144, gradients: 64, misc: 8 },
    scratchpadBytes: { spike: 9, weight: 9, psum: 8 },
    glbPortBits: 8,
    glbBanks: 16,
    glbBandwidthBitsPerCycle: 512,
    pinnedShare: 0.5,
    dramCapacityMiB: 512,
    dramBusBits: 128,
    dramLatencyCycles: 0,
  },
  sparsity: { mode: 'statistical', gating: true, spike: 0.9, membraneGradient: 0.7, firingGradient: 0.6, perLayer: {}, trainEpochs: 0, activityTrace: '' },
  ann: { gating: true, activationSparsity: 0.5 },
  lif: { leak: 0.9, threshold: 1 },
  coding: 'direct',
  keepForBackward: 'membrane',
  dataset: 'synthetic',
  seed: 1,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Merges user overrides onto the defaults and validates the result. Unknown keys, wrong
 * types and out-of-range values are ConfigErrors naming the full key path
 * (`memory.glbKiB.weights`) and, when given, the file they came from.
 */
export function resolveConfig(overrides: unknown = {}, source = 'configuration'): ResolvedConfig {
  const merged = mergeChecked(DEFAULT_CONFIG as unknown as Json, overrides as Json, '', source) as unknown as TrainingConfig;
  validate(merged, source);
  return freezeConfig(merged);
}

function mergeChecked(base: Json, over: Json | undefined, path: string, source: string): Json {
  if (over === undefined) return base;
  const where = `${source}: ${path || '(root)'}`;
  if (isObject(base)) {
    if (!isObject(over)) throw new ConfigError(`${where} must be an object, got ${describe(over)}`);
    // perLayer is open-ended: its keys are layer names, validated against the network later.
    if (path.endsWith('perLayer')) return over;
    const out: { [k: string]: Json } = {};
    // Own keys only: `toString` or `constructor` must not pass as settings because every object inherits them.
    for (const k of Object.keys(over)) {
      if (!Object.hasOwn(base, k)) throw new ConfigError(`${source}: unknown setting "${path ? `${path}.` : ''}${k}" (known: ${Object.keys(base).sort().join(', ')})`);
    }
    for (const [k, v] of Object.entries(base)) out[k] = mergeChecked(v, Object.hasOwn(over, k) ? over[k] : undefined, path ? `${path}.${k}` : k, source);
    return out;
  }
  if (typeof base !== typeof over) throw new ConfigError(`${where} must be a ${typeof base}, got ${describe(over)}`);
  if (typeof over === 'number' && !Number.isFinite(over)) throw new ConfigError(`${where} must be finite, got ${over}`);
  return over;
}

function validate(c: TrainingConfig, source: string): void {
  const int = (path: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isSafeInteger(v) || v < min || v > max) throw new ConfigError(`${source}: ${path} must be an integer in ${min}..${max}, got ${v}`);
  };
  const pos = (path: string, v: number): void => {
    if (!(v > 0)) throw new ConfigError(`${source}: ${path} must be > 0, got ${v}`);
  };
  const frac = (path: string, v: number): void => {
    if (!(v >= 0 && v <= 1)) throw new ConfigError(`${source}: ${path} must be in [0, 1], got ${v}`);
  };
  const oneOf = <T extends string>(path: string, v: string, values: readonly T[]): void => {
    if (!values.includes(v as T)) throw new ConfigError(`${source}: ${path} must be one of ${values.join(', ')}, got "${v}"`);
  };
  if (c.network.length === 0) throw new ConfigError(`${source}: network must name a zoo network or a file`);
  oneOf('arch', c.arch, ['sata', 'eyeriss']);
  int('timesteps', c.timesteps, 1, 1024);
  int('batch', c.batch, 1, 65536);
  pos('clockMHz', c.clockMHz);
  int('array.rows', c.array.rows, 1, 4096);
  int('array.cols', c.array.cols, 1, 4096);
  int('bits.spike', c.bits.spike, 1, 64);
  for (const k of ['weight', 'membrane', 'gradient', 'activation'] as const) int(`bits.${k}`, c.bits[k], 1, 64);
  for (const [k, v] of Object.entries(c.memory.glbKiB)) if (!(v >= 0)) throw new ConfigError(`${source}: memory.glbKiB.${k} must be >= 0, got ${v}`);
  for (const [k, v] of Object.entries(c.memory.scratchpadBytes)) int(`memory.scratchpadBytes.${k}`, v, 0);
  int('memory.glbPortBits', c.memory.glbPortBits, 1);
  int('memory.glbBanks', c.memory.glbBanks, 1);
  int('memory.glbBandwidthBitsPerCycle', c.memory.glbBandwidthBitsPerCycle, 1);
  frac('memory.pinnedShare', c.memory.pinnedShare);
  pos('memory.dramCapacityMiB', c.memory.dramCapacityMiB);
  int('memory.dramBusBits', c.memory.dramBusBits, 1);
  int('memory.dramLatencyCycles', c.memory.dramLatencyCycles, 0);
  oneOf('sparsity.mode', c.sparsity.mode, ['statistical', 'measured', 'replayed']);
  if (c.sparsity.mode === 'replayed' && c.sparsity.activityTrace === '') throw new ConfigError(`${source}: sparsity.mode replayed needs sparsity.activityTrace, an activity trace file (--activity FILE)`);
  frac('sparsity.spike', c.sparsity.spike);
  frac('sparsity.membraneGradient', c.sparsity.membraneGradient);
  frac('sparsity.firingGradient', c.sparsity.firingGradient);
  for (const [layer, s] of Object.entries(c.sparsity.perLayer)) {
    if (!isObject(s as unknown as Json)) throw new ConfigError(`${source}: sparsity.perLayer.${layer} must be an object`);
    const check = (o: Record<string, unknown>, path: string): void => {
      for (const [k, v] of Object.entries(o)) {
        if (k === 'perStep' && path.split('.').length === 3) continue;
        if (!['spike', 'membraneGradient', 'firingGradient'].includes(k)) throw new ConfigError(`${source}: unknown setting "${path}.${k}" (known: spike, membraneGradient, firingGradient${path.split('.').length === 3 ? ', perStep' : ''})`);
        if (typeof v !== 'number') throw new ConfigError(`${source}: ${path}.${k} must be a number, got ${describe(v as Json)}`);
        frac(`${path}.${k}`, v);
      }
    };
    check(s as Record<string, unknown>, `sparsity.perLayer.${layer}`);
    if (s.perStep !== undefined) {
      if (!Array.isArray(s.perStep)) throw new ConfigError(`${source}: sparsity.perLayer.${layer}.perStep must be a list (one entry per time step)`);
      if (s.perStep.length !== c.timesteps) throw new ConfigError(`${source}: sparsity.perLayer.${layer}.perStep has ${s.perStep.length} entries but timesteps is ${c.timesteps}`);
      s.perStep.forEach((st, t) => check(st as Record<string, unknown>, `sparsity.perLayer.${layer}.perStep[${t}]`));
    }
  }
  int('sparsity.trainEpochs', c.sparsity.trainEpochs, 0, 1000);
  frac('ann.activationSparsity', c.ann.activationSparsity);
  if (!(c.lif.leak >= 0 && c.lif.leak <= 1)) throw new ConfigError(`${source}: lif.leak must be in [0, 1], got ${c.lif.leak}`);
  pos('lif.threshold', c.lif.threshold);
  oneOf('coding', c.coding, ['direct', 'rate']);
  oneOf('keepForBackward', c.keepForBackward, ['membrane', 'surrogate']);
  oneOf('dataset', c.dataset, ['synthetic', 'digits']);
  int('seed', c.seed, 0);
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: Json | undefined): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return quote(v);
}
