import { ConfigError } from '@sata/core';
import { formatTable, toJson } from '@sata/report';
import { recostTrace, verifyTrace } from '@sata/trace';
import type { CommandFactory } from '../context.js';
import { builtinRunKinds } from '../run-kinds.js';

/** `sata replay FILE --verify | --energy MODEL`. */
export const replayCommand: CommandFactory = (ctx) => ({
  command: 'replay <file>',
  describe: 'Replay a recorded trace: --verify re-runs it and compares byte for byte; --energy MODEL prices its action counts with another energy model',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'the trace file' })
      .option('verify', { type: 'boolean', default: false, describe: 'rebuild the model from the header, re-run, compare' })
      .option('energy', { type: 'string', describe: 'energy model to price the recorded action counts with' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  handler: (argv: { file: string; verify: boolean; energy?: string; json: boolean }) => {
    if (argv.verify === (argv.energy !== undefined)) throw new ConfigError('give exactly one of --verify and --energy MODEL');
    const registry = ctx.registry();
    if (argv.energy !== undefined) {
      const bill = recostTrace(argv.file, registry.get('energyModels', argv.energy));
      if (argv.json) return void ctx.io.out(toJson(bill));
      ctx.io.out(`${bill.records} records priced with ${bill.model}: ${bill.totalPicojoules} pJ\n`);
      ctx.io.out(formatTable(['component', 'action', 'bits', 'count', 'pJ', 'source'], bill.actions.map((a) => [a.component, a.action, a.bits, a.count, a.picojoules, a.source])));
      if (bill.unpriced.length) ctx.io.err(`no figure in ${bill.model} for: ${bill.unpriced.map((u) => `${u.component}.${u.action}@${u.bits}b`).join(', ')}`);
      return;
    }
    const v = verifyTrace(argv.file, builtinRunKinds(), registry.pluginList());
    if (argv.json) ctx.io.out(toJson(v));
    else if (v.ok) ctx.io.out(`verified: ${v.records} records replay identically (digest ${v.digest})`);
    else ctx.io.out(`DIVERGED: ${v.divergence!.message}`);
    if (!v.ok) throw new ConfigError(`replay of ${argv.file} diverged: ${v.divergence!.message}`, 1);
  },
});
