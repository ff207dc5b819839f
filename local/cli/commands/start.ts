import { type Command, Option } from 'commander';
import { DEFAULT_CONSOLE_PORT } from '#local/console/defaults';
import { DEFAULT_HOST, DEFAULT_PORTS } from '#local/core/defaults';
import { IAM_MODES, type IamMode } from '#local/iam/index';
import { assertPortFree, PortInUseError, type Runtime, startRuntime } from '#local/runtime/runtime';
import {
  brokerListOption,
  flushOutput,
  portOption,
  runUntilSignal,
  STATE_DIR_HELP,
  stateDirOf,
  timeScaleOption,
} from '../long-running';
import { EXIT, type Io, processIo } from '../output';

/**
 * `campusg start` (what `npm start` runs): the whole system on this machine from the synthesized cloud
 * assembly. Synthesizes when cdk.out is stale, prints the endpoints, then one line per saga event; Ctrl-C
 * (SIGINT) or SIGTERM stops everything cleanly and removes runtime.json.
 *
 * The state-dir rule, the same for every command: runtime.json and the dev-token key live in the state dir,
 * `.campusg` in the current directory unless `--state-dir` / `CAMPUSG_STATE_DIR` says otherwise; `--data-dir`
 * holds only data (broker, tables, schedules, logs). So `npm start -- --data-dir ./data` and `node bin/campusg.js ...`
 * from the same directory find each other with no flags.
 */

export interface StartFlags {
  dataDir?: string;
  stateDir?: string;
  kafkaPort: number;
  httpPort: number;
  awsPort: number;
  consolePort: number;
  kafkaBrokers?: string;
  dynamodbEndpoint?: string;
  timeScale: number;
  synth: boolean;
  quiet?: boolean;
  assembly?: string;
  iam?: IamMode;
}

export function register(program: Command, io: Io = processIo): void {
  program
    .command('start')
    .description('run the whole system locally from the synthesized cloud assembly (what `npm start` runs)')
    .option(
      '--data-dir <dir>',
      'keep broker records, tables, schedules and logs here across restarts (env CAMPUSG_DATA_DIR; default: in memory)',
      process.env.CAMPUSG_DATA_DIR,
    )
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option(
      '--kafka-port <port>',
      'port of the embedded Kafka broker',
      portOption('--kafka-port'),
      DEFAULT_PORTS.kafka,
    )
    .option('--http-port <port>', 'port of the HTTP API', portOption('--http-port'), DEFAULT_PORTS.http)
    .option(
      '--aws-port <port>',
      'port of the AWS API emulator (Scheduler, CloudWatch Logs, Lambda)',
      portOption('--aws-port'),
      DEFAULT_PORTS.aws,
    )
    .option(
      '--console-port <port>',
      'port of the web console (orders, dead letters, logs, topics; 0 = any free port)',
      portOption('--console-port'),
      DEFAULT_CONSOLE_PORT,
    )
    .addOption(
      new Option(
        '--kafka-brokers <host:port>',
        'use this Kafka (e.g. a Docker Kafka) instead of the embedded broker',
      )
        .argParser(brokerListOption('--kafka-brokers'))
        .env('CAMPUSG_KAFKA_BROKERS'),
    )
    .option(
      '--dynamodb-endpoint <url>',
      'use this DynamoDB endpoint instead of dynalite (env CAMPUSG_DYNAMODB_ENDPOINT)',
      process.env.CAMPUSG_DYNAMODB_ENDPOINT,
    )
    .option(
      '--time-scale <n>',
      'scheduler time runs n times faster (60: a 15-minute deadline passes in 15 s)',
      timeScaleOption,
      1,
    )
    .option('--no-synth', 'never run cdk synth, even when cdk.out is stale')
    .option('--assembly <dir>', 'cloud assembly to run', 'cdk.out')
    .option('--quiet', 'no banner and no saga lines')
    .addOption(
      new Option(
        '--iam <mode>',
        "check each function's AWS calls and Kafka operations against its execution role in the template: " +
          'enforce refuses what AWS would (AccessDeniedException, TOPIC_AUTHORIZATION_FAILED), warn prints and allows, off skips',
      )
        .choices(IAM_MODES)
        .default('enforce'),
    )
    .addHelpText(
      'after',
      [
        '',
        'State: runtime.json (the endpoints, for `campusg` commands in other terminals) and the dev-token key',
        'always live in the state dir, ./.campusg unless --state-dir or CAMPUSG_STATE_DIR says otherwise;',
        '--data-dir holds only data. Run other `campusg` commands from the same directory, or give them the',
        'same --state-dir / CAMPUSG_STATE_DIR.',
        '',
        'Examples:',
        '  npm start',
        '  npm start -- --data-dir ./data --time-scale 60',
        '  npm start -- --kafka-port 19092 --http-port 3001 --aws-port 4578',
        '  node bin/campusg.js start --kafka-brokers localhost:29092',
        '',
      ].join('\n'),
    )
    .action(async (flags: StartFlags) => {
      const code = await runStart(flags, io);
      // Exit now instead of when the event loop drains: while a process winds down on its own, Node restores
      // the default SIGINT action, and a Ctrl-C repeated at that moment would end it "killed by SIGINT";
      // nor can a handle left open keep a stopped runtime alive.
      await flushOutput();
      process.exit(code);
    });
}

