import { checkOutputPath, cutLongWords, isSataError, quote, SIMULATOR_VERSION } from '@sata/core';
import type { Registry } from '@sata/plugin-api';
import yargs, { type Argv } from 'yargs';
import { declaredOptions } from './yargs-options.js';
import { COMMANDS } from './commands/index.js';
import type { CliIO, CommandContext, SataCommand } from './context.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

class UsageError extends Error {}

/**
 * yargs turns a repeated option into a list; an option that takes one value given twice
 * (`--gemm 8,8,8 --gemm 4,4,4`) is a usage error rather than a list the command cannot use.
 */
function refuseRepeatedOptions(argv: Record<string, unknown>, y: Argv): void {
  const opts = declaredOptions(y);
  const lists = new Set(opts.array);
  // An option's name as the user knows it: the longest of its aliases (`--timesteps`, not `-T`).
  const longName = new Map<string, string>();
  for (const [key, aliases] of Object.entries(opts.alias)) {
    const group = [key, ...aliases];
    const long = group.reduce((a, b) => (b.length > a.length || (b.length === a.length && b.includes('-')) ? b : a));
    for (const k of group) longName.set(k, long);
    if (group.some((k) => lists.has(k))) for (const k of group) lists.add(k);
  }
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || !Array.isArray(value) || lists.has(key)) continue;
    const long = longName.get(key) ?? key;
    const name = long.length === 1 ? `-${long}` : `--${long.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(`${name} was given ${value.length} times (${value.map((v) => quote(v, 40)).join(', ')}); it takes one value`);
  }
}

/**
 * yargs 17 renders the running command's whole help text as each handler starts, so that a
 * later failure could show it; with showHelpOnFail(false) nothing ever reads it, and it was
 * 11 ms of a 0.19 s `sata layer` run. Turned off where yargs has the hook (an internal one:
 * if a yargs upgrade drops it, this does nothing and only start-up is slower).
 */
function skipHelpCache(y: Argv): void {
  const usage = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

export const processIO: CliIO = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/** The options that name a file a command writes; `-` (where allowed) is stdout. */
const OUTPUT_OPTIONS = { trace: '--trace', output: '--output', recordActivity: '--record-activity' } as const;

/** Output paths are checked before a run starts, so that a bad one costs nothing and loses nothing. */
function checkOutputOptions(argv: Record<string, unknown>): void {
  for (const [key, option] of Object.entries(OUTPUT_OPTIONS)) {
    const path = argv[key];
    if (typeof path === 'string' && path !== '-') checkOutputPath(path, option);
  }
}

/**
 * Runs the `sata` command line and returns the exit code: 0 success, 1 a failed run,
 * 2 bad usage or bad input (the message names the problem; no stack trace).
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  // The registry of the command that runs, built from its plugin list on first use.
  let registry: Registry | undefined;
  let makeRegistry: (() => Registry) | undefined;
  const ctx: CommandContext = {
    io,
    registry: () => {
      if (!makeRegistry) throw new Error('the registry was asked for before a command was loaded');
      return (registry ??= makeRegistry());
    },
  };
  let exitCode = EXIT_OK;
  const cli: Argv = yargs([...argv])
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
    .middleware((argv) => refuseRepeatedOptions(argv, cli), true)
    .middleware(checkOutputOptions, false)
    .help()
    .alias('help', 'h')
    .version(SIMULATOR_VERSION);
  skipHelpCache(cli);
  for (const entry of COMMANDS) {
    // yargs runs a command's builder only when that command is given: its module loads then.
    let command: SataCommand | undefined;
    const load = async (): Promise<SataCommand> => {
      makeRegistry ??= entry.plugins === 'hardware' ? (await import('./hardware-plugins.js')).hardwareRegistry : (await import('./registry.js')).builtinRegistry;
      return (command ??= (await entry.load())(ctx));
    };
    cli.command(entry.command, entry.describe, async (y) => (await load()).builder(y), async (argv) => (await load()).handler(argv));
  }
  try {
    await cli.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sata: ${cutLongWords(e.message)}\nRun 'sata --help' for usage.`);
      exitCode = EXIT_BAD_INPUT;
    } else if (isSataError(e)) {
      io.err(`sata: ${cutLongWords(e.message)}`);
      exitCode = e.exitCode;
    } else {
      io.err(`sata: internal error: ${cutLongWords(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
      exitCode = EXIT_FAILED;
    }
  }
  return exitCode;
}
