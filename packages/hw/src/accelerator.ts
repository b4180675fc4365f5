import { ConfigError, SataError, Simulator, type Component } from '@sata/core';
import { ActionCounter, Registry } from '@sata/plugin-api';
import { componentsOf, type ArchSpec, type Role } from './arch/spec.js';
import { Controller, type StepResult } from './components/controller.js';
import { AcceleratorRoot } from './components/root.js';
import { addFoldCounts, emptyFoldCounts, type FoldCounts } from './fold-counts.js';
import { emptyDramTraffic, type DramTraffic } from './ledger.js';
import { hwPlugin } from './plugin.js';
import { ROLE_MEMBERS, ROLE_PORTS, type ArrayUnit, type BufferPartition, type DramChannel, type ScratchpadBank } from './roles.js';
import type { ScheduleStep } from './schedule.js';

/** The components of one accelerator, built from its spec and wired, by role. */
export interface Accelerator {
  readonly sim: Simulator;
  readonly spec: ArchSpec;
  readonly root: AcceleratorRoot;
  readonly array: ArrayUnit;
  readonly scratchpads: { readonly ifmap: ScratchpadBank; readonly filter: ScratchpadBank };
  /** Global-buffer partitions by component name. */
  readonly buffers: ReadonlyMap<string, BufferPartition>;
  readonly dram: DramChannel;
  /** The vector units. */
  readonly lif: Component;
  readonly vector: Component;
  readonly gradient: Component;
  readonly encoder: Component;
  readonly controller: Controller;
  /** Every component by its name in the spec. */
  readonly components: ReadonlyMap<string, Component>;
}

let hwOnly: Registry | undefined;

/** A registry of the hardware components alone (what the built-in specs need). */
export function hwRegistry(): Registry {
  return (hwOnly ??= new Registry().register(hwPlugin).freeze());
}

/**
 * Builds the accelerator a spec describes under `root` (a component path) in `sim`: each
 * component from its registered class (`ComponentContribution.create`), so a plugin's class
 * can take any place; the links with their latencies; the controller attached to its parts.
 * A class that lacks what its role needs, a parameter it rejects, or a port that is not
 * linked is an error naming the spec's file and the component.
 */
export function buildAccelerator(sim: Simulator, spec: ArchSpec, registry: Registry = hwRegistry(), root = 'acc'): Accelerator {
  const where = (name: string, cls: string): string => `${spec.source}: component ${name} (${cls})`;
  const top = new AcceleratorRoot(sim, root, { clockMHz: spec.clockMHz });
  const components = new Map<string, Component>();
  const arraySpec = componentsOf(spec, 'array')[0]!;
  const pesOf = (): number => {
    const a = components.get(arraySpec[0]) as ArrayUnit | undefined;
    return a ? a.shape.rows * a.shape.cols : 0;
  };
  // The array first: the scratchpads default to one per PE.
  const order = Object.entries(spec.components).sort(([, a], [, b]) => (a.role === 'array' ? -1 : 0) - (b.role === 'array' ? -1 : 0));
  for (const [name, c] of order) {
    let contribution;
    try {
      contribution = registry.get('components', c.class);
    } catch (e) {
      throw new ConfigError(`${where(name, c.class)}: ${(e as Error).message}`);
    }
    const params = c.role.startsWith('scratchpad.') && 'pes' in contribution.info.params && c.params.pes === undefined ? { pes: pesOf(), ...c.params } : c.params;
    let component: Component;
    try {
      component = contribution.create(top, name, params);
    } catch (e) {
      if (e instanceof SataError) throw new ConfigError(`${spec.source}: ${(e as Error).message}`);
      throw e;
    }
    checkRole(component, c.role, where(name, c.class));
    components.set(name, component);
  }
  for (const l of spec.links) {
    const end = (ref: string): ReturnType<Component['port']> => {
      const [cname, pname] = ref.split('.') as [string, string];
      const comp = components.get(cname)!;
      if (!(pname in comp.info.ports)) throw new ConfigError(`${spec.source}: link ${l.from} -> ${l.to}: component ${cname} (${comp.info.type}) has no port "${pname}" (ports: ${Object.keys(comp.info.ports).sort().join(', ') || 'none'})`);
      return comp.port(pname);
    };
    try {
      sim.connect(end(l.from), end(l.to), l.latency, `${root}.${l.from.split('.')[0]}-${l.to.split('.')[0]}`);
    } catch (e) {
      if (e instanceof SataError) throw new ConfigError(`${spec.source}: link ${l.from} -> ${l.to}: ${e.message}`);
      throw e;
    }
  }
  const one = <T>(role: Role): T => components.get(componentsOf(spec, role)[0]![0]) as unknown as T;
  for (const [name, c] of Object.entries(spec.components)) {
    for (const p of ROLE_PORTS[c.role]) if (!components.get(name)!.port(p).connected) throw new ConfigError(`${where(name, c.class)}: port ${p} is not linked; add a link to it in the spec's links`);
  }
  const buffers = new Map<string, BufferPartition>();
  for (const [name] of componentsOf(spec, 'buffer').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) buffers.set(name, components.get(name) as unknown as BufferPartition);
  const controller = one<Controller>('controller');
  const parts = {
    array: one<ArrayUnit>('array'),
    scratchpads: { ifmap: one<ScratchpadBank>('scratchpad.ifmap'), filter: one<ScratchpadBank>('scratchpad.filter') },
    buffers,
    dram: one<DramChannel>('dram'),
  };
  controller.attach(parts);
  return { sim, spec, root: top, ...parts, lif: one<Component>('lif'), vector: one<Component>('vector'), gradient: one<Component>('gradient'), encoder: one<Component>('encoder'), controller, components };
}

