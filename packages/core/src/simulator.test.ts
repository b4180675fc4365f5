import { describe, expect, it } from 'vitest';
import { Component, defineComponentInfo } from './component.js';
import { ConfigError, SimulationError } from './errors.js';
import { Simulator, type EventRecord } from './simulator.js';
import { Priority } from './time.js';
import { deriveConfig, freezeConfig } from './config.js';

const nodeInfo = defineComponentInfo({
  type: 'test.Node',
  version: '1.0.0',
  description: 'a test node',
  params: { delay: { type: 'int', default: 1, min: 0, unit: 'ticks', description: 'reply delay' } },
  ports: { a: 'port a', b: 'port b' },
  stats: {
    received: { kind: 'counter', unit: 'messages', description: 'messages received' },
    sizes: { kind: 'histogram', unit: 'bytes', description: 'message sizes' },
    rate: { kind: 'formula', unit: 'messages/tick', description: 'received per tick' },
  },
});

class Node extends Component<typeof nodeInfo.params> {
  readonly got: Array<[number, unknown]> = [];
  readonly received = this.counter('received');
  readonly sizes = this.histogram('sizes', 0, 10, 4);
  readonly rate = this.formula('rate', () => this.received.value() / Math.max(1, this.now));
  constructor(parent: Simulator | Component, name: string, params?: Record<string, unknown>) {
    super(parent, name, nodeInfo, params);
    for (const p of ['a', 'b']) {
      this.port(p).onReceive((m) => {
        this.got.push([this.now, m]);
        this.received.add();
        this.sizes.sample(typeof m === 'number' ? m : 0);
      });
    }
  }
}

