import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Component, ConfigError, defineComponentInfo, Priority, Simulator } from '@sata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { macArrayRunKind, MacArray } from './examples.js';
import { BufferSource, TraceReader } from './reader.js';
import { boundedBufferRunKind, NO_ACTION_RECORDER, recordRun, recordRunToFile } from './replay.js';
import { AtomicFileSink, MemorySink } from './sink.js';
import { TraceWriter } from './writer.js';

const PLUGINS = ['example@1.0.0'];

function record(config: unknown, seed = 1, chunkRecords = 16): Buffer {
  const sink = new MemorySink();
  recordRun(boundedBufferRunKind, config, seed, sink, { plugins: PLUGINS, chunkRecords });
  return sink.bytes();
}

function readAll(bytes: Buffer) {
  const r = new TraceReader(new BufferSource(bytes));
  const records = [...r.records()];
  return { header: r.header, records, footer: r.footer! };
}

/** Every event of the bounded-buffer example as the kernel reports it, copied. */
function observeDirectly(config: { count: number }) {
  const out: Array<{ seq: number; time: number; priority: number; src: string | null; dst: string | null; payload: unknown }> = [];
  boundedBufferRunKind.run(boundedBufferRunKind.resolveConfig(config), 1, (sim) => {
    sim.observe('event', (e) => out.push({ seq: e.seq, time: e.time, priority: e.priority, src: e.source?.fullName ?? null, dst: e.destination?.fullName ?? null, payload: e.payload === undefined ? null : structuredClone(e.payload) }));
    return NO_ACTION_RECORDER;
  });
  return out;
}

describe('trace writer and reader', () => {
  it('round-trips every event of a run: order, times, ports, payloads', () => {
    const direct = observeDirectly({ count: 25 });
    const { header, records, footer } = readAll(record({ count: 25 }));
    expect(records).toHaveLength(direct.length);
    expect(footer.records).toBe(direct.length);
    expect(footer.chunks).toBe(Math.ceil(direct.length / 16));
    records.forEach((r, i) => {
      const d = direct[i]!;
      expect([r.index, r.seq, r.time, r.priority]).toEqual([i, d.seq, d.time, d.priority]);
      expect(r.source === null ? null : header.ports[r.source]!.name).toBe(d.src);
      expect(r.destination === null ? null : header.ports[r.destination]!.name).toBe(d.dst);
      expect(r.data).toEqual(d.payload);
      expect(r.kind).toBe(d.src === null ? 'event' : d.payload === null ? 'retry' : 'deliver');
    });
    expect(header.config).toEqual({ capacity: 4, count: 25, interval: 1, linkLatency: 1, serviceTime: 3 });
    expect(header.components.map((c) => c.name)).toEqual(['buffer', 'consumer', 'producer']);
    expect(header.links.map((l) => [l.name, header.ports[l.a]!.name, header.ports[l.b]!.name])).toEqual([
      ['buffer-consumer', 'buffer.out', 'consumer.in'],
      ['producer-buffer', 'producer.out', 'buffer.in'],
    ]);
    expect(header.plugins).toEqual(PLUGINS);
  });

  it('writes the same bytes for the same run, and different bytes for another seed or config', () => {
    const a = record({ count: 40 });
    const b = record({ count: 40 });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(record({ count: 40 }, 2))).toBe(false);
    expect(a.equals(record({ count: 41 }))).toBe(false);
  });

  it('stores the header config canonically: key order does not matter', () => {
    const a = record({ count: 5, capacity: 2 });
    const b = record({ capacity: 2, count: 5 });
    expect(a.equals(b)).toBe(true);
  });

  it('takes kind, payload-declared and handler-declared action counts into the record', () => {
    const sink = new MemorySink();
    recordRun(macArrayRunKind, { folds: 5, macsPerFold: 10, readsPerFold: 2 }, 1, sink, { plugins: [] });
    const { records } = readAll(sink.bytes());
    expect(records.map((r) => r.kind)).toEqual(['fold', 'fold', 'fold', 'fold', 'fold']);
    expect(records.map((r) => r.data)).toEqual([0, 1, 2, 3, 4].map((fold) => ({ fold })));
    expect(records[1]!.actions).toEqual([
      ['pe', 'mac', 8, 9],
      ['globalBuffer', 'read', 16, 3],
    ]);
    expect(records[0]!.actions[1]).toEqual(['globalBuffer', 'read', 16, 2]);
  });

  it('keeps memory to one chunk: the sink receives chunks as the run goes', () => {
    const sizes: number[] = [];
    const sink = { write: (b: Uint8Array) => void sizes.push(b.length), commit() {}, abort() {} };
    const result = boundedBufferRunKind.run(boundedBufferRunKind.resolveConfig({ count: 2000 }), 1, (s) => TraceWriter.attach(s, sink, { runKind: 'x', config: {}, plugins: [], chunkRecords: 64 }));
    expect(result.events).toBeGreaterThan(6000);
    expect(sizes.length).toBeGreaterThan(2 * Math.floor(6000 / 64));
    expect(Math.max(...sizes.slice(1))).toBeLessThan(64 * 40);
  });

  it('compresses events: small deltas and interned names', () => {
    const bytes = record({ count: 5000 }, 1, 4096);
    const { records } = readAll(bytes);
    // Each item payload {createdAt, id} costs ~6 bytes; the rest of a record ~8.
    expect(bytes.length / records.length).toBeLessThan(16);
  });

  it('rejects non-canonical payloads (NaN, undefined in arrays, functions) and leaves no file', () => {
    const info = defineComponentInfo({ type: 't.Bad', version: '1.0.0', description: '', params: {}, ports: {}, stats: {} });
    class Bad extends Component {
      constructor(sim: Simulator, private readonly payload: unknown) {
        super(sim, 'bad', info);
      }
      override init(): void {
        this.schedule(1, () => {}, this.payload);
      }
    }
    for (const [payload, msg] of [
      [{ x: NaN }, /NaN/],
      [[1, undefined], /undefined/],
      [{ f: () => 1 }, /function/],
      [Infinity, /Infinity/],
    ] as const) {
      const sink = new MemorySink();
      const sim = new Simulator();
      new Bad(sim, payload);
      TraceWriter.attach(sim, sink, { runKind: 't', config: {}, plugins: [] });
      expect(() => sim.run()).toThrow(msg);
      expect(sink.committed).toBe(false);
    }
  });

  it('writes -0 as 0 and drops undefined properties', () => {
    const info = defineComponentInfo({ type: 't.Z', version: '1.0.0', description: '', params: {}, ports: {}, stats: {} });
    class Z extends Component {
      override init(): void {
        this.schedule(0, () => {}, { a: -0, b: undefined, c: [1.5, -2] }, Priority.EVENT);
      }
    }
    const sink = new MemorySink();
    const sim = new Simulator();
    new Z(sim, 'z', info);
    TraceWriter.attach(sim, sink, { runKind: 't', config: {}, plugins: [] });
    sim.run();
    const [r] = readAll(sink.bytes()).records;
    expect(r!.data).toEqual({ a: 0, c: [1.5, -2] });
    expect(Object.is((r!.data as { a: number }).a, 0)).toBe(true);
  });

  it('refuses to attach after the run started', () => {
    const sim = new Simulator();
    sim.schedule(1, () => {});
    sim.step();
    expect(() => TraceWriter.attach(sim, new MemorySink(), { runKind: 't', config: {}, plugins: [] })).toThrow(/before the simulation starts/);
  });

  it('counting an action outside an event is an error', () => {
    const sim = new Simulator();
    new MacArray(sim, 'array', { folds: 1 }, () => NO_ACTION_RECORDER);
    const w = TraceWriter.attach(sim, new MemorySink(), { runKind: 't', config: {}, plugins: [] });
    expect(() => w.countAction('pe', 'mac', 8, 1)).toThrow(/outside an event/);
  });
});