function checkRole(component: Component, role: Role, where: string): void {
  const missing = (ROLE_MEMBERS[role] as readonly string[]).filter((m) => !(m in component));
  if (role === 'controller' && !(component instanceof Controller)) missing.push('(a hw.Controller subclass)');
  if (missing.length) throw new ConfigError(`${where}: cannot take the role ${role}: it lacks ${missing.join(', ')}`);
  const ports = (ROLE_PORTS[role] as readonly string[]).filter((p) => !(p in component.info.ports));
  if (ports.length) throw new ConfigError(`${where}: cannot take the role ${role}: it declares no port ${ports.join(', ')}`);
}

export interface ScheduleResult {
  readonly steps: readonly StepResult[];
  /** Cycle the last step ended. */
  readonly totalCycles: number;
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly drainCycles: number;
  readonly counts: FoldCounts;
  readonly dram: DramTraffic;
  readonly actions: ActionCounter;
  /** Events the kernel executed. */
  readonly events: number;
  readonly accelerator: Accelerator;
}

/** Builds an accelerator from its spec, runs the steps on it and sums the results. */
export function runSchedule(steps: readonly ScheduleStep[], spec: ArchSpec, opts: { registry?: Registry; seed?: number; attach?: (sim: Simulator, acc: Accelerator) => void } = {}): ScheduleResult {
  const sim = new Simulator({ seed: opts.seed ?? 1, progressEvery: 100_000 });
  const acc = buildAccelerator(sim, spec, opts.registry);
  acc.controller.submit(steps);
  // Observers (progress, a trace recorder) subscribe once the model is wired.
  opts.attach?.(sim, acc);
  const run = sim.run();
  const results = acc.controller.stepResults();
  if (results.length !== steps.length) throw new ConfigError(`schedule ended after ${results.length} of ${steps.length} steps`);
  const counts = emptyFoldCounts();
  const actions = new ActionCounter();
  const dram = emptyDramTraffic();
  let compute = 0;
  let stall = 0;
  let drain = 0;
  for (const r of results) {
    addFoldCounts(counts, r.counts);
    actions.addAll(r.actions);
    compute += r.computeCycles;
    stall += r.stallCycles;
    drain += r.drainCycles;
    for (const k of ['ifmap', 'filter', 'psum'] as const) {
      dram.reads[k] += r.dram.reads[k];
      dram.refetch[k] += r.dram.refetch[k];
    }
    dram.writes.ofmap += r.dram.writes.ofmap;
    dram.writes.psum += r.dram.writes.psum;
  }
  return { steps: results, totalCycles: results.length ? results[results.length - 1]!.endCycle : 0, computeCycles: compute, stallCycles: stall, drainCycles: drain, counts, dram, actions, events: run.events, accelerator: acc };
}
