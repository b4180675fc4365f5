import { ConfigError } from '@sata/core';
import { energyLines, formatTable, toJson } from '@sata/report';
import type { EnergyBreakdown } from '@sata/plugin-api';
import { inspectTrace, verifyTrace } from '@sata/trace';
import type { CommandContext, CommandFactory } from '../context.js';
import { builtinRunKinds, recostAnyTrace } from '../run-kinds.js';
import type { recostLayerTrace } from '../runs/layer-kind.js';
import type { TrainingRecost } from '../runs/simulate-kind.js';

/** `sata replay FILE --verify | --energy MODEL`. */
export const replayCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'the trace file' })
      .option('verify', { type: 'boolean', default: false, describe: 'rebuild the model from the header, re-run, compare' })
      .option('energy', { type: 'string', describe: 'energy model to price the recorded action counts with (simulate and layer traces: the figures a fresh run with that model prints)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  handler: (argv: { file: string; verify: boolean; energy?: string; json: boolean }) => {
    if (argv.verify === (argv.energy !== undefined)) throw new ConfigError('give exactly one of --verify and --energy MODEL');
    const registry = ctx.registry();
    if (argv.energy !== undefined) {
      const model = registry.get('energyModels', argv.energy);
      const { runKind, result } = recostAnyTrace(argv.file, model, registry);
      if (argv.json) return void ctx.io.out(toJson(result));
      if (runKind === 'simulate') printTraining(ctx, result as TrainingRecost);
      else if (runKind === 'layer') printLayer(ctx, result as ReturnType<typeof recostLayerTrace>);
      else printBill(ctx, result as EnergyBreakdown & { records: number });
      return;
    }
    // A damaged file is bad input (exit 2, as `sata trace info` says), not a replay that diverged (exit 1).
    const damage = inspectTrace(argv.file).error;
    if (damage) throw new ConfigError(`cannot verify a damaged trace: ${damage.message}`);
    const v = verifyTrace(argv.file, builtinRunKinds(registry), registry.pluginList());
    if (argv.json) ctx.io.out(toJson(v));
    else if (v.ok) ctx.io.out(`verified: ${v.records} records replay identically (digest ${v.digest})`);
    else ctx.io.out(`DIVERGED: ${v.divergence!.message}`);
    if (!v.ok) throw new ConfigError(`replay of ${argv.file} diverged: ${v.divergence!.message}`, 1);
  },
});

function printTraining(ctx: CommandContext, r: TrainingRecost): void {
  ctx.io.out(`re-costed ${r.steps} recorded steps (${r.cycles} cycles) with energy model ${r.model}, without simulating`);
  ctx.io.out(energyLines(r.energyPJ).join('\n'));
  if (r.unpriced.length) ctx.io.out(`\nnot priced by ${r.model} (counted, energy 0): ${r.unpriced.join(', ')}`);
}

function printLayer(ctx: CommandContext, r: ReturnType<typeof recostLayerTrace>): void {
  ctx.io.out(`re-costed the recorded layer (${r.cycles} cycles) with energy model ${r.energy.model}, without simulating: ${r.energy.totalPJ} pJ\n`);
  ctx.io.out(formatTable(['component', 'energy (pJ)'], Object.entries(r.energy.byComponent).sort((a, b) => b[1] - a[1])));
}

function printBill(ctx: CommandContext, bill: EnergyBreakdown & { records: number }): void {
  ctx.io.out(`${bill.records} records priced with ${bill.model}: ${bill.totalPicojoules} pJ\n`);
  ctx.io.out(formatTable(['component', 'action', 'bits', 'count', 'pJ', 'source'], bill.actions.map((a) => [a.component, a.action, a.bits, a.count, a.picojoules, a.source])));
  if (bill.unpriced.length) ctx.io.err(`no figure in ${bill.model} for: ${bill.unpriced.map((u) => `${u.component}.${u.action}@${u.bits}b`).join(', ')}`);
}
