import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBoundedBufferExample, ConfigError, SIMULATOR_VERSION, Simulator, type RunResult, type TimelineSink } from '@sata/core';
import { ActionCounter, priceActions, type EnergyBreakdown, type EnergyModelContribution } from '@sata/plugin-api';
import { canonicalize } from './canonical.js';
import type { TraceHeader, TraceRecord } from './format.js';
import { TraceReader, type TraceChunk } from './reader.js';
import { AtomicFileSink, type ByteSink } from './sink.js';
import { TraceWriter, type TraceSummary } from './writer.js';

/**
 * A kind of run that can be recorded and replayed: it turns a configuration (as stored in
 * a trace header) and a seed into a built model, lets the caller attach observers, and runs
 * it. Recording and replay call the same `run`, so a replay re-executes exactly the code
 * that recorded. `sata example` is the first; `simulate`, `compare`, `layer` and `train`
 * register theirs the same way.
 */
export interface ReplayableRunKind<C = unknown> {
  readonly name: string;
  readonly description: string;
  /**
   * Checks and completes a configuration (from the command line or a trace header, so
   * never trusted) and returns the resolved value that goes into the header. Must be
   * idempotent: resolving a resolved configuration gives it back unchanged.
   */
  resolveConfig(raw: unknown): C;
  /**
   * Builds the model, calls `attach(sim)` once it is wired and before its first event, and
   * runs it. `attach` returns where components report the actions they perform while
   * handling an event (the trace writer when recording, a no-op otherwise).
   */
  run(config: C, seed: number, attach: (sim: Simulator) => ActionRecorder): RunResult;
  /** What a record stores of an event's payload (default: the payload itself); see TraceWriterOptions.payload. */
  readonly tracePayload?: (payload: unknown) => unknown;
}

/** Where a component reports actions performed while handling the current event, and (when recorded) its timeline. */
export interface ActionRecorder {
  countAction(component: string, action: string, bits: number, count: number): void;
  readonly timeline?: TimelineSink;
}

/** For runs that are not recorded. */
export const NO_ACTION_RECORDER: ActionRecorder = Object.freeze({ countAction: () => {} });

export class RunKindRegistry {
  private readonly kinds = new Map<string, ReplayableRunKind<any>>();
  constructor(kinds: readonly ReplayableRunKind<any>[] = []) {
    for (const k of kinds) this.register(k);
  }
  register(kind: ReplayableRunKind<any>): this {
    if (this.kinds.has(kind.name)) throw new ConfigError(`duplicate replayable run kind "${kind.name}"`);
    this.kinds.set(kind.name, kind);
    return this;
  }
  get(name: string): ReplayableRunKind<unknown> {
    const k = this.kinds.get(name);
    if (!k) throw new ConfigError(`trace run kind "${name}" cannot be replayed here (known: ${this.names().join(', ') || '(none)'})`);
    return k;
  }
  names(): string[] {
    return [...this.kinds.keys()].sort();
  }
}

export interface BoundedBufferConfig {
  readonly count: number;
  readonly interval: number;
  readonly capacity: number;
  readonly serviceTime: number;
  readonly linkLatency: number;
}

const BOUNDED_BUFFER_FIELDS: Record<keyof BoundedBufferConfig, { default: number; min: number }> = {
  count: { default: 10, min: 0 },
  interval: { default: 1, min: 1 },
  capacity: { default: 4, min: 1 },
  serviceTime: { default: 3, min: 1 },
  linkLatency: { default: 1, min: 0 },
};

/** The kernel's worked example (producer, bounded buffer, consumer) as a replayable run. */
export const boundedBufferRunKind: ReplayableRunKind<BoundedBufferConfig> = {
  name: 'example.bounded-buffer',
  description: 'the kernel worked example: a producer, a bounded buffer with backpressure, a consumer',
  resolveConfig(raw) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('bounded-buffer configuration must be a map');
    const given = raw as Record<string, unknown>;
    for (const k of Object.keys(given)) if (!(k in BOUNDED_BUFFER_FIELDS)) throw new ConfigError(`bounded-buffer configuration: unknown field "${k}" (known: ${Object.keys(BOUNDED_BUFFER_FIELDS).sort().join(', ')})`);
    const out: Record<string, number> = {};
    for (const [k, spec] of Object.entries(BOUNDED_BUFFER_FIELDS)) {
      const v = given[k] ?? spec.default;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < spec.min) throw new ConfigError(`bounded-buffer configuration: ${k} must be an integer >= ${spec.min}, got ${String(v)}`);
      out[k] = v;
    }
    return out as unknown as BoundedBufferConfig;
  },
  run(config, seed, attach) {
    const sim = new Simulator({ seed });
    buildBoundedBufferExample(sim, config);
    attach(sim);
    return sim.run();
  },
};

