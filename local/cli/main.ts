import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';

/** Builds the `campusg` command tree. Each command lives in its own file under `commands/`. */
export function buildProgram(): Command {
  const program = new Command('campusg')
    .description('CampusG event backbone: run the system locally, inspect topics, logs, orders and sagas')
    .version(require('../../package.json').version)
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage errors exit 2 so scripts can tell them from failures (1).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv).catch((err) => {
    process.stderr.write(`campusg: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
