import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';

/**
 * Builds the `campusg` command tree. Each command lives in its own file under `commands/`. `exitOverride`
 * comes before the commands are registered so every subcommand inherits it: commander then throws instead
 * of exiting, and `main` maps usage errors to exit code 2 (help and version stay 0).
 */
export function buildProgram(): Command {
  const program = new Command('campusg')
    .description('CampusG event backbone: run the system locally, inspect topics, logs, orders and sagas')
    .version(require('../../package.json').version)
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // The AWS SDK's notice about this machine's Node.js version is noise in a CLI's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `campusg logs ... | head`: a closed pipe ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = buildProgram();
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
