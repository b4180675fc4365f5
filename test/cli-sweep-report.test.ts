import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sata } from './cli.js';

const fixture = (p: string): string => fileURLToPath(new URL(`./fixtures/${p}`, import.meta.url));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'sata-cli-'));
// The sweep commands run points on worker threads, which load packages/sweep/dist (npm test builds first).
const built = existsSync(fileURLToPath(new URL('../packages/sweep/dist/worker.js', import.meta.url)));

describe('sata report', () => {
  it('writes one HTML file from several result files', async () => {
    const dir = tmp();
    const out = join(dir, 'report.html');
    const r = await sata('report', fixture('results/snn-sata.json'), fixture('results/ann-eyeriss.json'), fixture('results/sweep-timesteps.json'), '-o', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/wrote .*report.html \(\d+\.\d KiB\) from 3 result files/);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<svg class="chart"/);
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it.each([
    ['bad/not-json.json', /not-json.json: not a JSON document/],
    ['bad/wrong-kind.json', /wrong-kind.json: field "kind" must be one of/],
    ['bad/missing-field.json', /missing-field.json: field "energyPJ.byStage.BP" must be a finite number, found missing/],
    ['results/absent.json', /absent.json: cannot read: no such file/],
  ])('exits 2 on %s, naming the file and field, and writes nothing', async (bad, message) => {
    const dir = tmp();
    const out = join(dir, 'report.html');
    const r = await sata('report', fixture('results/snn-sata.json'), fixture(bad), '-o', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves an existing output untouched when an input is bad', async () => {
    const dir = tmp();
    const out = join(dir, 'report.html');
    writeFileSync(out, 'previous');
    expect((await sata('report', fixture('bad/wrong-kind.json'), '-o', out)).code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('previous');
  });
});

describe('sata sweep: bad usage exits 2 with a clear message', () => {
  it.each([
    [['sweep'], /at least one --param/],
    [['sweep', '--param', 'timesteps'], /expected NAME=VALUES/],
    [['sweep', '--param', 'timesteps=8..1'], /runs downwards/],
    [['sweep', '--param', 'timestep=1,2'], /the configuration has no "timestep"; known there: .*timesteps/],
    [['sweep', '--param', 'timesteps=a,b'], /expected numbers/],
    [['sweep', '--param', 'timesteps=1,2', '--param', 'batch=1,2,4', '--paired'], /one length: timesteps has 2, batch has 3/],
    [['sweep', '--param', 'timesteps=1,2', '--shard', '2/2'], /0-based and must be below 2/],
    [['sweep', '--param', 'timesteps=1,2', '--shard', 'first'], /expected i\/n/],
    [['sweep', '--param', 'timesteps=1,2', '--runner', 'nope'], /no such runner; known: compare, simulate, stand-in/],
    [['sweep', '--param', 'timesteps=1,2', '--jobs', '-1'], /--jobs must be a whole number/],
    [['sweep', '--param', 'timesteps=1,2', '--json', '--csv'], /choose one/],
    [['sweep', 'merge'], /Not enough non-option arguments/],
    // The simulation runners check every point before any runs.
    [['sweep', '--param', 'dataflow=os,nope'], /unknown dataflow "nope" \(known: .*os/],
    [['sweep', '--param', 'sparsity.spike=0.5,1.5'], /sweep point: sparsity.spike must be in \[0, 1\], got 1.5/],
    [['sweep', '--param', 'timesteps=0,1'], /sweep point: timesteps must be an integer in 1..1024, got 0/],
    [['sweep', '--network', 'nope', '--param', 'timesteps=1,2'], /unknown network "nope"/],
    [['sweep', '--timesteps', '0', '--param', 'batch=1,2'], /base configuration: timesteps must be an integer/],
    [['sweep', '--set', 'bits.wieght=8', '--param', 'timesteps=1,2'], /unknown setting "bits.wieght"/],
    [['sweep', '--param', 'arch=sata,eyeriss'], /compare runner runs both.*--runner simulate/],
    [['sweep', '--base', 'a.json', '--config', 'b.json', '--param', 'timesteps=1,2'], /--base and --config/],
  ])('%j', async (argv, message) => {
    const r = await sata(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe.skipIf(!built)('sata sweep on worker threads, sharded and merged', () => {
  const args = ['sweep', '--runner', 'stand-in', '--network', 'vgg5', '--param', 'timesteps=1..8', '--param', 'sparsity.spike=0.8,0.9', '--jobs', '2'];

  it('merged shards are byte-identical to the unsharded sweep; CSV and table outputs', async () => {
    const dir = tmp();
    const whole = await sata(...args, '--json');
    expect(whole.code).toBe(0);
    expect(whole.err).toMatch(/stand-in.*not a simulation/);
    expect(whole.err).toMatch(/sweep: 16\/16 points \(100%\)/);
    const doc = JSON.parse(whole.out);
    expect(doc.totalPoints).toBe(16);
    expect(doc.points.map((p: { index: number }) => p.index)).toEqual([...Array(16).keys()]);
    const files: string[] = [];
    for (const i of [0, 1, 2]) {
      const f = join(dir, `shard-${i}.json`);
      const r = await sata(...args, '--shard', `${i}/3`, '-o', f);
      expect(r.code).toBe(0);
      files.push(f);
    }
    const merged = await sata('sweep', 'merge', ...files.reverse(), '--json');
    expect(merged.code).toBe(0);
    expect(merged.out).toBe(whole.out);
    const csv = await sata('sweep', 'merge', ...files, '--csv');
    expect(csv.out.trim().split('\n')).toHaveLength(17);
    expect(csv.out.split('\n')[0]).toMatch(/^index,timesteps,sparsity.spike,arch,network,/);
    const table = await sata(...args.slice(0, 7), '--jobs', '1');
    expect(table.out).toMatch(/sweep over timesteps \(grid, 8 of 8 points\)/);
  });

  it('--shard auto takes its slice from a Slurm array or a Kubernetes indexed job; the slices merge into the whole sweep', async () => {
    const dir = tmp();
    const whole = await sata(...args, '--json');
    const withEnv = async (env: Record<string, string>, ...extra: string[]) => {
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      try {
        return await sata(...args, ...extra);
      } finally {
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
    };
    // sbatch --array=1-4: tasks 1..4 are shards 0..3.
    const slurm: string[] = [];
    for (const id of [1, 2, 3, 4]) {
      const f = join(dir, `slurm-${id}.json`);
      const r = await withEnv({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4' }, '--shard', 'auto', '-o', f);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain(`shard ${id - 1}/4 (--shard auto, from the job array's environment)`);
      slurm.push(f);
    }
    expect((await sata('sweep', 'merge', ...slurm, '--json')).out).toBe(whole.out);
    const k8s: string[] = [];
    for (const index of [0, 1, 2]) {
      const f = join(dir, `k8s-${index}.json`);
      expect((await withEnv({ JOB_COMPLETION_INDEX: String(index) }, '--shard', 'auto/3', '-o', f)).code).toBe(0);
      k8s.push(f);
    }
    expect((await sata('sweep', 'merge', ...k8s, '--json')).out).toBe(whole.out);
    const noCount = await withEnv({ JOB_COMPLETION_INDEX: '0' }, '--shard', 'auto');
    expect(noCount.code).toBe(2);
    expect(noCount.err).toMatch(/--shard auto\/N/);
  });

  it('merge exits 2 naming missing and duplicated points', async () => {
    const dir = tmp();
    const f = (i: number): string => join(dir, `s${i}.json`);
    for (const i of [0, 1, 2]) expect((await sata(...args, '--shard', `${i}/3`, '-o', f(i))).code).toBe(0);
    const missing = await sata('sweep', 'merge', f(0), f(2));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/5 of 16 points missing: 1, 4, 7, 10, 13 \(shards 1\/3 not given or incomplete\)/);
    const dup = await sata('sweep', 'merge', f(0), f(1), f(2), f(1));
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/duplicated points: 1 \(.*s1.json and .*s1.json\)/);
    writeFileSync(join(dir, 'junk.json'), '{');
    const junk = await sata('sweep', 'merge', f(0), join(dir, 'junk.json'));
    expect(junk.code).toBe(2);
    expect(junk.err).toMatch(/junk.json: not valid JSON/);
  });

  it('a failing point exits 1 naming the point', async () => {
    const dir = tmp();
    const base = join(dir, 'base.json');
    writeFileSync(base, JSON.stringify({ failAtTimesteps: 3 }));
    const r = await sata('sweep', '--runner', 'stand-in', '--base', base, '--param', 'timesteps=1..4', '--jobs', '2', '--json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/point 2 \(timesteps=3\) failed/);
    expect(r.out).toBe('');
  });
});
