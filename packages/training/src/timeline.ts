/**
 * The timeline document of a training iteration (plugin-api's `Timeline`): what the
 * controller reported while the schedule ran, with every step named by the training
 * schedule (layer, stage, time step) and priced. A direct run and a recorded trace build it
 * with this same function, from the same facts.
 */
import { ConfigError, type TimelineCounter, type TimelineSlice } from '@sata/core';
import type { Stage, Timeline, TimelineRole, TimelineStep } from '@sata/plugin-api';
import type { Accelerator, StepEnergy } from '@sata/hw';
import type { TrainingSchedule } from './schedule.js';

/** Where step `i` of a schedule belongs: its label and the attribution it carries. */
export function stepAttribution(schedule: TrainingSchedule, i: number): { label: string; layer: string; stage: Stage; t: number | null } {
  const step = schedule.steps[i]!;
  if (!step.attribution) throw new ConfigError(`step ${step.label} carries no attribution (layer, stage, time step)`);
  return { label: step.label, ...step.attribution };
}

export interface TimelineFacts {
  readonly slices: readonly TimelineSlice[];
  readonly counters: readonly TimelineCounter[];
}

/** Tracks in display order: the schedule, the array, DRAM, the units, the partitions, then any other component that reported. */
function tracksOf(acc: Accelerator, facts: TimelineFacts): Timeline['tracks'] {
  const known: Array<{ name: string; role: TimelineRole }> = [
    { name: acc.controller.name, role: 'schedule' },
    { name: acc.array.name, role: 'array' },
    { name: acc.dram.name, role: 'dram' },
    ...[acc.lif, acc.gradient, acc.encoder].map((u) => ({ name: u.name, role: 'unit' as const })),
    ...[...acc.buffers.values()].map((gb) => ({ name: gb.name, role: 'buffer' as const })),
  ];
  const used = new Set([...facts.slices.map((s) => s.track), ...facts.counters.map((c) => c.track)]);
  const others = [...used].filter((t) => !known.some((k) => k.name === t)).sort();
  return [...known.filter((k) => used.has(k.name)), ...others.map((name) => ({ name, role: 'other' as const }))];
}

export function buildTimeline(opts: {
  readonly acc: Accelerator;
  readonly facts: TimelineFacts;
  readonly steps: readonly { readonly startCycle: number; readonly endCycle: number; readonly finalWaitCycles: number }[];
  readonly schedule: TrainingSchedule;
  readonly perStep: readonly StepEnergy[];
  /** The drain's leakage (PricedRun.drain): over time it falls in the last step's slice, which spans the final wait. */
  readonly drainPJ: number;
  readonly clockMHz: number;
}): Timeline {
  const steps: TimelineStep[] = opts.steps.map((r, i) => {
    const e = opts.perStep[i]!;
    const drain = r.finalWaitCycles > 0 ? opts.drainPJ : 0;
    return { ...stepAttribution(opts.schedule, i), startCycle: r.startCycle, endCycle: r.endCycle, energyPJ: e.total + drain, computePJ: e.compute, memoryPJ: e.memory, leakagePJ: e.leakage + drain };
  });
  return {
    clockMHz: opts.clockMHz,
    cycles: steps.length ? steps[steps.length - 1]!.endCycle : 0,
    tracks: tracksOf(opts.acc, opts.facts),
    steps,
    slices: opts.facts.slices.map((s) => ({ track: s.track, start: s.start, end: s.end, name: s.name, args: s.args })),
    counters: opts.facts.counters.map((c) => ({ track: c.track, tick: c.tick, value: c.value })),
  };
}