export interface RecordOptions {
  /** Installed plugins (`Registry.pluginList()`). */
  readonly plugins: readonly string[];
  readonly chunkRecords?: number;
}

export interface RecordedRun {
  readonly result: RunResult;
  readonly trace: TraceSummary;
  /** The simulator that ran, for statistics. */
  readonly sim: Simulator;
}

/** Runs `kind` with `config` and `seed`, recording it into `sink` (e.g. an AtomicFileSink). */
export function recordRun<C>(kind: ReplayableRunKind<C>, rawConfig: unknown, seed: number, sink: ByteSink, opts: RecordOptions): RecordedRun {
  let writer: TraceWriter | undefined;
  let sim: Simulator | undefined;
  try {
    const config = kind.resolveConfig(rawConfig);
    const stored = canonicalize(config, 'configuration');
    const result = kind.run(config, seed, (s) => {
      sim = s;
      writer = TraceWriter.attach(s, sink, { runKind: kind.name, config: stored, plugins: opts.plugins, ...(opts.chunkRecords ? { chunkRecords: opts.chunkRecords } : {}), ...(kind.tracePayload ? { payload: kind.tracePayload } : {}) });
      return writer;
    });
    if (!writer || !sim) throw new ConfigError(`run kind ${kind.name} never attached the trace writer`);
    const trace = writer.finish();
    return { result, trace, sim };
  } catch (e) {
    if (writer) writer.fail();
    else sink.abort();
    throw e;
  }
}

/** Records into `path` atomically. */
export function recordRunToFile<C>(kind: ReplayableRunKind<C>, rawConfig: unknown, seed: number, path: string, opts: RecordOptions): RecordedRun {
  return recordRun(kind, rawConfig, seed, new AtomicFileSink(path), opts);
}

/** Fails clearly unless every plugin the header names is installed at the same version, and the simulator version matches. */
export function checkReplayable(header: TraceHeader, installedPlugins: readonly string[]): void {
  if (header.simulator !== SIMULATOR_VERSION) {
    throw new ConfigError(`the trace was recorded by simulator ${header.simulator}, this is ${SIMULATOR_VERSION}: its behaviour may differ, so it cannot be verified; re-record it`);
  }
  const installed = new Map(installedPlugins.map((p) => splitPlugin(p)));
  const problems: string[] = [];
  for (const p of header.plugins) {
    const [name, version] = splitPlugin(p);
    const have = installed.get(name);
    if (have === undefined) problems.push(`plugin ${name}@${version} is not installed`);
    else if (have !== version) problems.push(`plugin ${name}@${version} is needed but ${name}@${have} is installed`);
  }
  if (problems.length) throw new ConfigError(`cannot replay this trace: ${problems.join('; ')}`);
}

function splitPlugin(p: string): [string, string] {
  const at = p.lastIndexOf('@');
  return at > 0 ? [p.slice(0, at), p.slice(at + 1)] : [p, ''];
}

export interface Divergence {
  /** Record index where the streams first differ (or `header`). */
  readonly where: 'header' | 'record' | 'end';
  readonly index: number;
  readonly recorded: Pick<TraceRecord, 'seq' | 'time' | 'kind'> | undefined;
  readonly replayed: Pick<TraceRecord, 'seq' | 'time' | 'kind'> | undefined;
  readonly message: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly records: number;
  readonly digest: string | undefined;
  readonly divergence?: Divergence;
}

/**
 * Rebuilds the model from the trace's header, re-runs it (recording into a temporary file)
 * and compares the two streams byte for byte, chunk by chunk; reports the first divergent
 * record. The recorded trace is validated as it is read.
 */
