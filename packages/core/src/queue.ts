import { BinaryHeap } from './binary-heap.js';
import type { EventHandler, EventId } from './event.js';
import type { Tick } from './time.js';

export type { EventHandler, EventId } from './event.js';

const LINK_TAG_LIMIT = 1 << 24;
export const MAX_LINK_TAG = LINK_TAG_LIMIT - 1;

const WHEEL_BITS = 12;
const WHEEL_SIZE = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_SIZE - 1;
const NONE = -1;

/**
 * The pending-event set, ordered by (time, priority, linkTag, seq). `seq` is assigned at
 * scheduling, so equal keys come out first-in-first-out and the order is total: the same
 * schedule always gives the same event order.
 *
 * Because time is an integer, events less than WHEEL_SIZE ticks ahead of the cursor sit in
 * a time wheel: one bucket per tick, each a list kept in (priority, linkTag, seq) order
 * (scheduling appends in the common case), with a bitmap to find the next non-empty
 * bucket. Later events wait in a binary heap and move into the wheel as the cursor comes
 * within reach of them. Push and pop are then O(1) for near events, which is what a DES
 * mostly schedules; far events cost a heap operation.
 */
export class EventQueue {
  // Per-event slots, recycled through a free list; seq < 0 marks a free slot.
  private time = new Float64Array(256);
  private order = new Float64Array(256);
  private seqs = new Float64Array(256).fill(NONE);
  private next = new Int32Array(256);
  private handlers: (EventHandler | undefined)[] = new Array<EventHandler | undefined>(256).fill(undefined);
  private payloads: unknown[] = new Array<unknown>(256).fill(undefined);
  private free = new Int32Array(256);
  private freeCount = 0;
  private slotCount = 0;

  private readonly head = new Int32Array(WHEEL_SIZE).fill(NONE);
  private readonly tail = new Int32Array(WHEEL_SIZE).fill(NONE);
  private readonly occupied = new Uint32Array(WHEEL_SIZE >>> 5);
  /** The wheel covers [cursorTime, cursorTime + WHEEL_SIZE); cursorTime sits in bucket cursorIndex. */
  private cursorTime = 0;
  private cursorIndex = 0;
  private wheelCount = 0;
  private readonly overflow = new BinaryHeap();
  private nextSeq = 0;

  /** Fields of the event most recently removed by `pop()`. */
  poppedTime: Tick = 0;
  /** Priority and link tag of the popped event, packed (see poppedPriority, poppedLinkTag). */
  poppedOrder = 0;
  poppedSeq: EventId = 0;
  poppedHandler: EventHandler | undefined = undefined;
  poppedPayload: unknown = undefined;

  get size(): number {
    return this.wheelCount + this.overflow.size;
  }

  /** Unpacked only when asked (observers): the hot path never divides. */
  get poppedPriority(): number {
    return Math.floor(this.poppedOrder / LINK_TAG_LIMIT);
  }

  get poppedLinkTag(): number {
    return this.poppedOrder % LINK_TAG_LIMIT;
  }

  /** How many events were ever scheduled (the next event's seq). */
  get scheduledCount(): number {
    return this.nextSeq;
  }

  /**
   * Schedules an event. `time` must not precede the last popped event's time (the
   * simulator checks that against `now`).
   */
  push(time: Tick, priority: number, linkTag: number, handler: EventHandler, payload: unknown): EventId {
    const seq = this.nextSeq++;
    const order = priority * LINK_TAG_LIMIT + linkTag;
    if (time - this.cursorTime < WHEEL_SIZE) this.insertWheel(time, order, seq, handler, payload);
    else this.overflow.push(time, order, seq, handler, payload);
    return seq;
  }

  /** Time of the first event (Infinity when empty). */
  peekTime(): Tick {
    if (this.wheelCount > 0) return this.cursorTime + ((this.nextBucket() - this.cursorIndex) & WHEEL_MASK);
    return this.overflow.peekTime();
  }

  /** Removes the first event; its fields are left in the `popped*` properties. */
  pop(): boolean {
    if (this.wheelCount === 0) {
      if (this.overflow.size === 0) return false;
      this.cursorTime = this.overflow.peekTime();
      this.cursorIndex = 0;
      this.migrate();
    }
    const idx = this.nextBucket();
    const distance = (idx - this.cursorIndex) & WHEEL_MASK;
    if (distance !== 0) {
      this.cursorTime += distance;
      this.cursorIndex = idx;
      if (this.overflow.size > 0) this.migrate();
    }
    const slot = this.head[idx]!;
    const after = this.next[slot]!;
    this.head[idx] = after;
    if (after === NONE) {
      this.tail[idx] = NONE;
      this.occupied[idx >>> 5]! &= ~(1 << (idx & 31));
    }
    this.poppedTime = this.time[slot]!;
    this.poppedOrder = this.order[slot]!;
    this.poppedSeq = this.seqs[slot]!;
    this.poppedHandler = this.handlers[slot];
    this.poppedPayload = this.payloads[slot];
    this.release(slot);
    this.wheelCount--;
    return true;
  }

