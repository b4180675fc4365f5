import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Simulator, type TimelineCounter, type TimelineSlice } from '@sata/core';
import { describe, expect, it } from 'vitest';
import type { Timeline } from '@sata/plugin-api';
import { countTimelinePerfetto, exportTimelinePerfetto } from './perfetto.js';
import { BufferSource, TraceReader } from './reader.js';
import { boundedBufferRunKind, recordRun, recordRunToFile, type ReplayableRunKind } from './replay.js';
import { MemorySink } from './sink.js';

const PLUGINS = ['example@1.0.0'];

/** The bounded-buffer example, reporting a slice per delivery to the consumer and the buffer's fill as a counter. */
function timedKind(bad?: 'ends-first' | 'fraction'): ReplayableRunKind<unknown> {
  return {
    ...boundedBufferRunKind,
    name: boundedBufferRunKind.name,
    run(config, seed, attach) {
      return boundedBufferRunKind.run(config as never, seed, (sim: Simulator) => {
        const rec = attach(sim);
        let n = 0;
        sim.observe('event', (e) => {
          if (e.destination?.fullName !== 'consumer.in') return;
          n++;
          rec.timeline!.slice('consumer', e.time, bad === 'ends-first' ? e.time - 1 : e.time + 3, `item ${n % 3}`, { step: n, what: 'consume', share: 0.25 });
          rec.timeline!.counter('buffer', bad === 'fraction' ? e.time + 0.5 : e.time, n * 1.5);
        });
        return rec;
      });
    },
  };
}

function recordTimed(count: number, chunkRecords = 16): Buffer {
  const sink = new MemorySink();
  recordRun(timedKind(), { count }, 1, sink, { plugins: PLUGINS, chunkRecords });
  return sink.bytes();
}

function readTimeline(bytes: Buffer) {
  const r = new TraceReader(new BufferSource(bytes));
  const slices: TimelineSlice[] = [];
  const counters: TimelineCounter[] = [];
  const records = [];
  for (let c = r.nextChunk(); c; c = r.nextChunk()) {
    slices.push(...c.slices);
    counters.push(...c.counters);
    records.push(...c.records);
  }
  return { header: r.header, slices, counters, records };
}

