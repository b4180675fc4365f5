export { runCli, processIO, EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT } from './app.js';
export { builtinRegistry, BUILTIN_PLUGINS, MODEL_PLUGINS } from './registry.js';
export { hardwareRegistry, HARDWARE_PLUGINS, HARDWARE_KINDS } from './hardware-plugins.js';
export type { CliIO, CommandContext, CommandEntry, CommandFactory, SataCommand } from './context.js';