  /** Removes a pending event by id; false if it already ran or was cancelled. A linear search: cancellation is rare. */
  cancel(id: EventId): boolean {
    const s = this.seqs;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (s[slot] !== id) continue;
      const idx = (this.cursorIndex + (this.time[slot]! - this.cursorTime)) & WHEEL_MASK;
      let prev = NONE;
      let cur = this.head[idx]!;
      while (cur !== slot) {
        prev = cur;
        cur = this.next[cur]!;
      }
      const after = this.next[slot]!;
      if (prev === NONE) this.head[idx] = after;
      else this.next[prev] = after;
      if (this.tail[idx] === slot) this.tail[idx] = prev;
      if (this.head[idx] === NONE) this.occupied[idx >>> 5]! &= ~(1 << (idx & 31));
      this.release(slot);
      this.wheelCount--;
      return true;
    }
    return this.overflow.remove(id);
  }

  private insertWheel(time: number, order: number, seq: number, handler: EventHandler, payload: unknown): void {
    const slot = this.allocate();
    this.time[slot] = time;
    this.order[slot] = order;
    this.seqs[slot] = seq;
    this.handlers[slot] = handler;
    this.payloads[slot] = payload;
    const idx = (this.cursorIndex + (time - this.cursorTime)) & WHEEL_MASK;
    const last = this.tail[idx]!;
    const o = this.order;
    const s = this.seqs;
    if (last === NONE) {
      this.head[idx] = slot;
      this.tail[idx] = slot;
      this.next[slot] = NONE;
      this.occupied[idx >>> 5]! |= 1 << (idx & 31);
    } else if (o[last]! < order || (o[last]! === order && s[last]! < seq)) {
      this.next[last] = slot;
      this.next[slot] = NONE;
      this.tail[idx] = slot;
    } else {
      // Out of order within the tick (e.g. a clock edge scheduled after messages): insert.
      let prev = NONE;
      let cur = this.head[idx]!;
      while (cur !== NONE && (o[cur]! < order || (o[cur]! === order && s[cur]! < seq))) {
        prev = cur;
        cur = this.next[cur]!;
      }
      this.next[slot] = cur;
      if (prev === NONE) this.head[idx] = slot;
      else this.next[prev] = slot;
    }
    this.wheelCount++;
  }

  /** Moves every overflow event now within the wheel's reach into the wheel, in key order. */
  private migrate(): void {
    const h = this.overflow;
    const limit = this.cursorTime + WHEEL_SIZE;
    while (h.size > 0 && h.peekTime() < limit) {
      h.pop();
      this.insertWheel(h.poppedTime, h.poppedOrder, h.poppedSeq, h.poppedHandler!, h.poppedPayload);
    }
  }

  /** Index of the first non-empty bucket at or after the cursor (the wheel must not be empty). */
  private nextBucket(): number {
    const bits = this.occupied;
    let w = this.cursorIndex >>> 5;
    let word = bits[w]! & (-1 << (this.cursorIndex & 31));
    const words = bits.length;
    for (let n = 0; word === 0 && n < words; n++) {
      w = (w + 1) % words;
      word = bits[w]!;
    }
    return (w << 5) + (31 - Math.clz32(word & -word));
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.slotCount === this.time.length) this.grow();
    return this.slotCount++;
  }

  private release(slot: number): void {
    this.seqs[slot] = NONE;
    this.handlers[slot] = undefined;
    this.payloads[slot] = undefined;
    this.free[this.freeCount++] = slot;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.time = f64(this.time);
    this.order = f64(this.order);
    const seqs = new Float64Array(n).fill(NONE);
    seqs.set(this.seqs);
    this.seqs = seqs;
    const next = new Int32Array(n);
    next.set(this.next);
    this.next = next;
    const free = new Int32Array(n);
    free.set(this.free);
    this.free = free;
    const old = this.handlers.length;
    this.handlers.length = n;
    this.payloads.length = n;
    this.handlers.fill(undefined, old);
    this.payloads.fill(undefined, old);
  }
}
