/**
 * Event-source mapping emulator for Amazon MSK: one kafkajs consumer group per `LocalEventSourceMapping`
 * (the template's group id and starting position), batches of up to the batch size delivered as the MSK
 * event Lambda builds, offsets committed only after the invocation succeeded, failures retried with backoff
 * (maximumRetryAttempts, bisect) and then sent to the on-failure destination (`kafka://topic`).
 *
 * The controls the template sets, as Lambda documents them for Kafka:
 * - `BatchSize`, `MaximumBatchingWindowInSeconds` (a partition's batch waits for the window unless full);
 * - `MaximumRetryAttempts` (retries after the first invocation; -1 = until the record expires, capped at 10
 *   when an on-failure destination is set), `BisectBatchOnFunctionError`;
 * - `MaximumRecordAgeInSeconds`: a record older than that is not invoked again; it goes to the on-failure
 *   destination (condition `RecordAgeExceeded`) or is dropped;
 * - `FunctionResponseTypes: [ReportBatchItemFailures]`: the function answers
 *   `{ batchItemFailures: [{ itemIdentifier: { partition: "<topic>-<partition>", offset } }] }`; the mapping
 *   commits up to the lowest failed offset of the partition and retries from there. An identifier that is
 *   not a record of the batch fails the whole batch, as Lambda treats it;
 * - `FilterCriteria` (esm-filter.ts): records no pattern matches are dropped and committed past;
 * - `MetricsConfig: EventCount`: the event counts Lambda publishes (`metrics()`), counted locally.
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
  type SASLOptions,
} from 'kafkajs';
import { encodeMskRecord, type MskRecord, toMskEvent } from '#local/core/msk-event';
import type {
  EsmStats,
  InvokeResult,
  Invoker,
  LocalEventSourceMapping,
  MappingView,
} from '#local/core/types';

export type { EsmStats } from '#local/core/types';

import { compileFilters, type FilterPattern, passesFilters } from './esm-filter';

/** One polled kafkajs message as Lambda puts it in an MSK event (local/core/msk-event.ts). */
export function toMskRecord(topic: string, partition: number, message: KafkaMessage): MskRecord {
  const headers: [string, Buffer | string][] = [];
  for (const [name, raw] of Object.entries(message.headers ?? ({} as IHeaders))) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (v === undefined) continue;
      headers.push([name, Buffer.isBuffer(v) ? v : String(v)]);
    }
  }
  return encodeMskRecord({
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
    headers,
  });
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
  /** How this mapping's consumer connects (local IAM: the function's SASL listener and MSK IAM token). */
  readonly client?: { readonly brokers?: readonly string[]; readonly sasl?: SASLOptions };
}

/** Why records leave the mapping without a successful invocation (the `lambda-esm-condition` header). */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** What a Kafka function may answer when the mapping has `ReportBatchItemFailures`. */
export interface KafkaBatchResponse {
  batchItemFailures?: { itemIdentifier?: { partition?: string; offset?: number } | null }[] | null;
}

/** An invocation's outcome for the records it carried: all processed, the first `processed` only, or none. */
type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'partial'; readonly processed: number }
  | { readonly kind: 'failed'; readonly error: { errorType: string; errorMessage: string } };

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
  /** When the oldest queued record was fetched (the batching window runs from there). */
  firstQueuedAt: number;
  /** Wakes a lane that waits for its batching window to fill. */
  wake?: () => void;
  /** Settles when the lane has nothing in flight. */
  idle: Promise<void>;
}

/** A lane pauses its partition when this many batches are queued, and resumes below one batch. */
const LANE_QUEUE_BATCHES = 4;

/** Lambda's cap on retries when retries are infinite and an on-failure destination is set. */
const INFINITE_WITH_DESTINATION_RETRIES = 10;

