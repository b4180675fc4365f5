import type { Registry } from '@sata/plugin-api';
import type { Argv } from 'yargs';

/** Where a command writes: results to `out` (stdout), progress and diagnostics to `err` (stderr). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly interactive: boolean;
}

export interface CommandContext {
  readonly io: CliIO;
  /** The frozen registry of the command's plugins: every built-in one, or the hardware plugins for a command that declares `plugins: 'hardware'`. */
  registry(): Registry;
}

/** What runs one `sata` command: yargs options in `builder`, parsed (camel-cased) options in `handler`. */
export interface SataCommand<A = any> {
  builder(y: Argv): Argv<any>;
  handler(argv: A): void | Promise<void>;
}

/**
 * One `sata` command as the command list declares it: its name and description (what the
 * top-level `--help` shows) and `load`, which imports its module when the command runs.
 */
export interface CommandEntry {
  readonly command: string;
  readonly describe: string;
  /**
   * 'hardware': the command builds no network and runs on the hardware plugins alone
   * (HARDWARE_PLUGINS), so it starts without loading the SNN model. Default: every plugin.
   */
  readonly plugins?: 'hardware';
  load(): Promise<CommandFactory>;
}

export type CommandFactory = (ctx: CommandContext) => SataCommand;

export type { Argv };
