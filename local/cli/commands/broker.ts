import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORTS } from '#local/core/defaults';
import { announce } from '#local/instance-guard/index';
import { type BrokerLogger, startBroker } from '#local/kafka-broker/index';
import { type SaslFlags, saslFromFlags, withSaslOptions } from '../broker-sasl';
import { flushOutput, portOption } from '../long-running';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Broker events go to stderr so stdout carries only the "listening" line. */
const stderrLogger: BrokerLogger = {
  debug() {},
  info: (message) => process.stderr.write(`broker: ${message}\n`),
  warn: (message) => process.stderr.write(`broker: warning: ${message}\n`),
  error: (message) => process.stderr.write(`broker: error: ${message}\n`),
};

/** `campusg broker`: runs the embedded Kafka-protocol broker in the foreground until SIGINT/SIGTERM. */
export function register(program: Command): void {
  withSaslOptions(program.command('broker'))
    .description('run the embedded single-node Kafka broker (kafkajs, kcat and kafka-python can use it)')
    .option('--port <port>', 'TCP port (0 = any free port)', portOption('--port'), DEFAULT_PORTS.kafka)
    .option('--host <host>', 'address to bind and advertise', DEFAULT_HOST)
    .option('--data-dir <dir>', 'keep topics, records and offsets in this directory (default: in memory)')
    .option('--partitions <n>', 'partitions of auto-created topics', positiveInt, 1)
    .action(
      async (opts: { port: number; host: string; dataDir?: string; partitions: number } & SaslFlags) => {
        const broker = await startBroker({
          port: opts.port,
          host: opts.host,
          dataDir: opts.dataDir,
          defaultPartitions: opts.partitions,
          logger: stderrLogger,
          sasl: saslFromFlags(opts),
        });
        // A second broker refused on this data directory names this address (local/instance-guard).
        announce({ endpoints: { kafka: broker.address }, dirs: { dataDir: opts.dataDir } });
        process.stdout.write(`kafka broker listening on ${broker.address}\n`);
        if (broker.saslAddress) process.stdout.write(`kafka broker SASL listener on ${broker.saslAddress}\n`);
        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (signal: NodeJS.Signals) => {
            // A repeated signal (npm and the terminal both relay one Ctrl-C) never cuts a stop short.
            if (stopping) return;
            stopping = true;
            process.stderr.write(`broker: ${signal} received, stopping\n`);
            broker.stop().then(resolve, (err: unknown) => {
              process.stderr.write(
                `broker: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`,
              );
              process.exitCode = 1;
              resolve();
            });
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        // Exit at once: a process winding down on its own gets the default SIGINT action back, and a
        // repeated Ctrl-C would then end it "killed by SIGINT" (the listeners above stay until exit).
        await flushOutput();
        process.exit(process.exitCode ?? 0);
      },
    );
}
