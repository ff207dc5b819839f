import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { type Broker, type BrokerLogger, startBroker } from '#local/kafka-broker/index';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** Collects broker log lines so tests can assert on them (and stay quiet). */
export function memoryLogger(): BrokerLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** Starts brokers on port 0 and stops all of them in afterAll. */
export function brokerPool(): { start(options?: Parameters<typeof startBroker>[0]): Promise<Broker> } {
  const started: Broker[] = [];
  afterAll(async () => {
    await Promise.all(started.map((b) => b.stop()));
  });
  return {
    async start(options) {
      const broker = await startBroker({ port: 0, host: '127.0.0.1', logger: memoryLogger(), ...options });
      started.push(broker);
      return broker;
    },
  };
}

/** A kafkajs client with tight retries, so failures surface fast. */
export function kafkaFor(broker: Broker, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'broker-test',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 },
    ...config,
  });
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs a command to completion with a timeout; resolves with its output whatever the exit code. */
export function run(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
