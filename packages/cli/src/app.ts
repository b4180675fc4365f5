import { isSataError, SIMULATOR_VERSION } from '@sata/core';
import type { Registry } from '@sata/plugin-api';
import yargs from 'yargs';
import { COMMANDS } from './commands/index.js';
import type { CliIO, CommandContext } from './context.js';
import { builtinRegistry } from './registry.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

class UsageError extends Error {}

export const processIO: CliIO = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/**
 * Runs the `sata` command line and returns the exit code: 0 success, 1 a failed run,
 * 2 bad usage or bad input (the message names the problem; no stack trace).
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let registry: Registry | undefined;
  const ctx: CommandContext = { io, registry: () => (registry ??= builtinRegistry()) };
  let exitCode = EXIT_OK;
  const cli = yargs([...argv])
    .scriptName('sata')
    .usage('$0 <command> [options]\n\nSimulate BPTT training of spiking neural networks on SATA and ANN training on an Eyeriss-like baseline.')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .exitProcess(false)
    .showHelpOnFail(false)
    // Wrap to the terminal; unwrapped when piped (cliui breaks words at a fixed width).
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns) : null)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .help()
    .alias('help', 'h')
    .version(SIMULATOR_VERSION);
  for (const make of COMMANDS) {
    const c = make(ctx);
    cli.command(c.command as string | string[], c.describe, c.builder, c.handler as (a: unknown) => void);
  }
  try {
    await cli.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sata: ${e.message}\nRun 'sata --help' for usage.`);
      exitCode = EXIT_BAD_INPUT;
    } else if (isSataError(e)) {
      io.err(`sata: ${e.message}`);
      exitCode = e.exitCode;
    } else {
      io.err(`sata: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      exitCode = EXIT_FAILED;
    }
  }
  return exitCode;
}
