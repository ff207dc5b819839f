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
  /** How long a fetch waits for data when the partitions are empty (ms); default 250. The broker answers as soon as a record arrives. */
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

/** One partition of a mapping: records fetched but not yet delivered, delivered one batch at a time. */
interface PartitionLane {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly queue: KafkaMessage[];
  /** The offset after the last record delivered successfully (or sent to the destination). */
  next?: bigint;
  active: boolean;
  paused: boolean;
  /** Settles when the lane has nothing in flight. */
  idle: Promise<void>;
}

/** A lane pauses its partition when this many batches are queued, and resumes below one batch. */
const LANE_QUEUE_BATCHES = 4;

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
  private readonly lanes = new Map<string, PartitionLane>();
  /** Bumped on every join of the group; deliveries of an older generation are abandoned. */
  private generation = 0;
  private assigned = new Set<string>();
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
      // The broker answers a fetch as soon as a record arrives (long poll), so this only bounds idle polling.
      maxWaitTimeInMs: Math.max(windowMs, this.options.maxWaitTimeInMs ?? 250),
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
    const consumer = this.consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberAssignment));
    await consumer.connect();
    await consumer.subscribe({
      topics: [m.topic],
      fromBeginning: m.startingPosition === 'TRIM_HORIZON',
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.onBatch(payload),
    });
  }

  /**
   * A new generation of the group (start, rebalance): kafkajs fetches again from the committed offsets, so
   * what the lanes had queued but not started is dropped (it comes again); an invocation in flight finishes
   * and commits only if its partition is still ours.
   */
  private onGroupJoin(assignment: Record<string, number[]>): void {
    this.generation++;
    this.assigned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}|${p}`)),
    );
    for (const lane of this.lanes.values()) {
      lane.queue.length = 0;
      lane.paused = false;
    }
  }

  private lane(topic: string, partition: number): PartitionLane {
    const key = `${topic}|${partition}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { key, topic, partition, queue: [], active: false, paused: false, idle: Promise.resolve() };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /**
   * Fetched records go to their partition's lane and the fetch position moves on at once, so a slow
   * invocation on one partition never holds back the fetches of the others (Lambda polls and invokes every
   * partition concurrently). Each lane invokes one batch at a time, in offset order, and commits after
   * success; a lane with a long queue pauses its partition until it catches up.
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.stopping || batch.messages.length === 0) return;
    const lane = this.lane(batch.topic, batch.partition);
    lane.queue.push(...batch.messages);
    payload.resolveOffset(batch.messages.at(-1)!.offset);
    const limit = this.options.mapping.batchSize * LANE_QUEUE_BATCHES;
    if (!lane.paused && lane.queue.length >= limit) {
      lane.paused = true;
      this.consumer?.pause([{ topic: lane.topic, partitions: [lane.partition] }]);
    }
    this.kick(lane);
  }

  private kick(lane: PartitionLane): void {
    if (lane.active || this.stopping) return;
    lane.active = true;
    lane.idle = this.drain(lane).catch((err) =>
      this.log('error', `${this.options.mapping.consumerGroupId}: ${lane.key}: ${String(err)}`),
    );
  }

  private async drain(lane: PartitionLane): Promise<void> {
    const m = this.options.mapping;
    try {
      for (;;) {
        if (this.stopping) return;
        // records a previous generation already delivered come again after a rebalance: skip them
        while (lane.queue.length && lane.next !== undefined && BigInt(lane.queue[0]!.offset) < lane.next)
          lane.queue.shift();
        if (lane.queue.length === 0) return;
        const generation = this.generation;
        const chunk = lane.queue.splice(0, m.batchSize);
        const records = chunk.map((msg) => toMskRecord(lane.topic, lane.partition, msg));
        const done = await this.deliver(records, generation);
        if (!done) continue; // rebalanced or stopping: nothing committed, the records come again
        const next = BigInt(chunk.at(-1)!.offset) + 1n;
        lane.next = next;
        if (this.assigned.has(lane.key)) {
          await this.consumer
            ?.commitOffsets([{ topic: lane.topic, partition: lane.partition, offset: next.toString() }])
            .catch((err) =>
              this.log('debug', `${m.consumerGroupId}: commit ${lane.key}@${next} failed: ${String(err)}`),
            );
        }
        if (lane.paused && lane.queue.length < m.batchSize) {
          lane.paused = false;
          this.consumer?.resume([{ topic: lane.topic, partitions: [lane.partition] }]);
        }
      }
    } finally {
      lane.active = false;
    }
  }

  private async invoke(records: MskRecord[]): Promise<InvokeResult> {
    const event = toMskEvent(records, {
      eventSourceArn: this.options.eventSourceArn,
      bootstrapServers: this.options.bootstrapServers ?? this.options.brokers.join(','),
    });
    try {
      this.stats.invocations++;
      return await this.options.invoker.invoke(this.options.mapping.functionArn, event);
    } catch (err) {
      return { ok: false, error: { errorType: 'InvokeError', errorMessage: String(err) }, durationMs: 0 };
    }
  }

  /** False once the group moved to another generation or the mapping is stopping: abandon the records. */
  private abandoned(generation: number): boolean {
    return this.stopping || generation !== this.generation;
  }

  /**
   * Delivers records until the function succeeds, or retries run out and they go to the destination.
   * Returns false when delivery was abandoned (shutdown, rebalance) so nothing is committed.
   */
  private async deliver(records: MskRecord[], generation: number, attemptsSoFar = 0): Promise<boolean> {
    const m = this.options.mapping;
    let attempts = attemptsSoFar;
    for (;;) {
      if (this.abandoned(generation)) return false;
      const result = await this.invoke(records);
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
        if (!(await this.deliver(records.slice(0, mid), generation, attempts))) return false;
        return this.deliver(records.slice(mid), generation, attempts);
      }
      if (attempts > this.maxRetries) {
        await this.sendToDestination(records, result, attempts);
        return true;
      }
      await this.backoff(attempts, generation);
    }
  }

  private async backoff(attempt: number, generation: number): Promise<void> {
    const { initial, max } = this.options.retryBackoffMs ?? { initial: 200, max: 5000 };
    const wait = Math.min(max, initial * 2 ** (attempt - 1));
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (this.abandoned(generation)) return;
      await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
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
    // invocations in flight finish and commit; nothing new starts
    this.stopping = true;
    await Promise.all([...this.lanes.values()].map((l) => l.idle));
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
