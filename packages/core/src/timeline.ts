/**
 * The timeline a model reports while it runs: what each component was busy with, and when
 * (`slice`), and how a quantity changed over time (`counter`). Components call a
 * `TimelineSink`; a trace writer stores what it receives, a `TimelineCollector` keeps it in
 * memory. Times are ticks. Nothing is reported when no sink is set. A component keeps what
 * it reports bounded (work grouped per step, counters only when they change), so a long
 * run gives a timeline that a viewer can hold.
 */

/** Annotations of a slice: `step` is the index of the schedule step the work belongs to. */
export type TimelineArgs = Readonly<Record<string, number | string>>;

export interface TimelineSink {
  /** `track` (a component's name) was busy with `name` from `startTick` to `endTick`. */
  slice(track: string, startTick: number, endTick: number, name: string, args: TimelineArgs): void;
  /** The quantity `track` took `value` at `tick` (until its next value). */
  counter(track: string, tick: number, value: number): void;
}

export interface TimelineSlice {
  readonly track: string;
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly args: TimelineArgs;
}

export interface TimelineCounter {
  readonly track: string;
  readonly tick: number;
  readonly value: number;
}

/** Keeps a timeline in memory, in the order received. */
export class TimelineCollector implements TimelineSink {
  readonly slices: TimelineSlice[] = [];
  readonly counters: TimelineCounter[] = [];
  slice(track: string, start: number, end: number, name: string, args: TimelineArgs): void {
    this.slices.push({ track, start, end, name, args });
  }
  counter(track: string, tick: number, value: number): void {
    this.counters.push({ track, tick, value });
  }
}

/** Passes everything to each of `sinks` (a trace and an in-memory timeline of the same run). */
export function teeTimeline(...sinks: TimelineSink[]): TimelineSink {
  return {
    slice: (track, start, end, name, args) => sinks.forEach((s) => s.slice(track, start, end, name, args)),
    counter: (track, tick, value) => sinks.forEach((s) => s.counter(track, tick, value)),
  };
}
