import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@sata/core';
import type { SweepResult, TrainingResult } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { loadReportInputs, renderReport } from './html.js';
import { sweepToCsv } from './metrics.js';
import { barChart, energyUnit, esc, niceTicks } from './svg.js';
import { parseResult, validateResult } from './validate.js';
import { writeFileAtomic } from './write.js';

const fixtures = new URL('../../../test/fixtures/', import.meta.url);
const fx = (name: string): string => new URL(name, fixtures).pathname;
const load = (name: string): unknown => JSON.parse(readFileSync(fx(`results/${name}`), 'utf8'));

describe('validating result documents', () => {
  it('accepts every fixture kind', () => {
    for (const f of ['snn-sata.json', 'ann-eyeriss.json', 'comparison.json', 'sweep-timesteps.json', 'sweep-grid-compare.json', 'sweep-dataflow.json', 'hostile.json']) {
      expect(() => validateResult(load(f), f)).not.toThrow();
    }
  });

  it('names the file and the field of the first problem', () => {
    const msg = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg(() => loadReportInputs([fx('bad/not-json.json')]))).toMatch(/bad\/not-json.json: not a JSON document/);
    expect(msg(() => loadReportInputs([fx('bad/wrong-kind.json')]))).toMatch(/wrong-kind.json: field "kind" must be one of "training-iteration", "comparison", "sweep", found the string "simulation"/);
    expect(msg(() => loadReportInputs([fx('bad/missing-field.json')]))).toMatch(/missing-field.json: field "energyPJ.byStage.BP" must be a finite number, found missing/);
    expect(msg(() => loadReportInputs([fx('results/none.json')]))).toMatch(/result file .*none.json: cannot read: no such file/);
    expect(msg(() => loadReportInputs([]))).toMatch(/at least one result file/);
    expect(msg(() => parseResult('[1]', 'x.json'))).toMatch(/x.json: must be an object, found a list/);
    const sweep = load('sweep-timesteps.json') as { points: { result: { energyPJ: { byLayer: { name: unknown }[] } } }[] };
    sweep.points[2]!.result.energyPJ.byLayer[1]!.name = 7;
    expect(msg(() => validateResult(sweep, 's.json'))).toMatch(/s.json: field "points\[2\].result.energyPJ.byLayer\[1\].name" must be a string, found number 7/);
  });
});

describe('renderReport', () => {
  const inputs = ['snn-sata.json', 'ann-eyeriss.json', 'comparison.json', 'sweep-timesteps.json', 'sweep-grid-compare.json', 'sweep-dataflow.json'].map((name) => ({ name, doc: validateResult(load(name), name) }));

  it('draws the charts the issue asks for, each with marks, axes, a title', () => {
    const html = renderReport(inputs);
    const titles = [...html.matchAll(/<title id="chart-\d+-t">([^<]*)<\/title>/g)].map((m) => m[1]!);
    for (const want of [
      'Energy by training stage',
      'Computation, memory and leakage energy',
      'Energy by layer',
      'Energy by component',
      'Data placement by tensor and stage: SNN on SATA',
      'Total training energy against timesteps',
      'Energy by stage against timesteps',
      'SNN/ANN training energy ratio against sparsity.spike',
      'Total training energy against bits.weight',
    ]) {
      expect(titles).toContain(want);
    }
    const svgs = html.split('<svg class="chart"').slice(1);
    expect(svgs.length).toBe(titles.length);
    for (const svg of svgs) {
      expect(svg).toMatch(/class="mark"/);
      expect(svg).toMatch(/class="axis-title"/);
    }
    // units on the axes
    expect(html).toMatch(/energy \(µJ\)/);
    expect(html).toMatch(/data moved \(Mb\)/);
  });

  it('is self-contained and deterministic', () => {
    const html = renderReport(inputs);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(/<script|<link|<img|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i.exec(html)?.[0]).toBeUndefined();
    expect(html).toContain(`default-src 'none'`);
    expect(renderReport(inputs)).toBe(html);
  });

  it('escapes every string from the input', () => {
    const html = renderReport([{ name: 'evil<b>.json', doc: validateResult(load('hostile.json'), 'h') }], { title: 'T <i>x</i>' });
    expect(/<script|<img|<\/svg><script|<b>|<i>/i.exec(html)?.[0]).toBeUndefined();
    expect(html).toContain('net&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;');
    expect(html).toContain('evil&lt;b&gt;.json');
    // every <svg opened is closed: a hostile "</svg>" in a name cannot end a chart early
    expect(html.split('<svg').length).toBe(html.split('</svg>').length);
  });
});

describe('chart helpers', () => {
  it('escapes markup characters', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('chooses round ticks and SI units', () => {
    expect(niceTicks(0, 9.3)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
    expect(energyUnit(5e7)).toEqual({ factor: 1e-6, label: 'µJ' });
    expect(energyUnit(12)).toEqual({ factor: 1, label: 'pJ' });
    expect(energyUnit(3e12)).toEqual({ factor: 1e-12, label: 'J' });
  });
  it('draws one mark per bar and handles empty data', () => {
    const svg = barChart({ title: 't', categories: ['a', 'b'], series: [{ name: 'x', values: [1, 2] }, { name: 'y', values: [3, 0] }], unit: 'J', valueLabel: 'energy', categoryLabel: 'c' });
    expect(svg.match(/class="mark"/g)).toHaveLength(4);
    expect(barChart({ title: 't', categories: [], series: [], unit: '', valueLabel: 'v', categoryLabel: 'c' })).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});

describe('sweep CSV and atomic writes', () => {
  it('writes one row per point with the swept values and metrics', () => {
    const s = load('sweep-timesteps.json') as SweepResult;
    const lines = sweepToCsv(s).trim().split('\n');
    expect(lines[0]).toBe('index,timesteps,arch,network,sparsitySource,totalPJ,computePJ,memoryPJ,leakagePJ,FPPJ,BPPJ,WGPJ,WUPJ,cycles,stallCycles');
    expect(lines).toHaveLength(5);
    expect(lines[4]!.startsWith('3,8,sata,vgg5,statistical,')).toBe(true);
    const r = s.points[0]!.result as TrainingResult;
    expect(Number(lines[1]!.split(',')[5])).toBe(r.energyPJ.total);
  });

  it('replaces the file whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-report-'));
    const f = join(dir, 'out.html');
    writeFileSync(f, 'old');
    writeFileAtomic(f, 'new');
    expect(readFileSync(f, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.html']);
    expect(() => writeFileAtomic(join(dir, 'no/such/dir.html'), 'x')).toThrow();
    expect(readdirSync(dir)).toEqual(['out.html']);
  });
});
