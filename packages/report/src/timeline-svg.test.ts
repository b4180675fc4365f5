import { readFileSync } from 'node:fs';
import type { Timeline, TrainingResult } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { renderReport } from './html.js';
import { energyOverTime, timelineSvg, timelineViews } from './timeline-svg.js';
import { validateResult } from './validate.js';

const load = (name: string): TrainingResult => JSON.parse(readFileSync(new URL(`../../../test/fixtures/results/${name}`, import.meta.url), 'utf8')) as TrainingResult;
const real = load('real-simulate-timeline-digits.json');
const tl = real.timeline!;

const problem = (t: unknown): string => {
  try {
    validateResult({ ...real, timeline: t }, 'r.json');
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('a result\'s timeline', () => {
  it('is validated: tracks, steps and slices consistent, the field of the first problem named', () => {
    expect(problem(tl)).toBe('no error');
    expect(problem({ ...tl, clockMHz: 0 })).toMatch(/r.json: field "timeline.clockMHz" must be above 0/);
    expect(problem({ ...tl, slices: [{ ...tl.slices[0]!, track: 'acc.nowhere' }] })).toMatch(/field "timeline.slices\[0\].track" names "acc.nowhere", which is not among the tracks/);
    expect(problem({ ...tl, slices: [{ ...tl.slices[0]!, end: -1 }] })).toMatch(/timeline.slices\[0\].end" must be an integer >= 0/);
    expect(problem({ ...tl, slices: [{ ...tl.slices[0]!, start: 10, end: 5 }] })).toMatch(/must not be before start \(10\), found 5/);
    expect(problem({ ...tl, slices: [{ ...tl.slices[0]!, args: { step: 9999 } }] })).toMatch(/args.step" must index one of the \d+ steps, found 9999/);
    expect(problem({ ...tl, steps: [{ ...tl.steps[0]!, stage: 'XX' }] })).toMatch(/timeline.steps\[0\].stage" must be one of "FP"/);
    expect(problem({ ...tl, steps: [{ ...tl.steps[0]!, endCycle: tl.cycles + 1 }] })).toMatch(/timeline.steps\[0\].endCycle" must be within/);
    expect(problem({ ...tl, tracks: [...tl.tracks, tl.tracks[0]] })).toMatch(/names track "acc.controller" twice/);
    expect(problem({ ...tl, counters: [{ track: 'acc.spikes', tick: 1, value: 'full' }] })).toMatch(/timeline.counters\[0\].value" must be a finite number/);
  });

  it('is drawn with a lane per track that worked and at most a few marks per pixel, however many slices', () => {
    const svg = timelineSvg(tl, { id: 'v', title: 'all' });
    const lanes = [...svg.matchAll(/<g class="lane" data-lane="([^"]+)"/g)].map((m) => m[1]);
    expect(lanes).toEqual(tl.tracks.filter((t) => tl.slices.some((s) => s.track === t.name)).map((t) => t.name));
    // Ten thousand one-cycle stalls on the array draw as merged marks, bounded by the plot's width.
    const many: Timeline = { ...tl, slices: [...tl.slices, ...Array.from({ length: 10_000 }, (_, i) => ({ track: 'acc.array', start: i * 2, end: i * 2 + 1, name: 'stall', args: { step: 0, cause: 'dram' } }))] };
    const stalls = (timelineSvg(many, { id: 'm', title: 'many' }).match(/class="mark stall"/g) ?? []).length;
    expect(stalls).toBeGreaterThan(0);
    expect(stalls).toBeLessThan(700);
  });

  it('zooms to a stage\'s span and filters to a layer\'s steps', () => {
    const views = timelineViews(tl, 'p');
    expect(views.map((v) => v.id)).toEqual(['p-all', 'p-FP', 'p-BP', 'p-WG', 'p-WU', ...[...new Set(tl.steps.map((s) => s.layer))].map((_, i) => `p-layer${i}`)]);
    const wu = views.find((v) => v.id === 'p-WU')!;
    const wuSteps = tl.steps.filter((s) => s.stage === 'WU');
    expect([wu.from, wu.to]).toEqual([Math.min(...wuSteps.map((s) => s.startCycle)), Math.max(...wuSteps.map((s) => s.endCycle))]);
    const layer = views.find((v) => v.layer !== undefined)!;
    const marks = [...timelineSvg(tl, layer).matchAll(/<title>([^<]*)<\/title><\/rect>/g)].map((m) => m[1]!);
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks.filter((t) => !/\d+ (steps|stalls|drains),/.test(t))) expect(m).toContain(layer.layer);
  });

  it('spreads each step\'s energy over its cycles: the bars add up to the run\'s energy', () => {
    const svg = energyOverTime(tl, 'e', 20);
    expect((svg.match(/class="mark"/g) ?? []).length).toBe(60);
    const sum = tl.steps.reduce((a, s) => a + s.energyPJ, 0);
    expect(sum).toBeCloseTo(real.energyPJ.total, 0);
    const values = [...svg.matchAll(/<title>([^<]*): ([\d.,]+) µJ<\/title>/g)].map((m) => Number(m[2]!.replace(/,/g, '')));
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(sum / 1e6, 0);
  });

  it('puts the timeline and its zoom links in the report, without script, escaping every name', () => {
    const html = renderReport([{ name: 'r.json', doc: real }, { name: 'h.json', doc: validateResult(load('hostile-timeline.json'), 'h.json') }]);
    expect(html).toContain('<a href="#tl-1-BP">BP</a>');
    expect(html).toContain('id="tl-1-all" class="tl-view tl-default"');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
