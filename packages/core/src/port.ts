import { SimulationError } from './errors.js';
import type { Tick } from './time.js';
import { Priority } from './time.js';
import type { Component } from './component.js';

/**
 * The port a link event's handler delivers to (its `deliver` or `retry`): a link event then
 * needs no record of its own ends, which observers recover from the handler (the sender is
 * the receiver's peer).
 */
const RECEIVING_PORT = new WeakMap<(msg: never) => void, Port<any>>();

export function receivingPort(handler: unknown): Port<unknown> | undefined {
  return RECEIVING_PORT.get(handler as (msg: never) => void);
}

/**
 * A named endpoint of a component. Three protocols, after gem5:
 * - timing: `trySend` delivers after the link's latency, or is refused when the peer cannot
 *   accept now; the refused sender is called back (`onRetry`) once the peer calls `sendRetry`;
 * - atomic: `sendAtomic` has the peer serve a request at once (it books the request as of
 *   its arrival, now plus the link's latency) and returns the tick its response is back
 *   here; no event, never refused: for bookings whose timing the sender waits out itself;
 * - functional: `sendFunctional` reaches the peer at once and is never timed nor observed
 *   (preloading weights, inspecting a buffer);
 * - the link's latency comes from the configuration, not from the component.
 */
export class Port<Msg = unknown> {
  /** The link this port is on; set when the model is wired. */
  link: Link | undefined = undefined;
  /**
   * The port's number in the model, assigned when the model is built: components in name
   * order, each one's ports in name order (the order of a trace header's port table).
   * -1 until then.
   */
  index = -1;
  private receiveHandler: ((msg: Msg) => void) | undefined = undefined;
  private acceptHandler: ((msg: Msg) => boolean) | undefined = undefined;
  private retryHandler: (() => void) | undefined = undefined;
  private functionalHandler: ((msg: unknown) => unknown) | undefined = undefined;
  private atomicHandler: ((msg: Msg, arrival: Tick) => Tick) | undefined = undefined;
  /** True while this port has had a send refused and waits for the peer's retry. */
  waitingForRetry = false;
  readonly fullName: string;
  private readonly deliver = (msg: Msg): void => {
    if (!this.receiveHandler) throw new SimulationError(`port ${this.fullName} received a message but has no receive handler`, 1);
    this.receiveHandler(msg);
  };
  private readonly retry = (): void => {
    this.waitingForRetry = false;
    this.retryHandler?.();
  };

  constructor(readonly owner: Component, readonly name: string, readonly description: string) {
    this.fullName = `${owner.name}.${name}`;
    RECEIVING_PORT.set(this.deliver, this);
    RECEIVING_PORT.set(this.retry, this);
  }

  get peer(): Port<Msg> {
    const link = this.requireLink();
    return (link.a === (this as Port<unknown>) ? link.b : link.a) as Port<Msg>;
  }

  onReceive(handler: (msg: Msg) => void): this {
    this.receiveHandler = handler;
    return this;
  }

  /** Decides at send time whether this (receiving) port takes the message; refusal is backpressure. */
  onAccept(handler: (msg: Msg) => boolean): this {
    this.acceptHandler = handler;
    return this;
  }

  onRetry(handler: () => void): this {
    this.retryHandler = handler;
    return this;
  }

  /** Serves atomic requests: `arrival` is the tick the request arrives; returns the tick the response leaves. */
  onAtomic(handler: (msg: Msg, arrival: Tick) => Tick): this {
    this.atomicHandler = handler;
    return this;
  }

  onFunctional(handler: (msg: unknown) => unknown): this {
    this.functionalHandler = handler;
    return this;
  }

  /** Sends on the timing path. Returns false when the peer refused; wait for `onRetry`. */
  trySend(msg: Msg, extraDelay: Tick = 0): boolean {
    const link = this.requireLink();
    const peer = this.peer;
    if (peer.acceptHandler && !peer.acceptHandler(msg)) {
      this.waitingForRetry = true;
      return false;
    }
    this.owner.sim.scheduleOnLink(link, link.latency + extraDelay, peer.deliver, msg);
    return true;
  }

  /** Called by a receiver that refused a message, once it can accept again. */
  sendRetry(): void {
    const link = this.requireLink();
    const peer = this.peer;
    if (peer.waitingForRetry) this.owner.sim.scheduleOnLink(link, 0, peer.retry, undefined, Priority.RETRY);
  }

  /** Atomic protocol: the peer serves `msg` now; returns the tick its response is back (the link's latency both ways). */
  sendAtomic(msg: Msg): Tick {
    const link = this.requireLink();
    const peer = this.peer;
    if (!peer.atomicHandler) throw new SimulationError(`port ${peer.fullName} serves no atomic requests (atomic access from ${this.fullName})`, 1);
    return peer.atomicHandler(msg, this.owner.sim.now + link.latency) + link.latency;
  }

  sendFunctional(msg: unknown): unknown {
    const peer = this.peer;
    if (!peer.functionalHandler) throw new SimulationError(`port ${peer.fullName} has no functional handler (functional access from ${this.fullName})`, 1);
    return peer.functionalHandler(msg);
  }

  get connected(): boolean {
    return this.link !== undefined;
  }

  private requireLink(): Link {
    if (!this.link) throw new SimulationError(`port ${this.fullName} is not connected to any link`);
    return this.link;
  }
}

/** Joins two ports with a fixed latency. Its order tag, assigned in sorted-name order when the model is built, breaks ties at equal time and priority. */
export class Link {
  tag = 0;
  constructor(readonly name: string, readonly a: Port<any>, readonly b: Port<any>, readonly latency: Tick) {}
}
