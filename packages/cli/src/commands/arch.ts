import { relative } from 'node:path';
import { ConfigError } from '@sata/core';
import { registryArchitectures, resolveArchitecture, type ArchSpec } from '@sata/hw';
import { formatTable, toJson } from '@sata/report';
import type { CommandFactory } from '../context.js';

/** The spec as `sata arch show --json` prints it: what was resolved (extends applied), file paths relative to here. */
export function archJson(spec: ArchSpec) {
  return {
    name: spec.name,
    description: spec.description,
    workload: spec.workload,
    clockMHz: spec.clockMHz,
    source: relativeSource(spec.source),
    components: Object.entries(spec.components).map(([name, c]) => ({ name, class: c.class, role: c.role, params: c.params })),
    links: spec.links,
  };
}

function relativeSource(source: string): string {
  return source.replace(/(\/[^\s()]+)/g, (p) => relative(process.cwd(), p) || p);
}

/** `sata arch list|show NAME`: the registered architecture specs, and one of them (or a spec file) resolved. */
export const archCommand: CommandFactory = (ctx) => ({
  command: 'arch <action> [name]',
  describe: 'List the architecture specs (list), or show one resolved (show NAME|FILE): its components with class, role and parameters, and its links',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'show'] as const, describe: 'what to do' })
      .positional('name', { type: 'string', describe: 'a registered architecture (sata, eyeriss, ...) or a .yaml/.json spec file' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  handler: (argv: { action: 'list' | 'show'; name?: string; json: boolean }) => {
    const registry = ctx.registry();
    if (argv.action === 'list') {
      const rows = registry.list('architectures').map((e) => ({ name: e.contribution.name, plugin: e.plugin, description: e.contribution.description }));
      if (argv.json) ctx.io.out(toJson(rows));
      else ctx.io.out(formatTable(['name', 'plugin', 'description'], rows.map((r) => [r.name, r.plugin, r.description])));
      return;
    }
    if (argv.name === undefined) throw new ConfigError('sata arch show needs a NAME (sata arch list) or a spec file');
    const spec = resolveArchitecture(argv.name, registryArchitectures(registry));
    const doc = archJson(spec);
    if (argv.json) return void ctx.io.out(toJson(doc));
    ctx.io.out(`${doc.name}: ${doc.description}\nworkload ${doc.workload}, clock ${doc.clockMHz} MHz; from ${doc.source}\n`);
    ctx.io.out(formatTable(['component', 'class', 'role', 'parameters'], doc.components.map((c) => [c.name, c.class, c.role, Object.entries(c.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')])));
    ctx.io.out('');
    ctx.io.out(formatTable(['from', 'to', 'latency (cycles)'], doc.links.map((l) => [l.from, l.to, l.latency])));
  },
});
