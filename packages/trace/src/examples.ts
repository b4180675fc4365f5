/**
 * A replayable run that shows the record convention for action counts, small enough to
 * read in one go: an array that works through `folds` folds, one every `foldCycles` ticks.
 * Each fold event's payload declares its kind and the MACs it performs (known when the fold
 * is scheduled); the handler reports the global-buffer reads it does (known only when it
 * runs) through the ActionRecorder. The model also tallies its own counts, which is what a
 * direct (unrecorded) run prices: re-costing the trace must give the same bill.
 */
import { Component, ConfigError, defineComponentInfo, Simulator } from '@sata/core';
import { ActionCounter } from '@sata/plugin-api';
import type { ActionRecorder, ReplayableRunKind } from './replay.js';

export interface MacArrayConfig {
  readonly folds: number;
  readonly macsPerFold: number;
  readonly readsPerFold: number;
  readonly bits: number;
  readonly foldCycles: number;
}

const FIELDS: Record<keyof MacArrayConfig, { default: number; min: number }> = {
  folds: { default: 16, min: 0 },
  macsPerFold: { default: 64, min: 0 },
  readsPerFold: { default: 8, min: 0 },
  bits: { default: 8, min: 1 },
  foldCycles: { default: 4, min: 1 },
};

export const macArrayInfo = defineComponentInfo({
  type: 'example.MacArray',
  version: '1.0.0',
  description: 'Works through folds; each fold does MACs and global-buffer reads (an action-count example)',
  params: {
    folds: { type: 'int', default: 16, min: 0, unit: 'folds', description: 'folds to run' },
    macsPerFold: { type: 'int', default: 64, min: 0, unit: 'MACs', description: 'MACs per fold' },
    readsPerFold: { type: 'int', default: 8, min: 0, unit: 'reads', description: 'global-buffer reads per fold' },
    bits: { type: 'int', default: 8, min: 1, unit: 'bits', description: 'operand width' },
    foldCycles: { type: 'int', default: 4, min: 1, unit: 'ticks', description: 'ticks per fold' },
  },
  ports: {},
  stats: {},
});

export class MacArray extends Component<typeof macArrayInfo.params> {
  /** The counts of a direct run. */
  readonly tally = new ActionCounter();
  constructor(
    sim: Simulator,
    name: string,
    params: Record<string, unknown>,
    private readonly recorder: () => ActionRecorder,
  ) {
    super(sim, name, macArrayInfo, params);
  }
  override init(): void {
    if (this.params.folds > 0) this.scheduleFold(0);
  }
  private scheduleFold(fold: number): void {
    const { macsPerFold, bits } = this.params;
    // Active rows vary by fold so that payloads and counts are not all alike.
    const macs = macsPerFold - (fold % 3);
    const payload = { kind: 'fold', fold, actions: [['pe', 'mac', bits, Math.max(0, macs)]] };
    this.schedule(fold === 0 ? 0 : this.params.foldCycles, () => this.runFold(fold, Math.max(0, macs)), payload);
  }
  private runFold(fold: number, macs: number): void {
    this.tally.add('pe', 'mac', this.params.bits, macs);
    const reads = this.params.readsPerFold + (fold & 1);
    this.tally.add('globalBuffer', 'read', 16, reads);
    this.recorder().countAction('globalBuffer', 'read', 16, reads);
    if (fold + 1 < this.params.folds) this.scheduleFold(fold + 1);
  }
}

export const macArrayRunKind: ReplayableRunKind<MacArrayConfig> = {
  name: 'example.mac-array',
  description: 'an array working through folds, with MAC and global-buffer action counts',
  resolveConfig(raw) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('mac-array configuration must be a map');
    const given = raw as Record<string, unknown>;
    for (const k of Object.keys(given)) if (!(k in FIELDS)) throw new ConfigError(`mac-array configuration: unknown field "${k}"`);
    const out: Record<string, number> = {};
    for (const [k, spec] of Object.entries(FIELDS)) {
      const v = given[k] ?? spec.default;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < spec.min) throw new ConfigError(`mac-array configuration: ${k} must be an integer >= ${spec.min}, got ${String(v)}`);
      out[k] = v;
    }
    return out as unknown as MacArrayConfig;
  },
  run(config, seed, attach) {
    const sim = new Simulator({ seed });
    let recorder: ActionRecorder | undefined;
    new MacArray(sim, 'array', { ...config }, () => recorder!);
    recorder = attach(sim);
    return sim.run();
  },
};
