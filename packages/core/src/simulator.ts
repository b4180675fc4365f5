import { EventEmitter } from 'eventemitter3';
import type { Component } from './component.js';
import { ConfigError, SimulationError } from './errors.js';
import { Link, receivingPort, type Port } from './port.js';
import { EventQueue, MAX_LINK_TAG, type EventHandler, type EventId } from './queue.js';
import { Rng } from './rng.js';
import { StatFilter } from './stats.js';
import { assertTick, MAX_PRIORITY, Priority, type Tick } from './time.js';

export type Phase = 'build' | 'init' | 'run' | 'finished';

/** What an `event` observer sees: one object reused for every event (copy what you keep). */
export interface EventRecord {
  time: Tick;
  priority: number;
  linkTag: number;
  seq: EventId;
  payload: unknown;
  /** Set for link deliveries and retries. */
  source: Port<any> | undefined;
  destination: Port<any> | undefined;
}

export interface ProgressInfo {
  time: Tick;
  events: number;
  pending: number;
}

export interface SimulatorEvents {
  event: (record: EventRecord) => void;
  progress: (info: ProgressInfo) => void;
  finish: (result: RunResult) => void;
}

export interface SimulatorOptions {
  /** Root seed of every component's random stream. */
  seed?: number;
  /** Statistic name patterns to enable (`*` wildcards); default all. */
  stats?: readonly string[];
  /** Emit `progress` every this many events (when someone listens). */
  progressEvery?: number;
}

export interface RunResult {
  /** Time of the last event executed. */
  endTime: Tick;
  /** Events executed in this call. */
  events: number;
  /** Why the loop ended. */
  reason: 'empty' | 'stopped' | 'time-limit';
}

/**
 * The discrete-event kernel. Lifecycle: build (create components, connect ports) -> init
 * (link tags assigned in sorted-name order, `init()` on every component in name order) ->
 * run -> finish (`finish()` on every component). Events are ordered by
 * (time, priority, linkTag, seq); same model, same seed, same order.
 */
export class Simulator {
  readonly seed: number;
  private readonly queue = new EventQueue();
  private readonly components = new Map<string, Component<any>>();
  private readonly links: Link[] = [];
  private readonly statFilter: StatFilter;
  private readonly emitter = new EventEmitter<SimulatorEvents>();
  private readonly progressEvery: number;
  private current: Tick = 0;
  private phaseValue: Phase = 'build';
  private stopRequested = false;
  private executed = 0;
  private observingEvents = false;
  /** The one `event` observer, called directly (a trace recorder is on the per-event path). */
  private soleEventObserver: ((r: EventRecord) => void) | undefined = undefined;
  private observingProgress = false;
  private readonly record: EventRecord = { time: 0, priority: 0, linkTag: 0, seq: 0, payload: undefined, source: undefined, destination: undefined };

  constructor(options: SimulatorOptions = {}) {
    const seed = options.seed ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ConfigError(`seed must be a non-negative integer, got ${String(seed)}`);
    this.seed = seed;
    this.statFilter = new StatFilter(options.stats ?? ['*']);
    this.progressEvery = options.progressEvery ?? 1_000_000;
  }

  get now(): Tick {
    return this.current;
  }

  get phase(): Phase {
    return this.phaseValue;
  }

  /** Events executed so far. */
  get eventCount(): number {
    return this.executed;
  }

  get pendingCount(): number {
    return this.queue.size;
  }

  /** Subscribe an observer; returns the function that unsubscribes it. */
  observe<E extends keyof SimulatorEvents>(event: E, fn: SimulatorEvents[E]): () => void {
    this.emitter.on(event, fn as never);
    this.refreshObservers();
    return () => {
      this.emitter.off(event, fn as never);
      this.refreshObservers();
    };
  }

  addComponent(c: Component<any>): void {
    if (this.phaseValue !== 'build') throw new SimulationError(`cannot add component ${c.name} after the model was built (phase: ${this.phaseValue})`);
    if (this.components.has(c.name)) throw new ConfigError(`duplicate component name "${c.name}"`);
    this.components.set(c.name, c);
  }

  component<T extends Component<any>>(name: string): T {
    const c = this.components.get(name);
    if (!c) throw new ConfigError(`no component named "${name}"`);
    return c as T;
  }

