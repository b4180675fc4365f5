import type { BenchSuite } from '../harness.js';
import { hwSuite } from './hw.js';
import { kernelSuite } from './kernel.js';
import { snnSuite } from './snn.js';
import { startupSuite } from './startup.js';
import { traceSuite } from './trace.js';
import { trainingSuite } from './training.js';

/** Every benchmark suite; add one line per suite. */
export const SUITES: readonly BenchSuite[] = [kernelSuite, hwSuite, snnSuite, traceSuite, trainingSuite, startupSuite];
