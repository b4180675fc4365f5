import { ConfigError, freezeConfig, quote, type Config } from '@sata/core';
import { DEFAULT_DT_SECONDS } from '@sata/plugin-api';
import { builtinArchitectureLookup, componentOf, componentsOf, dramInfo, globalBufferInfo, peArrayInfo, resolveArchitecture, scratchpadInfo, withParams, type ArchitectureLookup, type ArchSpec } from '@sata/hw';

/**
 * The configuration of one simulated training iteration. Every field has a default (the
 * SATA paper's and SATA_Sim's, hardware-model.md sections 2, 3 and 8); `resolveConfig`
 * fills them, validates everything and freezes the result, which goes into every result
 * and trace header as `config`. The hardware fields (`clockMHz`, `array`, `memory`) take
 * their defaults from the architecture spec `arch` names (packages/hw/arch/): the spec is
 * their one source, and a value set here overrides the spec's.
 */
export interface TrainingConfig {
  /** A zoo name (vgg5, vgg9, vgg11, vgg16, digits-cnn, mlp) or a network file (JSON/YAML, or a format's: .nir). */
  readonly network: string;
  /** Seconds per time step, for a network file with continuous-time neurons (NIR's tau: lam = 1 - dt/tau). */
  readonly dtSeconds: number;
  /**
   * The architecture spec: a registered name (`sata`: the SNN with BPTT on SATA; `eyeriss`:
   * the same network as an ANN on the Eyeriss-like baseline; a plugin's) or a spec file.
   * Its `workload` says whether the SNN or the ANN is trained.
   */
  readonly arch: string;
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
   * sltt:K, ottt, ottt:lambda, bptt-checkpoint:K, bptt-checkpoint-layers:K). The ANN always runs one backward pass.
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
  /**
   * The ANN baseline's own sparsity (zero activations after ReLU gate the PEs, as in
   * Eyeriss), and its attention: softmax over the scores (a transformer as trained as an
   * ANN) or linear (the spiking model's scores, scaled, without softmax).
   */
  readonly ann: { readonly gating: boolean; readonly activationSparsity: number; readonly attention: 'softmax' | 'linear' };
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

/** The hardware fields of the configuration as a spec gives them (a parameter a spec leaves out: its class's default). */
export function hardwareDefaults(spec: ArchSpec): Pick<TrainingConfig, 'clockMHz' | 'array' | 'memory'> {
  const param = (c: { params: Readonly<Record<string, unknown>> }, name: string, info: { params: Readonly<Record<string, { default?: unknown }>> }): number => (c.params[name] ?? info.params[name]?.default) as number;
  const array = componentOf(spec, 'array')[1];
  const buffers = componentsOf(spec, 'buffer');
  const first = buffers[0]![1];
  const dram = componentOf(spec, 'dram')[1];
  const gb = (name: string): number => param(first, name, globalBufferInfo);
  return {
    clockMHz: spec.clockMHz,
    array: { rows: param(array, 'rows', peArrayInfo), cols: param(array, 'cols', peArrayInfo) },
    memory: {
      glbKiB: Object.fromEntries(buffers.map(([n, c]) => [n, param(c, 'capacityBytes', globalBufferInfo) / 1024])) as TrainingConfig['memory']['glbKiB'],
      scratchpadBytes: { spike: param(componentOf(spec, 'scratchpad.ifmap')[1], 'bytesPerPe', scratchpadInfo), weight: param(componentOf(spec, 'scratchpad.filter')[1], 'bytesPerPe', scratchpadInfo), psum: 8 },
      glbPortBits: gb('widthBits'),
      glbBanks: gb('banks'),
      // 0 in a spec means banks x width (the component's rule).
      glbBandwidthBitsPerCycle: gb('bandwidthBitsPerCycle') || gb('banks') * gb('widthBits'),
      pinnedShare: gb('pinnedShare'),
      dramCapacityMiB: param(dram, 'capacityBytes', dramInfo) / (1024 * 1024),
      dramBusBits: param(dram, 'bandwidthBitsPerCycle', dramInfo),
      dramLatencyCycles: param(dram, 'latencyCycles', dramInfo),
    },
  };
}

/**
 * The spec a resolved configuration runs: `arch`'s, with every hardware field the
 * configuration sets to another value than the spec's applied to the components it names
 * (a partition's capacity; the width, banks, bandwidth and pinned share of every partition;
 * the array, scratchpads, DRAM, clock) and the input coding on the encoder.
 */
