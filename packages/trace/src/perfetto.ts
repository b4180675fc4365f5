import type { Timeline } from '@sata/plugin-api';
import type { TraceHeader, TraceRecord } from './format.js';
import { TraceReader } from './reader.js';
import { writeFileAtomic } from './sink.js';

/**
 * The events view (for kernel debugging): a trace's records as the Chrome trace-event JSON
 * that Perfetto and chrome://tracing load:
 * one track (thread) per component, plus a `kernel` track for events that belong to no
 * port. A link delivery becomes a slice on the receiving component's track spanning the
 * link's latency (send to arrival; a sender's extra delay is not in the trace, so a slice
 * starts at arrival minus the link latency); other events are instants. One tick is shown
 * as one microsecond (the format's time unit). Streams: memory holds one chunk.
 */
export function exportPerfetto(path: string, write: (text: string) => void): { records: number } {
  const reader = TraceReader.open(path);
  try {
    const h = reader.header;
    const latencyOfPort = portLatencies(h);
    write('{"displayTimeUnit":"ns","otherData":');
    write(JSON.stringify({ simulator: h.simulator, runKind: h.runKind, seed: h.seed, plugins: h.plugins, timeUnit: '1 tick shown as 1 us' }));
    write(',"traceEvents":[\n');
    write(JSON.stringify({ ph: 'M', pid: 1, tid: 0, name: 'process_name', args: { name: `sata ${h.runKind}` } }));
    write(`,\n${JSON.stringify({ ph: 'M', pid: 1, tid: 0, name: 'thread_name', args: { name: 'kernel' } })}`);
    h.components.forEach((c, i) => write(`,\n${JSON.stringify({ ph: 'M', pid: 1, tid: i + 1, name: 'thread_name', args: { name: c.name } })}`));
    h.components.forEach((_, i) => write(`,\n${JSON.stringify({ ph: 'M', pid: 1, tid: i + 1, name: 'thread_sort_index', args: { sort_index: i + 1 } })}`));
    let n = 0;
    for (const r of reader.records()) {
      write(`,\n${JSON.stringify(eventOf(r, h, latencyOfPort))}`);
      n++;
    }
    write('\n]}\n');
    return { records: n };
  } finally {
    reader.close();
  }
}

export function exportPerfettoToFile(path: string, out: string): { records: number } {
  let result = { records: 0 };
  writeFileAtomic(out, (write) => {
    result = exportPerfetto(path, write);
  });
  return result;
}

function portLatencies(h: TraceHeader): number[] {
  const lat = new Array<number>(h.ports.length).fill(0);
  for (const l of h.links) lat[l.a] = lat[l.b] = l.latency;
  return lat;
}

function eventOf(r: TraceRecord, h: TraceHeader, latency: readonly number[]): Record<string, unknown> {
  const args: Record<string, unknown> = { seq: r.seq, priority: r.priority };
  if (r.source !== null) args.from = h.ports[r.source]!.name;
  if (r.destination !== null) args.to = h.ports[r.destination]!.name;
  if (r.data !== null) args.data = jsonable(r.data);
  if (r.actions.length) args.actions = r.actions.map(([c, a, b, n]) => `${c}.${a}@${b}b x${n}`);
  if (r.destination !== null) {
    const tid = h.ports[r.destination]!.component + 1;
    const dur = latency[r.destination]!;
    if (dur > 0) return { ph: 'X', pid: 1, tid, name: r.kind, cat: r.kind, ts: r.time - dur, dur, args };
    return { ph: 'i', s: 't', pid: 1, tid, name: r.kind, cat: r.kind, ts: r.time, args };
  }
  return { ph: 'i', s: 't', pid: 1, tid: 0, name: r.kind, cat: r.kind, ts: r.time, args };
}

function jsonable(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(jsonable);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  return v;
}

/** What a timeline export holds, besides the metadata naming the process and its tracks. */
export interface PerfettoTimelineCounts {
  /** Duration slices (`ph: "X"`): the recorded slices, one each. */
  readonly slices: number;
  /** Counter samples (`ph: "C"`): the recorded occupancies, and the bandwidth derived from each slice that moved bits. */
  readonly counters: number;
  /** Flow arrows (one `s` and one `f` event each): from a DRAM read to the stall that waited for it. */
  readonly flows: number;
}

const BITS_PER_KIB = 8 * 1024;

/**
 * The timeline view of a run (a `Timeline` document) as Chrome trace-event JSON for
 * Perfetto: one thread per track in the document's order; an `X` slice per recorded slice,
 * named by its step's label (`stall`, `drain` as recorded), with category the step's stage
 * and args its layer, stage, time step, cycles and energy; `C` counters for each
 * partition's occupancy (KiB) and, for each track whose slices move bits (DRAM, the
 * partitions), the bandwidth in use over each slice (GB/s); a flow arrow from the DRAM read
 * a stall waited for to the stall. Times in microseconds from cycles at the clock.
 */
