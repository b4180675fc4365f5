import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../app.js';
import type { CliIO } from '../context.js';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

async function layer(args: string[]): Promise<{ code: number; io: ReturnType<typeof capture> }> {
  const io = capture();
  const code = await runCli(['layer', ...args], io);
  return { code, io };
}

describe('sata layer', () => {
  it('prints JSON with cycles, stalls, SRAM and DRAM traffic and energy (SCALE-Sim conv1, ws: 16863 + 1 cycles)', async () => {
    const { code, io } = await layer(['--array', '8x16', '--dataflow', 'ws', '--conv', '34,34,3,3,3,64', '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(r.cycles).toBe(16864);
    expect(r.sramReads).toMatchObject({ ifmap: 110592, filter: 1728 });
    expect(r.sramWrites.ofmap).toBe(262144);
    for (const k of ['stallCycles', 'energyPJ']) expect(typeof r[k]).toBe('number');
    expect(r.dramReads.total).toBeGreaterThan(0);
    expect(r.dramWrites.ofmap).toBe(32 * 32 * 64 * 16);
    expect(r.energy.model).toBe('sata-32nm');
    expect(r.energy.actions.every((a: { source: string }) => a.source.length > 0)).toBe(true);
  });

  it('pads a conv only when told to', async () => {
    const a = JSON.parse((await layer(['--conv', '32,32,3,3,3,64,1,1', '--json'])).io.stdout);
    expect(a.gemm).toEqual({ M: 1024, N: 64, K: 27 });
    const b = JSON.parse((await layer(['--conv', '32,32,3,3,3,64', '--json'])).io.stdout);
    expect(b.gemm).toEqual({ M: 900, N: 64, K: 27 });
  });

  it('gives the same cycles and counts with the cycle-level model', async () => {
    const args = ['--gemm', '20,12,30', '--array', '4x8', '--dataflow', 'is', '--density', '0.3,1', '--gating', 'ifmap', '--json'];
    const fold = JSON.parse((await layer(args)).io.stdout);
    const cyc = JSON.parse((await layer([...args, '--cycle-level'])).io.stdout);
    expect(cyc.model).toBe('cycle');
    expect(cyc.cycles).toBe(fold.cycles);
    expect(cyc.sramReads).toEqual(fold.sramReads);
    // Statistical densities give the expected count; the cycle-level run draws real operands.
    expect(fold.ops.activity).toBe('statistical');
    expect(cyc.ops.activity).toBe('measured');
  });

  it('prints a readable table by default, with every figure\'s source', async () => {
    const { code, io } = await layer(['--gemm', '64,32,16', '--dataflow', 'os', '--energy', 'eyeriss']);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/compute cycles +\d/);
    expect(io.stdout).toMatch(/Eyeriss normalized energy/);
  });

  it('imports an Accelergy table with --ert', async () => {
    const ert = fileURLToPath(new URL('../../../../plugins/energy-accelergy/src/fixtures/sample-ert.yaml', import.meta.url));
    const { code, io } = await layer(['--gemm', '16,16,16', '--energy', 'accelergy', '--ert', ert, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout).energy.model).toBe('accelergy');
  });

  it.each([
    [['--gemm', '4,4'], /--gemm takes M,N,K, got "4,4"/],
    [['--gemm', '4,0,4'], /--gemm: N must be an integer >= 1, got "0"/],
    [['--conv', '8,8,3,3,1,1', '--gemm', '1,1,1'], /exactly one of --conv/],
    [[], /exactly one of --conv/],
    [['--gemm', '4,4,4', '--array', '8by16'], /--array must be ROWSxCOLS/],
    [['--gemm', '4,4,4', '--dataflow', 'rs'], /unknown dataflow "rs" \(known: is, os, sata, sata-tiled, ws\)/],
    [['--gemm', '4,4,4', '--energy', 'nope'], /unknown energy model "nope"/],
    [['--gemm', '4,4,4', '--energy', 'accelergy'], /needs a table: add --ert FILE/],
    [['--gemm', '4,4,4', '--density', '2,1'], /--density takes ifmap,filter densities in \[0,1\]/],
    [['--conv', '2,2,3,3,1,1'], /kernel 3x3 is larger than the padded input 2x2/],
    [['--gemm', '4096,4096,64', '--cycle-level'], /too large for the cycle-level model/],
    [['--gemm', '4,4,4', '--bits', '16,300,16'], /filter bits must be an integer in 1..64/],
  ])('exits 2 with a clear message: %j', async (args, message) => {
    const { code, io } = await layer(args as string[]);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(message as RegExp);
    expect(io.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
