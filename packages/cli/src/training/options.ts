import { ConfigError, readDocument } from '@sata/core';
import { DEFAULT_CONFIG, resolveConfig, type ResolvedConfig } from '@sata/training';
import { registryArchitectures } from '@sata/hw';
import type { Registry } from '@sata/plugin-api';
import type { Argv } from 'yargs';

/** Options shared by `sata simulate`, `sata compare` (and the sweep base): every one overrides the configuration. */
export interface TrainingArgs {
  config?: string;
  set?: string[];
  network?: string;
  timesteps?: number;
  dt?: number;
  batch?: number;
  arch?: string;
  dataflow?: string;
  energy?: string;
  algorithm?: string;
  /** The mode, or false from --no-sparsity (sparsity-unaware). */
  sparsity?: string | boolean;
  gating?: boolean;
  spikeSparsity?: number;
  membraneGradientSparsity?: number;
  firingGradientSparsity?: number;
  sparsityProfile?: string;
  /** An activity trace: replayed sparsity. */
  activity?: string;
  trainEpochs?: number;
  annSparsity?: number;
  annGating?: boolean;
  bits?: string;
  array?: string;
  glbKib?: string;
  glbBandwidth?: number;
  dramBandwidth?: number;
  dramLatency?: number;
  keep?: string;
  coding?: string;
  dataset?: string;
  seed?: number;
  json: boolean;
}

/** SATA's hardware defaults as the help shows them: from the sata spec (packages/hw/arch/sata.yaml), through the configuration's defaults. */
const D = DEFAULT_CONFIG;
const HW = D.memory;
const kibList = Object.entries(HW.glbKiB).map(([k, v]) => `${k}=${v}`).join(',');

export function trainingOptions(y: Argv): Argv<any> {
  return y
    .option('config', { type: 'string', describe: 'configuration file (JSON or YAML) of overrides; flags override it' })
    .option('set', { type: 'string', array: true, describe: 'override any setting: --set memory.glbKiB.weights=288 (repeatable)' })
    .option('network', { alias: 'n', type: 'string', describe: `a built-in network (sata network list) or a .json/.yaml file [default: ${D.network}]` })
    .option('timesteps', { alias: 'T', type: 'number', describe: `SNN time steps [default: ${D.timesteps}]` })
    .option('dt', { type: 'number', describe: `seconds per time step, for a network file with continuous-time neurons (NIR's tau: lam = 1 - dt/tau) [default: ${D.dtSeconds}]` })
    .option('batch', { alias: 'b', type: 'number', describe: `samples per iteration [default: ${D.batch}]` })
    .option('arch', { type: 'string', describe: `architecture spec: a name (sata: SNN BPTT on SATA; eyeriss: the ANN on the Eyeriss-like baseline; sata-zero-skip; sata arch list) or a .yaml/.json spec file [default: ${D.arch}]` })
    .option('dataflow', { type: 'string', describe: `os, ws, is, sata (ws with a layer's time steps batched) or sata-tiled (sata keeping partial sums on chip); the ANN runs the mapping unbatched [default: ${D.dataflow}]` })
    .option('energy', { type: 'string', describe: `energy model (sata-32nm, eyeriss, horowitz-45nm, ...) [default: ${D.energyModel}]` })
    .option('algorithm', { type: 'string', describe: `SNN training algorithm: bptt, tbptt:K, sltt, sltt:K, ottt, ottt:lambda, bptt-checkpoint:K, bptt-checkpoint-layers:K (sata plugins lists them) [default: ${D.algorithm}]` })
    .option('sparsity', { type: 'string', describe: `statistical: scalar sparsities; measured: counted from the functional model on --dataset; replayed: counted from an activity trace (--activity FILE); --no-sparsity: sparsity-unaware (nothing gated) [default: ${D.sparsity.mode}]` })
    .option('gating', { type: 'boolean', describe: 'gate operations on zero operands; --no-gating is --no-sparsity [default: true]' })
    .option('spike-sparsity', { type: 'number', describe: `spike sparsity (1 - density) [default: ${D.sparsity.spike}]` })
    .option('membrane-gradient-sparsity', { type: 'number', describe: `membrane-gradient (du) sparsity [default: ${D.sparsity.membraneGradient}]` })
    .option('firing-gradient-sparsity', { type: 'number', describe: `firing-gradient (surrogate) sparsity [default: ${D.sparsity.firingGradient}]` })
    .option('sparsity-profile', { type: 'string', describe: 'JSON/YAML file of per-layer (and per-step) sparsities: { conv1: { spike: 0.8, perStep: [...] } }' })
    .option('activity', { type: 'string', describe: 'replayed sparsity: the counts come from this activity trace (sata train --record-activity, tools/pytorch_activity.py); sets --sparsity replayed' })
    .option('train-epochs', { type: 'number', describe: `measured mode: train this many epochs before measuring [default: ${D.sparsity.trainEpochs}]` })
    .option('ann-sparsity', { type: 'number', describe: `ANN activation sparsity after ReLU [default: ${D.ann.activationSparsity}]` })
    .option('ann-gating', { type: 'boolean', describe: 'the ANN baseline gates zero activations (--no-ann-gating: off) [default: true]' })
    .option('bits', { type: 'string', describe: 'bit widths, e.g. weight=8,membrane=12,gradient=16,spike=1,activation=16' })
    .option('array', { type: 'string', describe: `PE array ROWSxCOLS [default: the spec's, sata ${DEFAULT_CONFIG.array.rows}x${DEFAULT_CONFIG.array.cols}]` })
    .option('glb-kib', { type: 'string', describe: `global-buffer partitions in KiB, e.g. weights=288,membrane=512 [default: the spec's, sata ${kibList}]` })
    .option('glb-bandwidth', { type: 'number', describe: `bits per cycle per global-buffer partition [default: the spec's, sata ${HW.glbBandwidthBitsPerCycle}]` })
    .option('dram-bandwidth', { type: 'number', describe: `DRAM bits per cycle [default: the spec's, sata ${HW.dramBusBits}]` })
    .option('dram-latency', { type: 'number', describe: `DRAM latency, cycles [default: the spec's, sata ${HW.dramLatencyCycles}]` })
    .option('keep', { type: 'string', choices: ['membrane', 'surrogate'], describe: `what the forward pass keeps for BP besides spikes [default: ${D.keepForBackward}]` })
    .option('coding', { type: 'string', choices: ['direct', 'rate'], describe: `input encoding [default: ${D.coding}]` })
    .option('dataset', { type: 'string', choices: ['synthetic', 'digits'], describe: `measured mode input: synthetic (any shape, labelled synthetic) or the UCI digits (1x8x8) [default: ${D.dataset}]` })
    .option('seed', { type: 'number', describe: `seed of data, weights and encoders [default: ${D.seed}]` })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' });
}

