/**
 * Event-source mapping emulator for Amazon MSK: one kafkajs consumer group per `LocalEventSourceMapping`
 * (the template's group id and starting position), batches of up to the batch size delivered as the MSK
 * event Lambda builds, offsets committed only after the invocation succeeded, failures retried with backoff
 * (maximumRetryAttempts, bisect) and then sent to the on-failure destination (`kafka://topic`).
 *
 * It only needs an `Invoker`: the embedded function host locally, or the Lambda Invoke API of LocalStack.
 */
import {
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Producer,
} from 'kafkajs';
import type { InvokeResult, Invoker, LocalEventSourceMapping } from './types';

export interface MskRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key: string | null;
  value: string | null;
  headers: Record<string, number[]>[];
}

export interface MskEvent {
  eventSource: 'aws:kafka';
  eventSourceArn: string;
  bootstrapServers: string;
  records: Record<string, MskRecord[]>;
}

/** One record as Lambda puts it in an MSK event: base64 key/value, headers as `[{ name: bytes[] }]`. */
export function toMskRecord(topic: string, partition: number, message: KafkaMessage): MskRecord {
  const headers: Record<string, number[]>[] = [];
  for (const [name, raw] of Object.entries(message.headers ?? ({} as IHeaders))) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (v === undefined) continue;
      headers.push({ [name]: [...(Buffer.isBuffer(v) ? v : Buffer.from(String(v)))] });
    }
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: 'CREATE_TIME',
    key:
      message.key === null || message.key === undefined ? null : Buffer.from(message.key).toString('base64'),
    value:
      message.value === null || message.value === undefined
        ? null
        : Buffer.from(message.value).toString('base64'),
    headers,
  };
}

export function toMskEvent(
  records: readonly MskRecord[],
  source: { eventSourceArn: string; bootstrapServers: string },
): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const r of records) {
    const key = `${r.topic}-${r.partition}`;
    if (!grouped[key]) grouped[key] = [];
    grouped[key].push(r);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    bootstrapServers: source.bootstrapServers,
    records: grouped,
  };
}

export type EsmLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface EventSourceMappingOptions {
  readonly mapping: LocalEventSourceMapping;
  readonly invoker: Invoker;
  readonly brokers: readonly string[];
  /** `eventSourceArn` of delivered events (the template's MSK cluster ARN, resolved locally). */
  readonly eventSourceArn: string;
  /** `bootstrapServers` of delivered events; default the brokers. */
  readonly bootstrapServers?: string;
  /** Producer for `kafka://` on-failure destinations (shared between mappings); one is created if absent. */
  readonly producer?: Producer;
  /** Overrides the mapping's batching window (seconds). The local default is 0: deliver what is there. */
  readonly batchingWindowSeconds?: number;
  readonly retryBackoffMs?: { readonly initial: number; readonly max: number };
  /** How long a fetch waits for data when the partition is empty (ms); default 100. */
  readonly maxWaitTimeInMs?: number;
  readonly log?: (level: EsmLogLevel, message: string) => void;
  readonly clientId?: string;
}

export interface EsmStats {
  invocations: number;
  failedInvocations: number;
  recordsDelivered: number;
  recordsSentToDestination: number;
  lastError?: string;
}

/** Lambda's cap on retries when retries are infinite and an on-failure destination is set. */
const INFINITE_WITH_DESTINATION_RETRIES = 10;

export class KafkaEventSourceMapping {
  readonly stats: EsmStats = {
    invocations: 0,
    failedInvocations: 0,
    recordsDelivered: 0,
    recordsSentToDestination: 0,
  };
  private consumer?: Consumer;
  private producer?: Producer;
  private ownProducer = false;
  private stopping = false;
  private readonly kafka: Kafka;
  private readonly log: (level: EsmLogLevel, message: string) => void;

