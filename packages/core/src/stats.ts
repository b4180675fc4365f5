/** Statistics declared with a unit and a description (after gem5's ADD_STAT and SST's statapi). */
export interface StatInfo {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly kind: 'counter' | 'histogram' | 'formula';
}

export interface Counter {
  readonly info: StatInfo;
  readonly enabled: boolean;
  add(n?: number): void;
  value(): number;
}

export interface Histogram {
  readonly info: StatInfo;
  readonly enabled: boolean;
  sample(x: number, weight?: number): void;
  /** Counts per bin; bin i holds [min + i*width, min + (i+1)*width); under- and overflow apart. */
  snapshot(): HistogramSnapshot;
}

export interface HistogramSnapshot {
  min: number;
  binWidth: number;
  bins: number[];
  underflow: number;
  overflow: number;
  count: number;
  sum: number;
}

export interface Formula {
  readonly info: StatInfo;
  readonly enabled: boolean;
  value(): number;
}

export type Statistic = Counter | Histogram | Formula;

class LiveCounter implements Counter {
  readonly enabled = true;
  private total = 0;
  constructor(readonly info: StatInfo) {}
  add(n = 1): void {
    this.total += n;
  }
  value(): number {
    return this.total;
  }
}

/** A switched-off statistic is a null object: every call is a no-op that the JIT inlines away. */
class NullCounter implements Counter {
  readonly enabled = false;
  constructor(readonly info: StatInfo) {}
  add(): void {}
  value(): number {
    return 0;
  }
}

class LiveHistogram implements Histogram {
  readonly enabled = true;
  private readonly bins: number[];
  private underflow = 0;
  private overflow = 0;
  private count = 0;
  private sum = 0;
  constructor(readonly info: StatInfo, private readonly min: number, private readonly binWidth: number, binCount: number) {
    this.bins = new Array<number>(binCount).fill(0);
  }
  sample(x: number, weight = 1): void {
    this.count += weight;
    this.sum += x * weight;
    const i = Math.floor((x - this.min) / this.binWidth);
    if (i < 0) this.underflow += weight;
    else if (i >= this.bins.length) this.overflow += weight;
    else this.bins[i]! += weight;
  }
  snapshot(): HistogramSnapshot {
    return { min: this.min, binWidth: this.binWidth, bins: [...this.bins], underflow: this.underflow, overflow: this.overflow, count: this.count, sum: this.sum };
  }
}

class NullHistogram implements Histogram {
  readonly enabled = false;
  constructor(readonly info: StatInfo) {}
  sample(): void {}
  snapshot(): HistogramSnapshot {
    return { min: 0, binWidth: 1, bins: [], underflow: 0, overflow: 0, count: 0, sum: 0 };
  }
}

class LiveFormula implements Formula {
  readonly enabled = true;
  constructor(readonly info: StatInfo, private readonly fn: () => number) {}
  value(): number {
    return this.fn();
  }
}

class NullFormula implements Formula {
  readonly enabled = false;
  constructor(readonly info: StatInfo) {}
  value(): number {
    return 0;
  }
}

/**
 * Which statistics are on. Patterns are full statistic names (`component.stat`) with `*`
 * matching any run of characters; the default enables everything.
 */
export class StatFilter {
  private readonly patterns: RegExp[];
  constructor(patterns: readonly string[] = ['*']) {
    this.patterns = patterns.map((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`));
  }
  enabled(fullName: string): boolean {
    return this.patterns.some((re) => re.test(fullName));
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export const StatFactory = {
  counter(info: StatInfo, on: boolean): Counter {
    return on ? new LiveCounter(info) : new NullCounter(info);
  },
  histogram(info: StatInfo, on: boolean, min: number, binWidth: number, binCount: number): Histogram {
    return on ? new LiveHistogram(info, min, binWidth, binCount) : new NullHistogram(info);
  },
  formula(info: StatInfo, on: boolean, fn: () => number): Formula {
    return on ? new LiveFormula(info, fn) : new NullFormula(info);
  },
};

/** The value a report shows for a statistic. */
export function statValue(stat: Statistic): number | HistogramSnapshot {
  return 'sample' in stat ? stat.snapshot() : stat.value();
}
