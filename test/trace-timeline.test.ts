/**
 * The timeline of a training iteration (issue 16), end to end: `sata simulate --timeline`
 * puts it in the result, `--trace` in the trace, and both are the same timeline; `sata trace
 * export` gives Perfetto its slices, counters and flows (as many as `trace info` says);
 * `sata report` draws it; clear errors for traces that have none.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '@sata/cli';
import type { ComparisonResult, TrainingResult } from '@sata/plugin-api';
import { validateResult } from '@sata/report';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingTimelineOfTrace } from '../packages/cli/src/runs/simulate-kind.js';
import { sataJoined as sata } from './cli.js';

let dir: string;
let result: TrainingResult;
const trace = (): string => join(dir, 'digits.trace');
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sata-timeline-'));
  const r = await sata('simulate', '--network', 'digits-cnn', '--timeline', '--json', '--trace', trace());
  expect(r.code, r.err).toBe(0);
  result = validateResult(JSON.parse(r.out), 'simulate --timeline') as TrainingResult;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Event = { ph: string; tid: number; name: string; cat?: string; ts: number; dur?: number; args: Record<string, any> };

describe('the timeline of a training iteration', () => {
  it('is in the result and in the trace, the same', () => {
    const tl = result.timeline!;
    expect(tl.cycles).toBe(result.cycles);
    expect(tl.clockMHz).toBe(400);
    expect(trainingTimelineOfTrace(trace(), builtinRegistry())).toEqual(tl);
  });

  it('shows every step of every layer on the schedule, GEMMs on the array, and the waits for DRAM', () => {
    const tl = result.timeline!;
    const steps = tl.slices.filter((s) => s.track === 'acc.controller' && s.name !== 'stall');
    expect(steps.map((s) => [s.start, s.end])).toEqual(tl.steps.map((s) => [s.startCycle, s.endCycle]));
    const total = tl.steps.reduce((a, s) => a + s.energyPJ, 0);
    expect(total).toBeCloseTo(result.energyPJ.total, 0);
    for (const stage of ['FP', 'BP', 'WG', 'WU'] as const) expect(tl.steps.some((s) => s.stage === stage), stage).toBe(true);
    // Each layer with weights (it has a weight update) has its forward and weight-gradient GEMMs on the array.
    const onArray = tl.slices.filter((s) => s.track === 'acc.array' && s.name !== 'stall' && s.name !== 'drain').map((s) => tl.steps[s.args.step as number]!);
    const weighted = [...new Set(tl.steps.filter((s) => s.stage === 'WU').map((s) => s.layer))];
    expect(weighted.length).toBeGreaterThanOrEqual(4);
    for (const l of weighted) {
      expect(onArray.some((s) => s.layer === l && s.stage === 'FP'), `${l} FP`).toBe(true);
      expect(onArray.some((s) => s.layer === l && s.stage === 'WG'), `${l} WG`).toBe(true);
    }
    const waits = tl.slices.filter((s) => s.name === 'stall' && s.args.cause === 'dram');
    expect(waits.length).toBeGreaterThan(0);
    const stalled = tl.slices.filter((s) => s.name === 'stall').reduce((a, s) => a + s.end - s.start, 0) + tl.slices.filter((s) => s.track === 'acc.array' && typeof s.args.glbStallCycles === 'number').reduce((a, s) => a + (s.args.glbStallCycles as number), 0);
    expect(stalled).toBe(result.stallCycles);
  });

  it('exports to Perfetto: a thread per component, X slices by stage, counters, flows; as many as trace info says', async () => {
    const out = join(dir, 'digits.json');
    const r = await sata('trace', 'export', trace(), '-o', out);
    expect(r.code, r.err).toBe(0);
    const ev = (JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: Event[] }).traceEvents;
    const info = JSON.parse((await sata('trace', 'info', trace(), '--json')).out) as { timeline: { slices: number; counters: number; export: { slices: number; counters: number; flows: number } } };
    expect(info.timeline.slices).toBe(result.timeline!.slices.length);
    expect(info.timeline.counters).toBe(result.timeline!.counters.length);
    expect(ev.filter((e) => e.ph === 'X')).toHaveLength(info.timeline.export.slices);
    expect(ev.filter((e) => e.ph === 'C')).toHaveLength(info.timeline.export.counters);
    expect(ev.filter((e) => e.ph === 's')).toHaveLength(info.timeline.export.flows);
    expect(ev.filter((e) => e.ph === 'f')).toHaveLength(info.timeline.export.flows);
    expect(info.timeline.export.flows).toBeGreaterThan(0);
    const threads = ev.filter((e) => e.name === 'thread_name').map((e) => e.args.name);
    expect(threads.slice(0, 3)).toEqual(['acc.controller', 'acc.array', 'acc.dram']);
    expect(threads).toEqual(expect.arrayContaining(['acc.lif', 'acc.gradient', 'acc.spikes', 'acc.weights', 'acc.membrane']));
    expect(new Set(ev.filter((e) => e.ph === 'X').map((e) => e.cat))).toEqual(new Set(['FP', 'BP', 'WG', 'WU', 'stall']));
    // Microseconds at 400 MHz: the last step ends at the run's cycles / 400.
    const last = Math.max(...ev.filter((e) => e.ph === 'X').map((e) => e.ts + e.dur!));
    expect(last).toBeCloseTo(result.cycles / 400, 6);
    expect(ev.filter((e) => e.ph === 'X').every((e) => e.cat === 'stall' || typeof e.args.layer === 'string')).toBe(true);
    expect(r.err).toMatch(/wrote the timeline of \d+ steps/);
  });

  it('keeps the instant-event view as an option', async () => {
    const r = await sata('trace', 'export', trace(), '--view', 'events');
    expect(r.code).toBe(0);
    const ev = (JSON.parse(r.out) as { traceEvents: Event[] }).traceEvents;
    const records = JSON.parse((await sata('trace', 'info', trace(), '--json')).out).records as number;
    expect(ev.filter((e) => e.ph === 'i' || e.ph === 'X')).toHaveLength(records);
  });

  it('says clearly when a trace has no timeline view: another run kind, or recorded by format 1', async () => {
    const layer = join(dir, 'layer.trace');
    expect((await sata('layer', '--gemm', '32,16,16', '--trace', layer)).code).toBe(0);
    const r = await sata('trace', 'export', layer, '--view', 'timeline');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/this is a layer trace: use --view events/);
    expect((await sata('trace', 'export', layer)).code).toBe(0);
    const v1 = join(__dirname, 'fixtures', 'traces', 'digits-cnn-v1.trace');
    const old = await sata('trace', 'export', v1);
    expect(old.code).toBe(2);
    expect(old.err).toMatch(/holds no timeline \(recorded before trace format 2\): re-record it, or export --view events/);
    expect((await sata('trace', 'export', v1, '--view', 'events')).code).toBe(0);
    expect(JSON.parse((await sata('trace', 'info', v1, '--json')).out)).toMatchObject({ valid: true, header: { version: 1 }, timeline: { slices: 0, counters: 0 } });
  });

  it('compare --timeline gives each run its timeline, and sata report draws them', async () => {
    const r = await sata('compare', '--network', 'digits-cnn', '--timeline', '--json');
    expect(r.code, r.err).toBe(0);
    const c = validateResult(JSON.parse(r.out), 'compare') as ComparisonResult;
    for (const run of [c.sparsityGain.aware, c.sparsityGain.unaware, c.snnOverAnn.ann]) expect(run.timeline!.steps.length).toBeGreaterThan(0);
    const file = join(dir, 'compare.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, r.out);
    const html = join(dir, 'report.html');
    expect((await sata('report', file, '-o', html)).code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text.match(/<svg class="timeline"/g)!.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/Energy over time/);
    expect(text).not.toMatch(/<script/);
  });
});