describe('atomic output', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sata-trace-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the file under its name only on success', () => {
    const path = join(dir, 'run.trace');
    recordRunToFile(boundedBufferRunKind, { count: 10 }, 1, path, { plugins: PLUGINS });
    expect(readdirSync(dir)).toEqual(['run.trace']);
    expect(readAll(readFileSync(path)).footer.records).toBeGreaterThan(10);
  });

  it('leaves neither the file nor a temporary when the run fails', () => {
    const path = join(dir, 'bad.trace');
    expect(() => recordRunToFile(boundedBufferRunKind, { count: -1 }, 1, path, { plugins: PLUGINS })).toThrow(ConfigError);
    const info = defineComponentInfo({ type: 't.Boom', version: '1.0.0', description: '', params: {}, ports: {}, stats: {} });
    class Boom extends Component {
      override init(): void {
        for (let i = 0; i < 100; i++) this.schedule(i, () => {
          if (i === 90) throw new Error('boom');
        });
      }
    }
    const sink = new AtomicFileSink(path);
    const sim = new Simulator();
    new Boom(sim, 'b', info);
    const w = TraceWriter.attach(sim, sink, { runKind: 't', config: {}, plugins: [], chunkRecords: 8 });
    expect(() => sim.run()).toThrow('boom');
    expect(readdirSync(dir)).toContain(sink.tempPath!.split('/').pop());
    w.fail();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('replaces an existing file atomically', () => {
    const path = join(dir, 'run.trace');
    recordRunToFile(boundedBufferRunKind, { count: 10 }, 1, path, { plugins: PLUGINS });
    recordRunToFile(boundedBufferRunKind, { count: 20 }, 1, path, { plugins: PLUGINS });
    expect(readAll(readFileSync(path)).header.config).toMatchObject({ count: 20 });
    expect(readdirSync(dir)).toEqual(['run.trace']);
  });
});
