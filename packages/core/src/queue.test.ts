import { describe, expect, it } from 'vitest';
import { EventQueue } from './queue.js';
import { Rng } from './rng.js';

function drain(q: EventQueue): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  while (q.pop()) out.push([q.poppedTime, q.poppedPriority, q.poppedLinkTag, q.poppedSeq]);
  return out;
}

describe('EventQueue', () => {
  it('returns more than ten same-tick events first in, first out', () => {
    const q = new EventQueue();
    for (let i = 0; i < 50; i++) q.push(7, 50, 0, () => {}, i);
    const payloads: unknown[] = [];
    while (q.pop()) payloads.push(q.poppedPayload);
    expect(payloads).toEqual([...Array(50).keys()]);
  });

  it('peeks the next time without removing it, across the wheel and the overflow', () => {
    const q = new EventQueue();
    expect(q.peekTime()).toBe(Infinity);
    q.push(10_000_000, 50, 0, () => {}, 'far');
    q.push(3, 50, 0, () => {}, 'near');
    expect(q.peekTime()).toBe(3);
    q.pop();
    expect(q.peekTime()).toBe(10_000_000);
    q.push(10_000_000, 40, 0, () => {}, 'clock');
    expect(q.pop() && q.poppedPayload).toBe('clock');
    expect(q.pop() && q.poppedPayload).toBe('far');
    expect(q.pop()).toBe(false);
  });

  it('orders by time, then priority, then link tag, then sequence', () => {
    const q = new EventQueue();
    q.push(5, 50, 2, () => {}, 'a');
    q.push(5, 50, 1, () => {}, 'b');
    q.push(5, 40, 9, () => {}, 'c');
    q.push(4, 90, 9, () => {}, 'd');
    q.push(5, 50, 1, () => {}, 'e');
    const order: unknown[] = [];
    while (q.pop()) order.push(q.poppedPayload);
    expect(order).toEqual(['d', 'c', 'b', 'e', 'a']);
  });

  it.each([
    ['near events (time wheel)', 20, 0],
    ['near and far events (wheel and overflow heap)', 20, 0.3],
    ['mostly far events', 50_000, 0.9],
  ])('matches a sorted reference under random pushes, pops and cancellations: %s', (_label, nearSpan, farShare) => {
    for (let trial = 0; trial < 20; trial++) {
      const rng = new Rng(trial, 'queue-property');
      const q = new EventQueue();
      const live = new Map<number, [number, number, number, number]>();
      const popped: Array<[number, number, number, number]> = [];
      let now = 0;
      for (let op = 0; op < 2000; op++) {
        const r = rng.nextFloat();
        if (r < 0.55) {
          const t = now + (rng.nextFloat() < farShare ? rng.nextInt(100_000) : rng.nextInt(nearSpan));
          const p = [40, 50, 85][rng.nextInt(3)]!;
          const tag = rng.nextInt(4);
          const seq = q.push(t, p, tag, () => {}, undefined);
          live.set(seq, [t, p, tag, seq]);
        } else if (r < 0.7 && live.size > 0) {
          const ids = [...live.keys()];
          const id = ids[rng.nextInt(ids.length)]!;
          expect(q.cancel(id)).toBe(true);
          expect(q.cancel(id)).toBe(false);
          live.delete(id);
        } else if (q.pop()) {
          const e: [number, number, number, number] = [q.poppedTime, q.poppedPriority, q.poppedLinkTag, q.poppedSeq];
          const expected = [...live.values()].sort(cmpKey)[0]!;
          expect(e).toEqual(expected);
          live.delete(e[3]);
          popped.push(e);
          now = e[0];
        }
        expect(q.size).toBe(live.size);
      }
      expect(drain(q)).toEqual([...live.values()].sort(cmpKey));
    }
  });
});

function cmpKey(a: [number, number, number, number], b: [number, number, number, number]): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
