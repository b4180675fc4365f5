/** Running the `sata` command line in-process for the integration tests, capturing what it prints. */
import { runCli } from '../packages/cli/src/app.js';
import type { CliIO } from '../packages/cli/src/context.js';

/** An io whose `stdout` and `stderr` collect the lines printed (each ending in a newline). */
export function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

/** Runs `sata ARGV...`: the exit code and what went to stdout and stderr, each line ending in a newline. */
export async function sata(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`), err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`), interactive: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** Runs `sata ARGS...`: what was printed, joined as given (no newlines added). */
export async function sataJoined(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false };
  const code = await runCli(args, cli);
  return { code, out: out.join(''), err: err.join('') };
}