/** Starts the runtime and waits for SIGINT / SIGTERM. Resolves with the exit code once stopped. */
export async function runStart(flags: StartFlags, io: Io = processIo, cwd = process.cwd()): Promise<number> {
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      cwd,
      assemblyDir: flags.assembly,
      dataDir: flags.dataDir,
      stateDir: stateDirOf(flags.stateDir),
      kafkaPort: flags.kafkaPort,
      httpPort: flags.httpPort,
      awsPort: flags.awsPort,
      consolePort: flags.consolePort,
      kafkaBrokers: flags.kafkaBrokers,
      dynamodbEndpoint: flags.dynamodbEndpoint,
      timeScale: flags.timeScale,
      synth: flags.synth,
      quiet: flags.quiet,
      iam: flags.iam,
      print: (l) => io.out.write(`${l}\n`),
      printError: (l) => io.err.write(`${l}\n`),
    });
  } catch (err) {
    const message =
      err instanceof PortInUseError
        ? await busyPorts(flags, err)
        : err instanceof Error
          ? err.message
          : String(err);
    io.err.write(`campusg: ${message}\n`);
    return EXIT.FAILURE;
  }

  await runUntilSignal(io, 'local runtime', () => runtime.stop());
  return EXIT.OK;
}

/**
 * The runtime stops at the first busy port; a user wants every one at once, not one per attempt. Probes all
 * the ports this start needs and names each busy one with the flag that moves it.
 */
async function busyPorts(flags: StartFlags, first: PortInUseError): Promise<string> {
  const wanted: [number, string, string][] = [
    ...(flags.kafkaBrokers ? [] : [[flags.kafkaPort, 'kafka', '--kafka-port'] as [number, string, string]]),
    [flags.httpPort, 'http api', '--http-port'],
    [flags.awsPort, 'aws api', '--aws-port'],
    [flags.consolePort, 'console', '--console-port'],
  ];
  const probes = await Promise.allSettled(
    wanted.map(([port, service, flag]) => assertPortFree(port, DEFAULT_HOST, service, flag)),
  );
  const busy = probes.flatMap((p) =>
    p.status === 'rejected' && p.reason instanceof PortInUseError ? [p.reason] : [],
  );
  if (busy.length === 0) busy.push(first);
  const list = busy.map((b) => `${b.port} (${b.service}; pass ${b.flag})`).join(', ');
  const example = busy.map((b) => `${b.flag} ${b.port + 10000 <= 65535 ? b.port + 10000 : 0}`).join(' ');
  return (
    `${busy.length === 1 ? 'port' : 'ports'} already in use: ${list}. ` +
    `Stop what holds ${busy.length === 1 ? 'it' : 'them'}, or choose others, e.g. npm start -- ${example}`
  );
}