type Overrides = Record<string, any>;

function setPath(o: Overrides, path: string, value: unknown, where: string): void {
  const keys = path.split('.');
  if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) throw new ConfigError(`${where}: "${path}" is not a setting path`);
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]!] = value;
}

/** `k=v,k=v` into an object of numbers. */
function pairs(option: string, text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z]\w*)\s*=\s*([^\s]+)\s*$/.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new ConfigError(`--${option}: expected name=number pairs separated by commas, got "${part}"`);
    out[m[1]!] = v;
  }
  return out;
}

/** A --set value: a number, true/false, or a string. */
function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** The overrides the flags give (without resolving): used by simulate, compare and sweep. */
export function overridesFromArgs(argv: TrainingArgs & Record<string, unknown>): Overrides {
  const o: Overrides = {};
  if (argv.config !== undefined) {
    const doc = readDocument(argv.config, 'configuration file');
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(`${argv.config}: a configuration file must hold an object of settings`);
    Object.assign(o, doc);
  }
  const put = (path: string, v: unknown): void => {
    if (v !== undefined) setPath(o, path, v, 'flags');
  };
  put('network', argv.network);
  put('timesteps', argv.timesteps);
  put('dtSeconds', argv.dt);
  put('batch', argv.batch);
  put('arch', argv.arch);
  put('dataflow', argv.dataflow);
  put('energyModel', argv.energy);
  put('algorithm', argv.algorithm);
  if (argv.sparsity === false) put('sparsity.gating', false);
  else if (argv.sparsity !== undefined) {
    if (argv.sparsity !== 'statistical' && argv.sparsity !== 'measured' && argv.sparsity !== 'replayed') throw new ConfigError(`--sparsity must be statistical, measured or replayed (or --no-sparsity), got "${String(argv.sparsity)}"`);
    put('sparsity.mode', argv.sparsity);
  }
  if (argv.activity !== undefined) {
    put('sparsity.mode', 'replayed');
    put('sparsity.activityTrace', argv.activity);
  }
  put('sparsity.gating', argv.gating);
  put('sparsity.spike', argv.spikeSparsity);
  put('sparsity.membraneGradient', argv.membraneGradientSparsity);
  put('sparsity.firingGradient', argv.firingGradientSparsity);
  put('sparsity.trainEpochs', argv.trainEpochs);
  put('ann.activationSparsity', argv.annSparsity);
  put('ann.gating', argv.annGating);
  put('keepForBackward', argv.keep);
  put('coding', argv.coding);
  put('dataset', argv.dataset);
  put('seed', argv.seed);
  put('memory.glbBandwidthBitsPerCycle', argv.glbBandwidth);
  put('memory.dramBusBits', argv.dramBandwidth);
  put('memory.dramLatencyCycles', argv.dramLatency);
  if (argv.sparsityProfile !== undefined) {
    const profile = readDocument(argv.sparsityProfile, 'sparsity profile');
    // Checked on its own first, so that an error names the profile file.
    resolveConfig({ timesteps: o.timesteps ?? DEFAULT_CONFIG.timesteps, sparsity: { perLayer: profile } }, argv.sparsityProfile);
    put('sparsity.perLayer', profile);
  }
  if (argv.bits !== undefined) for (const [k, v] of Object.entries(pairs('bits', argv.bits))) put(`bits.${k}`, v);
  if (argv.glbKib !== undefined) for (const [k, v] of Object.entries(pairs('glb-kib', argv.glbKib))) put(`memory.glbKiB.${k}`, v);
  if (argv.array !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(argv.array);
    if (!m) throw new ConfigError(`--array must be ROWSxCOLS, e.g. 8x16, got "${argv.array}"`);
    put('array.rows', Number(m[1]));
    put('array.cols', Number(m[2]));
  }
  for (const s of argv.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects path=value, got "${s}"`);
    setPath(o, s.slice(0, eq).trim(), scalar(s.slice(eq + 1).trim()), '--set');
  }
  return o;
}

export function configFromArgs(argv: TrainingArgs & Record<string, unknown>, registry: Registry): ResolvedConfig {
  return resolveConfig(overridesFromArgs(argv), argv.config ?? 'configuration', registryArchitectures(registry));
}