export function exportTimelinePerfetto(timeline: Timeline, write: (text: string) => void, meta: Record<string, unknown> = {}): PerfettoTimelineCounts {
  const us = (cycles: number): number => cycles / timeline.clockMHz;
  const tids = new Map(timeline.tracks.map((t, i) => [t.name, i + 1]));
  const tidOf = (track: string): number => {
    if (!tids.has(track)) tids.set(track, tids.size + 1);
    return tids.get(track)!;
  };
  for (const s of timeline.slices) tidOf(s.track);
  for (const c of timeline.counters) tidOf(c.track);
  write('{"displayTimeUnit":"ns","otherData":');
  write(JSON.stringify({ ...meta, clockMHz: timeline.clockMHz, cycles: timeline.cycles, timeUnit: `microseconds at ${timeline.clockMHz} MHz` }));
  write(',"traceEvents":[\n');
  write(JSON.stringify({ ph: 'M', pid: 1, tid: 0, name: 'process_name', args: { name: String(meta.title ?? 'sata timeline') } }));
  for (const [name, tid] of tids) {
    write(`,\n${JSON.stringify({ ph: 'M', pid: 1, tid, name: 'thread_name', args: { name } })}`);
    write(`,\n${JSON.stringify({ ph: 'M', pid: 1, tid, name: 'thread_sort_index', args: { sort_index: tid } })}`);
  }
  const counts = { slices: 0, counters: 0, flows: 0 };
  const emit = (e: Record<string, unknown>): void => write(`,\n${JSON.stringify(e)}`);
  // Sorted per track by start, longer first, so that a viewer nests stalls inside their step.
  const slices = [...timeline.slices].sort((a, b) => tidOf(a.track) - tidOf(b.track) || a.start - b.start || b.end - a.end);
  for (const s of slices) {
    const step = typeof s.args.step === 'number' ? timeline.steps[s.args.step] : undefined;
    const args: Record<string, unknown> = {};
    if (step) Object.assign(args, { label: step.label, layer: step.layer, stage: step.stage, t: step.t, stepEnergyPJ: step.energyPJ, stepComputePJ: step.computePJ, stepMemoryPJ: step.memoryPJ, stepLeakagePJ: step.leakagePJ });
    Object.assign(args, s.args, { startCycle: s.start, endCycle: s.end });
    const work = s.name !== 'stall' && s.name !== 'drain';
    const name = s.name === 'stall' ? `stall (${String(s.args.cause ?? 'unknown')})` : s.name;
    emit({ ph: 'X', pid: 1, tid: tidOf(s.track), name, cat: work ? (step?.stage ?? 'work') : s.name, ts: us(s.start), dur: us(s.end - s.start), args });
    counts.slices++;
  }
  for (const c of timeline.counters) {
    emit({ ph: 'C', pid: 1, name: `${c.track} occupancy`, ts: us(c.tick), args: { KiB: c.value / BITS_PER_KIB } });
    counts.counters++;
  }
  // Bandwidth in use: the bits a slice moved over its duration, until the track's next slice.
  const moved = slices.filter((s) => s.name !== 'stall' && s.name !== 'drain' && (typeof s.args.readBits === 'number' || typeof s.args.writeBits === 'number'));
  const gbps = (bits: number, cycles: number): number => (cycles > 0 ? (bits / cycles) * timeline.clockMHz * 1e6 / 8 / 1e9 : 0);
  moved.forEach((s, i) => {
    const bits = (Number(s.args.readBits) || 0) + (Number(s.args.writeBits) || 0);
    emit({ ph: 'C', pid: 1, name: `${s.track} bandwidth`, ts: us(s.start), args: { 'GB/s': gbps(bits, s.end - s.start) } });
    counts.counters++;
    const next = moved[i + 1];
    if (!next || next.track !== s.track || next.start > s.end) {
      emit({ ph: 'C', pid: 1, name: `${s.track} bandwidth`, ts: us(s.end), args: { 'GB/s': 0 } });
      counts.counters++;
    }
  });
  // A stall that waited for a DRAM read: an arrow from inside the read (half a cycle before its transfer ended) into the stall.
  for (const s of slices) {
    if (s.name !== 'stall' || typeof s.args.readAt !== 'number' || typeof s.args.readOn !== 'string' || !tids.has(s.args.readOn)) continue;
    const id = ++counts.flows;
    emit({ ph: 's', pid: 1, tid: tidOf(s.args.readOn), id, name: 'dram read', cat: 'flow', ts: us(s.args.readAt - 0.5) });
    emit({ ph: 'f', bp: 'e', pid: 1, tid: tidOf(s.track), id, name: 'dram read', cat: 'flow', ts: us(s.end - 0.5) });
  }
  write('\n]}\n');
  return counts;
}

/** How many slices, counters and flows `exportTimelinePerfetto` writes for `timeline` (`sata trace info`). */
export function countTimelinePerfetto(timeline: Timeline): PerfettoTimelineCounts {
  return exportTimelinePerfetto(timeline, () => undefined);
}
