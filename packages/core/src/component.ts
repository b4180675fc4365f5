import { ConfigError, SimulationError } from './errors.js';
import { resolveParams, type ParamSpecs, type ParamValues } from './params.js';
import { Port } from './port.js';
import type { Rng } from './rng.js';
import { StatFactory, type Counter, type Formula, type Histogram, type Statistic } from './stats.js';
import type { Tick } from './time.js';
import { Priority } from './time.js';
import type { EventHandler, EventId } from './queue.js';
import type { Simulator } from './simulator.js';

export interface StatDecl {
  readonly kind: 'counter' | 'histogram' | 'formula';
  readonly unit: string;
  readonly description: string;
}

/**
 * What a component type declares about itself, next to its class (after SST's ELI): this is
 * what parameters are validated against and what `sata plugins` lists.
 */
export interface ComponentInfo<S extends ParamSpecs = ParamSpecs> {
  /** `library.name`, e.g. `hw.GlobalBuffer`. */
  readonly type: string;
  readonly version: string;
  readonly description: string;
  readonly params: S;
  readonly ports: Readonly<Record<string, string>>;
  readonly stats: Readonly<Record<string, StatDecl>>;
}

export function defineComponentInfo<S extends ParamSpecs>(info: ComponentInfo<S>): ComponentInfo<S> {
  return Object.freeze(info);
}

/**
 * A simulated part with a hierarchical name (`sata.array`), validated parameters, declared
 * ports and statistics. Handlers are synchronous and draw randomness only from `rng`.
 */
export abstract class Component<S extends ParamSpecs = ParamSpecs> {
  readonly sim: Simulator;
  readonly name: string;
  readonly params: ParamValues<S>;
  readonly info: ComponentInfo<S>;
  private readonly ports = new Map<string, Port<any>>();
  private readonly statistics = new Map<string, Statistic>();
  private rngStream: Rng | undefined;

  constructor(parent: Simulator | Component, localName: string, info: ComponentInfo<S>, params: Readonly<Record<string, unknown>> = {}) {
    if (!/^[A-Za-z_][\w-]*$/.test(localName)) throw new ConfigError(`invalid component name "${localName}": use letters, digits, _ and -`);
    const isComponent = parent instanceof Component;
    this.sim = isComponent ? parent.sim : parent;
    this.name = isComponent ? `${parent.name}.${localName}` : localName;
    this.info = info;
    this.params = resolveParams(`component ${this.name} (${info.type})`, info.params, params);
    for (const [portName, description] of Object.entries(info.ports)) this.ports.set(portName, new Port(this, portName, description));
    this.sim.addComponent(this);
  }

  /** The named port; an unknown name is an error that lists the declared ports. */
  port<Msg = unknown>(portName: string): Port<Msg> {
    const p = this.ports.get(portName);
    if (!p) {
      const known = [...this.ports.keys()].sort().join(', ') || '(none)';
      throw new SimulationError(`component ${this.name} (${this.info.type}) has no port "${portName}" (ports: ${known})`);
    }
    return p as Port<Msg>;
  }

  /** The declared ports, in name order. */
  portsInOrder(): Port<unknown>[] {
    return [...this.ports.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((n) => this.ports.get(n)!);
  }

  /** The component's own random stream, derived from the run's seed and its path. */
  get rng(): Rng {
    this.rngStream ??= this.sim.rngFor(this.name);
    return this.rngStream;
  }

  get now(): Tick {
    return this.sim.now;
  }

  schedule(delay: Tick, handler: EventHandler, payload?: unknown, priority: number = Priority.EVENT): EventId {
    return this.sim.schedule(delay, handler, payload, priority);
  }

  /** Called once before the first event, in sorted-name order. */
  init(): void {}
  /** Called once after the last event, in sorted-name order. */
  finish(): void {}

  protected counter(statName: string): Counter {
    const decl = this.declared(statName, 'counter');
    const s = StatFactory.counter({ name: statName, ...decl }, this.sim.statEnabled(`${this.name}.${statName}`));
    this.statistics.set(statName, s);
    return s;
  }

  protected histogram(statName: string, min: number, binWidth: number, binCount: number): Histogram {
    const decl = this.declared(statName, 'histogram');
    const s = StatFactory.histogram({ name: statName, ...decl }, this.sim.statEnabled(`${this.name}.${statName}`), min, binWidth, binCount);
    this.statistics.set(statName, s);
    return s;
  }

  protected formula(statName: string, fn: () => number): Formula {
    const decl = this.declared(statName, 'formula');
    const s = StatFactory.formula({ name: statName, ...decl }, this.sim.statEnabled(`${this.name}.${statName}`), fn);
    this.statistics.set(statName, s);
    return s;
  }

  /** The statistics this component created, by name. */
  stats(): ReadonlyMap<string, Statistic> {
    return this.statistics;
  }

  private declared(statName: string, kind: StatDecl['kind']): StatDecl {
    const decl = this.info.stats[statName];
    if (!decl) throw new SimulationError(`component ${this.name} (${this.info.type}) creates undeclared statistic "${statName}"`, 1);
    if (decl.kind !== kind) throw new SimulationError(`statistic ${this.name}.${statName} is declared as a ${decl.kind}, not a ${kind}`, 1);
    return decl;
  }
}
