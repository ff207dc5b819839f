import type { Command } from 'commander';
import { PortInUseError, type Runtime, startRuntime } from '../../runtime/runtime';
import { CliError, EXIT, InvalidOption, type Io, positiveInt, processIo, UsageError } from '../output';

/**
 * `campusg start` (what `npm start` runs): the whole system on this machine from the synthesized cloud
 * assembly. Synthesizes when cdk.out is stale, prints the endpoints, then one line per saga event; Ctrl-C
 * (SIGINT) or SIGTERM stops everything cleanly and removes runtime.json.
 */

export interface StartFlags {
  dataDir?: string;
  kafkaPort: number;
  httpPort: number;
  awsPort: number;
  kafkaBrokers?: string;
  dynamodbEndpoint?: string;
  timeScale: number;
  synth: boolean;
  quiet?: boolean;
  assembly?: string;
}

function port(name: string): (value: string) => number {
  const parse = positiveInt(name, 0);
  return (value: string) => {
    const n = parse(value);
    if (n > 65535) throw new InvalidOption(`${name} must be a port number (0-65535), got ${value}`);
    return n;
  };
}

function timeScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidOption(`--time-scale must be a positive number, got ${value}`);
  return n;
}

export function register(program: Command, io: Io = processIo): void {
  program
    .command('start')
    .description('run the whole system locally from the synthesized cloud assembly (what `npm start` runs)')
    .option(
      '--data-dir <dir>',
      'keep broker, tables, schedules and logs here across restarts (default: in memory)',
      process.env.CAMPUSG_DATA_DIR,
    )
    .option('--kafka-port <port>', 'port of the embedded Kafka broker', port('--kafka-port'), 9092)
    .option('--http-port <port>', 'port of the HTTP API', port('--http-port'), 3000)
    .option(
      '--aws-port <port>',
      'port of the AWS API emulator (Scheduler, CloudWatch Logs, Lambda)',
      port('--aws-port'),
      4577,
    )
    .option(
      '--kafka-brokers <host:port>',
      'use this Kafka (e.g. a Docker Kafka) instead of the embedded broker (env CAMPUSG_KAFKA_BROKERS)',
      process.env.CAMPUSG_KAFKA_BROKERS,
    )
    .option(
      '--dynamodb-endpoint <url>',
      'use this DynamoDB endpoint instead of dynalite (env CAMPUSG_DYNAMODB_ENDPOINT)',
      process.env.CAMPUSG_DYNAMODB_ENDPOINT,
    )
    .option(
      '--time-scale <n>',
      'scheduler time runs n times faster (60: a 15-minute deadline passes in 15 s)',
      timeScale,
      1,
    )
    .option('--no-synth', 'never run cdk synth, even when cdk.out is stale')
    .option('--assembly <dir>', 'cloud assembly to run', 'cdk.out')
    .option('--quiet', 'no banner and no saga lines')
    .addHelpText(
      'after',
      '\nExamples:\n  npm start\n  npm start -- --data-dir .campusg/data --time-scale 60\n  npx campusg start --kafka-brokers localhost:29092 --http-port 3001\n',
    )
    .action(async (flags: StartFlags) => {
      const code = await runStart(flags, io);
      if (code !== EXIT.OK) process.exitCode = code;
    });
}

/** Starts the runtime and waits for SIGINT / SIGTERM. Resolves with the exit code once stopped. */
export async function runStart(flags: StartFlags, io: Io = processIo, cwd = process.cwd()): Promise<number> {
  if (flags.kafkaBrokers !== undefined && !/^[^,\s:]+:\d+(,[^,\s:]+:\d+)*$/.test(flags.kafkaBrokers)) {
    io.err.write(
      `campusg: ${new UsageError(`--kafka-brokers must be host:port[,host:port...], got ${flags.kafkaBrokers}`).message}\n`,
    );
    return EXIT.USAGE;
  }
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      cwd,
      assemblyDir: flags.assembly,
      dataDir: flags.dataDir,
      kafkaPort: flags.kafkaPort,
      httpPort: flags.httpPort,
      awsPort: flags.awsPort,
      kafkaBrokers: flags.kafkaBrokers,
      dynamodbEndpoint: flags.dynamodbEndpoint,
      timeScale: flags.timeScale,
      synth: flags.synth,
      quiet: flags.quiet,
      print: (l) => io.out.write(`${l}\n`),
      printError: (l) => io.err.write(`${l}\n`),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.err.write(`campusg: ${message}\n`);
    return err instanceof PortInUseError || err instanceof CliError ? EXIT.FAILURE : EXIT.FAILURE;
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.err.write(`\n${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      io.err.write(`\n${signal}: stopping the local runtime...\n`);
      runtime
        .stop()
        .catch((err) =>
          io.err.write(`campusg: while stopping: ${err instanceof Error ? err.message : String(err)}\n`),
        )
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          io.err.write('stopped\n');
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return EXIT.OK;
}
