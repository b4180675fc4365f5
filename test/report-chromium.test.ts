/**
 * End to end: render a report from the sample results, open it in headless Chromium
 * (Debian's `chromium`, driven by playwright-core, which downloads no browser), and check
 * that every chart drew visible marks, axes and titles, that nothing was fetched, that
 * nothing from the hostile fixture became markup, and that the console stayed clean.
 * Skips with a message when Chromium is not installed (.ci/run installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingResult } from '../packages/plugin-api/src/index.js';
import { renderReport, validateResult } from '../packages/report/src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) console.warn(`report-chromium: ${CHROMIUM} not found, skipping the browser test (install it: apt-get install -y chromium)`);

// Stand-in fixtures for every shape, and two real simulations (digits-cnn) so that the charts of real results are drawn too.
const FIXTURES = ['snn-sata.json', 'ann-eyeriss.json', 'comparison.json', 'sweep-timesteps.json', 'sweep-grid-compare.json', 'sweep-dataflow.json', 'hostile.json', 'real-compare-digits.json', 'real-sweep-digits.json', 'real-simulate-timeline-digits.json', 'hostile-timeline.json'];
const TIMELINE_FIXTURE = 'real-simulate-timeline-digits.json';

/** The few DOM members the page-side checks use (the type-check runs without the DOM library). */
interface Box {
  readonly width: number;
  readonly height: number;
}
interface El {
  readonly id: string;
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  getBBox(): Box;
  getBoundingClientRect(): Box;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

interface ChartReport {
  id: string;
  title: string;
  width: number;
  height: number;
  marks: number;
  visibleMarks: number;
  axisTitles: number;
  textWithSize: number;
}

describe.skipIf(!present)('the HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sata-chromium-'));
  const file = join(dir, 'report.html');
  let charts: ChartReport[] = [];
  let consoleProblems: string[] = [];
  let requests: string[] = [];
  let injected = -1;
  let hostileText = '';
  let expectedCharts = 0;
  let lanes: LaneReport[] = [];
  let expectedLanes: string[] = [];
  let zoomed: { target: string; visible: string[] } = { target: '', visible: [] };
  let timelinePng: Buffer = Buffer.alloc(0);

  beforeAll(async () => {
    const inputs = FIXTURES.map((name) => ({ name, doc: validateResult(JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/results/${name}`, import.meta.url)), 'utf8')), name) }));
    const timed = inputs.find((i) => i.name === TIMELINE_FIXTURE)!.doc as TrainingResult;
    expectedLanes = timed.timeline!.tracks.filter((t) => timed.timeline!.slices.some((s) => s.track === t.name)).map((t) => t.name);
    const html = renderReport(inputs);
    expectedCharts = html.split('<svg class="chart"').length - 1;
    writeFileSync(file, html);
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 900, height: 1000 },
    });
    try {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => consoleProblems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      charts = await page.$$eval('svg.chart', (nodes) =>
        (nodes as unknown as El[]).map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = Array.from(svg.querySelectorAll('.mark'));
          const sized = (el: El): boolean => {
            const b = el.getBBox();
            const r = el.getBoundingClientRect();
            return (b.width > 0 || b.height > 0) && r.width > 0 && r.height > 0;
          };
          return {
            id: svg.id,
            title: svg.querySelector('title')?.textContent ?? '',
            width: box.width,
            height: box.height,
            marks: marks.length,
            visibleMarks: marks.filter(sized).length,
            axisTitles: Array.from(svg.querySelectorAll('.axis-title')).filter(sized).length,
            textWithSize: Array.from(svg.querySelectorAll('text')).filter(sized).length,
          };
        }),
      );
      injected = await page.$$eval('script, img, iframe, object, embed, link', (els) => els.length);
      hostileText = await page.$$eval('h2', (hs) => (hs as unknown as El[]).map((h) => h.textContent ?? '').join('\n'));
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      // The first timeline (the real simulation's): its default view, lane by lane.
      const first = page.locator('.tl-views').first();
      lanes = await first.locator('svg.timeline').first().evaluate((svg) =>
        Array.from((svg as unknown as El).querySelectorAll('g.lane')).map((g) => {
          const sized = (el: El): boolean => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
          const marks = Array.from(g.querySelectorAll('.mark'));
          return {
            lane: g.getAttribute('data-lane') ?? '',
            work: marks.filter((m) => m.getAttribute('class') === 'mark work' && sized(m)).length,
            stalls: marks.filter((m) => m.getAttribute('class') === 'mark stall' && sized(m)).length,
            stages: [...new Set(marks.map((m) => m.getAttribute('data-stage') ?? ''))].filter(Boolean).sort(),
          };
        }),
      );
      timelinePng = await first.locator('svg.timeline').first().screenshot();
      // A zoom link: only the view it names shows.
      const link = first.locator('xpath=preceding-sibling::p[@class="tl-nav"][1]').locator('a', { hasText: 'BP' });
      const target = ((await link.getAttribute('href')) ?? '').slice(1);
      await link.click();
      zoomed = { target, visible: await first.locator('.tl-view').evaluateAll((vs) => (vs as unknown as El[]).filter((v) => v.getBoundingClientRect().height > 0).map((v) => v.id)) };
    } finally {
      await context.close();
    }
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws every chart: a sized SVG with visible marks, axis titles and text', () => {
    expect(charts.length).toBe(expectedCharts);
    expect(charts.length).toBeGreaterThan(30);
    for (const c of charts) {
      expect.soft(c.width, `${c.id} ${c.title}`).toBeGreaterThan(100);
      expect.soft(c.height, `${c.id} ${c.title}`).toBeGreaterThan(100);
      expect.soft(c.visibleMarks, `${c.id} ${c.title}: visible marks`).toBeGreaterThan(0);
      expect.soft(c.axisTitles, `${c.id} ${c.title}: axis titles`).toBeGreaterThanOrEqual(c.title.startsWith('Energy by component') || c.title.startsWith('Data placement') ? 1 : 2);
      expect.soft(c.textWithSize, `${c.id} ${c.title}: rendered text`).toBeGreaterThan(3);
    }
  });

  it('draws the timeline: a lane per component that worked, each with visible work, stalls on the array, every stage', () => {
    expect(lanes.map((l) => l.lane)).toEqual(expectedLanes);
    for (const l of lanes) expect.soft(l.work, `${l.lane}: visible work marks`).toBeGreaterThan(0);
    const array = lanes.find((l) => l.lane === 'acc.array')!;
    expect(array.stalls).toBeGreaterThan(0);
    expect(lanes.find((l) => l.lane === 'acc.controller')!.stages).toEqual(['BP', 'FP', 'WG', 'WU']);
    const png = pngStats(timelinePng);
    expect(png.width).toBeGreaterThan(600);
    expect(png.colours).toBeGreaterThanOrEqual(6); // background, lanes, four stages, stalls: not blank
    expect(png.nonWhite).toBeGreaterThan(0.2);
  });

  it('zooms by plain links: following one shows its view alone', () => {
    expect(zoomed.target).toMatch(/^tl-\d+-BP$/);
    expect(zoomed.visible).toEqual([zoomed.target]);
  });

  it('logs no console errors or warnings and fetches nothing but the file', () => {
    expect(consoleProblems).toEqual([]);
    expect(requests.filter((u) => u !== pathToFileURL(file).href)).toEqual([]);
  });

  it('shows hostile strings as text: no element came from the input', () => {
    expect(injected).toBe(0);
    expect(hostileText).toContain('net<script>alert(1)</script><img src=x onerror=alert(2)>');
  });
});

interface LaneReport {
  lane: string;
  work: number;
  stalls: number;
  stages: string[];
}

/** Size, distinct colours and the share of pixels that are not white, of an 8-bit RGB(A) PNG (what Chromium writes). */
function pngStats(png: Buffer): { width: number; height: number; colours: number; nonWhite: number } {
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || (data[9] !== 2 && data[9] !== 6)) throw new Error(`PNG of bit depth ${data[8]}, colour type ${data[9]}: not handled`);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? px[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      px[y * stride + i] = (v + pred) & 0xff;
    }
  }
  const colours = new Set<number>();
  let nonWhite = 0;
  for (let i = 0; i < px.length; i += channels) {
    const rgb = (px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!;
    colours.add(rgb);
    if (rgb !== 0xffffff) nonWhite++;
  }
  return { width, height, colours: colours.size, nonWhite: nonWhite / (width * height) };
}