export function verifyTrace(path: string, kinds: RunKindRegistry, installedPlugins: readonly string[]): VerifyResult {
  const original = TraceReader.open(path);
  const dir = mkdtempSync(join(tmpdir(), 'sata-verify-'));
  try {
    const h = original.header;
    checkReplayable(h, installedPlugins);
    const kind = kinds.get(h.runKind);
    const replayPath = join(dir, 'replay.trace');
    recordRunToFile(kind, h.config, h.seed, replayPath, { plugins: h.plugins, chunkRecords: h.chunkRecords });
    const replay = TraceReader.open(replayPath);
    try {
      return compareTraces(original, replay);
    } finally {
      replay.close();
    }
  } finally {
    original.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compares two traces read in lockstep; the first difference is described by record. */
export function compareTraces(recorded: TraceReader, replayed: TraceReader): VerifyResult {
  if (!recorded.headerRaw.equals(replayed.headerRaw)) {
    const fields = (Object.keys(recorded.header) as (keyof TraceHeader)[]).filter((k) => JSON.stringify(recorded.header[k]) !== JSON.stringify(replayed.header[k]));
    return { ok: false, records: 0, digest: undefined, divergence: { where: 'header', index: 0, recorded: undefined, replayed: undefined, message: `the headers differ (${fields.join(', ') || 'encoding'})` } };
  }
  for (;;) {
    const a = recorded.nextChunk();
    const b = replayed.nextChunk();
    if (!a || !b) {
      if (!a && !b) {
        if (recorded.footer!.digest !== replayed.footer!.digest || recorded.footer!.endTime !== replayed.footer!.endTime) {
          return { ok: false, records: recorded.recordsRead, digest: undefined, divergence: { where: 'end', index: recorded.recordsRead, recorded: undefined, replayed: undefined, message: 'the footers differ (end time)' } };
        }
        return { ok: true, records: recorded.recordsRead, digest: recorded.footer!.digest };
      }
      const extra = (a ?? b)!;
      const r = extra.records[0]!;
      const who = a ? 'the recorded trace has' : 'the replay produced';
      return { ok: false, records: extra.firstRecord, digest: undefined, divergence: { where: 'record', index: r.index, recorded: a ? pick(r) : undefined, replayed: b ? pick(r) : undefined, message: `${who} more records, from record ${r.index}` } };
    }
    if (!a.raw.equals(b.raw)) return { ok: false, records: a.firstRecord, digest: undefined, divergence: firstDifference(a, b) };
  }
}

function firstDifference(a: TraceChunk, b: TraceChunk): Divergence {
  const n = Math.min(a.records.length, b.records.length);
  for (let i = 0; i < n; i++) {
    const [as, ae] = a.spans[i]!;
    const [bs, be] = b.spans[i]!;
    if (!a.body.subarray(as, ae).equals(b.body.subarray(bs, be))) return describeAt(a.records[i]!, b.records[i]!);
  }
  if (a.records.length !== b.records.length) {
    const r = (a.records[n] ?? b.records[n])!;
    return { where: 'record', index: r.index, recorded: a.records[n] && pick(a.records[n]), replayed: b.records[n] && pick(b.records[n]), message: `chunk ${a.index} holds ${a.records.length} records in the trace and ${b.records.length} in the replay` };
  }
  // Same records: the definitions (interned names) differ.
  return { where: 'record', index: a.firstRecord, recorded: pick(a.records[0]!), replayed: pick(b.records[0]!), message: `chunk ${a.index} defines names differently` };
}

function describeAt(x: TraceRecord, y: TraceRecord): Divergence {
  return {
    where: 'record',
    index: x.index,
    recorded: pick(x),
    replayed: pick(y),
    message: `record ${x.index} differs: recorded seq ${x.seq} at time ${x.time} (${x.kind}), replayed seq ${y.seq} at time ${y.time} (${y.kind})`,
  };
}

function pick(r: TraceRecord): Pick<TraceRecord, 'seq' | 'time' | 'kind'> {
  return { seq: r.seq, time: r.time, kind: r.kind };
}

/** Re-costs a recorded run: the action counts of every record, priced with `model`, without simulating. */
export function recostTrace(path: string, model: EnergyModelContribution): EnergyBreakdown & { records: number } {
  const reader = TraceReader.open(path);
  try {
    const tally = new ActionCounter();
    for (const r of reader.records()) for (const [c, a, b, n] of r.actions) tally.add(c, a, b, n);
    return { ...priceActions(model, tally.list()), records: reader.recordsRead };
  } finally {
    reader.close();
  }
}