  /** Components in sorted-name order. */
  allComponents(): Component<any>[] {
    return [...this.components.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /** Joins two ports with a link of fixed latency (ticks). */
  connect(a: Port<any>, b: Port<any>, latency: Tick, name = `${a.fullName}--${b.fullName}`): Link {
    if (this.phaseValue !== 'build') throw new SimulationError(`cannot connect ${a.fullName} after the model was built`);
    assertTick(latency, `latency of link ${name}`);
    if (latency < 0) throw new ConfigError(`latency of link ${name} must be >= 0 ticks, got ${latency}`);
    if (a === b) throw new ConfigError(`link ${name} joins port ${a.fullName} to itself`);
    for (const p of [a, b]) if (p.link) throw new ConfigError(`port ${p.fullName} is already connected (link ${p.link.name})`);
    const link = new Link(name, a, b, latency);
    a.link = link;
    b.link = link;
    this.links.push(link);
    return link;
  }

  rngFor(path: string): Rng {
    return new Rng(this.seed, path);
  }

  statEnabled(fullName: string): boolean {
    return this.statFilter.enabled(fullName);
  }

  /** Schedules `handler(payload)` after `delay` ticks. */
  schedule(delay: Tick, handler: EventHandler, payload?: unknown, priority: number = Priority.EVENT): EventId {
    const time = this.current + delay;
    // One combined test on the hot path; the slow path says what was wrong.
    if (delay >= 0 && Number.isSafeInteger(time) && Number.isSafeInteger(delay) && this.phaseValue !== 'finished' && (priority === Priority.EVENT || validPriority(priority))) {
      // Safe: time >= now >= the queue's cursor.
      return this.queue.push(time, priority, 0, handler, payload);
    }
    if (Number.isSafeInteger(delay) && delay < 0) throw new SimulationError(`cannot schedule in the past: delay ${delay} ticks at time ${this.current}`);
    assertTick(delay, 'event delay');
    return this.scheduleAt(time, handler, payload, priority);
  }

  /** Schedules `handler(payload)` at absolute time `time`. */
  scheduleAt(time: Tick, handler: EventHandler, payload?: unknown, priority: number = Priority.EVENT): EventId {
    assertTick(time, 'event time');
    if (time < this.current) throw new SimulationError(`cannot schedule in the past: time ${time} < now ${this.current}`);
    if (this.phaseValue === 'finished') throw new SimulationError('cannot schedule: the simulation has finished');
    if (!validPriority(priority)) throw new SimulationError(`priority must be an integer in 0..${MAX_PRIORITY}, got ${priority}`);
    if (typeof handler !== 'function') throw new SimulationError('event handler must be a function');
    return this.queue.push(time, priority, 0, handler, payload);
  }

  /** Used by ports: a delivery (or retry) on a link, ordered by the link's tag; `handler` is the receiving port's. */
  scheduleOnLink(link: Link, delay: Tick, handler: EventHandler, msg: unknown, priority: number = Priority.EVENT): EventId {
    if (this.phaseValue === 'build') throw new SimulationError(`cannot send on link ${link.name} before the simulation starts`);
    if (this.phaseValue === 'finished') throw new SimulationError(`cannot send on link ${link.name}: the simulation has finished`);
    assertTick(delay, `delay on link ${link.name}`);
    if (delay < 0) throw new SimulationError(`cannot send on link ${link.name} into the past: delay ${delay} ticks (link latency ${link.latency} plus the sender's extra delay)`);
    // No wrapper object per message: the handler is the receiving port's, the payload the message.
    return this.queue.push(this.current + delay, priority, link.tag, handler, msg);
  }

  /** Calls `handler(cycle)` every `period` ticks at clock priority, starting at the next edge; return true from it to stop. */
  clock(period: Tick, handler: (cycle: number) => boolean | void): void {
    assertTick(period, 'clock period');
    if (period <= 0) throw new ConfigError(`clock period must be >= 1 tick, got ${period}`);
    // The first edge is the next multiple of the period (now, if now is on an edge).
    const first = Math.ceil(this.current / period) * period;
    let cycle = first / period;
    const tick = (): void => {
      if (handler(cycle++) === true) return;
      this.queue.push(this.current + period, Priority.CLOCK, 0, tick, undefined);
    };
    this.scheduleAt(first, tick, undefined, Priority.CLOCK);
  }

  cancel(id: EventId): boolean {
    return this.queue.cancel(id);
  }

  /** Asks the run loop to end after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Builds the model if needed and executes one event. Returns false when none is left. */
  step(): boolean {
    if (this.phaseValue !== 'run') this.ensureRunning('step');
    if (!this.queue.pop()) return false;
    this.execute();
    return true;
  }

  /** Runs until no event is left or `stop()` is called, then finishes the model. */
  run(): RunResult {
    const result = this.loop(Infinity);
    this.finish(result);
    return result;
  }

  /**
   * Runs every event with time <= `limit` and leaves the model ready to continue (more
   * events may be scheduled, `run` finishes it): now is `limit` afterwards, unless
   * `stop()` ended the loop early.
   */
  runUntil(limit: Tick): RunResult {
    assertTick(limit, 'run-until time');
    if (limit < this.current) throw new SimulationError(`cannot run until ${limit}: now is ${this.current}`);
    const result = this.loop(limit);
    if (result.reason !== 'stopped') this.current = limit;
    return result;
  }

  private loop(limit: number): RunResult {
    this.ensureRunning('run');
    this.stopRequested = false;
    const q = this.queue;
    const start = this.executed;
    let reason: RunResult['reason'] = 'empty';
    const limited = limit !== Infinity;
    while (q.size > 0) {
      if (limited && q.peekTime() > limit) {
        reason = 'time-limit';
        break;
      }
      q.pop();
      this.execute();
      if (this.stopRequested) {
        reason = 'stopped';
        break;
      }
    }
    return { endTime: this.current, events: this.executed - start, reason };
  }

  private execute(): void {
    const q = this.queue;
    this.current = q.poppedTime;
    this.executed++;
    if (this.observingEvents) this.emitEvent();
    q.poppedHandler!(q.poppedPayload);
    if (this.observingProgress && this.executed % this.progressEvery === 0) {
      this.emitter.emit('progress', { time: this.current, events: this.executed, pending: q.size });
    }
  }

  private emitEvent(): void {
    const q = this.queue;
    const r = this.record;
    r.time = q.poppedTime;
    r.priority = q.poppedPriority;
    r.linkTag = q.poppedLinkTag;
    r.seq = q.poppedSeq;
    r.payload = q.poppedPayload;
    // Link events carry a link tag (>= 1); their handler names the receiving port.
    const destination = r.linkTag !== 0 ? receivingPort(q.poppedHandler) : undefined;
    r.destination = destination;
    r.source = destination?.peer;
    if (this.soleEventObserver) this.soleEventObserver(r);
    else this.emitter.emit('event', r);
  }

  private ensureRunning(what: string): void {
    if (this.phaseValue === 'finished') throw new SimulationError(`cannot ${what}: this simulation already ran to the end; build a new Simulator to run again`);
    if (this.phaseValue === 'build') this.initialize();
  }

  private initialize(): void {
    this.phaseValue = 'init';
    const sorted = [...this.links].sort((x, y) => compareNames(x.name, y.name));
    if (sorted.length > MAX_LINK_TAG) throw new ConfigError(`too many links (${sorted.length}); at most ${MAX_LINK_TAG}`);
    sorted.forEach((link, i) => (link.tag = i + 1));
    let port = 0;
    for (const c of this.allComponents()) for (const p of c.portsInOrder()) p.index = port++;
    for (const c of this.allComponents()) c.init();
    this.phaseValue = 'run';
  }

  private finish(result: RunResult): void {
    this.phaseValue = 'finished';
    for (const c of this.allComponents()) c.finish();
    this.emitter.emit('finish', result);
  }

  private refreshObservers(): void {
    const events = this.emitter.listeners('event');
    this.observingEvents = events.length > 0;
    this.soleEventObserver = events.length === 1 ? (events[0] as (r: EventRecord) => void) : undefined;
    this.observingProgress = this.emitter.listenerCount('progress') > 0;
  }
}

function validPriority(p: number): boolean {
  return Number.isInteger(p) && p >= 0 && p <= MAX_PRIORITY;
}

/** Code-unit order, independent of locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
