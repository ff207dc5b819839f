import type { Command } from 'commander';
import { BRIDGE_DEFAULTS, type Bridge, describeBridge, startBridge } from '#local/bridge/index';
import {
  brokerListOption,
  portOption,
  runUntilSignal,
  STATE_DIR_HELP,
  stateDirOf,
  timeScaleOption,
} from '../long-running';
import { EXIT, type Io, processIo } from '../output';

/**
 * `campusg bridge`: runs what the LocalStack edition cannot (event-source mappings without MSK, Scheduler
 * firing, the HTTP API without apigatewayv2) against the functions deployed in LocalStack, until Ctrl-C.
 * See local/bridge/bridge.ts and localstack/README.md.
 */

export interface BridgeFlags {
  endpoint: string;
  region: string;
  brokers: string;
  assembly: string;
  deployedAssembly: string;
  timeScale: number;
  httpPort: number;
  stateDir?: string;
  synth: boolean;
  quiet?: boolean;
}

export function register(program: Command, io: Io = processIo): void {
  program
    .command('bridge')
    .description(
      'run the event-source mappings, Scheduler firing and HTTP API a LocalStack edition lacks, against the functions deployed there',
    )
    .option(
      '--endpoint <url>',
      'LocalStack endpoint (env AWS_ENDPOINT_URL)',
      process.env.AWS_ENDPOINT_URL ?? BRIDGE_DEFAULTS.endpoint,
    )
    .option(
      '--region <region>',
      'region of the deployment (env AWS_REGION)',
      process.env.AWS_REGION ?? BRIDGE_DEFAULTS.region,
    )
    .option(
      '--brokers <host:port>',
      'the compose Kafka as seen from this machine (env CAMPUSG_BROKERS)',
      brokerListOption('--brokers'),
      process.env.CAMPUSG_BROKERS ?? BRIDGE_DEFAULTS.kafkaBrokers,
    )
    .option(
      '--assembly <dir>',
      "the app's cloud assembly (synthesized when stale)",
      BRIDGE_DEFAULTS.appAssembly,
    )
    .option(
      '--deployed-assembly <dir>',
      'the assembly npm run localstack:deploy deployed',
      BRIDGE_DEFAULTS.deployedAssembly,
    )
    .option(
      '--time-scale <n>',
      'schedules fire n times sooner (60: a 15-minute deadline passes in 15 s)',
      timeScaleOption,
      1,
    )
    .option(
      '--http-port <port>',
      'port of the bridged HTTP API (editions without API Gateway HTTP APIs)',
      portOption('--http-port'),
      BRIDGE_DEFAULTS.httpPort,
    )
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--no-synth', "never synthesize the app's assembly, even when stale")
    .option('--quiet', 'no banner and no saga lines')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run localstack:bridge\n  node bin/campusg.js bridge --time-scale 60\n  node bin/campusg.js bridge --endpoint http://localhost:4566 --brokers localhost:9092\n',
    )
    .action(async (flags: BridgeFlags) => {
      const code = await runBridge(flags, io);
      if (code !== EXIT.OK) process.exitCode = code;
    });
}

/** Starts the bridge and waits for SIGINT / SIGTERM. Resolves with the exit code once stopped. */
export async function runBridge(
  flags: BridgeFlags,
  io: Io = processIo,
  cwd = process.cwd(),
): Promise<number> {
  let bridge: Bridge;
  try {
    bridge = await startBridge({
      cwd,
      endpoint: flags.endpoint,
      region: flags.region,
      kafkaBrokers: flags.brokers,
      appAssemblyDir: flags.assembly,
      deployedAssemblyDir: flags.deployedAssembly,
      timeScale: flags.timeScale,
      httpPort: flags.httpPort,
      stateDir: stateDirOf(flags.stateDir),
      synth: flags.synth,
      sagaLines: !flags.quiet,
      credentials:
        process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY }
          : undefined,
      print: (l) => io.out.write(`${l}\n`),
      printError: (l) => io.err.write(`${l}\n`),
      onSchedulerEvent: (e) => {
        if (flags.quiet) return;
        if (e.type === 'source-error') io.err.write(`[scheduler] ${e.error}\n`);
        else if (e.type === 'succeeded')
          io.err.write(`[scheduler] fired ${e.schedule.groupName}/${e.schedule.name}\n`);
        else if (e.type === 'failed') io.err.write(`[scheduler] ${e.schedule.name} failed: ${e.error}\n`);
      },
    });
  } catch (err) {
    io.err.write(`campusg: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.FAILURE;
  }
  if (!flags.quiet) io.out.write(`${describeBridge(bridge, flags.endpoint, flags.brokers)}\n`);

  await runUntilSignal(io, 'bridge', () => bridge.stop());
  return EXIT.OK;
}
