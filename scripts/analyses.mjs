#!/usr/bin/env node
/**
 * Regenerates docs/analyses.md from actual runs: `npm run analyses` (builds, then runs this).
 *
 * Every figure in the document comes from a `sata sweep` run here (the real CLI command, in
 * this process, points on worker threads); the sweep documents and an HTML report of the main
 * sweep go to out/analyses/ (git-ignored). Nothing is tuned: the configurations are the
 * simulator's defaults with one setting changed at a time, and the paper's figures are quoted
 * beside ours, never fitted.
 *
 *   node scripts/analyses.mjs [--jobs N] [--reuse] [--out DIR] [--doc FILE]
 *
 * --reuse takes a sweep document from out/analyses/ when it was made with the same arguments
 * (for editing the text without rerunning); the document is deterministic either way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../packages/cli/dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const JOBS = opt('--jobs', '2');
const REUSE = argv.includes('--reuse');
const OUT = opt('--out', join(root, 'out', 'analyses'));
const DOC = opt('--doc', join(root, 'docs', 'analyses.md'));
mkdirSync(OUT, { recursive: true });

const started = Date.now();
const log = (t) => process.stderr.write(`${t}\n`);

/** Runs `sata ARGS...` in this process; exits on failure with its messages. */
async function sata(args) {
  let err = '';
  const io = { out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`), interactive: false };
  const code = await runCli(args, io);
  if (code !== 0) {
    process.stderr.write(err);
    throw new Error(`sata ${args.join(' ')} exited ${code}`);
  }
  return err;
}

/** One `sata sweep` into out/analyses/NAME.json; returns the parsed SweepResult. */
async function sweep(name, args) {
  const file = join(OUT, `${name}.json`);
  const argsFile = join(OUT, `${name}.args.json`);
  const full = ['sweep', ...args, '--jobs', JOBS, '--no-progress', '-o', file];
  const key = JSON.stringify(args);
  if (REUSE && existsSync(file) && existsSync(argsFile) && readFileSync(argsFile, 'utf8') === key) {
    log(`reused ${relative(root, file)}`);
  } else {
    const t0 = Date.now();
    await sata(full);
    writeFileSync(argsFile, key);
    log(`sata ${full.slice(0, -2).join(' ')}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------- formatting

const uJ = (pJ) => pJ / 1e6;
function num(x, digits = 3) {
  if (typeof x !== 'number') return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}
const pct = (x) => (Math.abs(x) < 0.01 && x !== 0 ? `${(100 * x).toFixed(2)}%` : `${(100 * x).toFixed(1)}%`);
const ratio = (x) => (x >= 100 ? `${Math.round(x)}x` : `${x.toFixed(2)}x`);
const ratio3 = (x) => `${x.toFixed(3)}x`;
const range = (a, b, f) => (f(a) === f(b) ? f(a) : `${f(a)}–${f(b)}`);
/** Whether ys only go one way (ties allowed). */
const monotonic = (ys) => ys.every((y, i) => i === 0 || y >= ys[i - 1]) || ys.every((y, i) => i === 0 || y <= ys[i - 1]);
function table(header, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}
const snnOf = (p) => p.result.snnOverAnn.snn;
const annOf = (p) => p.result.snnOverAnn.ann;
const STAGES = ['FP', 'BP', 'WG', 'WU'];

/** Least-squares line y = a + b x and its R^2. */
function fit(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const b = sxy / sxx;
  return { a: my - b * mx, b, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** Where ratio(T) first reaches 1 going up in T: { below: last T under 1, above: first T at or over 1, at: interpolated T } or why none. */
function crossing(ts, ratios) {
  if (ratios.every((r) => r >= 1)) return { kind: 'never-below', min: Math.min(...ratios) };
  if (ratios.every((r) => r < 1)) return { kind: 'always-below', max: Math.max(...ratios) };
  for (let i = 1; i < ts.length; i++) {
    if (ratios[i - 1] < 1 && ratios[i] >= 1) {
      const at = ts[i - 1] + ((1 - ratios[i - 1]) / (ratios[i] - ratios[i - 1])) * (ts[i] - ts[i - 1]);
      return { kind: 'cross', below: ts[i - 1], above: ts[i], at };
    }
  }
  return { kind: 'mixed' };
}
function crossingText(c) {
  switch (c.kind) {
    case 'never-below':
      return `never: SNN/ANN >= ${num(c.min)} at every T`;
    case 'always-below':
      return `always cheaper (SNN/ANN <= ${num(c.max)} at every T)`;
    case 'cross':
      return `cheaper up to T = ${c.below}; crosses 1 between T = ${c.below} and ${c.above} (interpolated T = ${c.at.toFixed(2)})`;
    default:
      return 'not monotonic in T';
  }
}

/** Sparsity measured from operation counts: gated / (active + gated) per operation kind. */
function gatedShare(ops, key) {
  const o = ops[key];
  return o && o.active + o.gated > 0 ? o.gated / (o.active + o.gated) : undefined;
}

// ---------------------------------------------------------------- runs

const doc = [];
const w = (t = '') => doc.push(t);

const TS = '1..8';
const NETS = [
  { key: 'vgg5', name: 'VGG5', label: 'VGG5 (CIFAR-10 shape, 3x32x32)' },
  { key: 'digits-cnn', name: 'digits-cnn', label: 'digits-cnn (the UCI digits network, 1x8x8)' },
];

const runs = {};
for (const net of NETS) {
  const n = ['--network', net.key];
  const r = {};
  r.t = await sweep(`${net.key}-timesteps`, [...n, '--param', 'dataflow=ws,sata,sata-tiled', '--param', `timesteps=${TS}`]);
  r.spike = await sweep(`${net.key}-spike`, [...n, '--param', 'sparsity.spike=0,0.5,0.8,0.9,0.95,0.99']);
  r.membrane = await sweep(`${net.key}-membrane-gradient`, [...n, '--param', 'sparsity.membraneGradient=0,0.3,0.5,0.7,0.9,0.99']);
  r.firing = await sweep(`${net.key}-firing-gradient`, [...n, '--param', 'sparsity.firingGradient=0,0.3,0.6,0.9,0.99']);
  r.bits = {};
  for (const [k, values] of [['weight', '4,8,16'], ['membrane', '8,12,16'], ['gradient', '8,12,16']]) r.bits[k] = await sweep(`${net.key}-bits-${k}`, [...n, '--param', `bits.${k}=${values}`]);
  r.array = {};
  for (const df of ['os', 'ws', 'is', 'sata', 'sata-tiled']) r.array[df] = await sweep(`${net.key}-array-${df}`, [...n, '--dataflow', df, '--paired', '--param', 'array.rows=8,8,16,32', '--param', 'array.cols=8,16,16,32']);
  r.cross = await sweep(`${net.key}-crossing`, [...n, '--param', 'dataflow=ws,sata,sata-tiled', '--param', 'sparsity.spike=0.8,0.9,0.95,0.99', '--param', `timesteps=${TS}`]);
  runs[net.key] = r;
}
const EPOCHS = 5;
const measured = await sweep('digits-cnn-measured', ['--network', 'digits-cnn', '--sparsity', 'measured', '--dataset', 'digits', '--param', `sparsity.trainEpochs=0,${EPOCHS}`, '--param', 'timesteps=1,2,4,8']);

// The HTML report of the main sweep (VGG5, T = 1..8, ws, sata and sata-tiled) with the default point's comparison.
const main = runs.vgg5.t;
// Training algorithms: one SNN iteration each (simulate runner), VGG5 and ResNet-19, dataflow ws
// (the time-batched dataflows batch only BPTT), and the ANN once per network (it has no T).
const ALGORITHMS = ['bptt', 'tbptt:2', 'sltt', 'ottt', 'bptt-checkpoint:2', 'bptt-checkpoint-layers:3'];
const ALG_T = [1, 2, 4, 8];
const algRuns = {};
for (const [net, algs] of [['vgg5', ALGORITHMS], ['resnet19', ALGORITHMS.filter((a) => !a.startsWith('bptt-checkpoint:'))]]) {
  algRuns[net] = {
    snn: await sweep(`${net}-algorithms`, ['--runner', 'simulate', '--network', net, '--dataflow', 'ws', '--param', `timesteps=${ALG_T.join(',')}`, '--param', `algorithm=${algs.join(',')}`]),
    ann: await sweep(`${net}-algorithms-ann`, ['--runner', 'simulate', '--network', net, '--dataflow', 'ws', '--arch', 'eyeriss', '--param', 'timesteps=1']),
    algs,
  };
}
const defaultPoint = main.points.find((p) => p.params.dataflow === 'ws' && p.params.timesteps === 4);
const defaultFile = join(OUT, 'vgg5-compare-T4.json');
writeFileSync(defaultFile, `${JSON.stringify(defaultPoint.result, null, 2)}\n`);
const reportFile = join(OUT, 'report.html');
await sata(['report', ...[defaultFile, ...['vgg5-timesteps', 'vgg5-crossing', 'digits-cnn-timesteps', 'digits-cnn-measured'].map((f) => join(OUT, `${f}.json`))].map((f) => relative(process.cwd(), f)), '-o', reportFile, '--title', 'SATA design-space analyses (scripts/analyses.mjs)']);
log(`wrote ${relative(root, reportFile)}`);

// ---------------------------------------------------------------- the document

const base = main.base;
w('# Design-space analyses');
w();
w('<!-- Generated by scripts/analyses.mjs (`npm run analyses`); do not edit by hand. -->');
w();
w('Every number below comes from simulation runs made by `scripts/analyses.mjs` with `sata sweep`');
w('(the `compare` runner: per point, one SNN BPTT training iteration on SATA sparsity-aware and');
w('one sparsity-unaware, and one ANN training iteration of the same network on the Eyeriss-like');
w('baseline). `npm run analyses` rebuilds and regenerates this file; the sweep documents and an');
w('HTML report with charts (`sata report`) land in `out/analyses/` (git-ignored, not checked in:');
w(`\`out/analyses/report.html\`, ${Math.round(readFileSync(reportFile).length / 1024)} KiB, the T sweep of VGG5 and digits-cnn, the crossing grid and the measured digits sweep).`);
w();
w('Nothing was tuned to match the paper. Unless a section says otherwise, each run is the');
w("simulator's default configuration with one setting changed:");
w();
w(
  table(
    ['setting', 'default'],
    [
      ['network', 'vgg5 (and digits-cnn where stated)'],
      ['time steps T', base.timesteps],
      ['batch', base.batch],
      ['dataflow', `${base.dataflow} (the ANN baseline runs the same mapping without batching time)`],
      ['array', `${base.array.rows}x${base.array.cols} PEs, ${base.clockMHz} MHz`],
      ['bits', Object.entries(base.bits).map(([k, v]) => `${k} ${v}`).join(', ')],
      ['global buffers (KiB)', Object.entries(base.memory.glbKiB).map(([k, v]) => `${k} ${v}`).join(', ')],
      ['sparsity (statistical)', `spike ${base.sparsity.spike}, membrane gradient ${base.sparsity.membraneGradient}, firing gradient ${base.sparsity.firingGradient}`],
      ['ANN baseline', `ReLU activation sparsity ${base.ann.activationSparsity}, gating ${base.ann.gating ? 'on' : 'off'}`],
      ['energy model', base.energyModel],
    ],
  ),
);
w();
const d = defaultPoint.result;
w('The two headline figures, as the simulator defines them:');
w();
w(`- **sparsity gain**: ${d.sparsityGain.definition}.`);
w(`- **SNN/ANN**: ${d.snnOverAnn.definition}.`);
w();
w('Energies are per training iteration (one sample, batch 1), in microjoules (µJ).');
w();

// ---- 0. Headline against the paper
w('## Against the paper');
w();
const dg = runs['digits-cnn'].t.points.find((p) => p.params.dataflow === 'ws' && p.params.timesteps === 4);
const ds = main.points.find((p) => p.params.dataflow === 'sata' && p.params.timesteps === 4);
const dgs = runs['digits-cnn'].t.points.find((p) => p.params.dataflow === 'sata' && p.params.timesteps === 4);
const dt = main.points.find((p) => p.params.dataflow === 'sata-tiled' && p.params.timesteps === 4);
const dgt = runs['digits-cnn'].t.points.find((p) => p.params.dataflow === 'sata-tiled' && p.params.timesteps === 4);
const dm = measured.points.find((p) => p.params['sparsity.trainEpochs'] === EPOCHS && p.params.timesteps === 4);
if (measured.base.dataflow !== 'sata-tiled') throw new Error('the measured sweep is expected to run the default dataflow sata-tiled; update the table heading');
w(
  table(
    ['figure', 'paper', 'VGG5, ws', 'VGG5, sata', 'VGG5, sata-tiled', 'digits-cnn, ws', 'digits-cnn, sata', 'digits-cnn, sata-tiled', `digits-cnn, sata-tiled, measured after ${EPOCHS} epochs`],
    [
      ['sparsity gain in computation energy', ratio(d.sparsityGain.paper), ratio(d.sparsityGain.value), ratio(ds.result.sparsityGain.value), ratio(dt.result.sparsityGain.value), ratio(dg.result.sparsityGain.value), ratio(dgs.result.sparsityGain.value), ratio(dgt.result.sparsityGain.value), ratio(dm.result.sparsityGain.value)],
      ['SNN/ANN training energy', ratio(d.snnOverAnn.paper), ratio(d.snnOverAnn.value), ratio(ds.result.snnOverAnn.value), ratio(dt.result.snnOverAnn.value), ratio(dg.result.snnOverAnn.value), ratio(dgs.result.snnOverAnn.value), ratio(dgt.result.snnOverAnn.value), ratio(dm.result.snnOverAnn.value)],
    ],
  ),
);
w();
w("The paper's figures are quoted for comparison only; the differences are discussed in the sections below");
w('(the sparsity gain depends on the three sparsities, section 3; the SNN/ANN ratio mostly on T and on memory');
w('and leakage energy, sections 1, 2 and 6).');
w();

// ---- 1. Energy against T
w('## 1. Training energy against the number of time steps T');
w();
const growth = {};
for (const net of NETS) {
  const sw = runs[net.key].t;
  for (const df of ['ws', 'sata', 'sata-tiled']) {
    const pts = sw.points.filter((p) => p.params.dataflow === df);
    const ts = pts.map((p) => p.params.timesteps);
    const tot = pts.map((p) => uJ(snnOf(p).energyPJ.total));
    const f = fit(ts, tot);
    growth[`${net.key}/${df}`] = { pts, ts, tot, f };
    w(`### ${net.label}, dataflow ${df}`);
    w();
    w(
      table(
        ['T', 'SNN total (µJ)', 'x T=1', 'compute', 'memory', 'leakage', 'cycles', 'ANN total (µJ)', 'SNN/ANN'],
        pts.map((p, i) => {
          const e = snnOf(p).energyPJ;
          return [p.params.timesteps, num(uJ(e.total)), ratio(tot[i] / tot[0]), num(uJ(e.compute)), num(uJ(e.memory)), num(uJ(e.leakage)), num(snnOf(p).cycles), num(uJ(annOf(p).energyPJ.total)), ratio(p.result.snnOverAnn.value)];
        }),
      ),
    );
    w();
    w(`Least-squares line: total ≈ ${num(f.a)} µJ + ${num(f.b)} µJ × T (R² = ${f.r2.toFixed(3)}).`);
    w();
  }
}
w('**Observations.**');
w();
for (const net of NETS) {
  const g = growth[`${net.key}/ws`];
  const s = growth[`${net.key}/sata`];
  const wu = g.pts.map((p) => uJ(snnOf(p).energyPJ.byStage.WU));
  w(
    `- ${net.name}: from T = 1 to T = 8 the SNN's training energy grows ${ratio(g.tot[7] / g.tot[0])} with the ws dataflow (${num(g.tot[0])} → ${num(g.tot[7])} µJ), ${g.f.r2 >= 0.99 ? 'linearly' : 'roughly linearly'}: ${num(g.f.b)} µJ per step plus ${num(g.f.a)} µJ (R² = ${g.f.r2.toFixed(3)}). ` +
      `With sata (the T steps of a layer batched into one GEMM) it grows ${ratio(s.tot[7] / s.tot[0])} (${num(s.tot[0])} → ${num(s.tot[7])} µJ, ${num(s.f.b)} µJ per step, R² = ${s.f.r2.toFixed(3)}${monotonic(s.pts.map((p) => p.result.sparsityGain.aware.cycles)) ? '' : '; cycles not monotonic in T'}). ` +
      `The weight update (WU), run once per iteration, costs ${num(wu[0])} µJ at T = 1 and ${num(wu[7])} µJ at T = 8; the other stages grow with T. The ANN does not depend on T (${num(uJ(annOf(g.pts[0]).energyPJ.total))} µJ), so SNN/ANN grows as fast as the SNN's energy.`,
  );
}
w();

// ---- 2. By stage
w('## 2. Where the energy goes');
w();
for (const net of NETS) for (const df of ['ws', 'sata', 'sata-tiled']) {
  const sw = runs[net.key].t;
  const pts = sw.points.filter((p) => p.params.dataflow === df && [1, 4, 8].includes(p.params.timesteps));
  w(`### ${net.label}, ${df}`);
  w();
  w(
    table(
      ['T', ...STAGES.map((s) => `${s} (µJ)`), 'largest stage', 'compute', 'memory', 'leakage', 'memory / compute'],
      pts.map((p) => {
        const e = snnOf(p).energyPJ;
        const top = STAGES.reduce((a, b) => (e.byStage[b] > e.byStage[a] ? b : a));
        return [p.params.timesteps, ...STAGES.map((s) => `${num(uJ(e.byStage[s]))} (${pct(e.byStage[s] / e.total)})`), top, pct(e.compute / e.total), pct(e.memory / e.total), pct(e.leakage / e.total), ratio(e.memory / e.compute)];
      }),
    ),
  );
  w();
  const p4 = sw.points.find((p) => p.params.dataflow === df && p.params.timesteps === 4);
  const comp = Object.entries(snnOf(p4).energyPJ.byComponent).sort((a, b) => b[1] - a[1]);
  const e4 = snnOf(p4).energyPJ;
  w(`Largest components at T = 4 (dynamic energy; leakage is ${num(uJ(e4.leakage))} µJ besides): ${comp.slice(0, 5).map(([k, v]) => `${k} ${num(uJ(v))} µJ (${pct(v / e4.total)})`).join(', ')}.`);
  w();
  const layers = [...snnOf(p4).energyPJ.byLayer].sort((x, y) => y.totalPJ - x.totalPJ);
  w(`Largest layers at T = 4: ${layers.slice(0, 3).map((l) => `${l.name} (${l.kind}) ${num(uJ(l.totalPJ))} µJ (${pct(l.totalPJ / e4.total)})`).join(', ')}.`);
  w();
  const dram = {};
  for (const f of snnOf(p4).placement) if (f.from === 'dram' || f.to === 'dram') dram[`${f.tensor} (${f.from} → ${f.to})`] = (dram[`${f.tensor} (${f.from} → ${f.to})`] ?? 0) + f.bits;
  const dramTop = Object.entries(dram).sort((x, y) => y[1] - x[1]);
  const dramAll = dramTop.reduce((acc, [, v]) => acc + v, 0);
  w(`DRAM traffic at T = 4: ${num(dramAll / 8 / 2 ** 20)} MiB in all; the largest flows: ${dramTop.slice(0, 3).map(([k, v]) => `${k} ${num(v / 8 / 2 ** 20)} MiB`).join(', ')}.`);
  w();
  const ann = annOf(p4).energyPJ;
  w(`The ANN on the baseline, for contrast: ${STAGES.map((s) => `${s} ${pct(ann.byStage[s] / ann.total)}`).join(', ')}; compute ${pct(ann.compute / ann.total)}, memory ${pct(ann.memory / ann.total)}, leakage ${pct(ann.leakage / ann.total)}.`);
  w();
}
w('**Observations.**');
w();
for (const net of NETS) for (const df of ['ws', 'sata', 'sata-tiled']) {
  const sw = runs[net.key].t;
  const pts = sw.points.filter((p) => p.params.dataflow === df);
  const bpLargest = pts.filter((p) => {
    const e = snnOf(p).energyPJ;
    return STAGES.every((s) => e.byStage.BP >= e.byStage[s]);
  }).map((p) => p.params.timesteps);
  const mc = pts.map((p) => snnOf(p).energyPJ.memory / snnOf(p).energyPJ.compute);
  const cs = pts.map((p) => snnOf(p).energyPJ.compute / snnOf(p).energyPJ.total);
  const largest = pts.map((p) => {
    const e = snnOf(p).energyPJ;
    return `T=${p.params.timesteps} ${STAGES.reduce((a, b) => (e.byStage[b] > e.byStage[a] ? b : a))}`;
  });
  const ls = pts.map((p) => snnOf(p).energyPJ.leakage / snnOf(p).energyPJ.total);
  w(
    `- ${net.name} (${df}): is BP the largest stage? ${bpLargest.length === pts.length ? 'Yes, at every T from 1 to 8' : bpLargest.length === 0 ? 'No, at no T from 1 to 8' : `Only at T = ${bpLargest.join(', ')}`}` +
      ` (BP's share: ${pts.map((p) => `T=${p.params.timesteps} ${pct(snnOf(p).energyPJ.byStage.BP / snnOf(p).energyPJ.total)}`).join(', ')}; the largest: ${largest.join(', ')}). ` +
      `Is memory larger than computation? Yes, at every T, by ${range(Math.min(...mc), Math.max(...mc), ratio)}: computation is ${range(Math.min(...cs), Math.max(...cs), pct)} of the total, leakage ${range(Math.min(...ls), Math.max(...ls), pct)}, dynamic memory energy the rest.`,
  );
}
w();

// ---- 3. Sparsity
w(`## 3. The effect of each sparsity (T = ${runs.vgg5.spike.base.timesteps}, dataflow ${runs.vgg5.spike.base.dataflow})`);
w();
w('Each table changes one sparsity; the other two stay at their defaults. "compute, aware" is the');
w('sparsity-aware computation energy; the sparsity gain divides the unaware one by it.');
w();
const sparsityFacts = [];
for (const net of NETS) {
  for (const [key, path, label] of [['spike', 'sparsity.spike', 'spike sparsity'], ['membrane', 'sparsity.membraneGradient', 'membrane-gradient sparsity'], ['firing', 'sparsity.firingGradient', 'firing-gradient sparsity']]) {
    const pts = runs[net.key][key].points;
    w(`### ${net.name}: ${label}`);
    w();
    w(
      table(
        [label, 'compute, aware (µJ)', 'sparsity gain', 'memory (µJ)', 'SNN total (µJ)', 'SNN/ANN'],
        pts.map((p) => {
          const e = snnOf(p).energyPJ;
          return [p.params[path], num(uJ(e.compute)), ratio(p.result.sparsityGain.value), num(uJ(e.memory)), num(uJ(e.total)), ratio(p.result.snnOverAnn.value)];
        }),
      ),
    );
    w();
    const first = pts[0];
    const last = pts[pts.length - 1];
    const tot0 = snnOf(first).energyPJ.total;
    const tot1 = snnOf(last).energyPJ.total;
    const comp = pts.map((p) => snnOf(p).energyPJ.compute);
    sparsityFacts.push({ net: net.name, label, span: Math.max(...comp) / Math.min(...comp) });
    sparsityFacts.push(
      `- ${net.name}, ${label} ${first.params[path]} → ${last.params[path]}: computation energy ${num(uJ(snnOf(first).energyPJ.compute))} → ${num(uJ(snnOf(last).energyPJ.compute))} µJ (sparsity gain ${ratio(first.result.sparsityGain.value)} → ${ratio(last.result.sparsityGain.value)}), total energy ${tot1 <= tot0 ? 'down' : 'up'} ${pct(Math.abs(tot1 - tot0) / tot0)} (${num(uJ(tot0))} → ${num(uJ(tot1))} µJ), SNN/ANN ${ratio(first.result.snnOverAnn.value)} → ${ratio(last.result.snnOverAnn.value)}.`,
    );
  }
}
w('**Observations.**');
w();
for (const f of sparsityFacts) if (typeof f === 'string') w(f);
for (const net of NETS) {
  const spans = sparsityFacts.filter((f) => typeof f !== 'string' && f.net === net.name).sort((a, b) => b.span - a.span);
  w(`- ${net.name}: over the explored range, computation energy varies most with ${spans[0].label} (${ratio(spans[0].span)} between its lowest and highest value), then ${spans[1].label} (${ratio(spans[1].span)}), then ${spans[2].label} (${ratio(spans[2].span)}).`);
}
const beyond = [];
for (const [key, path, label] of [['spike', 'sparsity.spike', 'spike sparsity'], ['membrane', 'sparsity.membraneGradient', 'membrane-gradient sparsity'], ['firing', 'sparsity.firingGradient', 'firing-gradient sparsity']]) {
  const hits = runs.vgg5[key].points.filter((p) => p.result.sparsityGain.value >= d.sparsityGain.paper);
  if (hits.length) beyond.push(`${label} >= ${Math.min(...hits.map((p) => p.params[path]))} (${ratio(hits[0].result.sparsityGain.value)})`);
}
let maxTotalChange = 0;
for (const net of NETS) for (const key of ['spike', 'membrane', 'firing']) {
  const t = runs[net.key][key].points.map((p) => snnOf(p).energyPJ.total);
  maxTotalChange = Math.max(maxTotalChange, (Math.max(...t) - Math.min(...t)) / Math.max(...t));
}
const vs = runs.vgg5.spike.points.find((p) => p.params['sparsity.spike'] === base.sparsity.spike);
w(
  `- At the default sparsities the sparsity gain is ${ratio(vs.result.sparsityGain.value)} for VGG5 (paper: ${ratio(d.sparsityGain.paper)}); ${beyond.length ? `in these one-at-a-time sweeps it reaches the paper's figure only at ${beyond.join(', ')}` : "no point of these one-at-a-time sweeps reaches the paper's figure"}. ` +
    `Because computation is so small a share of the total (section 2), no single sparsity moves the total training energy by more than ${pct(maxTotalChange)} over its whole range (0 to 0.99).`,
);
w();

// ---- 4. Bit width
w(`## 4. Bit width (T = ${runs.vgg5.bits.weight.base.timesteps}, dataflow ${runs.vgg5.bits.weight.base.dataflow})`);
w();
const bitFacts = [];
for (const net of NETS) {
  w(`### ${net.name}`);
  w();
  const rows = [];
  for (const k of ['weight', 'membrane', 'gradient']) {
    const pts = runs[net.key].bits[k].points;
    for (const p of pts) {
      const e = snnOf(p).energyPJ;
      rows.push([`${k} ${p.params[`bits.${k}`]}`, num(uJ(e.compute)), num(uJ(e.memory)), num(uJ(e.leakage)), num(uJ(e.total)), num(uJ(annOf(p).energyPJ.total)), ratio(p.result.snnOverAnn.value)]);
    }
    const t0 = snnOf(pts[0]).energyPJ.total;
    const t1 = snnOf(pts[pts.length - 1]).energyPJ.total;
    const tots = pts.map((p) => snnOf(p).energyPJ.total);
    bitFacts.push(
      `- ${net.name}, ${k} bits ${pts[0].params[`bits.${k}`]} → ${pts[pts.length - 1].params[`bits.${k}`]}: SNN total ${num(uJ(t0))} → ${num(uJ(t1))} µJ (${t1 >= t0 ? '+' : '-'}${pct(Math.abs(t1 - t0) / t0)}), SNN/ANN ${ratio(pts[0].result.snnOverAnn.value)} → ${ratio(pts[pts.length - 1].result.snnOverAnn.value)}` +
        `${monotonic(tots) ? '' : ` (not monotonic: ${pts.map((p, i) => `${p.params[`bits.${k}`]} bits ${num(uJ(tots[i]))} µJ`).join(', ')})`}.`,
    );
  }
  w(table(['bits', 'compute (µJ)', 'memory (µJ)', 'leakage (µJ)', 'SNN total (µJ)', 'ANN total (µJ)', 'SNN/ANN'], rows));
  w();
}
w('**Observations.** (Weight bits apply to both the SNN and the ANN; membrane and gradient bits to the SNN only, the ANN keeps 16-bit activations and gradients.)');
w();
for (const f of bitFacts) w(f);
w();

// ---- 5. Array and dataflow
w(`## 5. Array size and dataflow (T = ${runs.vgg5.array.ws.base.timesteps})`);
w();
const arrayFacts = [];
for (const net of NETS) {
  w(`### ${net.name}`);
  w();
  const rows = [];
  const best = {};
  for (const df of ['os', 'ws', 'is', 'sata', 'sata-tiled']) {
    for (const p of runs[net.key].array[df].points) {
      const s = snnOf(p);
      const arr = `${p.params['array.rows']}x${p.params['array.cols']}`;
      rows.push([df, arr, num(uJ(s.energyPJ.total)), num(s.cycles), pct(s.stallCycles / s.cycles), num(uJ(s.energyPJ.leakage)), num(uJ(annOf(p).energyPJ.total)), ratio(p.result.snnOverAnn.value)]);
      if (!best[arr] || s.energyPJ.total < best[arr].e) best[arr] = { df, e: s.energyPJ.total, cycles: s.cycles };
    }
  }
  w(table(['dataflow', 'array', 'SNN total (µJ)', 'SNN cycles', 'stalled', 'leakage (µJ)', 'ANN total (µJ)', 'SNN/ANN'], rows));
  w();
  const arrs = Object.keys(best);
  arrayFacts.push(`- ${net.name}: the cheapest SNN dataflow per array: ${arrs.map((a) => `${a} ${best[a].df} (${num(uJ(best[a].e))} µJ)`).join(', ')}.`);
  for (const df of ['os', 'ws', 'is', 'sata', 'sata-tiled']) {
    const pts = runs[net.key].array[df].points;
    const e = pts.map((p) => snnOf(p).energyPJ.total);
    const c = pts.map((p) => snnOf(p).cycles);
    arrayFacts.push(
      `- ${net.name}, ${df}: from 8x8 to 32x32 PEs the SNN's cycles go ${num(c[0])} → ${num(c[c.length - 1])} (${ratio(c[0] / c[c.length - 1])} fewer) and its energy ${num(uJ(e[0]))} → ${num(uJ(e[e.length - 1]))} µJ; SNN/ANN ${ratio(pts[0].result.snnOverAnn.value)} → ${ratio(pts[pts.length - 1].result.snnOverAnn.value)}` +
        `${monotonic(e) ? '' : ` (energy not monotonic in array size: ${pts.map((p, i) => `${p.params['array.rows']}x${p.params['array.cols']} ${num(uJ(e[i]))}`).join(', ')} µJ)`}.`,
    );
  }
  const at = (df) => runs[net.key].array[df].points.find((p) => p.params['array.rows'] === base.array.rows && p.params['array.cols'] === base.array.cols);
  const a = snnOf(at('ws')).energyPJ;
  const b = snnOf(at('sata')).energyPJ;
  const saved = a.total - b.total;
  arrayFacts.push(
    `- ${net.name}, ${base.array.rows}x${base.array.cols}: sata ${saved >= 0 ? 'saves' : 'costs'} ${num(uJ(Math.abs(saved)))} µJ against ws (${pct(Math.abs(saved) / a.total)}); of that, ${pct((a.leakage - b.leakage) / saved)} is leakage (static energy over ${num(snnOf(at('ws')).cycles)} → ${num(snnOf(at('sata')).cycles)} cycles) and ${pct((a.memory - b.memory) / saved)} dynamic memory energy.`,
  );
}
w('**Observations.**');
w();
for (const f of arrayFacts) w(f);
w('- Leakage is static energy over the run\'s cycles, so what shortens the run (a larger array, the time-batched sata dataflow) lowers it; the rest of the differences is data movement (how often tiles are refetched from DRAM and the global buffers).');
w();

// ---- 6. Crossing
w('## 6. Where SNN training becomes cheaper than ANN training');
w();
w('SNN/ANN total training energy over T = 1..8 and spike sparsity (membrane- and firing-gradient sparsity at their defaults). Below 1 the SNN on SATA trains cheaper than the ANN on the baseline.');
w();
const crossFacts = [];
for (const net of NETS) {
  const sw = runs[net.key].cross;
  for (const df of ['ws', 'sata', 'sata-tiled']) {
    const spikes = [...new Set(sw.points.map((p) => p.params['sparsity.spike']))];
    const ts = [...new Set(sw.points.map((p) => p.params.timesteps))];
    w(`### ${net.name}, ${df}`);
    w();
    const rows = spikes.map((s) => {
      const pts = ts.map((t) => sw.points.find((p) => p.params.dataflow === df && p.params['sparsity.spike'] === s && p.params.timesteps === t));
      const rs = pts.map((p) => p.result.snnOverAnn.value);
      const c = crossing(ts, rs);
      crossFacts.push({ net: net.name, df, s, c, rs });
      return [`spike ${s}`, ...rs.map((r) => (r < 1 ? `**${r.toFixed(2)}**` : r.toFixed(2))), crossingText(c)];
    });
    w(table(['', ...ts.map((t) => `T=${t}`), 'SNN cheaper?'], rows));
    w();
  }
}
w('**Observations.**');
w();
for (const net of NETS) {
  for (const df of ['ws', 'sata', 'sata-tiled']) {
    const fs = crossFacts.filter((f) => f.net === net.name && f.df === df);
    const spread = fs.map((f) => f.rs[3]);
    const texts = [...new Set(fs.map((f) => crossingText(f.c)))];
    const where = texts.length === 1 ? `at every spike sparsity from ${fs[0].s} to ${fs[fs.length - 1].s}: ${texts[0]}` : fs.map((f) => `spike ${f.s}: ${crossingText(f.c)}`).join('; ');
    w(`- ${net.name}, ${df}: ${where}. At T = 4, raising spike sparsity from ${fs[0].s} to ${fs[fs.length - 1].s} moves SNN/ANN from ${ratio3(spread[0])} to ${ratio3(spread[spread.length - 1])}; at T = 1 the SNN costs ${pct(1 - fs[1].rs[0])} less than the ANN (spike ${fs[1].s}).`);
  }
}
const v4 = d.snnOverAnn.value;
// A bound no sparsity can beat: the SNN's energy without any computation energy at all, against the ANN.
const DFS = ['ws', 'sata', 'sata-tiled'];
const floors = NETS.flatMap((net) => {
  const pts = runs[net.key].cross.points.filter((p) => p.params['sparsity.spike'] === 0.99);
  return DFS.map((df) => {
    const p = pts.find((q) => q.params.dataflow === df && q.params.timesteps === 2);
    const e = snnOf(p).energyPJ;
    return { net: net.name, df, r: (e.total - e.compute) / annOf(p).energyPJ.total };
  });
});
const floorText = floors.map((f) => `${f.net} ${ratio(f.r)} (${f.df})`).join(', ');
w(
  floors.every((f) => f.r > 1)
    ? `- No sparsity can move the crossing past T = 1 here: even with zero computation energy, the SNN's memory and leakage energy alone at T = 2 (spike sparsity 0.99) are ${floorText} of the ANN's total energy.`
    : `- Without any computation energy at all, the SNN's memory and leakage energy at T = 2 (spike sparsity 0.99) are ${floorText} of the ANN's total: where this is below 1, sparsity alone decides whether T = 2 trains cheaper.`,
);
const cs4 = d.snnOverAnn.snn.energyPJ;
const sp = runs.vgg5.spike.points;
const memSpan = Math.abs(snnOf(sp[0]).energyPJ.memory - snnOf(sp[sp.length - 1]).energyPJ.memory) / snnOf(sp[0]).energyPJ.memory;
// The largest T at which some explored spike sparsity makes the SNN cheaper, per network and dataflow.
const cheaperUpTo = crossFacts.reduce((m, f) => {
  const key = `${f.net}, ${f.df}`;
  const ts = [1, 2, 3, 4, 5, 6, 7, 8];
  const last = ts.filter((t, i) => f.rs[i] < 1).pop() ?? 0;
  m[key] = Math.max(m[key] ?? 0, last);
  return m;
}, {});
const cheaperText = Object.entries(cheaperUpTo).map(([k, t]) => `${k}: ${t === 0 ? 'never' : `up to T = ${t}`}`).join('; ');
w(
  `- Within T = 1..8 and spike sparsity 0.8–0.99, SNN training is cheaper than ANN training ${cheaperText}. Why sparsity hardly moves the crossing: sparsity gates operations, i.e. computation energy, which is ${pct(cs4.compute / cs4.total)} of the SNN's total at T = 4 (VGG5, ws); the SNN's data movement (spikes and membrane potentials of every step kept for BPTT, gradients of every step) and the leakage over its longer runs grow with T and hardly depend on sparsity in this model (VGG5: spike sparsity 0 → 0.99 changes memory energy by ${pct(memSpan)}, section 3). ` +
    `The paper reports SNN/ANN = ${ratio(d.snnOverAnn.paper)} for its configuration; this simulator gives ${ratio(v4)} for VGG5 at T = 4 with ws, ${ratio(ds.result.snnOverAnn.value)} with sata and ${ratio(dt.result.snnOverAnn.value)} with sata-tiled (the default: partial sums kept on chip).`,
);
w();

// ---- 7. Measured sparsity on the digits
w(`## 7. digits-cnn with sparsity measured on the real digits`);
w();
w(`\`--sparsity measured --dataset digits\`: the functional model runs BPTT on the UCI digits and the simulator counts the zero operands it actually met, at the initial weights and after ${EPOCHS} epochs of training (\`sparsity.trainEpochs\`). The measured sparsities are shown as the share of gated operations per kind (FP.and_accumulate: spike inputs of the forward pass; WG.and_accumulate: spikes in the weight gradient; BP.mac and BP.gradient: the gradients).`);
w();
const mrows = measured.points.map((p) => {
  const s = snnOf(p);
  return [
    p.params['sparsity.trainEpochs'],
    p.params.timesteps,
    ...['FP.and_accumulate', 'WG.and_accumulate', 'BP.mac', 'BP.gradient'].map((k) => {
      const g = gatedShare(s.ops, k);
      return g === undefined ? '–' : pct(g);
    }),
    num(uJ(s.energyPJ.compute)),
    ratio(p.result.sparsityGain.value),
    num(uJ(s.energyPJ.total)),
    ratio(p.result.snnOverAnn.value),
  ];
});
w(table(['epochs', 'T', 'gated FP.and_accumulate', 'gated WG.and_accumulate', 'gated BP.mac', 'gated BP.gradient', 'compute (µJ)', 'sparsity gain', 'SNN total (µJ)', 'SNN/ANN'], mrows));
w();
const statT = runs['digits-cnn'].t.points.filter((p) => p.params.dataflow === measured.base.dataflow);
const measT = measured.points.filter((p) => p.params['sparsity.trainEpochs'] === EPOCHS);
const mts = measT.map((p) => p.params.timesteps);
const mc = crossing(mts, measT.map((p) => p.result.snnOverAnn.value));
w('**Observations.**');
w();
w(
  `- After ${EPOCHS} epochs, the measured sparsity gain is ${measT.map((p) => `${ratio(p.result.sparsityGain.value)} at T=${p.params.timesteps}`).join(', ')}, against ${statT.filter((p) => mts.includes(p.params.timesteps)).map((p) => `${ratio(p.result.sparsityGain.value)} at T=${p.params.timesteps}`).join(', ')} with the statistical default sparsities (spike ${base.sparsity.spike}, membrane gradient ${base.sparsity.membraneGradient}, firing gradient ${base.sparsity.firingGradient}; same dataflow ${measured.base.dataflow}) (paper: ${ratio(d.sparsityGain.paper)} for VGG5). ` +
    `At T = 4 the measured gain is ${ratio(measured.points.find((p) => p.params['sparsity.trainEpochs'] === 0 && p.params.timesteps === 4).result.sparsityGain.value)} at the initial weights and ${ratio(measT.find((p) => p.params.timesteps === 4).result.sparsityGain.value)} after ${EPOCHS} epochs.`,
);
w(`- SNN/ANN with measured sparsity: ${measT.map((p) => `${ratio(p.result.snnOverAnn.value)} at T=${p.params.timesteps}`).join(', ')}; ${crossingText(mc)} over T = ${mts.join(', ')}.`);
w();

w('## 8. Training algorithms: what BPTT\'s alternatives save and cost on SATA');
w();
w('One SNN training iteration per algorithm and T (dataflow ws, statistical default sparsities), against the ANN on the baseline.');
w('Kept state is the peak of what is written for a later step and not yet read for the last time, without the weight gradients');
w('(which every algorithm accumulates until the update); the pinnable on-chip space is half of each global-buffer partition.');
w('`bptt-checkpoint` does not run ResNet-19: its batch norm normalises over all T steps, so its backward pass needs every');
w("step's gradient before any segment's, which time checkpointing cannot give (the online algorithms normalise per step);");
w('`bptt-checkpoint-layers:3` (three segments of the network, each but the last recomputed over all T) does.');
w();
const pinnable = Object.values(base.memory.glbKiB).reduce((a, b) => a + b, 0) * 1024 * base.memory.pinnedShare;
const kib = (b) => `${num(b / 1024)} KiB`;
for (const [net, r] of Object.entries(algRuns)) {
  const ann = r.ann.points[0].result;
  w(`### ${net}`);
  w();
  const rows = [];
  for (const T of ALG_T) {
    for (const a of r.algs) {
      const p = r.snn.points.find((x) => x.params.timesteps === T && x.params.algorithm === a).result;
      const dram = p.placement.filter((f) => f.from === 'dram' || f.to === 'dram').reduce((x, f) => x + f.bits, 0) / 8;
      rows.push([T, a, num(uJ(p.energyPJ.total)), num(uJ(p.energyPJ.byStage.FP)), num(uJ(p.energyPJ.byStage.BP)), num(uJ(p.energyPJ.byStage.WG)), num(uJ(p.energyPJ.compute)), num(uJ(p.energyPJ.memory)), num(uJ(p.energyPJ.leakage)), num(p.cycles), kib(p.keptState.peak.stateBytes), `${num(dram / 2 ** 20)} MiB`, ratio(p.energyPJ.total / ann.energyPJ.total)]);
    }
  }
  w(table(['T', 'algorithm', 'total (µJ)', 'FP', 'BP', 'WG', 'compute', 'memory', 'leakage', 'cycles', 'kept state', 'DRAM traffic', 'vs ANN'], rows));
  w();
  const at = (a, T) => r.snn.points.find((x) => x.params.timesteps === T && x.params.algorithm === a).result;
  const state = (a) => ALG_T.map((T) => at(a, T).keptState.peak.stateBytes);
  const over = ALG_T.find((T) => at('bptt', T).keptState.peak.stateBytes > pinnable);
  w('**Observations.**');
  w();
  w(`- BPTT's kept state grows with T: ${state('bptt').map((b, i) => `${kib(b)} at T=${ALG_T[i]}`).join(', ')}; SLTT's stays at ${range(Math.min(...state('sltt')), Math.max(...state('sltt')), kib)} and OTTT's at ${range(Math.min(...state('ottt')), Math.max(...state('ottt')), kib)}. ` +
    (over ? `BPTT's no longer fits the ${kib(pinnable)} of pinnable on-chip space from T = ${over}.` : `BPTT's fits the ${kib(pinnable)} of pinnable on-chip space at every T here.`));
  const e = (a, T) => at(a, T).energyPJ.total;
  const Tmax = ALG_T[ALG_T.length - 1];
  w(`- Energy at T = ${Tmax} relative to BPTT: ${r.algs.filter((a) => a !== 'bptt').map((a) => `${a} ${ratio(e(a, Tmax) / e('bptt', Tmax))}`).join(', ')}; against the ANN BPTT costs ${ratio(e('bptt', Tmax) / ann.energyPJ.total)}.`);
  if (r.algs.includes('bptt-checkpoint:2')) w(`- Checkpointing every 2 steps costs ${ratio(at('bptt-checkpoint:2', Tmax).energyPJ.byStage.FP / at('bptt', Tmax).energyPJ.byStage.FP)} BPTT's forward energy at T = ${Tmax} (the recomputed segments) for ${ratio(at('bptt-checkpoint:2', Tmax).keptState.peak.stateBytes / at('bptt', Tmax).keptState.peak.stateBytes)} of its kept state.`);
  w(`- Checkpointing over layers (3 segments) costs ${ratio(at('bptt-checkpoint-layers:3', Tmax).energyPJ.byStage.FP / at('bptt', Tmax).energyPJ.byStage.FP)} BPTT's forward energy at T = ${Tmax} for ${ratio(at('bptt-checkpoint-layers:3', Tmax).keptState.peak.stateBytes / at('bptt', Tmax).keptState.peak.stateBytes)} of its kept state.`);
  w(`- OTTT's weight gradients multiply real-valued traces instead of AND-accumulating spikes: its WG energy at T = ${Tmax} is ${ratio(at('ottt', Tmax).energyPJ.byStage.WG / at('bptt', Tmax).energyPJ.byStage.WG)} BPTT's.`);
  w();
}

w('## How to reproduce');
w();
w('```sh');
w('npm run analyses            # builds, runs every sweep below (2 workers), rewrites docs/analyses.md');
w('node scripts/analyses.mjs --reuse   # rewrite the text from the sweep documents in out/analyses/');
w('```');
w();
w('The sweeps (each `sata sweep ... --jobs 2`; the runner is `compare`, the default):');
w();
w('```sh');
for (const f of ['vgg5-timesteps', 'vgg5-spike', 'vgg5-bits-weight', 'vgg5-array-ws', 'vgg5-crossing', 'digits-cnn-measured', 'vgg5-algorithms', 'resnet19-algorithms']) {
  const args = JSON.parse(readFileSync(join(OUT, `${f}.args.json`), 'utf8'));
  w(`sata sweep ${args.join(' ')}`);
}
w('# ... and the same for digits-cnn, the other sparsities, bit widths and dataflows (see scripts/analyses.mjs)');
w('```');

mkdirSync(dirname(DOC), { recursive: true });
writeFileSync(DOC, `${doc.join('\n')}\n`);
log(`wrote ${relative(root, DOC)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