export class KafkaEventSourceMapping implements MappingView {
  readonly stats: EsmStats = {
    invocations: 0,
    failedInvocations: 0,
    recordsDelivered: 0,
    recordsSentToDestination: 0,
    polledEventCount: 0,
    filteredOutEventCount: 0,
    invokedEventCount: 0,
    failedInvokeEventCount: 0,
    droppedEventCount: 0,
    onFailureDestinationDeliveredEventCount: 0,
  };
  private readonly filters: FilterPattern[];
  private warnedUnreportedFailures = false;
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
    this.filters = compileFilters(
      options.mapping.filterPatterns ?? [],
      `mapping ${options.mapping.logicalId} (${options.mapping.consumerGroupId}) FilterCriteria`,
    );
    this.kafka = new Kafka({
      clientId: options.clientId ?? `lambda-esm-${options.mapping.consumerGroupId}`,
      brokers: [...(options.client?.brokers ?? options.brokers)],
      ...(options.client?.sasl ? { sasl: options.client.sasl } : {}),
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

  /** The batching window in ms: the runtime's override, else the template's. */
  private get windowMs(): number {
    return (
      (this.options.batchingWindowSeconds ?? this.options.mapping.maximumBatchingWindowInSeconds ?? 0) * 1000
    );
  }

  private get reportsBatchItemFailures(): boolean {
    return (this.options.mapping.functionResponseTypes ?? []).includes('ReportBatchItemFailures');
  }

  /**
   * The metric groups the template's `MetricsConfig` asks for, with their local values (Lambda publishes
   * them to CloudWatch under AWS/Lambda per mapping). Only `EventCount` is counted locally.
   */
  metrics(): { EventCount?: Record<string, number> } {
    const s = this.stats;
    if (!(this.options.mapping.metrics ?? []).includes('EventCount')) return {};
    return {
      EventCount: {
        PolledEventCount: s.polledEventCount,
        FilteredOutEventCount: s.filteredOutEventCount,
        InvokedEventCount: s.invokedEventCount,
        FailedInvokeEventCount: s.failedInvokeEventCount,
        DroppedEventCount: s.droppedEventCount,
        OnFailureDestinationDeliveredEventCount: s.onFailureDestinationDeliveredEventCount,
      },
    };
  }

  /** Records fetched and waiting in the partition lanes (not yet in an invocation): for tests and status. */
  queued(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  private get maxRetries(): number {
    const m = this.options.mapping;
    if (m.maximumRetryAttempts >= 0) return m.maximumRetryAttempts;
    return m.onFailureDestination ? INFINITE_WITH_DESTINATION_RETRIES : Number.POSITIVE_INFINITY;
  }

  async start(): Promise<void> {
    const m = this.options.mapping;
    this.consumer = this.kafka.consumer({
      groupId: m.consumerGroupId,
      sessionTimeout: 30_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 3_000,
      // The broker answers a fetch as soon as a record arrives (long poll), so this only bounds idle polling.
      // The batching window is applied per partition lane (batchingWindow), not by holding fetches.
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 250,
      minBytes: 1,
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
      lane = {
        key,
        topic,
        partition,
        queue: [],
        active: false,
        paused: false,
        firstQueuedAt: 0,
        idle: Promise.resolve(),
      };
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
    if (lane.queue.length === 0) lane.firstQueuedAt = Date.now();
    lane.queue.push(...batch.messages);
    lane.wake?.();
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

  /** Waits until the lane holds a full batch or its batching window has passed (or the mapping stops). */
  private async batchingWindow(lane: PartitionLane): Promise<void> {
    const windowMs = this.windowMs;
    const batchSize = this.options.mapping.batchSize;
    while (!this.stopping && windowMs > 0 && lane.queue.length > 0 && lane.queue.length < batchSize) {
      const waitMs = lane.firstQueuedAt + windowMs - Date.now();
      if (waitMs <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        lane.wake = () => {
          if (this.stopping || lane.queue.length >= batchSize) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
      lane.wake = undefined;
    }
  }

  private async drain(lane: PartitionLane): Promise<void> {
    const m = this.options.mapping;
    const commit = async (next: bigint) => {
      lane.next = next;
      if (!this.assigned.has(lane.key)) return;
      await this.consumer
        ?.commitOffsets([{ topic: lane.topic, partition: lane.partition, offset: next.toString() }])
        .catch((err) =>
          this.log('debug', `${m.consumerGroupId}: commit ${lane.key}@${next} failed: ${String(err)}`),
        );
    };
    try {
      for (;;) {
        if (this.stopping) return;
        // records a previous generation already delivered come again after a rebalance: skip them
        while (lane.queue.length && lane.next !== undefined && BigInt(lane.queue[0]!.offset) < lane.next)
          lane.queue.shift();
        if (lane.queue.length === 0) return;
        await this.batchingWindow(lane);
        if (this.stopping) return;
        const generation = this.generation;
        const chunk = lane.queue.splice(0, m.batchSize);
        if (lane.queue.length > 0) lane.firstQueuedAt = Date.now();
        const polled = chunk.map((msg) => toMskRecord(lane.topic, lane.partition, msg));
        this.stats.polledEventCount += polled.length;
        const records = polled.filter((r) => passesFilters(this.filters, r));
        this.stats.filteredOutEventCount += polled.length - records.length;
        const done = records.length === 0 || (await this.deliver(records, generation, commit));
        if (!done) continue; // rebalanced or stopping: nothing more committed, the records come again
        await commit(BigInt(chunk.at(-1)!.offset) + 1n);
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
      this.stats.invokedEventCount += records.length;
      this.stats.lastBatch = {
        at: Date.now(),
        partition: records[0]!.partition,
        firstOffset: records[0]!.offset,
        lastOffset: records.at(-1)!.offset,
        records: records.length,
      };
      return await this.options.invoker.invoke(this.options.mapping.functionArn, event);
    } catch (err) {
      return { ok: false, error: { errorType: 'InvokeError', errorMessage: String(err) }, durationMs: 0 };
    }
  }

  /**
   * What an invocation means for its records. A function error fails them all. A successful answer with
   * `batchItemFailures` counts only when the mapping has `ReportBatchItemFailures`: the records before the
   * lowest failed offset are done, the rest failed; an identifier that names no record of the batch fails
   * the whole batch (Lambda's rule), and so does any malformed answer.
   */
  private outcomeOf(result: InvokeResult, records: readonly MskRecord[]): Outcome {
    if (!result.ok) return { kind: 'failed', error: result.error };
    const failures = (result.payload as KafkaBatchResponse | null | undefined)?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { kind: 'ok' };
    const m = this.options.mapping;
    if (!this.reportsBatchItemFailures) {
      if (!this.warnedUnreportedFailures) {
        this.warnedUnreportedFailures = true;
        this.log(
          'warn',
          `${m.consumerGroupId}: the function returned batchItemFailures but the mapping has no FunctionResponseTypes ReportBatchItemFailures; like Lambda, the batch counts as processed`,
        );
      }
      return { kind: 'ok' };
    }
    let lowest = records.length;
    for (const failure of failures) {
      const id = failure?.itemIdentifier;
      const index =
        id && typeof id === 'object' && typeof id.partition === 'string' && Number.isSafeInteger(id.offset)
          ? records.findIndex((r) => `${r.topic}-${r.partition}` === id.partition && r.offset === id.offset)
          : -1;
      if (index < 0) {
        return {
          kind: 'failed',
          error: {
            errorType: 'InvalidBatchItemFailure',
            errorMessage: `itemIdentifier ${JSON.stringify(id)} is not a record of the batch; expected { "partition": "<topic>-<partition>", "offset": <number> }`,
          },
        };
      }
      lowest = Math.min(lowest, index);
    }
    return { kind: 'partial', processed: lowest };
  }

  /** False once the group moved to another generation or the mapping is stopping: abandon the records. */
  private abandoned(generation: number): boolean {
    return this.stopping || generation !== this.generation;
  }

  private expired(records: readonly MskRecord[]): MskRecord[] {
    const maxAge = this.options.mapping.maximumRecordAgeInSeconds ?? -1;
    if (maxAge < 0) return [];
    const now = Date.now();
    return records.filter((r) => now - r.timestamp > maxAge * 1000);
  }

  /**
   * Delivers records until the function succeeds, or retries run out and they go to the destination.
   * `commit` moves the partition's committed offset (partial batch responses commit before the batch ends).
   * Returns false when delivery was abandoned (shutdown, rebalance): what was not committed comes again.
   */
  private async deliver(
    batch: MskRecord[],
    generation: number,
    commit: (next: bigint) => Promise<void>,
    attemptsSoFar = 0,
  ): Promise<boolean> {
    const m = this.options.mapping;
    let records = batch;
    let attempts = attemptsSoFar;
    let lastError: { errorType: string; errorMessage: string } | undefined;
    for (;;) {
      if (this.abandoned(generation)) return false;
      const old = this.expired(records);
      if (old.length > 0) {
        await this.sendToDestination(old, 'RecordAgeExceeded', lastError, attempts);
        records = records.filter((r) => !old.includes(r));
        if (records.length === 0) return true;
      }
      const outcome = this.outcomeOf(await this.invoke(records), records);
      attempts++;
      if (outcome.kind === 'ok') {
        this.stats.recordsDelivered += records.length;
        return true;
      }
      const where = `${records[0]!.topic}-${records[0]!.partition}@${records[0]!.offset}..${records.at(-1)!.offset}`;
      if (outcome.kind === 'partial') {
        const done = records.slice(0, outcome.processed);
        records = records.slice(outcome.processed);
        this.stats.recordsDelivered += done.length;
        if (done.length > 0) await commit(BigInt(records[0]!.offset));
        lastError = {
          errorType: 'BatchItemFailure',
          errorMessage: `the function reported ${records[0]!.topic}-${records[0]!.partition}@${records[0]!.offset} as failed`,
        };
      } else {
        lastError = outcome.error;
      }
      this.stats.failedInvocations++;
      this.stats.failedInvokeEventCount += records.length;
      const err = `${lastError.errorType}: ${lastError.errorMessage}`;
      this.stats.lastError = err;
      this.log('warn', `${m.consumerGroupId}: invocation failed for ${where} (attempt ${attempts}): ${err}`);
      if (m.bisectBatchOnFunctionError && records.length > 1) {
        this.stats.bisects = (this.stats.bisects ?? 0) + 1;
        const mid = Math.ceil(records.length / 2);
        if (!(await this.deliver(records.slice(0, mid), generation, commit, attempts))) return false;
        await commit(BigInt(records[mid]!.offset));
        return this.deliver(records.slice(mid), generation, commit, attempts);
      }
      if (attempts > this.maxRetries) {
        await this.sendToDestination(records, 'RetryAttemptsExhausted', lastError, attempts);
        return true;
      }
      await this.backoff(attempts, generation);
      this.stats.retries = (this.stats.retries ?? 0) + 1;
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

  /**
   * Records the mapping gives up on: to the `kafka://` on-failure destination as they were (key, value,
   * headers) plus `lambda-esm-*` headers describing the failure, or dropped when there is none.
   */
  private async sendToDestination(
    records: MskRecord[],
    condition: FailureCondition,
    error: { errorType: string; errorMessage: string } | undefined,
    attempts: number,
  ): Promise<void> {
    const m = this.options.mapping;
    const destination = m.onFailureDestination;
    if (!destination) {
      this.stats.droppedEventCount += records.length;
      this.log(
        'error',
        `${m.consumerGroupId}: dropped ${records.length} record(s) (${condition}) after ${attempts} attempts (no on-failure destination)`,
      );
      return;
    }
    if (!destination.startsWith('kafka://') || !this.producer) {
      this.stats.droppedEventCount += records.length;
      this.log(
        'error',
        `${m.consumerGroupId}: on-failure destination ${destination} is not supported locally; dropped ${records.length} record(s)`,
      );
      return;
    }
    const topic = destination.slice('kafka://'.length);
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
          'lambda-esm-error-type': error?.errorType ?? condition,
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
    this.stats.onFailureDestinationDeliveredEventCount += records.length;
    this.log(
      'warn',
      `${m.consumerGroupId}: ${records.length} record(s) from ${records[0]!.topic}-${records[0]!.partition} sent to ${destination} (${condition}) after ${attempts} attempts`,
    );
  }

  async stop(): Promise<void> {
    // invocations in flight finish and commit; nothing new starts
    this.stopping = true;
    for (const lane of this.lanes.values()) lane.wake?.();
    await Promise.all([...this.lanes.values()].map((l) => l.idle));
    try {
      await this.consumer?.disconnect();
    } catch {
      // already gone
    }
    if (this.ownProducer) await this.producer?.disconnect().catch(() => {});
  }
}

export interface EventSourceMappingsOptions
  extends Omit<EventSourceMappingOptions, 'mapping' | 'producer' | 'client'> {
  /** Per-mapping connection settings (local IAM: the mapped function's credentials). */
  readonly clientFor?: (mapping: LocalEventSourceMapping) => EventSourceMappingOptions['client'];
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
    .map(
      (mapping) =>
        new KafkaEventSourceMapping({ ...options, mapping, producer, client: options.clientFor?.(mapping) }),
    );
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
