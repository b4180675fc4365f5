import type { TraceHeader, TraceRecord } from './format.js';
import { TraceReader } from './reader.js';
import { writeFileAtomic } from './sink.js';

/**
 * Converts a trace to the Chrome trace-event JSON that Perfetto and chrome://tracing load:
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
