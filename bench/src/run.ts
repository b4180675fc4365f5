/**
 * `npm run bench [-- --json] [-- --suite NAME]`: runs the benchmark suites. With --json,
 * stdout carries one JSON list of results (name, rate, the rate under its own name such as
 * eventsPerSecond); progress goes to stderr.
 */
import { cpus } from 'node:os';
import { runSuite, type BenchResult, type BenchSuite } from './harness.js';
import { SUITES } from './suites/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.flatMap((a, i) => (a === '--suite' ? [args[i + 1]] : a.startsWith('--suite=') ? [a.slice(8)] : []));
const selected: BenchSuite[] = only.length ? SUITES.filter((s) => only.includes(s.name)) : [...SUITES];
if (only.length && selected.length !== only.length) {
  process.stderr.write(`unknown suite in ${only.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`${line}\n`);
log(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`);
const results: BenchResult[] = [];
for (const s of selected) results.push(...runSuite(s, log));
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
