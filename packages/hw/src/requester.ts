import type { Port } from '@sata/core';

/**
 * The sending side of a request port that honours backpressure: a send the peer refuses
 * waits, in order with later sends, until the peer calls for a retry. Replies arrive on the
 * same port.
 */
export class Requester<Req> {
  private readonly backlog: Req[] = [];
  constructor(private readonly port: Port<Req>, onReply: (reply: Req) => void) {
    port.onReceive(onReply).onRetry(() => this.drain());
  }

  /** The component at the other end. */
  get peerName(): string {
    return this.port.peer.owner.name;
  }

  send(msg: Req): void {
    if (this.backlog.length === 0 && this.port.trySend(msg)) return;
    this.backlog.push(msg);
  }

  private drain(): void {
    while (this.backlog.length > 0) {
      if (!this.port.trySend(this.backlog[0]!)) return;
      this.backlog.shift();
    }
  }
}
