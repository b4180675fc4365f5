import Benchmark from 'benchmark';

/** One measured case: `rate` is per second of the unit named in `rateName` (e.g. eventsPerSecond). */
export interface BenchResult {
  suite: string;
  name: string;
  rateName: string;
  rate: number;
  /** Relative margin of error of the mean, percent. */
  rme: number;
  samples: number;
  [extra: string]: unknown;
}

export interface BenchCase {
  name: string;
  /** Work units done by one call of `fn` (events, PE-steps, FLOPs...). */
  unitsPerCall: number;
  rateName: string;
  fn: () => void;
  /** Extra figures to report beside the rate. */
  extra?: () => Record<string, unknown>;
}

export interface BenchSuite {
  name: string;
  cases: () => BenchCase[];
}

/** Runs cases with the `benchmark` package (statistically sampled) and returns their rates. */
export function runSuite(suite: BenchSuite, log: (line: string) => void, opts: { minTime?: number } = {}): BenchResult[] {
  const out: BenchResult[] = [];
  const s = new Benchmark.Suite(suite.name);
  const cases = suite.cases();
  for (const c of cases) s.add(c.name, c.fn, { minTime: opts.minTime ?? 1, maxTime: 5 });
  s.on('cycle', (ev: Benchmark.Event) => {
    const b = ev.target as unknown as Benchmark & { name: string };
    const c = cases.find((x) => x.name === b.name)!;
    const rate = (b.hz ?? 0) * c.unitsPerCall;
    const r: BenchResult = { suite: suite.name, name: `${suite.name}/${c.name}`, rateName: c.rateName, rate, [c.rateName]: rate, rme: b.stats.rme, samples: b.stats.sample.length, ...(c.extra?.() ?? {}) };
    out.push(r);
    log(`${r.name}: ${fmt(rate)} ${c.rateName} (±${b.stats.rme.toFixed(1)}%, ${r.samples} samples)`);
  });
  s.run({ async: false });
  return out;
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1);
}
