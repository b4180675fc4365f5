/**
 * Architecture specs: the accelerator as a list of components (name, registered class,
 * role, parameters) and the links between them (latency), after Timeloop/Accelergy's
 * separation of architecture, workload, mapping and energy. SATA and the Eyeriss-like
 * baseline are two spec files (`packages/hw/arch/`); a plugin ships its own; a user passes
 * a file (`--arch FILE`). Every error names the spec's file, the component and the field.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseDocument, readInputText } from '@sata/core';
import type { ArchitectureContribution, Registry } from '@sata/plugin-api';
import { precompiledDocument } from './precompiled.js';

/** What a component does in the accelerator: the controller finds its parts by role. */
export const ROLES = ['controller', 'array', 'scratchpad.ifmap', 'scratchpad.filter', 'buffer', 'dram', 'lif', 'gradient', 'encoder', 'vector'] as const;
export type Role = (typeof ROLES)[number];

export interface ComponentSpec {
  /** A registered component type (`hw.PEArray`, or a plugin's). */
  readonly class: string;
  readonly role: Role;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface LinkSpec {
  /** `component.port` at each end. */
  readonly from: string;
  readonly to: string;
  readonly latency: number;
}

export interface ArchSpec {
  readonly name: string;
  readonly description: string;
  /** snn: the network trained with BPTT over T steps; ann: the same network as an ANN. */
  readonly workload: 'snn' | 'ann';
  readonly clockMHz: number;
  /** By component name, in the order written. */
  readonly components: Readonly<Record<string, ComponentSpec>>;
  readonly links: readonly LinkSpec[];
  /** The file (or files, with `extends`) it came from. */
  readonly source: string;
}

/** Finds an architecture by name (the registry's contributions; without one, the built-ins); `names` lists them for errors. */
export interface ArchitectureLookup {
  (name: string): ArchitectureContribution | undefined;
  names?(): string[];
}

/** How many specs an `extends` chain may hold (a cycle is refused apart; this bounds a hostile chain of files). */
const MAX_EXTENDS_DEPTH = 32;
/** A link's latency: a billion cycles (2.5 s at 400 MHz) is far past any wire, and keeps event times safe integers. */
const MAX_LINK_LATENCY_CYCLES = 1_000_000_000;

const FIELDS = ['name', 'description', 'extends', 'workload', 'clockMHz', 'components', 'links'];
const COMPONENT_FIELDS = ['class', 'role', 'params'];
const LINK_FIELDS = ['from', 'to', 'latency'];

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a spec document as every input document is parsed (core's parseDocument: JSON by
 * extension, YAML otherwise, with its bounds on hostile files); a shipped spec comes
 * precompiled.
 */
export function parseArchDocument(text: string, source: string): Record<string, unknown> {
  const doc = precompiledDocument(text) ?? parseDocument(text, source);
  if (!isMap(doc)) throw new ConfigError(`${source}: an architecture spec must be a map (name, workload, components, links)`);
  return doc;
}

/** A spec file is small: 1 MiB bounds what a hostile one can ask to be read. */
const MAX_SPEC_BYTES = 1024 * 1024;

/** Reads a spec file. */
export function readArchFile(path: string): ArchitectureContribution {
  const text = readInputText(path, 'architecture spec', MAX_SPEC_BYTES);
  const document = parseArchDocument(text, path);
  const name = typeof document.name === 'string' ? document.name : path;
  const description = typeof document.description === 'string' ? document.description : '';
  return { name, version: '1.0.0', description, document, source: path };
}

/** True when `arch` names a file rather than a registered architecture. */
export function isArchFile(arch: string): boolean {
  return /\.(json|ya?ml)$/i.test(arch) || arch.includes('/');
}

/**
 * The spec `arch` names: a file (`.yaml`, `.yml`, `.json`, or any path) or a registered
 * architecture. `extends: NAME` takes the named spec and overrides it: a component given
 * again merges its params onto the parent's (and replaces its class and role when given);
 * `links` replaces the parent's.
 */
export function resolveArchitecture(arch: string, lookup: ArchitectureLookup): ArchSpec {
  const contribution = isArchFile(arch) ? readArchFile(arch) : lookup(arch);
  if (!contribution) throw new ConfigError(`unknown architecture "${arch}": not a registered architecture nor a .yaml/.json spec file${lookup.names ? ` (registered: ${lookup.names().join(', ')})` : ''}`);
  return specFrom(contribution, lookup, []);
}

function specFrom(c: ArchitectureContribution, lookup: ArchitectureLookup, chain: readonly string[]): ArchSpec {
  const src = c.source;
  const doc = c.document;
  const fail = (m: string): never => {
    throw new ConfigError(`${src}: ${m}`);
  };
  for (const k of Object.keys(doc)) if (!FIELDS.includes(k)) fail(`unknown field "${k}" (known: ${FIELDS.join(', ')})`);
  let parent: ArchSpec | undefined;
  if (doc.extends !== undefined) {
    if (typeof doc.extends !== 'string') fail('extends must name an architecture');
    const name = doc.extends as string;
    const here = [...chain, src];
    if (name === doc.name) fail(`extends ${name}: a spec cannot extend itself`);
    if (here.length > MAX_EXTENDS_DEPTH) fail(`extends ${name}: more than ${MAX_EXTENDS_DEPTH} specs deep`);
    // A file is found next to the spec that extends it.
    const p = isArchFile(name) ? readArchFile(isAbsolute(name) || !isArchFile(src) ? name : join(dirname(src), name)) : lookup(name);
    if (!p) fail(`extends "${name}", which is not a registered architecture nor a spec file`);
    // Specs are the same by their file (a registered one's too), whatever name reaches them.
    if (here.includes(p!.source)) fail(`extends ${name}: the specs extend each other in a cycle (${[...here, p!.source].join(' -> ')})`);
    parent = specFrom(p!, lookup, here);
  }
  const name = doc.name ?? fail('needs a name');
  if (typeof name !== 'string' || !/^[a-z0-9][\w.-]*$/i.test(name)) fail(`name must be letters, digits, ".", "_" and "-", got ${JSON.stringify(name)}`);
  const workload = doc.workload ?? parent?.workload ?? fail('needs a workload (snn or ann)');
  if (workload !== 'snn' && workload !== 'ann') fail(`workload must be snn or ann, got ${JSON.stringify(workload)}`);
  const clockMHz = doc.clockMHz ?? parent?.clockMHz ?? fail('needs clockMHz');
  if (typeof clockMHz !== 'number' || !(clockMHz > 0) || !Number.isFinite(clockMHz)) fail(`clockMHz must be a number > 0, got ${JSON.stringify(clockMHz)}`);
  const components: Record<string, ComponentSpec> = { ...(parent?.components ?? {}) };
  if (doc.components !== undefined && !isMap(doc.components)) fail('components must be a map of component name to { class, role, params }');
  for (const [cname, raw] of Object.entries((doc.components ?? {}) as Record<string, unknown>)) {
    const where = `component ${cname}`;
    if (!/^[A-Za-z_][\w-]*$/.test(cname)) fail(`${where}: a component name must be letters, digits, _ and -`);
    if (!isMap(raw)) fail(`${where} must be a map of class, role and params`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!COMPONENT_FIELDS.includes(k)) fail(`${where}: unknown field "${k}" (known: ${COMPONENT_FIELDS.join(', ')})`);
    const base = components[cname];
    const cls = r.class ?? base?.class ?? fail(`${where} needs a class (a registered component type, see sata plugins)`);
    if (typeof cls !== 'string') fail(`${where}: class must be a component type name`);
    const role = r.role ?? base?.role ?? fail(`${where} needs a role (${ROLES.join(', ')})`);
    if (!ROLES.includes(role as Role)) fail(`${where}: role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    if (r.params !== undefined && !isMap(r.params)) fail(`${where}: params must be a map of parameter name to value`);
    // Parameters merge onto the parent's, also under another class (a subclass keeps its
    // parent's settings; a class that does not take one says so when it is built).
    components[cname] = { class: cls as string, role: role as Role, params: { ...(base?.params ?? {}), ...((r.params ?? {}) as Record<string, unknown>) } };
  }
  const counts = new Map<Role, string[]>();
  for (const [cname, s] of Object.entries(components)) counts.set(s.role, [...(counts.get(s.role) ?? []), cname]);
  for (const role of ROLES) {
    const named = counts.get(role) ?? [];
    if (role === 'buffer' ? named.length === 0 : named.length !== 1) fail(`needs ${role === 'buffer' ? 'at least one' : 'exactly one'} component of role ${role}, has ${named.length ? named.join(', ') : 'none'}`);
  }
  let links: LinkSpec[];
  if (doc.links === undefined) links = [...(parent?.links ?? [])];
  else {
    if (!Array.isArray(doc.links)) fail('links must be a list of { from: component.port, to: component.port, latency }');
    links = (doc.links as unknown[]).map((l, i) => {
      const where = `links[${i}]`;
      if (!isMap(l)) fail(`${where} must be a map of from, to and latency`);
      const m = l as Record<string, unknown>;
      for (const k of Object.keys(m)) if (!LINK_FIELDS.includes(k)) fail(`${where}: unknown field "${k}" (known: ${LINK_FIELDS.join(', ')})`);
      for (const end of ['from', 'to'] as const) {
        const v = m[end];
        if (typeof v !== 'string' || !/^[^.]+\.[^.]+$/.test(v)) fail(`${where}: ${end} must be component.port, got ${JSON.stringify(v)}`);
        const comp = (v as string).split('.')[0]!;
        if (!components[comp]) fail(`${where}: ${end} names component "${comp}", which the spec does not have (components: ${Object.keys(components).join(', ')})`);
      }
      const latency = m.latency ?? 0;
      if (typeof latency !== 'number' || !Number.isSafeInteger(latency) || latency < 0 || latency > MAX_LINK_LATENCY_CYCLES) fail(`${where}: latency must be a whole number of cycles in 0..${MAX_LINK_LATENCY_CYCLES}, got ${JSON.stringify(latency)}`);
      return { from: m.from as string, to: m.to as string, latency: latency as number };
    });
  }
  const description = typeof doc.description === 'string' ? doc.description : parent?.description ?? '';
  return Object.freeze({ name, description, workload, clockMHz, components, links, source: parent ? `${src} (extends ${parent.source})` : src }) as unknown as ArchSpec;
}

/** The components of a role, in the spec's order. */
export function componentsOf(spec: ArchSpec, role: Role): Array<[string, ComponentSpec]> {
  return Object.entries(spec.components).filter(([, c]) => c.role === role);
}

/** The one component of a role. */
export function componentOf(spec: ArchSpec, role: Exclude<Role, 'buffer'>): [string, ComponentSpec] {
  return componentsOf(spec, role)[0]!;
}

/**
 * The spec with parameters changed: `params[componentName]` merges onto that component's
 * (unknown names are an error naming the spec), `clockMHz` replaces the clock.
 */
export function withParams(spec: ArchSpec, params: Readonly<Record<string, Readonly<Record<string, unknown>>>>, clockMHz?: number): ArchSpec {
  const components: Record<string, ComponentSpec> = { ...spec.components };
  for (const [name, p] of Object.entries(params)) {
    const c = components[name];
    if (!c) throw new ConfigError(`${spec.source}: no component "${name}" to set parameters on (components: ${Object.keys(components).join(', ')})`);
    components[name] = { ...c, params: { ...c.params, ...p } };
  }
  return Object.freeze({ ...spec, components, clockMHz: clockMHz ?? spec.clockMHz });
}

const ARCH_DIR = fileURLToPath(new URL('../../arch/', import.meta.url));

/** The spec files this package ships: SATA and the Eyeriss-like baseline. */
export const BUILTIN_ARCHITECTURES: readonly ArchitectureContribution[] = ['sata', 'eyeriss'].map((n) => readArchFile(`${ARCH_DIR}${n}.yaml`));

export const builtinArchitectureLookup: ArchitectureLookup = Object.assign((name: string) => BUILTIN_ARCHITECTURES.find((a) => a.name === name), { names: () => BUILTIN_ARCHITECTURES.map((a) => a.name).sort() });

/** The architectures a registry holds (the built-ins through the hw plugin, and any plugin's). */
export function registryArchitectures(registry: Registry): ArchitectureLookup {
  return Object.assign((name: string) => (registry.has('architectures', name) ? registry.get('architectures', name) : undefined), { names: () => registry.list('architectures').map((a) => a.contribution.name) });
}

/** A built-in spec by name (`sata`, `eyeriss`). */
export function builtinArchitecture(name: string): ArchSpec {
  return resolveArchitecture(name, builtinArchitectureLookup);
}