export function architectureFor(cfg: ResolvedConfig, archs: ArchitectureLookup = builtinArchitectureLookup): ArchSpec {
  const spec = resolveArchitecture(cfg.arch, archs);
  const d = hardwareDefaults(spec);
  const m = cfg.memory;
  const set: Record<string, Record<string, unknown>> = {};
  const put = (component: string, param: string, value: unknown): void => void ((set[component] ??= {})[param] = value);
  const buffers = componentsOf(spec, 'buffer').map(([n]) => n);
  const array = componentOf(spec, 'array')[0];
  if (cfg.array.rows !== d.array.rows) put(array, 'rows', cfg.array.rows);
  if (cfg.array.cols !== d.array.cols) put(array, 'cols', cfg.array.cols);
  for (const b of buffers) {
    const kib = (m.glbKiB as Record<string, number>)[b]!;
    if (kib !== (d.memory.glbKiB as Record<string, number>)[b]) put(b, 'capacityBytes', Math.max(1, Math.round(kib * 1024)));
    if (m.glbPortBits !== d.memory.glbPortBits) put(b, 'widthBits', m.glbPortBits);
    if (m.glbBanks !== d.memory.glbBanks) put(b, 'banks', m.glbBanks);
    if (m.glbBandwidthBitsPerCycle !== d.memory.glbBandwidthBitsPerCycle) put(b, 'bandwidthBitsPerCycle', m.glbBandwidthBitsPerCycle);
    if (m.pinnedShare !== d.memory.pinnedShare) put(b, 'pinnedShare', m.pinnedShare);
  }
  if (m.scratchpadBytes.spike !== d.memory.scratchpadBytes.spike) put(componentOf(spec, 'scratchpad.ifmap')[0], 'bytesPerPe', m.scratchpadBytes.spike);
  if (m.scratchpadBytes.weight !== d.memory.scratchpadBytes.weight) put(componentOf(spec, 'scratchpad.filter')[0], 'bytesPerPe', m.scratchpadBytes.weight);
  const dram = componentOf(spec, 'dram')[0];
  if (m.dramCapacityMiB !== d.memory.dramCapacityMiB) put(dram, 'capacityBytes', Math.round(m.dramCapacityMiB * 1024 * 1024));
  if (m.dramBusBits !== d.memory.dramBusBits) put(dram, 'bandwidthBitsPerCycle', m.dramBusBits);
  if (m.dramLatencyCycles !== d.memory.dramLatencyCycles) put(dram, 'latencyCycles', m.dramLatencyCycles);
  put(componentOf(spec, 'encoder')[0], 'coding', cfg.coding);
  return withParams(spec, set, cfg.clockMHz);
}

const SATA_HARDWARE = hardwareDefaults(resolveArchitecture('sata', builtinArchitectureLookup));

export const DEFAULT_CONFIG: TrainingConfig = {
  network: 'vgg5',
  dtSeconds: DEFAULT_DT_SECONDS,
  arch: 'sata',
  timesteps: 4,
  batch: 1,
  dataflow: 'sata-tiled',
  energyModel: 'sata-32nm',
  algorithm: 'bptt',
  // SATA's hardware, from packages/hw/arch/sata.yaml (another arch: from its spec).
  clockMHz: SATA_HARDWARE.clockMHz,
  array: SATA_HARDWARE.array,
  bits: { spike: 1, weight: 16, membrane: 16, gradient: 16, activation: 16 },
  memory: SATA_HARDWARE.memory,
  sparsity: { mode: 'statistical', gating: true, spike: 0.9, membraneGradient: 0.7, firingGradient: 0.6, perLayer: {}, trainEpochs: 0, activityTrace: '' },
  ann: { gating: true, activationSparsity: 0.5, attention: 'softmax' },
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
export function resolveConfig(overrides: unknown = {}, source = 'configuration', archs: ArchitectureLookup = builtinArchitectureLookup): ResolvedConfig {
  const arch = isObject(overrides as Json) ? (overrides as Record<string, unknown>).arch ?? DEFAULT_CONFIG.arch : DEFAULT_CONFIG.arch;
  if (typeof arch !== 'string' || arch === '') throw new ConfigError(`${source}: arch must name an architecture (sata, eyeriss, a registered one) or a spec file, got ${describe(arch as Json)}`);
  let spec: ArchSpec;
  try {
    spec = resolveArchitecture(arch, archs);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: arch: ${e.message}`);
    throw e;
  }
  const defaults = { ...DEFAULT_CONFIG, ...hardwareDefaults(spec) };
  const merged = mergeChecked(defaults as unknown as Json, overrides as Json, '', source) as unknown as TrainingConfig;
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
  if (!(c.dtSeconds > 0 && c.dtSeconds <= 1)) throw new ConfigError(`${source}: dtSeconds must be > 0 and <= 1 (seconds per time step), got ${c.dtSeconds}`);
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
  oneOf('ann.attention', c.ann.attention, ['softmax', 'linear']);
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
