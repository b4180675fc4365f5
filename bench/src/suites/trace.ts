import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, Simulator } from '@sata/core';
import { AtomicFileSink, CountingSink, TraceReader, TraceWriter } from '@sata/trace';
import type { BenchSuite } from '../harness.js';
import { Ping } from '../models.js';

/**
 * Trace suite: what recording costs. The same models run unrecorded and recorded (into a
 * sink that only counts, so the figure is the encoder's cost, and into a file), giving the
 * slowdown and bytes per event; a 10-million-event recording to a file reports its write
 * rate and the process's peak RSS (flat: one chunk in memory), and reading it back the read
 * rate. Goals (issue 6): at most 2x slowdown, at most 16 bytes per event.
 */


/** Two components bouncing a counter over a link: every event is a link delivery with a payload. */
function pingPongModel(): Simulator {
  const sim = new Simulator({ seed: 1 });
  const a = new Ping(sim, 'a');
  const b = new Ping(sim, 'b');
  sim.connect(a.port('io'), b.port('io'), 1, 'a-b');
  sim.schedule(0, () => a.port<number>('io').trySend(0));
  return sim;
}

/** The hold model of the kernel suite: 1000 pending plain events, random delays. */
function holdModel(): Simulator {
  const sim = new Simulator({ seed: 7 });
  const rng = new Rng(7, 'hold');
  const delays = new Float64Array(1 << 16);
  for (let i = 0; i < delays.length; i++) delays[i] = 1 + Math.floor(rng.nextFloat() * 1000);
  let k = 0;
  const handler = (): void => {
    sim.schedule(delays[k++ & 0xffff]!, handler);
  };
  for (let i = 0; i < 1000; i++) sim.schedule(delays[k++ & 0xffff]!, handler);
  return sim;
}

function stepper(sim: Simulator, events: number): () => void {
  return () => {
    for (let i = 0; i < events; i++) sim.step();
  };
}

function recorded(build: () => Simulator, events: number): { fn: () => void; extra: () => Record<string, unknown> } {
  const sim = build();
  const sink = new CountingSink();
  TraceWriter.attach(sim, sink, { runKind: 'bench', config: {}, plugins: [] });
  const fn = stepper(sim, events);
  return { fn, extra: () => ({ bytesPerEvent: +(sink.bytesWritten / sim.eventCount).toFixed(2) }) };
}

const MB = 1 << 20;

/** Records `events` ping-pong events into a file; peak RSS sampled every million events. */
function recordToFile(path: string, events: number) {
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  const sim = new Simulator({ seed: 1, progressEvery: 1_000_000 });
  const a = new Ping(sim, 'a');
  const b = new Ping(sim, 'b');
  sim.connect(a.port('io'), b.port('io'), 1, 'a-b');
  sim.schedule(0, () => a.port<number>('io').trySend(0));
  sim.observe('progress', () => void (peak = Math.max(peak, process.memoryUsage.rss())));
  const w = TraceWriter.attach(sim, new AtomicFileSink(path), { runKind: 'bench', config: {}, plugins: [] });
  const t0 = performance.now();
  for (let i = 0; i < events; i++) sim.step();
  const s = w.finish();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, bytes: s.bytes, rssStartMB: +(rss0 / MB).toFixed(1), rssPeakMB: +(peak / MB).toFixed(1) };
}

function readAll(path: string): { records: number; seconds: number } {
  const t0 = performance.now();
  const r = TraceReader.open(path);
  let records = 0;
  try {
    for (let c = r.nextChunk(); c; c = r.nextChunk()) records += c.records.length;
  } finally {
    r.close();
  }
  return { records, seconds: (performance.now() - t0) / 1000 };
}

export const traceSuite: BenchSuite = {
  name: 'trace',
  cases: () => {
    const calls = 10_000;
    const pp = recorded(pingPongModel, calls);
    const hold = recorded(holdModel, calls);
    const dir = mkdtempSync(join(tmpdir(), 'sata-bench-trace-'));
    const big = join(dir, 'big.trace');
    const bigEvents = 10_000_000;
    let written: ReturnType<typeof recordToFile> | undefined;
    let read: ReturnType<typeof readAll> | undefined;
    return [
      { name: 'ping-pong-unrecorded', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: stepper(pingPongModel(), calls) },
      { name: 'ping-pong-recorded', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: pp.fn, extra: pp.extra },
      { name: 'hold-1k-unrecorded', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: stepper(holdModel(), calls) },
      { name: 'hold-1k-recorded', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: hold.fn, extra: hold.extra },
      {
        // One run of 10M events per call; memory must stay flat however long the run.
        name: 'record-10M-to-file',
        unitsPerCall: bigEvents,
        rateName: 'eventsPerSecond',
        fn: () => {
          written = recordToFile(big, bigEvents);
        },
        extra: () => ({
          fileMB: +(written!.bytes / MB).toFixed(1),
          bytesPerEvent: +(written!.bytes / bigEvents).toFixed(2),
          writeMBps: +(written!.bytes / MB / written!.seconds).toFixed(1),
          rssStartMB: written!.rssStartMB,
          rssPeakMB: written!.rssPeakMB,
        }),
      },
      {
        name: 'read-10M-validated',
        unitsPerCall: bigEvents,
        rateName: 'recordsPerSecond',
        fn: () => {
          read = readAll(big);
          if (read.records !== bigEvents) throw new Error(`read ${read.records} records, wrote ${bigEvents}`);
        },
        extra: () => {
          const bytes = statSync(big).size;
          rmSync(dir, { recursive: true, force: true });
          return { readMBps: +(bytes / MB / read!.seconds).toFixed(1) };
        },
      },
    ];
  },
};
