import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase, BenchSuite } from '../harness.js';

/**
 * Start-up suite: the wall time of whole `sata` processes against a bare `node -e 0`,
 * measured in one run so that the ratio is taken on the same machine state. Goal (issue 15):
 * `--version`, `--help` and a small `sata layer` within 2x a bare node.
 */
const BIN = fileURLToPath(new URL('../../../packages/cli/bin/sata.js', import.meta.url));
/** The unbundled CLI (what the bin runs when the bundle is missing or stale), for comparison. */
const UNBUNDLED = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

function spawnCase(name: string, args: readonly string[], baseline: { ms: number }, isBaseline = false): BenchCase {
  let total = 0;
  let calls = 0;
  return {
    name,
    unitsPerCall: 1,
    rateName: 'processesPerSecond',
    fn: () => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      total += performance.now() - t0;
      calls++;
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr.toString()}`);
    },
    extra: () => {
      const ms = total / calls;
      if (isBaseline) baseline.ms = ms;
      return { wallMs: +ms.toFixed(1), ...(isBaseline ? {} : { timesBareNode: +(ms / baseline.ms).toFixed(2) }) };
    },
  };
}

export const startupSuite: BenchSuite = {
  name: 'startup',
  cases: () => {
    const baseline = { ms: NaN };
    return [
      spawnCase('node-e-0', ['-e', '0'], baseline, true),
      spawnCase('sata-version', [BIN, '--version'], baseline),
      spawnCase('sata-help', [BIN, '--help'], baseline),
      spawnCase('sata-layer-gemm-8x8x8', [BIN, 'layer', '--gemm', '8,8,8'], baseline),
      spawnCase('sata-simulate-help', [BIN, 'simulate', '--help'], baseline),
      spawnCase('unbundled-layer-gemm-8x8x8', [UNBUNDLED, 'layer', '--gemm', '8,8,8'], baseline),
    ];
  },
};
