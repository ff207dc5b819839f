import { Command, CommanderError, Help } from 'commander';

/**
 * The `campusg` command tree. Each command lives in its own file under `commands/`, exporting
 * `register(program)`. `exitOverride` comes before the commands are registered so every subcommand
 * inherits it: commander then throws instead of exiting, and `main` maps usage errors to exit code 2
 * (help and version stay 0).
 *
 * A call loads only the command it runs (issue 18: the CLI answers in well under a second): `main` reads the
 * command name from argv and imports that one file, so `campusg topics list` never loads the AWS SDK's
 * Scheduler client or the local runtime. `campusg --help` and unknown commands load none: the top-level
 * help is drawn from COMMANDS below, and test/local/cli/main.lazy.test.ts checks that it matches the help of
 * the full tree that `buildProgram` registers.
 */
interface LazyCommand {
  /** The command word. */
  readonly name: string;
  /** Its line in the top-level help: name, `[options]` when it has any, arguments. */
  readonly term: string;
  /** The command's description, as its file sets it. */
  readonly description: string;
  readonly load: () => { register(program: Command): void };
}

/** Every `campusg` command, sorted: one file per command under `commands/`, exporting `register(program)`. */
export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'bridge',
    term: 'bridge [options]',
    description:
      'run the event-source mappings, Scheduler firing and HTTP API a LocalStack edition lacks, against the functions deployed there',
    load: () => require('./commands/bridge') as typeof import('./commands/bridge'),
  },
  {
    name: 'broker',
    term: 'broker [options]',
    description: 'run the embedded single-node Kafka broker (kafkajs, kcat and kafka-python can use it)',
    load: () => require('./commands/broker') as typeof import('./commands/broker'),
  },
  {
    name: 'console',
    term: 'console [options]',
    description: "print the running system's web console URL and open it in a browser",
    load: () => require('./commands/console') as typeof import('./commands/console'),
  },
  {
    name: 'consume',
    term: 'consume [options] <topic>',
    description: 'print the messages of a topic, one line each (like kafka-console-consumer); Ctrl-C stops',
    load: () => require('./commands/consume') as typeof import('./commands/consume'),
  },
  {
    name: 'cost',
    term: 'cost [options]',
    description:
      'measure what one order uses on the local runtime, then the AWS cost per 1,000 orders, per month at --rate and the ceiling, for each profile',
    load: () => require('./commands/cost') as typeof import('./commands/cost'),
  },
  {
    name: 'demo',
    term: 'demo [options]',
    description:
      'drive one order down the happy path and one into a timeout against the running system, then print both timelines',
    load: () => require('./commands/demo') as typeof import('./commands/demo'),
  },
  {
    name: 'doctor',
    term: 'doctor [options]',
    description:
      'check the system: broker, topics, consumer groups and their lag, dead letters, HTTP API; exit 1 on a problem',
    load: () => require('./commands/doctor') as typeof import('./commands/doctor'),
  },
  {
    name: 'logs',
    term: 'logs [options] <service>',
    description: "print a service's function logs (CloudWatch Logs; locally from the runtime's log capture)",
    load: () => require('./commands/logs') as typeof import('./commands/logs'),
  },
  {
    name: 'orders',
    term: 'orders',
    description: 'create, read, accept, complete and cancel orders through the HTTP API',
    load: () => require('./commands/orders') as typeof import('./commands/orders'),
  },
  {
    name: 'preflight',
    term: 'preflight [options]',
    description:
      'check before `cdk deploy`: synth with cdk-nag, self-contained bundles, one saga of each fate on the local runtime with IAM enforced; --target aws adds read-only account checks and the monthly cost; exit 1 on any failure',
    load: () => require('./commands/preflight') as typeof import('./commands/preflight'),
  },
  {
    name: 'produce',
    term: 'produce [options] <topic>',
    description:
      'send one message per stdin line to a topic (like kafka-console-producer); blank lines are skipped',
    load: () => require('./commands/produce') as typeof import('./commands/produce'),
  },
  {
    name: 'start',
    term: 'start [options]',
    description: 'run the whole system locally from the synthesized cloud assembly (what `npm start` runs)',
    load: () => require('./commands/start') as typeof import('./commands/start'),
  },
  {
    name: 'token',
    term: 'token [options]',
    description: 'print a dev JWT for the local HTTP API (use as "Authorization: Bearer <token>")',
    load: () => require('./commands/token') as typeof import('./commands/token'),
  },
  {
    name: 'topics',
    term: 'topics',
    description: 'list, describe, create and delete Kafka topics (like kafka-topics)',
    load: () => require('./commands/topics') as typeof import('./commands/topics'),
  },
  {
    name: 'trace',
    term: 'trace [options] <orderId>',
    description:
      'show the saga of one order as a timeline across the topics (order-events, payment-events, escrow-events, timer-events, notification-events, dead-letters); exit 3 when no event names the order',
    load: () => require('./commands/trace') as typeof import('./commands/trace'),
  },
];

/**
 * Commander checks required options before unknown ones, so a misspelled flag (`orders create --itme x`)
 * read as "required option '--item' not specified". A command without subcommands knows every option it
 * takes, so this reports the unknown one first, with commander's own message and "Did you mean" suggestion.
 */
class CampusgCommand extends Command {
  override createCommand(name?: string): Command {
    return new CampusgCommand(name);
  }

  override parseOptions(argv: string[]): ReturnType<Command['parseOptions']> {
    const parsed = super.parseOptions(argv);
    const [flag] = parsed.unknown;
    const wantsHelp = argv.some((a) => a === '--help' || a === '-h');
    if (this.commands.length === 0 && flag?.startsWith('-') && flag !== '--' && !wantsHelp) {
      // commander's reporter (not in its typings): it honours allowUnknownOption and adds the suggestion
      const report = (this as unknown as { unknownOption?: (flag: string) => void }).unknownOption;
      if (report) report.call(this, flag);
      else this.error(`error: unknown option '${flag}'`, { code: 'commander.unknownOption' });
    }
    return parsed;
  }
}

/** The program without its commands: name, version, help and error behaviour every command inherits. */
function baseProgram(): Command {
  return new CampusgCommand('campusg')
    .description('CampusG event backbone: run the system locally, inspect topics, logs, orders and sagas')
    .version(require('../../package.json').version)
    .showHelpAfterError()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();
}

/** The full command tree, every command registered (tests walk it; `main` registers one command only). */
export function buildProgram(): Command {
  const program = baseProgram();
  for (const c of COMMANDS) c.load().register(program);
  return program;
}

/** The command word in argv (after node and the script): the first word that is not an option. */
function commandWord(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  // `campusg help topics` shows the help of `topics`, so that is the command to load.
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program for this call: with a known command word, that command's file registers it; otherwise (no
 * command, `--help`, `--version`, a misspelled command) the commands are listed from COMMANDS and none is
 * loaded.
 */
export function programFor(argv: readonly string[]): Command {
  const program = baseProgram();
  const wanted = COMMANDS.find((c) => c.name === commandWord(argv.slice(2)));
  if (wanted) {
    wanted.load().register(program);
    return program;
  }
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  const plain = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? plain.subcommandTerm(cmd) });
  for (const c of COMMANDS) program.command(c.name).description(c.description);
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
  const program = programFor(argv);
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
