import type { Command } from 'commander';

/**
 * Every `campusg` subcommand registers itself here: one file per command under this folder, each
 * exporting `register(program)`. Keep this list sorted.
 */
export function registerCommands(_program: Command): void {}
