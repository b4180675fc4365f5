import { Rng, Simulator } from '@sata/core';
import type { BenchSuite } from '../harness.js';
import { Ping } from '../models.js';

/**
 * Kernel suites. Hold model: N pending events; each event schedules one successor at a
 * random delay, so the queue holds N events throughout (the classic priority-queue
 * benchmark). Ping-pong: two components bounce a message over a link.
 */
function holdModel(pending: number, eventsPerCall: number): () => void {
  const sim = new Simulator({ seed: 7 });
  const rng = new Rng(7, 'hold');
  // Delays drawn up front so the benchmark measures the kernel, not the generator.
  const delays = new Float64Array(1 << 16);
  for (let i = 0; i < delays.length; i++) delays[i] = 1 + Math.floor(rng.nextFloat() * 1000);
  let k = 0;
  const handler = (): void => {
    sim.schedule(delays[k++ & 0xffff]!, handler);
  };
  for (let i = 0; i < pending; i++) sim.schedule(delays[k++ & 0xffff]!, handler);
  return () => {
    for (let i = 0; i < eventsPerCall; i++) sim.step();
  };
}


function pingPong(eventsPerCall: number): () => void {
  const sim = new Simulator({ seed: 1 });
  const a = new Ping(sim, 'a');
  const b = new Ping(sim, 'b');
  sim.connect(a.port('io'), b.port('io'), 1);
  sim.schedule(0, () => a.port<number>('io').trySend(0));
  return () => {
    for (let i = 0; i < eventsPerCall; i++) sim.step();
  };
}

export const kernelSuite: BenchSuite = {
  name: 'kernel',
  cases: () => {
    const calls = 10_000;
    return [
      { name: 'hold-1k', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: holdModel(1_000, calls) },
      { name: 'hold-100k', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: holdModel(100_000, calls) },
      { name: 'ping-pong', unitsPerCall: calls, rateName: 'eventsPerSecond', fn: pingPong(calls) },
    ];
  },
};
