import type { EventHandler } from './event.js';

/**
 * A binary min-heap of events keyed by (time, order, seq), where `order` packs priority
 * and link tag. Keys live in parallel typed arrays (no object per event) and sifting moves
 * a hole rather than swapping. The event queue uses it for events beyond its time wheel.
 */
export class BinaryHeap {
  private time: Float64Array;
  private order: Float64Array;
  private seqs: Float64Array;
  private handlers: (EventHandler | undefined)[];
  private payloads: unknown[];
  private count = 0;

  /** Fields of the entry most recently removed by `pop()`. */
  poppedTime = 0;
  poppedOrder = 0;
  poppedSeq = 0;
  poppedHandler: EventHandler | undefined = undefined;
  poppedPayload: unknown = undefined;

  constructor(initialCapacity = 64) {
    const n = Math.max(16, initialCapacity);
    this.time = new Float64Array(n);
    this.order = new Float64Array(n);
    this.seqs = new Float64Array(n);
    this.handlers = new Array<EventHandler | undefined>(n).fill(undefined);
    this.payloads = new Array<unknown>(n).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the first entry (Infinity when empty). */
  peekTime(): number {
    return this.count > 0 ? this.time[0]! : Infinity;
  }

  push(time: number, order: number, seq: number, handler: EventHandler, payload: unknown): void {
    if (this.count === this.time.length) this.grow();
    const t = this.time;
    const o = this.order;
    const s = this.seqs;
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(time, order, seq, t[p]!, o[p]!, s[p]!)) break;
      t[i] = t[p]!;
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
  }

  pop(): boolean {
    if (this.count === 0) return false;
    this.poppedTime = this.time[0]!;
    this.poppedOrder = this.order[0]!;
    this.poppedSeq = this.seqs[0]!;
    this.poppedHandler = this.handlers[0];
    this.poppedPayload = this.payloads[0];
    this.removeAt(0);
    return true;
  }

  /** Removes the entry with this seq; a linear search (cancellation is rare). */
  remove(seq: number): boolean {
    for (let i = 0; i < this.count; i++) {
      if (this.seqs[i] === seq) {
        this.removeAt(i);
        return true;
      }
    }
    return false;
  }

  private removeAt(index: number): void {
    const last = --this.count;
    const t = this.time;
    const o = this.order;
    const s = this.seqs;
    const h = this.handlers;
    const pl = this.payloads;
    const time = t[last]!;
    const order = o[last]!;
    const seq = s[last]!;
    const handler = h[last];
    const payload = pl[last];
    h[last] = undefined;
    pl[last] = undefined;
    if (index === last) return;
    // The moved entry may need to go up (when removing from the middle) or down.
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
    const old = this.handlers.length;
    this.handlers.length = n;
    this.payloads.length = n;
    this.handlers.fill(undefined, old);
    this.payloads.fill(undefined, old);
  }
}

function less(ta: number, oa: number, sa: number, tb: number, ob: number, sb: number): boolean {
  return ta < tb || (ta === tb && (oa < ob || (oa === ob && sa < sb)));
}
