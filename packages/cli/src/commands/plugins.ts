import type { ComponentContribution } from '@sata/plugin-api';
import { CONTRIBUTION_KINDS, KIND_LABEL } from '@sata/plugin-api';
import { formatTable, toJson } from '@sata/report';
import type { CommandFactory } from '../context.js';

/** `sata plugins`: everything registered, with parameters, ports and statistics (like sst-info). */
export const pluginsCommand: CommandFactory = (ctx) => ({
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON instead of tables' }),
  handler: (argv: { json: boolean }) => {
    const reg = ctx.registry();
    const entries = CONTRIBUTION_KINDS.flatMap((kind) =>
      reg.list(kind).map((e) => ({ kind: KIND_LABEL[kind], plugin: e.plugin, name: e.contribution.name, version: e.contribution.version, description: e.contribution.description, contribution: e.contribution })),
    );
    if (argv.json) {
      ctx.io.out(
        toJson({
          plugins: reg.pluginList(),
          contributions: entries.map(({ contribution, ...rest }) => ({ ...rest, ...(rest.kind === 'component' ? describeComponent(contribution as ComponentContribution) : {}) })),
        }),
      );
      return;
    }
    ctx.io.out(`Plugins: ${reg.pluginList().join(', ')}\n`);
    ctx.io.out(formatTable(['type', 'name', 'version', 'plugin', 'description'], entries.map((e) => [e.kind, e.name, e.version, e.plugin, e.description])));
    for (const e of entries) {
      if (e.kind !== 'component') continue;
      const d = describeComponent(e.contribution as ComponentContribution);
      ctx.io.out(`\n${e.name}@${e.version}: ${e.description}`);
      if (d.params.length) ctx.io.out(formatTable(['parameter', 'type', 'default', 'unit', 'range', 'description'], d.params.map((p) => [p.name, p.type, String(p.default), p.unit, p.range, p.description])));
      if (d.ports.length) ctx.io.out(formatTable(['port', 'description'], d.ports.map((p) => [p.name, p.description])));
      if (d.statistics.length) ctx.io.out(formatTable(['statistic', 'kind', 'unit', 'description'], d.statistics.map((s) => [s.name, s.kind, s.unit, s.description])));
    }
  },
});

function describeComponent(c: ComponentContribution) {
  return {
    params: Object.entries(c.info.params).map(([name, s]) => ({
      name,
      type: s.type === 'enum' ? `enum(${s.values.join('|')})` : s.type,
      default: s.default,
      unit: s.unit ?? '',
      range: 'min' in s || 'max' in s ? `${'min' in s && s.min !== undefined ? s.min : ''}..${'max' in s && s.max !== undefined ? s.max : ''}` : '',
      description: s.description,
    })),
    ports: Object.entries(c.info.ports).map(([name, description]) => ({ name, description })),
    statistics: Object.entries(c.info.stats).map(([name, s]) => ({ name, kind: s.kind, unit: s.unit, description: s.description })),
  };
}
