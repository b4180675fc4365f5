/**
 * Action counts of the hardware model in a simulation trace. The controller completes each
 * schedule step inside a kernel event; when a trace is recorded, that event's record gets
 * the step marker `controller.step@0 x 1` followed by the step's action counts (the same
 * `ActionCounter` a direct run prices). A re-cost reads the steps back in order: step i is
 * the i-th marker, it ended at its record's time, and it started where step i-1 ended
 * (steps run one after another from cycle 0).
 */
import { ConfigError, teeTimeline, type TimelineCounter, type TimelineSlice } from '@sata/core';
import { ActionCounter, type Accelerator } from '@sata/hw';
import type { ActionRecorder, TraceReader } from '@sata/trace';

export const STEP_MARKER = { component: 'controller', action: 'step', bits: 0 } as const;
/** After the last step's marker: its final wait for posted DRAM writes, in cycles (`controller.finalWait@0 x cycles`). */
export const FINAL_WAIT_MARKER = { component: 'controller', action: 'finalWait', bits: 0 } as const;

/** Makes the controller report each completed step's actions, and its timeline, to `recorder`. */
export function recordSteps(acc: Accelerator, recorder: ActionRecorder, opts: { timeline: boolean } = { timeline: true }): void {
  if (opts.timeline && recorder.timeline) acc.controller.timeline = acc.controller.timeline ? teeTimeline(acc.controller.timeline, recorder.timeline) : recorder.timeline;
  acc.controller.onStepDone = (result) => {
    recorder.countAction(STEP_MARKER.component, STEP_MARKER.action, STEP_MARKER.bits, 1);
    if (result.finalWaitCycles > 0) recorder.countAction(FINAL_WAIT_MARKER.component, FINAL_WAIT_MARKER.action, FINAL_WAIT_MARKER.bits, result.finalWaitCycles);
    for (const a of result.actions.list()) recorder.countAction(a.component, a.action, a.bits, a.count);
  };
}

export interface RecordedStep {
  readonly startCycle: number;
  readonly endCycle: number;
  readonly finalWaitCycles: number;
  readonly actions: ActionCounter;
}

/** The completed steps of a recorded accelerator run, in order, and its timeline (the trace is validated as it is read). */
export function recordedRun(reader: TraceReader): { steps: RecordedStep[]; slices: TimelineSlice[]; counters: TimelineCounter[] } {
  const steps: Array<{ startCycle: number; endCycle: number; finalWaitCycles: number; actions: ActionCounter }> = [];
  const slices: TimelineSlice[] = [];
  const counters: TimelineCounter[] = [];
  let current: ActionCounter | undefined;
  for (let c = reader.nextChunk(); c; c = reader.nextChunk()) {
    slices.push(...c.slices);
    counters.push(...c.counters);
    for (const r of c.records) {
      for (const [component, action, bits, count] of r.actions) {
        if (component === STEP_MARKER.component && action === STEP_MARKER.action && bits === STEP_MARKER.bits) {
          const start = steps.length ? steps[steps.length - 1]!.endCycle : 0;
          current = new ActionCounter();
          steps.push({ startCycle: start, endCycle: r.time, finalWaitCycles: 0, actions: current });
          continue;
        }
        if (component === FINAL_WAIT_MARKER.component && action === FINAL_WAIT_MARKER.action && bits === FINAL_WAIT_MARKER.bits && current) {
          steps[steps.length - 1]!.finalWaitCycles = count;
          continue;
        }
        if (!current) throw new ConfigError(`${reader.name}: record ${r.index} counts ${component}.${action} before any step completed: not a trace of an accelerator run`);
        current.add(component, action, bits, count);
      }
    }
  }
  return { steps, slices, counters };
}

/**
 * What a record stores of a hardware-model message: a fold job its active operations, a
 * vector job its elements, a DRAM request its bits; other payloads (the controller's
 * internal callbacks) nothing. The messages hold references (the step's action counter),
 * which are not data; the step's counts are recorded at its completion instead.
 */
export function hwTracePayload(p: unknown): unknown {
  if (p === undefined || p === null || typeof p !== 'object') return typeof p === 'number' || typeof p === 'string' || typeof p === 'boolean' ? p : undefined;
  const o = p as { counts?: { activeOps?: unknown }; elements?: unknown; bits?: unknown };
  if (o.counts && typeof o.counts.activeOps === 'number') return o.counts.activeOps;
  if (typeof o.elements === 'number') return o.elements;
  if (typeof o.bits === 'number') return o.bits;
  return undefined;
}