  constructor(private readonly options: EventSourceMappingOptions) {
    this.log = options.log ?? (() => {});
    this.kafka = new Kafka({
      clientId: options.clientId ?? `lambda-esm-${options.mapping.consumerGroupId}`,
      brokers: [...options.brokers],
      logLevel: logLevel.ERROR,
      logCreator:
        () =>
        ({ level, log }) => {
          if (this.stopping) return;
          const lvl: EsmLogLevel = level <= logLevel.ERROR ? 'warn' : 'debug';
          this.log(lvl, `${options.mapping.consumerGroupId}: kafka: ${log.message}`);
        },
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  get mapping(): LocalEventSourceMapping {
    return this.options.mapping;
  }

  private get maxRetries(): number {
    const m = this.options.mapping;
    if (m.maximumRetryAttempts >= 0) return m.maximumRetryAttempts;
    return m.onFailureDestination ? INFINITE_WITH_DESTINATION_RETRIES : Number.POSITIVE_INFINITY;
  }

  async start(): Promise<void> {
    const m = this.options.mapping;
    const windowMs = (this.options.batchingWindowSeconds ?? 0) * 1000;
    this.consumer = this.kafka.consumer({
      groupId: m.consumerGroupId,
      sessionTimeout: 30_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: Math.max(windowMs, this.options.maxWaitTimeInMs ?? 100),
      minBytes: windowMs > 0 ? 1024 * 1024 : 1,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    if (m.onFailureDestination?.startsWith('kafka://')) {
      this.producer = this.options.producer;
      if (!this.producer) {
        this.producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
        this.ownProducer = true;
        await this.producer.connect();
      }
    }
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [m.topic],
      fromBeginning: m.startingPosition === 'TRIM_HORIZON',
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const m = this.options.mapping;
    for (let i = 0; i < batch.messages.length; i += m.batchSize) {
      if (!payload.isRunning() || payload.isStale() || this.stopping) return;
      const chunk = batch.messages.slice(i, i + m.batchSize);
      const records = chunk.map((msg) => toMskRecord(batch.topic, batch.partition, msg));
      const done = await this.deliver(records, payload);
      if (!done) return; // stopping or rebalanced: leave the offsets uncommitted
      const last = chunk.at(-1)!.offset;
      payload.resolveOffset(last);
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
          },
        ],
      });
      await payload.heartbeat();
    }
  }

  private async invokeWithHeartbeat(records: MskRecord[], payload: EachBatchPayload): Promise<InvokeResult> {
    const event = toMskEvent(records, {
      eventSourceArn: this.options.eventSourceArn,
      bootstrapServers: this.options.bootstrapServers ?? this.options.brokers.join(','),
    });
    const beat = setInterval(() => {
      payload.heartbeat().catch(() => {});
    }, 3000);
    try {
      this.stats.invocations++;
      return await this.options.invoker.invoke(this.options.mapping.functionArn, event);
    } catch (err) {
      return { ok: false, error: { errorType: 'InvokeError', errorMessage: String(err) }, durationMs: 0 };
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * Delivers records until the function succeeds, or retries run out and they go to the destination.
   * Returns false when delivery was abandoned (shutdown, rebalance) so nothing is committed.
   */
  private async deliver(
    records: MskRecord[],
    payload: EachBatchPayload,
    attemptsSoFar = 0,
  ): Promise<boolean> {
    const m = this.options.mapping;
    let attempts = attemptsSoFar;
    for (;;) {
      if (!payload.isRunning() || payload.isStale() || this.stopping) return false;
      const result = await this.invokeWithHeartbeat(records, payload);
      attempts++;
      if (result.ok) {
        this.stats.recordsDelivered += records.length;
        return true;
      }
      this.stats.failedInvocations++;
      const err = `${result.error.errorType}: ${result.error.errorMessage}`;
      this.stats.lastError = err;
      const where = `${records[0]!.topic}-${records[0]!.partition}@${records[0]!.offset}..${records.at(-1)!.offset}`;
      this.log('warn', `${m.consumerGroupId}: invocation failed for ${where} (attempt ${attempts}): ${err}`);
      if (m.bisectBatchOnFunctionError && records.length > 1) {
        const mid = Math.ceil(records.length / 2);
        if (!(await this.deliver(records.slice(0, mid), payload, attempts))) return false;
        return this.deliver(records.slice(mid), payload, attempts);
      }
      if (attempts > this.maxRetries) {
        await this.sendToDestination(records, result, attempts);
        return true;
      }
      await this.backoff(attempts, payload);
    }
  }

  private async backoff(attempt: number, payload: EachBatchPayload): Promise<void> {
    const { initial, max } = this.options.retryBackoffMs ?? { initial: 200, max: 5000 };
    const wait = Math.min(max, initial * 2 ** (attempt - 1));
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!payload.isRunning() || this.stopping) return;
      await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
      await payload.heartbeat().catch(() => {});
    }
  }

  private async sendToDestination(
    records: MskRecord[],
    result: InvokeResult,
    attempts: number,
  ): Promise<void> {
    const m = this.options.mapping;
    const error = result.ok ? undefined : result.error;
    const destination = m.onFailureDestination;
    if (!destination) {
      this.log(
        'error',
        `${m.consumerGroupId}: dropped ${records.length} record(s) after ${attempts} attempts (no on-failure destination)`,
      );
      return;
    }
    if (!destination.startsWith('kafka://') || !this.producer) {
      this.log(
        'error',
        `${m.consumerGroupId}: on-failure destination ${destination} is not supported locally; dropped ${records.length} record(s)`,
      );
      return;
    }
    const topic = destination.slice('kafka://'.length);
    const condition = 'RetryAttemptsExhausted';
    await this.producer.send({
      topic,
      messages: records.map((r) => {
        // The actual record (key, value, headers) with the failure metadata added as headers.
        const headers: Record<string, string | Buffer> = {};
        for (const h of r.headers)
          for (const [name, bytes] of Object.entries(h)) headers[name] = Buffer.from(bytes);
        Object.assign(headers, {
          'lambda-esm-condition': condition,
          'lambda-esm-function-arn': m.functionArn,
          'lambda-esm-event-source-arn': this.options.eventSourceArn,
          'lambda-esm-consumer-group': m.consumerGroupId,
          'lambda-esm-source-topic': r.topic,
          'lambda-esm-source-partition': String(r.partition),
          'lambda-esm-source-offset': String(r.offset),
          'lambda-esm-source-timestamp': String(r.timestamp),
          'lambda-esm-approximate-invoke-count': String(attempts),
          'lambda-esm-error-type': error?.errorType ?? 'Unknown',
          'lambda-esm-error-message': (error?.errorMessage ?? '').slice(0, 1000),
        });
        return {
          key: r.key === null ? null : Buffer.from(r.key, 'base64'),
          value: r.value === null ? null : Buffer.from(r.value, 'base64'),
          headers,
        };
      }),
    });
    this.stats.recordsSentToDestination += records.length;
    this.log(
      'warn',
      `${m.consumerGroupId}: ${records.length} record(s) from ${records[0]!.topic}-${records[0]!.partition} sent to ${destination} after ${attempts} attempts`,
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.consumer?.disconnect();
    } catch {
      // already gone
    }
    if (this.ownProducer) await this.producer?.disconnect().catch(() => {});
  }
}

export interface EventSourceMappingsOptions extends Omit<EventSourceMappingOptions, 'mapping' | 'producer'> {
  readonly mappings: readonly LocalEventSourceMapping[];
}

/** Starts one emulator per enabled mapping, sharing one producer for on-failure destinations. */
export async function startEventSourceMappings(
  options: EventSourceMappingsOptions,
): Promise<{ mappings: KafkaEventSourceMapping[]; stop(): Promise<void> }> {
  const kafka = new Kafka({
    clientId: 'lambda-esm-destinations',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const mappings = options.mappings
    .filter((m) => m.enabled !== false)
    .map((mapping) => new KafkaEventSourceMapping({ ...options, mapping, producer }));
  try {
    await Promise.all(mappings.map((m) => m.start()));
  } catch (err) {
    await Promise.all(mappings.map((m) => m.stop()));
    await producer.disconnect().catch(() => {});
    throw err;
  }
  return {
    mappings,
    async stop() {
      await Promise.all(mappings.map((m) => m.stop()));
      await producer.disconnect().catch(() => {});
    },
  };
}
