import { ConfigError, readInputText } from '@sata/core';
import { importAccelergyErt } from '@sata/energy-accelergy';
import { builtinArchitecture, componentOf, convForwardGemm, convOutputSize, DEFAULT_BUFFERS, registryArchitectures, resolveArchitecture } from '@sata/hw';
import type { EnergyModelContribution, GemmShape } from '@sata/plugin-api';
import { formatNumber, formatTable, toJson } from '@sata/report';
import type { CommandFactory } from '../context.js';
import { layerEnergyJson, layerRunKind, resolveLayerConfig, type LayerRun } from '../runs/layer-kind.js';

interface LayerArgs {
  arch: string;
  array?: string;
  dataflow: string;
  conv?: string;
  gemm?: string;
  energy: string;
  ert?: string;
  cycleLevel: boolean;
  bits: string;
  gating: string;
  density?: string;
  operation: string;
  gbKib?: string;
  gbBandwidth?: number;
  dramBandwidth?: number;
  dramLatency?: number;
  seed: number;
  trace?: string;
  json: boolean;
}

/** Positive integers from a comma list, with the option named in the error. */
function ints(option: string, text: string, min: number, max: number, labels: readonly string[]): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length < min || parts.length > max) throw new ConfigError(`--${option} takes ${labels.slice(0, min).join(',')}${max > min ? `[,${labels.slice(min).join('[,')}${']'.repeat(max - min)}` : ''}, got "${text}"`);
  return parts.map((p, i) => {
    const v = Number(p);
    const floor = labels[i] === 'pad' ? 0 : 1;
    if (p === '' || !Number.isSafeInteger(v) || v < floor) throw new ConfigError(`--${option}: ${labels[i]} must be an integer >= ${floor}, got "${p}"`);
    return v;
  });
}

/** SATA's spec (packages/hw/arch/sata.yaml): what the help gives as defaults. */
const SATA = builtinArchitecture('sata');
const sataParam = (component: string, param: string): unknown => SATA.components[component]?.params[param];

