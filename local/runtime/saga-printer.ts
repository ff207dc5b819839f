/**
 * One readable line per saga event while the runtime runs: time, order, type, source service. Reads the
 * saga topics with its own consumer group (starting at the end the first time), never committing for the
 * functions' groups.
 */
import { Kafka, logLevel } from 'kafkajs';

export interface SagaLine {
  readonly time: string;
  readonly orderId: string;
  readonly type: string;
  readonly source: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The parsed envelope, or undefined when the value is not JSON. */
  readonly event?: Record<string, unknown>;
  /** Milliseconds since epoch when the line was received. */
  readonly receivedAt: number;
}

export interface SagaPrinterOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly print?: (line: string) => void;
  readonly onEvent?: (line: SagaLine) => void;
  readonly groupId?: string;
}

/** Parses one record value into a saga line (exported for tests). */
export function toSagaLine(
  topic: string,
  partition: number,
  offset: string,
  value: Buffer | null,
  headers?: Record<string, unknown>,
): SagaLine {
  const receivedAt = Date.now();
  let event: Record<string, unknown> | undefined;
  try {
    const parsed = value ? JSON.parse(value.toString('utf8')) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      event = parsed as Record<string, unknown>;
  } catch {
    event = undefined;
  }
  const payload = (event?.payload ?? {}) as Record<string, unknown>;
  const origin = (payload.origin ?? {}) as Record<string, unknown>;
  const failedBy = headers?.['lambda-esm-consumer-group'];
  return {
    time: typeof event?.timestamp === 'string' ? event.timestamp : new Date(receivedAt).toISOString(),
    orderId: String(
      event?.correlationId ?? payload.orderId ?? (origin.topic ? `${origin.topic}@${origin.offset}` : '-'),
    ),
    type: String(event?.type ?? (failedBy ? 'ESM_ON_FAILURE' : 'NOT_JSON')),
    source: String(event?.source ?? (failedBy ? String(failedBy) : '?')),
    topic,
    partition,
    offset,
    event,
    receivedAt,
  };
}

export function formatSagaLine(l: SagaLine): string {
  const t = l.time.length >= 23 ? l.time.slice(11, 23) : l.time;
  return `${t}  ${l.orderId.padEnd(38)} ${l.type.padEnd(20)} ${l.source}`;
}

export async function startSagaPrinter(options: SagaPrinterOptions): Promise<{ stop(): Promise<void> }> {
  const kafka = new Kafka({
    clientId: 'campusg-runtime-console',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: options.groupId ?? 'campusg-local-console',
    maxWaitTimeInMs: 100,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: false });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(message.headers ?? {}))
        headers[k] = Buffer.isBuffer(v) ? v.toString('utf8') : v;
      const line = toSagaLine(topic, partition, message.offset, message.value, headers);
      options.onEvent?.(line);
      options.print?.(formatSagaLine(line));
    },
  });
  return {
    stop: async () => {
      await consumer.disconnect().catch(() => {});
    },
  };
}
