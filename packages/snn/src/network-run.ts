/**
 * One input through a network's functional forward pass (`sata network run`): every layer's
 * output at every step (spikes of neurons, currents or potentials of the others) and each
 * neuron layer's spike count and density. The input is a document
 * `{ input: [[...], ...], T? }`: one flat array per step in the network's input layout
 * (C, H, W row-major), or one array for every step.
 */
import { ConfigError } from '@sata/core';
import { runForward } from './bptt.js';
import type { Network } from './network.js';
import { initWeights } from './train.js';

export interface StepOutput {
  readonly t: number;
  readonly values: readonly number[];
  /** Nonzero values (spikes of a neuron layer). */
  readonly nonzero: number;
  readonly density: number;
}

export interface LayerRun {
  readonly name: string;
  readonly kind: string;
  readonly neuron: boolean;
  readonly value: string;
  readonly shape: readonly number[];
  readonly steps: readonly StepOutput[];
  /** Neuron layers: spikes over all steps. */
  readonly spikes?: number;
}

export interface NetworkRun {
  readonly network: string;
  readonly T: number;
  /** Whether the weights are the network's own (a NIR file's) or drawn from the seed. */
  readonly weights: 'own' | 'seeded';
  readonly layers: readonly LayerRun[];
}

/** The input steps of a run document, checked against the network and T (`T` flag wins over the file's). */
export function parseRunInput(doc: unknown, net: Network, source: string, flagT?: number): { T: number; inputs: Float32Array[] } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(`${source}: an input file holds an object { "input": [[...], ...], "T"?: n }`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (k !== 'input' && k !== 'T') throw new ConfigError(`${source}: unknown field "${k}" (known: input, T)`);
  const raw = d['input'];
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError(`${source}: field "input" must be a non-empty list of steps, each a list of ${net.inSize} numbers`);
  const fileT = d['T'];
  if (fileT !== undefined && (typeof fileT !== 'number' || !Number.isInteger(fileT) || fileT < 1)) throw new ConfigError(`${source}: field "T" must be a positive integer, found ${JSON.stringify(fileT)}`);
  const T = flagT ?? (fileT as number | undefined) ?? raw.length;
  if (raw.length !== 1 && raw.length !== T) throw new ConfigError(`${source}: ${raw.length} input steps for T = ${T} (give one step per time step, or one for all)`);
  const steps = raw.map((x, t) => {
    if (!Array.isArray(x) || x.length !== net.inSize) throw new ConfigError(`${source}: input[${t}] must be a list of ${net.inSize} numbers (the network's input ${net.inputShape.join('x')}), found ${Array.isArray(x) ? `${x.length} values` : JSON.stringify(x)?.slice(0, 40)}`);
    const a = new Float32Array(x.length);
    x.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${source}: input[${t}][${i}] is not a finite number (${JSON.stringify(v)})`);
      a[i] = v;
    });
    return a;
  });
  return { T, inputs: Array.from({ length: T }, (_, t) => steps[raw.length === 1 ? 0 : t]!) };
}

/** The forward pass in evaluation mode, float32, batch 1. */
export function runNetwork(net: Network, inputs: readonly Float32Array[], o: { T: number; lam: number; theta: number; seed: number }): NetworkRun {
  const weights = initWeights(net, { seed: o.seed, dtype: 'float32' });
  const fwd = runForward(net, weights, inputs, { T: o.T, lam: o.lam, theta: o.theta, training: false });
  const layers = fwd.layers.map((tr): LayerRun => {
    const l = tr.layer;
    const neuron = l.def.neuron === true;
    const steps = tr.y.map((y, t): StepOutput => {
      const nonzero = tr.nnz[t]!.y;
      return { t, values: Array.from(y), nonzero, density: y.length === 0 ? 0 : nonzero / y.length };
    });
    return { name: l.name, kind: l.kind, neuron, value: l.value, shape: l.outShape, steps, ...(neuron ? { spikes: steps.reduce((s, x) => s + x.nonzero, 0) } : {}) };
  });
  const carried = net.params !== undefined && net.layers.every((l) => l.params.length === 0 || net.params![l.index]?.[l.params[0]!.name] !== undefined);
  return { network: net.name, T: o.T, weights: carried ? 'own' : 'seeded', layers };
}
