/**
 * A worked example in the style of gem5's learning_gem5: a producer, a bounded buffer and
 * a consumer wired through links. It shows every kernel mechanism a hardware component
 * uses: declared parameters, ports and statistics; link latency; backpressure (the buffer
 * refuses when full, the producer waits for a retry); and a functional path (peek).
 *
 *   producer.out --(link)--> buffer.in    buffer.out --(link)--> consumer.in
 */
import { Component, defineComponentInfo } from '../component.js';
import type { Simulator } from '../simulator.js';

export interface Item {
  id: number;
  createdAt: number;
}

export const producerInfo = defineComponentInfo({
  type: 'example.Producer',
  version: '1.0.0',
  description: 'Emits a fixed number of items, one every `interval` ticks, and waits when refused',
  params: {
    count: { type: 'int', default: 10, min: 0, unit: 'items', description: 'items to produce' },
    interval: { type: 'int', default: 1, min: 1, unit: 'ticks', description: 'ticks between items' },
  },
  ports: { out: 'items to the buffer' },
  stats: {
    produced: { kind: 'counter', unit: 'items', description: 'items sent and accepted' },
    refusals: { kind: 'counter', unit: 'events', description: 'sends refused by the buffer' },
  },
});

export class Producer extends Component<typeof producerInfo.params> {
  private next = 0;
  private readonly produced = this.counter('produced');
  private readonly refusals = this.counter('refusals');
  constructor(parent: Simulator | Component, name: string, params?: Record<string, unknown>) {
    super(parent, name, producerInfo, params);
    this.port<Item>('out').onRetry(() => this.emit());
  }
  override init(): void {
    if (this.params.count > 0) this.schedule(0, () => this.emit());
  }
  private emit(): void {
    const item: Item = { id: this.next, createdAt: this.now };
    if (!this.port<Item>('out').trySend(item)) {
      this.refusals.add();
      return; // onRetry calls emit() again
    }
    this.produced.add();
    if (++this.next < this.params.count) this.schedule(this.params.interval, () => this.emit());
  }
}

export const bufferInfo = defineComponentInfo({
  type: 'example.BoundedBuffer',
  version: '1.0.0',
  description: 'A FIFO of fixed capacity; refuses input when full and forwards to its output as the consumer accepts',
  params: {
    capacity: { type: 'int', default: 4, min: 1, unit: 'items', description: 'slots' },
  },
  ports: { in: 'items from the producer', out: 'items to the consumer' },
  stats: {
    occupancy: { kind: 'histogram', unit: 'items', description: 'occupancy seen by each arriving item' },
    forwarded: { kind: 'counter', unit: 'items', description: 'items passed on' },
  },
});

export class BoundedBuffer extends Component<typeof bufferInfo.params> {
  private readonly items: Item[] = [];
  /** Slots promised to items in flight on the input link. */
  private reserved = 0;
  private readonly occupancy = this.histogram('occupancy', 0, 1, 16);
  private readonly forwarded = this.counter('forwarded');
  constructor(parent: Simulator | Component, name: string, params?: Record<string, unknown>) {
    super(parent, name, bufferInfo, params);
    this.port<Item>('in')
      .onAccept(() => {
        if (this.items.length + this.reserved >= this.params.capacity) return false;
        this.reserved++;
        return true;
      })
      .onReceive((item) => {
        this.reserved--;
        this.occupancy.sample(this.items.length);
        this.items.push(item);
        this.forward();
      })
      .onFunctional(() => this.items.map((i) => i.id));
    this.port<Item>('out').onRetry(() => this.forward());
  }
  private forward(): void {
    while (this.items.length > 0 && this.port<Item>('out').trySend(this.items[0]!)) {
      this.items.shift();
      this.forwarded.add();
      this.port('in').sendRetry();
    }
  }
}

export const consumerInfo = defineComponentInfo({
  type: 'example.Consumer',
  version: '1.0.0',
  description: 'Takes one item at a time and is busy for `serviceTime` ticks with it',
  params: {
    serviceTime: { type: 'int', default: 3, min: 1, unit: 'ticks', description: 'ticks to consume one item' },
  },
  ports: { in: 'items from the buffer' },
  stats: {
    consumed: { kind: 'counter', unit: 'items', description: 'items consumed' },
    latency: { kind: 'histogram', unit: 'ticks', description: 'creation-to-consumption time per item' },
    throughput: { kind: 'formula', unit: 'items/tick', description: 'consumed items per tick of simulated time' },
  },
});

export class Consumer extends Component<typeof consumerInfo.params> {
  private busy = false;
  readonly log: Array<[tick: number, id: number]> = [];
  private readonly consumed = this.counter('consumed');
  private readonly latency = this.histogram('latency', 0, 4, 32);
  constructor(parent: Simulator | Component, name: string, params?: Record<string, unknown>) {
    super(parent, name, consumerInfo, params);
    this.formula('throughput', () => (this.now > 0 ? this.consumed.value() / this.now : 0));
    this.port<Item>('in')
      .onAccept(() => !this.busy && (this.busy = true))
      .onReceive((item) => {
        this.log.push([this.now, item.id]);
        this.latency.sample(this.now - item.createdAt);
        this.schedule(this.params.serviceTime, () => {
          this.busy = false;
          this.consumed.add();
          this.port('in').sendRetry();
        });
      });
  }
}

/** Builds the example: producer -> buffer -> consumer, links of the given latency. */
export function buildBoundedBufferExample(
  sim: Simulator,
  opts: { count?: number; interval?: number; capacity?: number; serviceTime?: number; linkLatency?: number } = {},
): { producer: Producer; buffer: BoundedBuffer; consumer: Consumer } {
  const producer = new Producer(sim, 'producer', { count: opts.count ?? 10, interval: opts.interval ?? 1 });
  const buffer = new BoundedBuffer(sim, 'buffer', { capacity: opts.capacity ?? 4 });
  const consumer = new Consumer(sim, 'consumer', { serviceTime: opts.serviceTime ?? 3 });
  const latency = opts.linkLatency ?? 1;
  sim.connect(producer.port('out'), buffer.port('in'), latency, 'producer-buffer');
  sim.connect(buffer.port('out'), consumer.port('in'), latency, 'buffer-consumer');
  return { producer, buffer, consumer };
}
