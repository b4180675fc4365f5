import { describe, expect, it } from 'vitest';
import { Simulator, type EventRecord } from '../simulator.js';
import { buildBoundedBufferExample } from './bounded-buffer.js';

function run(opts: Parameters<typeof buildBoundedBufferExample>[1], seed = 1) {
  const sim = new Simulator({ seed });
  const parts = buildBoundedBufferExample(sim, opts);
  const log: string[] = [];
  sim.observe('event', (r: EventRecord) => log.push(`${r.time}/${r.priority}/${r.linkTag}/${r.seq}/${r.destination?.fullName ?? '-'}`));
  const result = sim.run();
  return { sim, ...parts, log, result };
}

describe('worked example: producer -> bounded buffer -> consumer', () => {
  it('delivers every item in order despite a slow consumer (backpressure and retry)', () => {
    const { consumer, producer, buffer } = run({ count: 20, interval: 1, capacity: 2, serviceTime: 5, linkLatency: 1 });
    expect(consumer.log.map(([, id]) => id)).toEqual([...Array(20).keys()]);
    expect((producer.stats().get('produced') as { value(): number }).value()).toBe(20);
    const refusals = producer.stats().get('refusals') as { value(): number };
    expect(refusals.value()).toBeGreaterThan(0);
    // The consumer is the bottleneck: one item per serviceTime after the first arrives.
    const ticks = consumer.log.map(([t]) => t);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBeGreaterThanOrEqual(5);
    expect((buffer.stats().get('forwarded') as { value(): number }).value()).toBe(20);
  });

  it('never refuses when the buffer is large and the consumer fast', () => {
    const { producer, consumer } = run({ count: 10, interval: 5, capacity: 4, serviceTime: 1, linkLatency: 2 });
    expect((producer.stats().get('refusals') as { value(): number }).value()).toBe(0);
    // Each item crosses two links of latency 2: consumed 4 ticks after it was made.
    expect(consumer.log).toEqual([...Array(10).keys()].map((i) => [i * 5 + 4, i]));
  });

  it('lets a functional access inspect the buffer without timing', () => {
    const sim = new Simulator();
    const { buffer, producer } = buildBoundedBufferExample(sim, { count: 6, capacity: 3, serviceTime: 100 });
    sim.runUntil(10);
    const before = sim.pendingCount;
    const contents = producer.port('out').sendFunctional('peek');
    expect(Array.isArray(contents)).toBe(true);
    expect((contents as number[]).length).toBeLessThanOrEqual(buffer.params.capacity);
    expect(sim.pendingCount).toBe(before);
  });

  it('gives the identical event log for the same configuration twice', () => {
    const a = run({ count: 50, capacity: 3, serviceTime: 2 });
    const b = run({ count: 50, capacity: 3, serviceTime: 2 });
    expect(a.log.length).toBeGreaterThan(100);
    expect(b.log).toEqual(a.log);
  });
});