/** `sata layer`: one conv or GEMM on the array with a dataflow: cycles, traffic, energy. */
export const layerCommand: CommandFactory = (ctx) => ({
  builder: (y) =>
    y
      .option('arch', { type: 'string', default: 'sata', describe: 'architecture spec (a name, sata arch list, or a .yaml/.json file): the hardware and its defaults, as sata simulate builds it' })
      .option('array', { type: 'string', describe: `array size, rows x columns [default: the spec's, sata ${String(sataParam('array', 'rows'))}x${String(sataParam('array', 'cols'))}]` })
      .option('dataflow', { type: 'string', default: 'ws', describe: 'dataflow (see sata plugins): os, ws, is' })
      .option('conv', { type: 'string', describe: 'conv layer H,W,R,S,C,K[,stride[,pad]] (input as given; padded only if pad says so)' })
      .option('gemm', { type: 'string', describe: 'GEMM M,N,K (ifmap M x K, filter K x N)' })
      .option('energy', { type: 'string', default: 'sata-32nm', describe: 'energy model (see sata plugins)' })
      .option('ert', { type: 'string', describe: 'Accelergy energy reference table (ERT YAML) for --energy accelergy' })
      .option('cycle-level', { type: 'boolean', default: false, describe: 'run the cycle-level reference model of the array (small GEMMs only)' })
      .option('bits', { type: 'string', default: '16,16,16', describe: 'bits per element: ifmap,filter,ofmap' })
      .option('gating', { type: 'string', default: 'none', choices: ['none', 'ifmap', 'filter', 'any'], describe: 'which zero operands gate a PE operation' })
      .option('density', { type: 'string', describe: 'operand densities ifmap,filter in [0,1] (statistical sparsity; with --cycle-level, random operands of these densities)' })
      .option('operation', { type: 'string', default: 'mac', choices: ['mac', 'and_accumulate'], describe: 'what an active PE operation is' })
      .option('gb-kib', { type: 'string', describe: `global-buffer capacities of the ifmap, filter and ofmap partitions (${DEFAULT_BUFFERS.ifmap}, ${DEFAULT_BUFFERS.filter}, ${DEFAULT_BUFFERS.ofmap}) in KiB [default: the spec's, sata ${[DEFAULT_BUFFERS.ifmap, DEFAULT_BUFFERS.filter, DEFAULT_BUFFERS.ofmap].map((p) => Number(sataParam(p, 'capacityBytes')) / 1024).join(',')}]` })
      .option('gb-bandwidth', { type: 'number', describe: `global-buffer bandwidth per partition, bits/cycle [default: the spec's, sata ${String(sataParam(DEFAULT_BUFFERS.ifmap, 'bandwidthBitsPerCycle'))}]` })
      .option('dram-bandwidth', { type: 'number', describe: `DRAM bandwidth, bits/cycle [default: the spec's, sata ${String(sataParam('dram', 'bandwidthBitsPerCycle'))}]` })
      .option('dram-latency', { type: 'number', describe: `DRAM latency, cycles [default: the spec's, sata ${String(sataParam('dram', 'latencyCycles'))}]` })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the random operands of --cycle-level --density' })
      .option('trace', { type: 'string', describe: 'record a simulation trace of the run into FILE (sata replay FILE --verify | --energy MODEL)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  handler: async (argv: LayerArgs) => {
    const reg = ctx.registry();
    if ((argv.conv === undefined) === (argv.gemm === undefined)) throw new ConfigError('give exactly one of --conv H,W,R,S,C,K[,stride[,pad]] and --gemm M,N,K');
    const spec = resolveArchitecture(argv.arch, registryArchitectures(reg));
    let array: { rows: number; cols: number };
    if (argv.array === undefined) {
      // The spec's array, with the array class's defaults for what it leaves out.
      const [name, c] = componentOf(spec, 'array');
      const info = reg.get('components', c.class).info.params as Record<string, { default?: unknown }>;
      const param = (p: string): number => Number(c.params[p] ?? info[p]?.default);
      array = { rows: param('rows'), cols: param('cols') };
      if (!(array.rows >= 1 && array.cols >= 1)) throw new ConfigError(`${spec.source}: component ${name} gives no rows and cols; pass --array ROWSxCOLS`);
    } else {
      const arrayMatch = /^(\d+)x(\d+)$/.exec(argv.array);
      if (!arrayMatch || Number(arrayMatch[1]) < 1 || Number(arrayMatch[2]) < 1) throw new ConfigError(`--array must be ROWSxCOLS with positive integers, e.g. 8x16, got "${argv.array}"`);
      array = { rows: Number(arrayMatch[1]), cols: Number(arrayMatch[2]) };
    }
    let gemm: GemmShape;
    let layer: string;
    if (argv.conv !== undefined) {
      const [H, W, R, S, C, K, stride = 1, pad = 0] = ints('conv', argv.conv, 6, 8, ['H', 'W', 'R', 'S', 'C', 'K', 'stride', 'pad']) as [number, number, number, number, number, number, number?, number?];
      const conv = { H, W, R, S, C, K, stride, pad };
      const { E, F } = convOutputSize(conv);
      gemm = convForwardGemm(conv);
      layer = `conv ${H}x${W}x${C} -> ${E}x${F}x${K}, kernel ${R}x${S}, stride ${stride}, pad ${pad}`;
    } else {
      const [M, N, K] = ints('gemm', argv.gemm!, 3, 3, ['M', 'N', 'K']) as [number, number, number];
      gemm = { M, N, K };
      layer = `GEMM M=${M} N=${N} K=${K}`;
    }
    const [bi, bf, bo] = ints('bits', argv.bits, 3, 3, ['ifmap', 'filter', 'ofmap']) as [number, number, number];
    reg.get('dataflows', argv.dataflow);
    let energyModel: EnergyModelContribution;
    if (argv.ert !== undefined) {
      if (argv.energy !== 'accelergy') throw new ConfigError(`--ert goes with --energy accelergy, not --energy ${argv.energy}`);
      energyModel = importAccelergyErt(readInputText(argv.ert, '--ert'), { origin: argv.ert });
    } else {
      if (argv.energy === 'accelergy') throw new ConfigError('--energy accelergy needs a table: add --ert FILE (an Accelergy ERT.yaml)');
      energyModel = reg.get('energyModels', argv.energy);
    }
    let densities: { ifmap: number; filter: number } | undefined;
    if (argv.density !== undefined) {
      const d = argv.density.split(',').map((s) => Number(s.trim()));
      if (d.length !== 2 || d.some((x) => !(x >= 0 && x <= 1))) throw new ConfigError(`--density takes ifmap,filter densities in [0,1], got "${argv.density}"`);
      densities = { ifmap: d[0]!, filter: d[1]! };
    }
    const gb = argv.gbKib === undefined ? undefined : ints('gb-kib', argv.gbKib, 3, 3, ['ifmap', 'filter', 'ofmap']);
    for (const [name, v] of [['gb-bandwidth', argv.gbBandwidth], ['dram-bandwidth', argv.dramBandwidth], ['dram-latency', argv.dramLatency]] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < (name === 'dram-latency' ? 0 : 1))) throw new ConfigError(`--${name} must be an integer >= ${name === 'dram-latency' ? 0 : 1}, got ${String(v)}`);
    }
    const kind = layerRunKind(reg);
    const cfg = resolveLayerConfig({
      layer, arch: argv.arch, gemm, dataflow: argv.dataflow, array, model: argv.cycleLevel ? 'cycle' : 'fold', gating: argv.gating, operation: argv.operation,
      bits: { ifmap: bi, filter: bf, ofmap: bo }, seed: argv.seed,
      ...(densities ? { density: densities } : {}),
      ...(gb ? { gbKiB: { ifmap: gb[0], filter: gb[1], ofmap: gb[2] } } : {}),
      ...(argv.gbBandwidth !== undefined ? { gbBandwidth: argv.gbBandwidth } : {}),
      ...(argv.dramBandwidth !== undefined ? { dramBandwidth: argv.dramBandwidth } : {}),
      ...(argv.dramLatency !== undefined ? { dramLatency: argv.dramLatency } : {}),
    }, 'layer options');
    let r!: LayerRun;
    if (argv.trace !== undefined) {
      const { recordRunToFile } = await import('@sata/trace'); // the trace writer loads only when a trace is written
      const rec = recordRunToFile({ ...kind, run: (c, _seed, attach) => ((r = kind.execute(c, attach, energyModel)), { endTime: r.totalCycles, events: r.events, reason: 'empty' }) }, cfg, cfg.seed, argv.trace, { plugins: reg.pluginList() });
      ctx.io.err(`trace: ${rec.trace.records} records, ${rec.trace.bytes} bytes in ${argv.trace} (digest ${rec.trace.digest})`);
    } else r = kind.execute(cfg, undefined, energyModel);
    const energy = r.energy!;
    const energyJson = layerEnergyJson(energy);
    const byComponent = energyJson.byComponent;
    if (energy.unpriced.length) ctx.io.err(`sata: warning: energy model ${energy.model} has no figure for ${energy.unpriced.map((u) => `${u.component}.${u.action}@${u.bits}b`).join(', ')} (counted, priced at 0)`);
    const { run: _run, energy: _e, ...report } = r;
    void _run;
    void _e;
    if (argv.json) {
      ctx.io.out(toJson({ layer, ...report, energy: energyJson }));
      return;
    }
    const m = r.mapping;
    ctx.io.out(`${layer} on a ${array.rows}x${array.cols} array, dataflow ${r.dataflow}, ${r.model}-level model, energy model ${energy.model}\n`);
    ctx.io.out(
      formatTable(['quantity', 'value', 'unit'], [
        ['mapping Sr x Sc x T', `${m.Sr} x ${m.Sc} x ${m.T}`, ''],
        ['folds (rows x cols x time pieces)', `${m.folds} (${m.rowFolds} x ${m.colFolds} x ${m.timeFolds})`, ''],
        ['cycles per fold', m.cyclesPerFold, 'cycles'],
        ['compute cycles', r.cycles, 'cycles (SCALE-Sim v2 reports one less)'],
        ['stall cycles', r.stallCycles, 'cycles'],
        ['drain cycles', r.drainCycles, 'cycles'],
        ['total cycles', r.totalCycles, 'cycles'],
        ['utilization', r.utilization, 'mapped ops per PE-cycle'],
        ['mapping efficiency', r.mappingEfficiency, 'mapped PEs per PE'],
        ['operations active / gated', `${formatNumber(r.ops.active)} / ${formatNumber(r.ops.gated)}`, `ops (${r.ops.activity})`],
        ['SRAM reads ifmap', r.sramReads.ifmap, 'elements'],
        ['SRAM reads filter', r.sramReads.filter, 'elements'],
        ['SRAM reads psum', r.sramReads.psum, 'elements'],
        ['SRAM writes ofmap', r.sramWrites.ofmap, 'elements'],
        ['DRAM reads', r.dramReads.total, `bits (refetched: ${r.dramRefetchBits.ifmap + r.dramRefetchBits.filter + r.dramRefetchBits.psum})`],
        ['DRAM writes', r.dramWrites.total, `bits (psum spills: ${r.dramWrites.psum})`],
        ['energy', energy.totalPicojoules, 'pJ'],
      ]),
    );
    ctx.io.out(`\n${formatTable(['component', 'energy (pJ)'], Object.entries(byComponent).sort((a, b) => b[1] - a[1]))}`);
    ctx.io.out(`\nsources:\n${[...new Set([...energy.actions.map((a) => a.source), ...energy.leakage.map((l) => l.source)])].map((s) => `  ${s}`).join('\n')}`);
  },
});
