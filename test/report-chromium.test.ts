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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport, validateResult } from '../packages/report/src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) console.warn(`report-chromium: ${CHROMIUM} not found, skipping the browser test (install it: apt-get install -y chromium)`);

// Stand-in fixtures for every shape, and two real simulations (digits-cnn) so that the charts of real results are drawn too.
const FIXTURES = ['snn-sata.json', 'ann-eyeriss.json', 'comparison.json', 'sweep-timesteps.json', 'sweep-grid-compare.json', 'sweep-dataflow.json', 'hostile.json', 'real-compare-digits.json', 'real-sweep-digits.json'];

/** The few DOM members the page-side checks use (the type-check runs without the DOM library). */
interface Box {
  readonly width: number;
  readonly height: number;
}
interface El {
  readonly id: string;
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

  beforeAll(async () => {
    const inputs = FIXTURES.map((name) => ({ name, doc: validateResult(JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/results/${name}`, import.meta.url)), 'utf8')), name) }));
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

  it('logs no console errors or warnings and fetches nothing but the file', () => {
    expect(consoleProblems).toEqual([]);
    expect(requests.filter((u) => u !== pathToFileURL(file).href)).toEqual([]);
  });

  it('shows hostile strings as text: no element came from the input', () => {
    expect(injected).toBe(0);
    expect(hostileText).toContain('net<script>alert(1)</script><img src=x onerror=alert(2)>');
  });
});