describe('Simulator', () => {
  it('runs events in time order and advances now', () => {
    const sim = new Simulator();
    const log: number[] = [];
    sim.schedule(5, () => log.push(sim.now));
    sim.schedule(2, () => log.push(sim.now));
    sim.schedule(2, () => sim.schedule(1, () => log.push(sim.now)));
    const r = sim.run();
    expect(log).toEqual([2, 3, 5]);
    expect(r).toEqual({ endTime: 5, events: 4, reason: 'empty' });
  });

  it('puts clock edges before messages and statistics last at the same tick', () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.schedule(3, () => log.push('stats'), undefined, Priority.STATISTICS);
    sim.schedule(3, () => log.push('event'));
    sim.schedule(3, () => log.push('clock'), undefined, Priority.CLOCK);
    sim.run();
    expect(log).toEqual(['clock', 'event', 'stats']);
  });

  it('cancels a pending event', () => {
    const sim = new Simulator();
    const log: number[] = [];
    const id = sim.schedule(1, () => log.push(1));
    sim.schedule(2, () => log.push(2));
    expect(sim.cancel(id)).toBe(true);
    sim.run();
    expect(log).toEqual([2]);
  });

  it('steps one event at a time and runs until a time limit', () => {
    const sim = new Simulator();
    const log: number[] = [];
    for (const t of [1, 2, 3, 10]) sim.schedule(t, () => log.push(t));
    expect(sim.step()).toBe(true);
    expect(log).toEqual([1]);
    expect(sim.runUntil(5).reason).toBe('time-limit');
    expect(log).toEqual([1, 2, 3]);
    expect(sim.now).toBe(5);
    expect(sim.run().reason).toBe('empty');
    expect(log).toEqual([1, 2, 3, 10]);
  });

  it('stays ready after runUntil even when the queue runs dry', () => {
    const sim = new Simulator();
    const log: number[] = [];
    sim.schedule(2, () => log.push(sim.now));
    expect(sim.runUntil(50)).toMatchObject({ reason: 'empty', events: 1 });
    expect(sim.now).toBe(50);
    expect(sim.phase).toBe('run');
    sim.schedule(5, () => log.push(sim.now));
    sim.run();
    expect(log).toEqual([2, 55]);
  });

  it('refuses a send into the past and a send after the end', () => {
    const sim = new Simulator();
    const a = new Node(sim, 'a');
    const b = new Node(sim, 'b');
    sim.connect(a.port('a'), b.port('a'), 2);
    sim.schedule(20, () => expect(() => a.port('a').trySend(1, -5)).toThrow(/into the past: delay -3 ticks/));
    sim.run();
    expect(() => a.port('a').trySend(1)).toThrow(/the simulation has finished/);
  });

  it('stops when asked', () => {
    const sim = new Simulator();
    let n = 0;
    const again = (): void => {
      if (++n === 5) sim.stop();
      sim.schedule(1, again);
    };
    sim.schedule(0, again);
    expect(sim.run().reason).toBe('stopped');
    expect(n).toBe(5);
  });

  it('gives clear errors for misuse', () => {
    const sim = new Simulator();
    expect(() => sim.schedule(-1, () => {})).toThrow(/cannot schedule in the past: delay -1/);
    expect(() => sim.schedule(1.5, () => {})).toThrow(/safe integer number of ticks, got 1.5/);
    expect(() => sim.scheduleAt(Number.MAX_SAFE_INTEGER + 2, () => {})).toThrow(SimulationError);
    expect(() => sim.schedule(1, () => {}, undefined, 300)).toThrow(/priority must be an integer/);
    sim.schedule(4, () => expect(() => sim.scheduleAt(3, () => {})).toThrow(/time 3 < now 4/));
    sim.run();
    expect(() => sim.run()).toThrow(/already ran to the end/);
    expect(() => sim.step()).toThrow(/already ran to the end/);
    expect(() => sim.schedule(1, () => {})).toThrow(/finished/);
    expect(() => new Simulator({ seed: -3 })).toThrow(ConfigError);
  });

  it('names unknown ports, duplicate components and bad parameters', () => {
    const sim = new Simulator();
    const n = new Node(sim, 'n');
    expect(() => n.port('c')).toThrow(/component n \(test.Node\) has no port "c" \(ports: a, b\)/);
    expect(() => new Node(sim, 'n')).toThrow(/duplicate component name "n"/);
    expect(() => new Node(sim, 'm', { delay: -1 })).toThrow(/component m \(test.Node\): parameter "delay" must be >= 0 ticks, got -1/);
    expect(() => new Node(n, 'bad name')).toThrow(/invalid component name/);
    expect(new Node(n, 'child').name).toBe('n.child');
    expect(() => n.port('a').trySend(1)).toThrow(/port n.a is not connected/);
  });

  it('numbers ports when the model is built: components in name order, ports in name order', () => {
    const sim = new Simulator();
    const z = new Node(sim, 'z');
    const a = new Node(sim, 'a');
    expect(a.port('a').index).toBe(-1);
    sim.run();
    expect([a.port('a').index, a.port('b').index, z.port('a').index, z.port('b').index]).toEqual([0, 1, 2, 3]);
  });

  it('runs init and finish once, in name order', () => {
    const log: string[] = [];
    class Probe extends Node {
      override init(): void {
        log.push(`init ${this.name}`);
      }
      override finish(): void {
        log.push(`finish ${this.name}`);
      }
    }
    const sim = new Simulator();
    new Probe(sim, 'zeta');
    new Probe(sim, 'alpha');
    sim.run();
    expect(log).toEqual(['init alpha', 'init zeta', 'finish alpha', 'finish zeta']);
    expect(sim.phase).toBe('finished');
    expect(() => new Node(sim, 'late')).toThrow(/after the model was built/);
  });

  it('delivers over links after their latency and orders equal-time deliveries by link name', () => {
    const sim = new Simulator();
    const src = new Node(sim, 'src');
    const x = new Node(sim, 'x');
    const y = new Node(sim, 'y');
    // Connected in reverse name order: the tag, not the connection order, decides ties.
    sim.connect(src.port('b'), y.port('a'), 3, 'link-b');
    sim.connect(src.port('a'), x.port('a'), 3, 'link-a');
    const order: string[] = [];
    sim.observe('event', (r: EventRecord) => r.destination && order.push(r.destination.fullName));
    sim.schedule(2, () => {
      src.port('b').trySend(20);
      src.port('a').trySend(10);
    });
    sim.run();
    expect(x.got).toEqual([[5, 10]]);
    expect(y.got).toEqual([[5, 20]]);
    expect(order).toEqual(['x.a', 'y.a']);
    expect(() => sim.connect(src.port('a'), x.port('b'), 1)).toThrow(/after the model was built/);
  });

  it('rejects bad links', () => {
    const sim = new Simulator();
    const a = new Node(sim, 'a');
    const b = new Node(sim, 'b');
    expect(() => sim.connect(a.port('a'), b.port('a'), -1)).toThrow(/latency of link .* must be >= 0/);
    expect(() => sim.connect(a.port('a'), a.port('a'), 1)).toThrow(/to itself/);
    sim.connect(a.port('a'), b.port('a'), 1);
    expect(() => sim.connect(a.port('a'), b.port('b'), 1)).toThrow(/port a.a is already connected/);
  });

  it('keeps statistics with units, and switched-off statistics cost nothing and read zero', () => {
    const sim = new Simulator({ stats: ['on.*'] });
    const on = new Node(sim, 'on');
    const off = new Node(sim, 'off');
    const src = new Node(sim, 'src');
    sim.connect(src.port('a'), on.port('a'), 1);
    sim.connect(src.port('b'), off.port('a'), 1);
    sim.schedule(0, () => {
      src.port('a').trySend(15);
      src.port('b').trySend(15);
    });
    sim.run();
    expect(on.received.value()).toBe(1);
    expect(on.received.info).toMatchObject({ unit: 'messages', description: 'messages received' });
    expect(on.sizes.snapshot().bins).toEqual([0, 1, 0, 0]);
    expect(on.rate.value()).toBe(1);
    expect(off.received.enabled).toBe(false);
    expect(off.received.value()).toBe(0);
    expect(off.sizes.snapshot().count).toBe(0);
  });

  it('calls clock handlers on every edge until they return true', () => {
    const sim = new Simulator();
    const edges: Array<[number, number]> = [];
    sim.schedule(3, () => sim.clock(4, (cycle) => (edges.push([sim.now, cycle]), cycle >= 3)));
    sim.run();
    expect(edges).toEqual([[4, 1], [8, 2], [12, 3]]);
    expect(() => new Simulator().clock(0, () => true)).toThrow(/clock period/);
  });

  it('emits progress only when observed, and observers can unsubscribe', () => {
    const sim = new Simulator({ progressEvery: 10 });
    const seen: number[] = [];
    const off = sim.observe('progress', (p) => seen.push(p.events));
    let n = 0;
    const again = (): void => void (++n < 35 && sim.schedule(1, again));
    sim.schedule(0, again);
    sim.runUntil(20);
    off();
    sim.run();
    expect(seen).toEqual([10, 20]);
  });

  it('gives every component its own reproducible random stream', () => {
    const draw = (seed: number): number[] => {
      const sim = new Simulator({ seed });
      const a = new Node(sim, 'a');
      const b = new Node(sim, 'b');
      return [a.rng.nextUint32(), b.rng.nextUint32(), a.rng.nextUint32()];
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    const [a0, b0] = draw(5);
    expect(a0).not.toBe(b0);
  });
});

describe('configurations', () => {
  it('are frozen and derived without touching the base', () => {
    const base = freezeConfig({ array: { rows: 8, cols: 16 }, timesteps: 4 });
    const v = deriveConfig(base, (d) => {
      d.timesteps = 8;
    });
    expect(v).toEqual({ array: { rows: 8, cols: 16 }, timesteps: 8 });
    expect(base.timesteps).toBe(4);
    expect(v.array).toBe(base.array);
    expect(Object.isFrozen(base.array)).toBe(true);
    expect(() => {
      (base as { timesteps: number }).timesteps = 2;
    }).toThrow();
  });
});
