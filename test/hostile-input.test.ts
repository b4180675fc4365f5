/**
 * Hostile and mistaken input, one case per class a fuzzing run found (issue 15): each exits
 * 2 with a message naming the file, field and problem, no stack trace, nothing on stdout
 * that looks like a result, and nothing already written lost.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sata } from './cli.js';

/** Exit 2, the message matches, no stack, nothing on stdout. */
async function refused(args: string[], message: RegExp): Promise<string> {
  const r = await sata(...args);
  expect(r.err, args.join(' ')).toMatch(message);
  expect(r.code, r.err).toBe(2);
  expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+/);
  expect(r.out).toBe('');
  return r.err;
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sata-hostile-'));
const write = (dir: string, name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const device = (p: string): string => {
  const st = statSync(p);
  return `${st.isCharacterDevice()} ${st.rdev}`;
};
const TRACE = fileURLToPath(new URL('../traces/vgg5-conv2.trace', import.meta.url));
// The command as users run it (the bin: the bundle when it is up to date).
const MAIN = fileURLToPath(new URL('../packages/cli/bin/sata.js', import.meta.url));
const SMALL = ['--network', 'mlp', '-T', '2'];

describe('an output that is a device or special file is written in place, never replaced', () => {
  it('--trace /dev/null records into the device and leaves it a device', async () => {
    const before = device('/dev/null');
    const r = await sata('layer', '--gemm', '8,8,8', '--trace', '/dev/null');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/bytes in \/dev\/null/);
    expect(device('/dev/null')).toBe(before);
    expect(readdirSync('/dev').filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a full device is an error naming it (exit 2), and compare does not derive names beside a device', async () => {
    await refused(['layer', '--gemm', '8,8,8', '--trace', '/dev/full'], /output \/dev\/full: cannot write: ENOSPC/);
    await refused(['compare', ...SMALL, '--trace', '/dev/full'], /--trace \/dev\/full: compare writes three traces named after FILE .*give a regular file name/);
    expect(existsSync('/dev/full.snn.trace')).toBe(false);
    expect(device('/dev/full')).toMatch(/^true/);
  });

  it('sweep merge -o /dev/null writes into the device', async () => {
    const dir = tmp();
    const shard = join(dir, 's.json');
    expect((await sata('sweep', '--runner', 'stand-in', '--param', 'timesteps=1,2', '-j', '0', '--no-progress', '-o', shard)).code).toBe(0);
    const before = device('/dev/null');
    expect((await sata('sweep', 'merge', shard, '-o', '/dev/null')).code).toBe(0);
    expect(device('/dev/null')).toBe(before);
  });
});

describe('device files and pipes as inputs are read with a size cap', () => {
  it('--config /dev/zero and reference check /dev/urandom are refused at the cap', async () => {
    await refused(['simulate', '--config', '/dev/zero'], /configuration file \/dev\/zero: more than the 256 MiB an input may have \(read as a stream/);
    await refused(['reference', 'check', '/dev/urandom'], /golden file \/dev\/urandom: more than the 256 MiB/);
  });

  it('a configuration from a pipe still works (--config <(...), /dev/stdin)', async () => {
    const dir = tmp();
    const fifo = join(dir, 'config.fifo');
    spawnSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'timesteps: 3\\n' > '${fifo}'`]);
    const r = await sata('simulate', '--network', 'mlp', '--config', fifo, '--json');
    await new Promise((done) => writer.on('exit', done));
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).config.timesteps).toBe(3);
  });
});

describe('YAML alias bombs and unresolved aliases', () => {
  const bomb = (): string => {
    let s = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    let prev = 'a';
    for (const n of 'bcdefghi') {
      s += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
      prev = n;
    }
    return s;
  };
  it('are refused in --config, --network, --sparsity-profile and sweep --base', async () => {
    const dir = tmp();
    const b = write(dir, 'bomb.yaml', bomb());
    const u = write(dir, 'undefined.yaml', 'timesteps: *undefined\n');
    const cycle = write(dir, 'cycle.yaml', 'a: &a\n  b: *a\n');
    await refused(['simulate', '--config', u], /undefined\.yaml: a YAML alias cannot be used: Unresolved alias/);
    await refused(['simulate', '--config', b], /bomb\.yaml: a YAML alias cannot be used: Excessive alias count/);
    await refused(['simulate', '--network', b], /bomb\.yaml: a YAML alias cannot be used/);
    await refused(['simulate', '--sparsity-profile', u], /undefined\.yaml: a YAML alias cannot be used/);
    await refused(['sweep', '--base', b, '--param', 'timesteps=1,2'], /bomb\.yaml: a YAML alias cannot be used/);
    await refused(['simulate', '--config', cycle], /cycle\.yaml: a\.b contains itself/);
  });
});

describe('layer and input sizes are bounded before anything is allocated', () => {
  it('a conv of 1e9 output channels or an input of 1e9 channels: refused with the memory estimate', async () => {
    const dir = tmp();
    const wide = write(dir, 'wide.json', JSON.stringify({ name: 'wide', inputShape: [3, 8, 8], layers: [{ type: 'conv', in: 3, out: 1e9, k: 3 }, { type: 'out', in: 36e9, out: 10 }] }));
    const deepIn = write(dir, 'deep-in.json', JSON.stringify({ name: 'deepin', inputShape: [1e9, 8, 8], layers: [{ type: 'conv', in: 1e9, out: 4, k: 3, pad: 1 }, { type: 'out', in: 256, out: 10 }] }));
    await refused(['simulate', '--network', wide, '--sparsity', 'measured'], /measured sparsity: the functional model of network wide .* needs about [\d.e+]+ GiB, more than this machine's [\d.]+ GiB of memory/);
    await refused(['train', '--network', wide, '--dataset', 'synthetic', '--epochs', '1'], /sata train: the functional model of network wide .* needs about/);
    await refused(['simulate', '--network', deepIn, '--sparsity', 'measured'], /network deepin .* needs about/);
    await refused(['train', '--network', deepIn, '--dataset', 'synthetic', '--epochs', '1'], /network deepin .* needs about/);
  });
});

describe('the work a run may ask for is bounded (found by fuzzing further)', () => {
  it('a sweep point of a billion time steps and a billion training epochs are refused, not run out of memory or time', async () => {
    await refused(['sweep', '--runner', 'stand-in', '-j', '0', '--param', 'timesteps=1e9'], /timesteps must be an integer in 1\.\.1024 for the stand-in runner, got 1000000000/);
    await refused(['train', '--network', 'mlp', '--dataset', 'synthetic', '--samples', '60', '--epochs', '1e9'], /epochs must be an integer in 1\.\.100000, got 1000000000/);
  });
});

describe('unreadable inputs and unwritable outputs are refused before the run', () => {
  it('a directory as a trace or an activity trace', async () => {
    const dir = tmp();
    await refused(['trace', 'info', dir], /trace .*: is a directory, not a file/);
    await refused(['replay', dir, '--verify'], /trace .*: is a directory, not a file/);
    await refused(['simulate', ...SMALL, '--activity', dir], /activity trace .*: cannot read: is a directory/);
  });

  it('an output in a missing folder or a directory as an output: nothing runs, nothing is printed', async () => {
    const dir = tmp();
    const missing = join(dir, 'no', 'such');
    const shard = join(dir, 's.json');
    expect((await sata('sweep', '--runner', 'stand-in', '--param', 'timesteps=1,2', '-j', '0', '--no-progress', '-o', shard)).code).toBe(0);
    await refused(['report', shard, '-o', join(missing, 'r.html')], /--output .*r\.html: cannot write: the folder .*no\/such does not exist/);
    await refused(['sweep', '--runner', 'stand-in', '--param', 'timesteps=1,2', '-j', '0', '-o', join(missing, 'x.json')], /the folder .* does not exist/);
    await refused(['sweep', 'merge', shard, '-o', join(missing, 'x.json')], /the folder .* does not exist/);
    await refused(['simulate', ...SMALL, '--trace', dir], /--trace .*: is a directory; give a file name/);
    await refused(['train', '--network', 'mlp', '--dataset', 'synthetic', '--epochs', '1', '--samples', '60', '--trace', dir], /--trace .*: is a directory/);
    await refused(['train', '--network', 'mlp', '--dataset', 'synthetic', '--epochs', '1', '--samples', '60', '--record-activity', join(missing, 'a.act')], /--record-activity .*: cannot write/);
  });

  it('an existing output survives a failed run', async () => {
    const dir = tmp();
    const out = write(dir, 'sweep.json', 'keep me');
    await refused(['sweep', 'merge', write(dir, 'junk.json', '{'), '-o', out], /junk\.json: not valid JSON/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(readdirSync(dir).sort()).toEqual(['junk.json', 'sweep.json']);
  });
});

describe('options and keys', () => {
  it('an option that takes one value, given twice, is a usage error', async () => {
    await refused(['layer', '--gemm', '8,8,8', '--gemm', '4,4,4'], /--gemm was given 2 times \("8,8,8", "4,4,4"\); it takes one value/);
    await refused(['simulate', '-T', '2', '--timesteps', '3'], /--timesteps was given 2 times/);
    expect((await sata('simulate', ...SMALL, '--set', 'batch=2', '--set', 'seed=3', '--json')).code).toBe(0); // --set is a list
  });

  it('prototype keys and inherited names are not settings', async () => {
    const dir = tmp();
    await refused(['simulate', '--config', write(dir, 'p.json', '{"__proto__": {"timesteps": 3, "bogusKey": 1}}')], /p\.json: __proto__ is not a setting/);
    await refused(['simulate', '--config', write(dir, 'p.yaml', '__proto__: {timesteps: 3}\n')], /p\.yaml: __proto__ is not a setting/);
    for (const key of ['toString', 'valueOf', 'constructor', 'hasOwnProperty']) {
      await refused(['simulate', '--config', write(dir, `${key}.json`, JSON.stringify({ memory: { [key]: 1 } }))], new RegExp(`unknown setting "memory\\.${key}"`));
      await refused(['simulate', '--set', `${key}=1`], new RegExp(`unknown setting "${key}"|"${key}" is not a setting path`));
    }
    await refused(['simulate', '--set', 'memory.toString=1'], /unknown setting "memory\.toString"/);
  });

  it('sweep merge --help lists its own options only', async () => {
    // yargs prints help itself (to the process's stdout), so this one runs the built command.
    const r = { ...spawnSync(process.execPath, [MAIN, 'sweep', 'merge', '--help'], { encoding: 'utf8' }) };
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/-o, --output/);
    expect(r.stdout).not.toMatch(/-o, -o/);
    expect(r.stdout).not.toMatch(/--network|--param|--timesteps/);
  });
});

describe('traces, determinism and messages', () => {
  it('replay --verify of a trace with a damaged header exits 2, as trace info reports it', async () => {
    const dir = tmp();
    const damaged = join(dir, 'damaged.trace');
    copyFileSync(TRACE, damaged);
    const bytes = readFileSync(damaged);
    bytes[bytes.indexOf('seed') + 60] ^= 1; // inside the header's component list
    writeFileSync(damaged, bytes);
    const info = await sata('trace', 'info', damaged);
    expect(info.code).toBe(2);
    await refused(['replay', damaged, '--verify'], /cannot verify a damaged trace: .*damaged\.trace: byte offset \d+ .*digest mismatch/);
  });

  it('train --json is byte-identical between two identical runs (timings on stderr only)', async () => {
    const args = ['train', '--network', 'mlp', '--dataset', 'synthetic', '--samples', '120', '--epochs', '2', '--json'];
    const a = await sata(...args);
    const b = await sata(...args);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).not.toMatch(/seconds/i);
    expect(a.err).toMatch(/trained in [\d.]+ s/);
  });

  it('an error message quotes a huge bad value cut short', async () => {
    const dir = tmp();
    const net = write(dir, 'huge.json', JSON.stringify({ name: 'x', inputShape: [4], layers: [Array.from({ length: 200_000 }, (_, i) => i), { type: 'out', in: 4, out: 2 }] }));
    const err = await refused(['simulate', '--network', net], /huge\.json: layers\[0\]: a layer must be an object, found \[0,1,2,.*… \(a list of 200000 items\)/);
    expect(err.length).toBeLessThan(400);
    const str = await refused(['simulate', '--config', write(dir, 's.json', JSON.stringify({ network: 'x'.repeat(100_000) }))], /a string of 100000 characters/);
    expect(str.length).toBeLessThan(400);
  });

  // Found by giving every option of every command a 100,000-character value (session 3): 40
  // of them echoed it whole, through yargs' own messages (choices, a boolean given a value),
  // OS errors that name a path, and our own. One of each route:
  it('an argument of 100,000 characters comes back cut short, whichever way the message is made', async () => {
    const huge = 'a'.repeat(100_000);
    const cases: [string[], RegExp][] = [
      [['layer', '--gating', huge], /Argument: gating, Given: "a{199}… \(100003 characters\) Choices: "none"/], // yargs' choices
      [['layer', '--gemm', '8,8,8', '--cycle-level', huge], /Unknown argument: a{200}… \(100000 characters\)/], // a boolean given a value
      [['layer', '--gemm', huge], /--gemm takes M,N,K, got "a{199}… \(100002 characters\)/], // ours
      [['simulate', '--set', `${huge}=1`], /unknown setting "a{199}… \(100002 characters\) \(known: algorithm,/],
      [['simulate', '--algorithm', huge], /unknown training algorithm "a{199}… \(100002 characters\) \(known: bptt,/],
      [['simulate', '--arch', huge], /unknown architecture "a{199}… \(100003 characters\) not a registered/],
      [['trace', 'info', huge], /cannot read trace a{200}… \(100001 characters\) ENAMETOOLONG/], // an OS error naming the path
      [['report', huge], /result file a{200}… \(100001 characters\) cannot read/],
    ];
    for (const [args, message] of cases) {
      const err = await refused(args, message);
      expect(err.length, args.join(' ').slice(0, 60)).toBeLessThan(1200);
    }
  });
});