describe('the timeline in a trace', () => {
  it('reads back what the model reported, in order, across chunks, beside unchanged records', () => {
    const t = readTimeline(recordTimed(30));
    expect(t.header.version).toBe(2);
    expect(t.slices).toHaveLength(30);
    expect(t.counters).toHaveLength(30);
    t.slices.forEach((s, i) => {
      expect(s).toEqual({ track: 'consumer', start: s.start, end: s.start + 3, name: `item ${(i + 1) % 3}`, args: { step: i + 1, what: 'consume', share: 0.25 } });
      if (i > 0) expect(s.start).toBeGreaterThanOrEqual(t.slices[i - 1]!.start);
    });
    expect(t.counters.map((c) => c.value)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 1.5));
    // The records are those of the same run without a timeline.
    const sink = new MemorySink();
    recordRun(boundedBufferRunKind, { count: 30 }, 1, sink, { plugins: PLUGINS, chunkRecords: 16 });
    const plain = readTimeline(sink.bytes());
    expect(t.records).toEqual(plain.records);
    expect(plain.slices).toEqual([]);
  });

  it('writes the same bytes for the same run', () => {
    expect(recordTimed(25).equals(recordTimed(25))).toBe(true);
  });

  it('refuses a slice that ends before it starts, or a tick that is not one, and leaves no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-timeline-'));
    try {
      expect(() => recordRunToFile(timedKind('ends-first'), { count: 5 }, 1, join(dir, 'a.trace'), { plugins: PLUGINS })).toThrow(/timeline slice item 1 on consumer ends \(\d+\) before it starts/);
      expect(() => recordRunToFile(timedKind('fraction'), { count: 5 }, 1, join(dir, 'b.trace'), { plugins: PLUGINS })).toThrow(ConfigError);
      expect(readdirSync(dir)).toEqual([]);
      expect(existsSync(join(dir, 'a.trace'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Perfetto timeline view', () => {
  // Two steps: a GEMM on the array waiting once for a DRAM read, then a vector step; DRAM and one partition move bits.
  const tl: Timeline = {
    clockMHz: 400,
    cycles: 1000,
    tracks: [
      { name: 'acc.controller', role: 'schedule' },
      { name: 'acc.array', role: 'array' },
      { name: 'acc.dram', role: 'dram' },
      { name: 'acc.lif', role: 'unit' },
      { name: 'acc.spikes', role: 'buffer' },
    ],
    steps: [
      { label: 'conv1/FP/all-t', layer: 'conv1', stage: 'FP', t: null, startCycle: 0, endCycle: 600, energyPJ: 100, computePJ: 10, memoryPJ: 80, leakagePJ: 10 },
      { label: 'conv1/FP/t1', layer: 'conv1', stage: 'FP', t: 0, startCycle: 600, endCycle: 1000, energyPJ: 50, computePJ: 5, memoryPJ: 40, leakagePJ: 5 },
    ],
    slices: [
      { track: 'acc.array', start: 200, end: 260, name: 'stall', args: { step: 0, cause: 'dram', readAt: 250, readOn: 'acc.dram' } },
      { track: 'acc.array', start: 0, end: 600, name: 'conv1/FP/all-t', args: { step: 0, folds: 12 } },
      { track: 'acc.controller', start: 0, end: 600, name: 'conv1/FP/all-t', args: { step: 0 } },
      { track: 'acc.dram', start: 10, end: 500, name: 'conv1/FP/all-t', args: { step: 0, readBits: 4000, writeBits: 0, bursts: 3, busyCycles: 40 } },
      { track: 'acc.lif', start: 600, end: 1000, name: 'conv1/FP/t1', args: { step: 1, elements: 64 } },
      { track: 'acc.controller', start: 600, end: 1000, name: 'conv1/FP/t1', args: { step: 1 } },
      { track: 'acc.spikes', start: 0, end: 600, name: 'conv1/FP/all-t', args: { step: 0, readBits: 100, writeBits: 20 } },
      { track: 'acc.spikes', start: 600, end: 1000, name: 'conv1/FP/t1', args: { step: 1, readBits: 0, writeBits: 64 } },
    ],
    counters: [
      { track: 'acc.spikes', tick: 0, value: 8192 },
      { track: 'acc.spikes', tick: 700, value: 0 },
    ],
  };
  const chunks: string[] = [];
  const counts = exportTimelinePerfetto(tl, (t) => void chunks.push(t), { title: 'test run' });
  const doc = JSON.parse(chunks.join('')) as { traceEvents: Array<Record<string, any>> };
  const ev = doc.traceEvents;
  const tid = (name: string): number => ev.find((e) => e.name === 'thread_name' && e.args.name === name)!.tid;

  it('has a thread per track, in order, and an X slice per recorded slice, in microseconds at the clock, annotated with its step', () => {
    expect(ev.filter((e) => e.name === 'thread_name').map((e) => e.args.name)).toEqual(tl.tracks.map((t) => t.name));
    const x = ev.filter((e) => e.ph === 'X');
    expect(x).toHaveLength(tl.slices.length);
    expect(counts.slices).toBe(tl.slices.length);
    const gemm = x.find((e) => e.tid === tid('acc.array') && e.name === 'conv1/FP/all-t')!;
    expect(gemm).toMatchObject({ cat: 'FP', ts: 0, dur: 1.5, args: { layer: 'conv1', stage: 'FP', t: null, stepEnergyPJ: 100, folds: 12, startCycle: 0, endCycle: 600 } });
    const stall = x.find((e) => e.name === 'stall (dram)')!;
    expect(stall).toMatchObject({ tid: tid('acc.array'), cat: 'stall', ts: 0.5, dur: 0.15 });
    // Per thread, by start and longer first, so that the stall nests inside its step.
    const onArray = x.filter((e) => e.tid === tid('acc.array'));
    expect(onArray.map((e) => e.name)).toEqual(['conv1/FP/all-t', 'stall (dram)']);
  });

  it('has occupancy and bandwidth counters, and a flow from the DRAM read into the stall', () => {
    const c = ev.filter((e) => e.ph === 'C');
    expect(c.filter((e) => e.name === 'acc.spikes occupancy').map((e) => e.args.KiB)).toEqual([1, 0]);
    // DRAM: 4000 bits over 490 cycles at 400 MHz, then idle; the partition's two steps are back to back.
    expect(c.filter((e) => e.name === 'acc.dram bandwidth').map((e) => [e.ts, e.args['GB/s']])).toEqual([[0.025, (4000 / 490) * 400e6 / 8 / 1e9], [1.25, 0]]);
    expect(c.filter((e) => e.name === 'acc.spikes bandwidth').map((e) => e.ts)).toEqual([0, 1.5, 2.5]);
    expect(counts.counters).toBe(c.length);
    const s = ev.filter((e) => e.ph === 's');
    const f = ev.filter((e) => e.ph === 'f');
    expect(counts.flows).toBe(1);
    expect(s[0]).toMatchObject({ tid: tid('acc.dram'), ts: 249.5 / 400, id: 1 });
    expect(f[0]).toMatchObject({ tid: tid('acc.array'), ts: 259.5 / 400, id: 1, bp: 'e' });
  });

  it('counts what it would write without the steps or the tracks (trace info)', () => {
    expect(countTimelinePerfetto({ ...tl, steps: [], tracks: [] })).toEqual(counts);
  });
});
