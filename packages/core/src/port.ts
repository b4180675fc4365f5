import { SimulationError } from './errors.js';
import type { Tick } from './time.js';
import { Priority } from './time.js';
import type { Component } from './component.js';

/**
 * A named endpoint of a component. Three protocols, after gem5:
 * - timing: `trySend` delivers after the link's latency, or is refused when the peer cannot
 *   accept now; the refused sender is called back (`onRetry`) once the peer calls `sendRetry`;
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
    this.owner.sim.scheduleOnLink(link, link.latency + extraDelay, peer.deliver, msg, this, peer);
    return true;
  }

  /** Called by a receiver that refused a message, once it can accept again. */
  sendRetry(): void {
    const link = this.requireLink();
    const peer = this.peer;
    if (peer.waitingForRetry) this.owner.sim.scheduleOnLink(link, 0, peer.retry, undefined, this, peer, Priority.RETRY);
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
