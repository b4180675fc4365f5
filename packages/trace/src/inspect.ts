import { statSync } from 'node:fs';
import type { TimelineCounter, TimelineSlice } from '@sata/core';
import type { TraceFooter, TraceHeader } from './format.js';
import { TraceFormatError } from './msgpack.js';
import { countTimelinePerfetto, type PerfettoTimelineCounts } from './perfetto.js';
import { TraceReader } from './reader.js';

export interface TraceInfo {
  readonly path: string;
  readonly bytes: number;
  /** Undefined when even the header could not be read. */
  readonly header: TraceHeader | undefined;
  /** Complete, digest-checked chunks and the records in them. */
  readonly chunks: number;
  readonly records: number;
  readonly firstTime: number | undefined;
  readonly lastTime: number | undefined;
  /** Records per kind, sorted by kind. */
  readonly kinds: ReadonlyArray<readonly [string, number]>;
  /** Records carrying action counts, and the sum of their counts. */
  readonly recordsWithActions: number;
  /** Timeline entries recorded, and what a timeline export (`sata trace export`) will hold. */
  readonly timeline: { readonly slices: number; readonly counters: number; readonly export: PerfettoTimelineCounts };
  readonly footer: TraceFooter | undefined;
  /** True when the whole file was read, every digest matched and the footer agrees. */
  readonly valid: boolean;
  /** Where reading stopped, when it did not reach a valid footer. */
  readonly error: { readonly message: string; readonly offset: number; readonly record: number | undefined } | undefined;
}

/** Reads a trace as far as it is valid and summarizes it (`sata trace info`). Never throws for a damaged file. */
export function inspectTrace(path: string): TraceInfo {
  let reader: TraceReader | undefined;
  const kinds = new Map<string, number>();
  let firstTime: number | undefined;
  let lastTime: number | undefined;
  let withActions = 0;
  let bytes = 0;
  const slices: TimelineSlice[] = [];
  const counters: TimelineCounter[] = [];
  try {
    reader = TraceReader.open(path);
    bytes = reader.source.size;
    for (let c = reader.nextChunk(); c; c = reader.nextChunk()) {
      slices.push(...c.slices);
      counters.push(...c.counters);
      for (const r of c.records) {
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
        firstTime ??= r.time;
        lastTime = r.time;
        if (r.actions.length) withActions++;
      }
    }
    return summary(undefined);
  } catch (e) {
    if (!(e instanceof TraceFormatError)) throw e;
    return summary({ message: e.message, offset: e.offset, record: e.record });
  } finally {
    reader?.close();
  }

  function summary(error: TraceInfo['error']): TraceInfo {
    return {
      path,
      bytes: bytes || fileSize(path),
      header: reader?.header,
      chunks: reader?.chunksRead ?? 0,
      records: reader?.recordsRead ?? 0,
      firstTime,
      lastTime,
      kinds: [...kinds.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      recordsWithActions: withActions,
      timeline: { slices: slices.length, counters: counters.length, export: countTimelinePerfetto({ clockMHz: 1, cycles: 0, tracks: [], steps: [], slices, counters }) },
      footer: reader?.footer,
      valid: error === undefined && reader?.footer !== undefined,
      error,
    };
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
