import type { Tick } from './time.js';

/** What runs when an event fires. `payload` is whatever was given at scheduling. */
export type EventHandler = (payload: any) => void;

/** Identifies a scheduled event for cancellation: its sequence number. */
export type EventId = number;

const LINK_TAG_LIMIT = 1 << 24;

/**
 * The pending-event set: a binary min-heap ordered by (time, priority, linkTag, seq).
 * `seq` is assigned at scheduling, so equal keys come out first-in-first-out, and the
 * order is total: the same schedule always gives the same event order.
 *
 * Keys live in parallel typed arrays (no object per event) and sifting moves a hole
 * rather than swapping, which is what keeps the kernel at tens of millions of events per
 * second. Priority and link tag share one float64 key (priority * 2^24 + tag).
 */
export class EventQueue {
  private time: Float64Array;
  private order: Float64Array;
  private seqs: Float64Array;
  private handlers: (EventHandler | undefined)[];
  private payloads: unknown[];
  private count = 0;
  private nextSeq = 0;

  /** Fields of the event most recently removed by `pop()`. */
  poppedTime: Tick = 0;
  poppedPriority = 0;
  poppedLinkTag = 0;
  poppedSeq: EventId = 0;
  poppedHandler: EventHandler | undefined = undefined;
  poppedPayload: unknown = undefined;

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity);
    this.time = new Float64Array(n);
    this.order = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.handlers = new Array(n);
    this.payloads = new Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** Sequence number the next scheduled event will get (also: how many were scheduled). */
  get scheduledCount(): number {
    return this.nextSeq;
  }

  peekTime(): Tick {
    return this.count > 0 ? this.time[0]! : Infinity;
  }

  push(time: Tick, priority: number, linkTag: number, handler: EventHandler, payload: unknown): EventId {
    if (this.count === this.time.length) this.grow();
    const seq = this.nextSeq++;
    const order = priority * LINK_TAG_LIMIT + linkTag;
    // Sift the hole up from the end.
    const t = this.time;
    const o = this.order;
    const s = this.seqs;
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = t[p]!;
      if (pt < time || (pt === time && (o[p]! < order || (o[p]! === order /* seq always larger */)))) break;
      t[i] = pt;
      o[i] = o[p]!;
      s[i] = s[p]!;
      this.handlers[i] = this.handlers[p];
      this.payloads[i] = this.payloads[p];
      i = p;
    }
    t[i] = time;
    o[i] = order;
    s[i] = seq;
    this.handlers[i] = handler;
    this.payloads[i] = payload;
    return seq;
  }

  /** Removes the first event; its fields are left in the `popped*` properties. */
  pop(): boolean {
    if (this.count === 0) return false;
    const o0 = this.order[0]!;
    this.poppedTime = this.time[0]!;
    this.poppedPriority = Math.floor(o0 / LINK_TAG_LIMIT);
    this.poppedLinkTag = o0 - this.poppedPriority * LINK_TAG_LIMIT;
    this.poppedSeq = this.seqs[0]!;
    this.poppedHandler = this.handlers[0];
    this.poppedPayload = this.payloads[0];
    this.removeAt(0);
    return true;
  }

  /**
   * Removes a pending event by id. A linear search: cancellation is rare in this
   * simulator's models, and keeping no index keeps push and pop lean.
   */
  cancel(id: EventId): boolean {
    const s = this.seqs;
    for (let i = 0; i < this.count; i++) {
      if (s[i] === id) {
        this.removeAt(i);
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.handlers.fill(undefined, 0, this.count);
    this.payloads.fill(undefined, 0, this.count);
    this.count = 0;
  }

  private removeAt(index: number): void {
    const last = --this.count;
    const t = this.time;
    const o = this.order;
    const s = this.seqs;
    const h = this.handlers;
    const pl = this.payloads;
    if (index === last) {
      h[last] = undefined;
      pl[last] = undefined;
      return;
    }
    const time = t[last]!;
    const order = o[last]!;
    const seq = s[last]!;
    const handler = h[last];
    const payload = pl[last];
    h[last] = undefined;
    pl[last] = undefined;
    // The moved element may need to go up (when removing from the middle) or down.
    let i = index;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(time, order, seq, t[p]!, o[p]!, s[p]!)) break;
      t[i] = t[p]!;
      o[i] = o[p]!;
      s[i] = s[p]!;
      h[i] = h[p];
      pl[i] = pl[p];
      i = p;
    }
    const n = this.count;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && less(t[r]!, o[r]!, s[r]!, t[c]!, o[c]!, s[c]!)) c = r;
      if (!less(t[c]!, o[c]!, s[c]!, time, order, seq)) break;
      t[i] = t[c]!;
      o[i] = o[c]!;
      s[i] = s[c]!;
      h[i] = h[c];
      pl[i] = pl[c];
      i = c;
    }
    t[i] = time;
    o[i] = order;
    s[i] = seq;
    h[i] = handler;
    pl[i] = payload;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n);
    t.set(this.time);
    const o = new Float64Array(n);
    o.set(this.order);
    const s = new Float64Array(n);
    s.set(this.seqs);
    this.time = t;
    this.order = o;
    this.seqs = s;
    this.handlers.length = n;
    this.payloads.length = n;
  }
}

function less(ta: number, oa: number, sa: number, tb: number, ob: number, sb: number): boolean {
  return ta < tb || (ta === tb && (oa < ob || (oa === ob && sa < sb)));
}

export const MAX_LINK_TAG = LINK_TAG_LIMIT - 1;
