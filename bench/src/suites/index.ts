import type { BenchSuite } from '../harness.js';
import { kernelSuite } from './kernel.js';

/** Every benchmark suite; add one line per suite. */
export const SUITES: readonly BenchSuite[] = [kernelSuite];
