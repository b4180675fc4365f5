/**
 * tools/pytorch_activity.py writes an activity trace from a PyTorch SNN through hooks. It
 * runs only where a Python with torch, numpy and msgpack is found (Debian: python3-torch,
 * python3-msgpack); elsewhere the test is skipped and says why. The fixture it produced
 * (tools/fixtures/mlp-torch.activity) is read and replayed by test/trace-training.test.ts
 * regardless.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIO } from '@sata/cli';
import { readActivityTrace } from '@sata/trace';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch, numpy, msgpack'], { stdio: 'ignore' }).status === 0);
if (!python) console.warn('tools/pytorch_activity.py test skipped: no python3 with torch, numpy and msgpack (apt-get install python3-torch python3-msgpack)');

describe('tools/pytorch_activity.py', () => {
  it.skipIf(!python)('writes a valid activity trace of the mlp that sata simulate replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-torch-'));
    try {
      const out = join(dir, 'mlp.activity');
      execFileSync(python!, [join(root, 'tools', 'pytorch_activity.py'), out, '--steps', '3', '--batch', '2', '--encoding', 'mixed'], { stdio: 'pipe' });
      const trace = readActivityTrace(out);
      expect(trace.header).toMatchObject({ network: 'mlp', timeSteps: 3, batch: 2 });
      expect(trace.header.layers.map((l) => [l.name, l.neurons])).toEqual([['fc1', 256], ['fc2', 128], ['out', 20]]);
      expect(trace.missing()).toEqual([]);
      expect(trace.steps.some((s) => 'bitmap' in s.data)).toBe(true);
      expect(trace.steps.some((s) => 'counts' in s.data)).toBe(true);
      const o: string[] = [];
      const cli: CliIO = { out: (t) => void o.push(t), err: () => {}, interactive: false };
      expect(await runCli(['simulate', '--network', 'mlp', '-T', '3', '--batch', '2', '--activity', out, '--json'], cli)).toBe(0);
      expect(JSON.parse(o.join('')).sparsitySource).toBe('replayed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
