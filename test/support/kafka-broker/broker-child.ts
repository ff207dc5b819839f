/**
 * Runs an embedded broker in its own process for crash tests (stands in for `campusg broker` when that
 * command is not available): `node -r tsx/cjs broker-child.ts --data-dir DIR [--port N]`. Prints
 * `kafka broker listening on HOST:PORT` once it accepts connections, and stops on SIGTERM.
 */
import { startBroker } from '#local/kafka-broker/index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dataDir = arg('--data-dir');
  const broker = await startBroker({
    port: Number(arg('--port') ?? 0),
    host: '127.0.0.1',
    ...(dataDir ? { dataDir } : {}),
  });
  process.stdout.write(`kafka broker listening on ${broker.host}:${broker.port}\n`);
  process.once('SIGTERM', () => {
    broker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err) => {
  process.stderr.write(`broker-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
