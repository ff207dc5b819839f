/**
 * What the console knows about the running system's topics: one long-lived consumer (a throwaway group,
 * never committed) reads every topic but `system-logs` from the beginning and keeps the records in memory,
 * indexed by topic/partition (the message browser), by order (the saga of each order, decoded with the CLI's
 * trace code in local/cli/saga.ts) and as dead letters. The console answers from this index, so a request
 * never waits for a consumer group to join; the window is bounded (`maxRecordsPerPartition`, oldest dropped).
 */
import { randomUUID } from 'node:crypto';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { decodeMessage, type ReadMessage } from '#local/inspect/kafka-read';
import { orderIdOf, type SagaEvent, toSagaEvent } from '#local/inspect/saga';
import { parseEvent } from '#shared/contracts';
import { rank } from '#shared/domain/order/machine';
import { DEAD_LETTER_TOPIC } from '../../shared/topology';
import type { DeadLetter, OrderStatus } from './api-types';
import { STEP } from './orders';

/** The header a re-driven record carries: `dead-letters/<partition>@<offset>` of the dead letter it came from. */
export const REDRIVE_HEADER = 'campusg-redrive-of';

export interface StoredRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

export interface OrderSummary {
  readonly orderId: string;
  status: OrderStatus | 'UNKNOWN';
  customerId?: string;
  runnerId?: string;
  totalCents?: number;
  createdAt: number;
  updatedAt: number;
  events: number;
  /** The acceptance-deadline schedule as the events tell it (kept here so the schedules view scans no timelines). */
  timer?: { state: 'pending' | 'fired' | 'deleted'; deadline?: string };
}

/** How each saga event moves the order's status (the order machine's edges, seen from the topics). */
const STATUS_OF: Readonly<Record<string, OrderStatus>> = {
  ...STEP,
  ORDER_TIMEOUT: 'CANCELLED',
  PAYMENT_FAILED: 'CANCELLED',
};

export interface ConsoleStoreOptions {
  readonly brokers: readonly string[];
  /** Topics to read (the template's); `system-logs` is left out: the logs view reads the log store. */
  readonly topics: readonly string[];
  /** Records kept per partition; older ones drop out of the browser's window (default 200,000). */
  readonly maxRecordsPerPartition?: number;
  readonly onError?: (message: string) => void;
}

type Listener = (
  e: { kind: 'saga'; event: SagaEvent } | { kind: 'dead-letter'; deadLetter: DeadLetter },
) => void;

export class ConsoleStore {
  private readonly partitions = new Map<string, StoredRecord[][]>();
  /** Key and value characters kept, per `topic/partition` (the topics view's sizes, without a scan). */
  private readonly sizes = new Map<string, number>();
  private readonly byOrder = new Map<string, SagaEvent[]>();
  private readonly orders = new Map<string, OrderSummary>();
  private readonly deadLetters: DeadLetter[] = [];
  /** Dead letters by `topic/partition@offset` of the record they came from (one per consumer that gave up). */
  private readonly byOrigin = new Map<string, DeadLetter[]>();
  private readonly redriven = new Map<string, { topic: string; partition: number; offset: number }>();
  /**
   * Records that look like saga events but are not valid ones (`topic/partition@offset` -> why): every
   * consumer dead-letters them, so they are shown in the order's timeline but move nothing the console
   * derives (status, schedule, money); the re-driven fix does.
   */
  private readonly invalid = new Map<string, string>();
  private readonly listeners = new Set<Listener>();
  private readonly kafka: Kafka;
  private consumer?: Consumer;
  private readonly groupId = `campusg-console-${randomUUID().slice(0, 8)}`;
  private readonly max: number;
  /** Saga events seen, in arrival order (the overview's live feed starts from the last few). */
  private readonly recent: SagaEvent[] = [];

  constructor(private readonly options: ConsoleStoreOptions) {
    this.max = options.maxRecordsPerPartition ?? 200_000;
    this.kafka = new Kafka({
      clientId: 'campusg-console',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
    });
    for (const t of options.topics) this.partitions.set(t, []);
  }

  get kafkaClient(): Kafka {
    return this.kafka;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    consumer.on(consumer.events.CRASH, (e) =>
      this.options.onError?.(`console reader crashed: ${String(e.payload.error)}`),
    );
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) this.add(decodeMessage(batch.topic, batch.partition, m));
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch {
      // a group without offsets expires on its own
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Indexes one record (public for the bench, which feeds a synthetic history). */
  add(m: ReadMessage): void {
    const parts = this.partitions.get(m.topic) ?? [];
    this.partitions.set(m.topic, parts);
    const list = parts[m.partition] ?? [];
    parts[m.partition] = list;
    const last = list.at(-1);
    if (last && last.offset >= m.offset) return; // a redelivery after a rebalance
    list.push({
      partition: m.partition,
      offset: m.offset,
      timestamp: m.timestamp,
      key: m.key,
      value: m.value,
      headers: m.headers,
    });
    const sizeKey = `${m.topic}/${m.partition}`;
    let size = (this.sizes.get(sizeKey) ?? 0) + (m.key?.length ?? 0) + (m.value?.length ?? 0);
    if (list.length > this.max)
      for (const r of list.splice(0, list.length - this.max))
        size -= (r.key?.length ?? 0) + (r.value?.length ?? 0);
    this.sizes.set(sizeKey, size);

    const of = m.headers[REDRIVE_HEADER];
    if (of)
      this.redriven.set(of.replace(/^dead-letters\//, ''), {
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
      });

    // on the dead-letters topic: a consumer's DEAD_LETTER event, or a record a mapping's on-failure
    // destination received
    const onFailure = m.topic === DEAD_LETTER_TOPIC ? fromOnFailureDestination(m) : undefined;
    const e = onFailure ? undefined : toSagaEvent(m);
    const d =
      onFailure ??
      (e && m.topic === DEAD_LETTER_TOPIC && e.type === 'DEAD_LETTER' ? toDeadLetter(m, e) : undefined);
    if (d) {
      this.deadLetters.push(d);
      const origin = originKey(d);
      this.byOrigin.set(origin, [...(this.byOrigin.get(origin) ?? []), d]);
      this.emit({ kind: 'dead-letter', deadLetter: d });
      return;
    }
    if (!e) return;
    const orderId = orderIdOf(e);
    if (!orderId) return;
    const parsed = parseEvent(m.value ?? '');
    if (!parsed.ok) this.invalid.set(recordKey(m.topic, m.partition, m.offset), parsed.error.message);
    const events = this.byOrder.get(orderId) ?? [];
    events.push(e);
    this.byOrder.set(orderId, events);
    this.summarize(orderId, e, parsed.ok);
    this.recent.push(e);
    if (this.recent.length > 500) this.recent.splice(0, 100);
    this.emit({ kind: 'saga', event: e });
  }

  private emit(e: Parameters<Listener>[0]): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a closed stream
      }
    }
  }

  private summarize(orderId: string, e: SagaEvent, valid: boolean): void {
    let o = this.orders.get(orderId);
    if (!o) {
      o = { orderId, status: 'UNKNOWN', createdAt: e.time, updatedAt: e.time, events: 0 };
      this.orders.set(orderId, o);
    }
    o.events++;
    o.createdAt = Math.min(o.createdAt, e.time);
    o.updatedAt = Math.max(o.updatedAt, e.time);
    // the services dead-letter an invalid record, so it changes nothing about the order
    if (!valid) return;
    const p = e.payload;
    if (typeof p.customerId === 'string') o.customerId = p.customerId;
    if (typeof p.runnerId === 'string' && e.type !== 'NOTIFICATION_SENT') o.runnerId = p.runnerId;
    if (typeof p.totalCents === 'number') o.totalCents = p.totalCents;
    const deadline = typeof p.deadline === 'string' ? p.deadline : o.timer?.deadline;
    if (e.type === 'TIMER_STARTED' && !o.timer) o.timer = { state: 'pending', deadline };
    if (e.type === 'ORDER_TIMEOUT') o.timer = { state: 'fired', deadline };
    if (e.type === 'TIMER_CANCELLED' && o.timer?.state !== 'fired') o.timer = { state: 'deleted', deadline };
    const next = STATUS_OF[e.type];
    if (!next) return;
    // Events of one order arrive from several topics in any order: the status only moves forward, and
    // CANCELLED / COMPLETED are final.
    if (o.status === 'CANCELLED' || o.status === 'COMPLETED') return;
    if (next === 'CANCELLED' || o.status === 'UNKNOWN' || rank(next) > rank(o.status)) o.status = next;
  }

  // --- reads -------------------------------------------------------------------------------------------

  topicNames(): string[] {
    return [...this.partitions.keys()];
  }

  /** Records of one partition kept in the window (offset order). */
  partition(topic: string, partition: number): readonly StoredRecord[] {
    return this.partitions.get(topic)?.[partition] ?? [];
  }

  /** Key and value characters kept for one partition. */
  partitionSize(topic: string, partition: number): number {
    return this.sizes.get(`${topic}/${partition}`) ?? 0;
  }

  partitionCount(topic: string): number {
    return this.partitions.get(topic)?.length ?? 0;
  }

  recordCount(topic: string): number {
    let n = 0;
    for (const p of this.partitions.get(topic) ?? []) n += p?.length ?? 0;
    return n;
  }

  orderEvents(orderId: string): SagaEvent[] {
    return [...(this.byOrder.get(orderId) ?? [])];
  }

  order(orderId: string): OrderSummary | undefined {
    return this.orders.get(orderId);
  }

  allOrders(): IterableIterator<OrderSummary> {
    return this.orders.values();
  }

  orderCount(): number {
    return this.orders.size;
  }

  recentSagaEvents(n: number): SagaEvent[] {
    return this.recent.slice(-n);
  }

  allDeadLetters(): readonly DeadLetter[] {
    return this.deadLetters;
  }

  /** Why a record that looks like a saga event is not a valid one (undefined when it is valid). */
  invalidReason(topic: string, partition: number, offset: number): string | undefined {
    return this.invalid.get(recordKey(topic, partition, offset));
  }

  /** Every dead letter of the same origin record, this one included. */
  siblings(d: DeadLetter): readonly DeadLetter[] {
    return this.byOrigin.get(originKey(d)) ?? [d];
  }

  deadLetter(id: string): DeadLetter | undefined {
    const [partition, offset] = id.split('@').map(Number);
    return this.deadLetters.find((d) => d.partition === partition && d.offset === offset);
  }

  /** Where a dead letter was re-driven to, if it was (seen on the origin topic by its header, or just sent). */
  redriveOf(id: string): { topic: string; partition: number; offset: number } | undefined {
    return this.redriven.get(id);
  }

  markRedriven(id: string, at: { topic: string; partition: number; offset: number }): void {
    this.redriven.set(id, at);
  }
}

const recordKey = (topic: string, partition: number, offset: number) => `${topic}/${partition}@${offset}`;
const originKey = (d: DeadLetter) => recordKey(d.origin.topic, d.origin.partition, d.origin.offset);

/**
 * A record an event-source mapping gave up on (retries exhausted or too old), as its Kafka on-failure
 * destination writes it: the record as it was, plus `lambda-esm-*` headers saying why and where from
 * (local/runtime/esm.ts writes them as Lambda does). Undefined for any other record.
 */
function fromOnFailureDestination(m: ReadMessage): DeadLetter | undefined {
  const h = m.headers;
  const condition = h['lambda-esm-condition'];
  if (!condition) return undefined;
  let correlationId: string | undefined;
  try {
    const v = JSON.parse(m.value ?? '') as { correlationId?: unknown };
    if (typeof v.correlationId === 'string') correlationId = v.correlationId;
  } catch {
    // not JSON: the key names the order, if anything
  }
  const timestamp = Number(h['lambda-esm-source-timestamp']);
  const errorType = h['lambda-esm-error-type'] ?? condition;
  const errorMessage = h['lambda-esm-error-message'];
  return {
    id: `${m.partition}@${m.offset}`,
    partition: m.partition,
    offset: m.offset,
    time: m.timestamp,
    reason: condition,
    error: errorMessage ? `${errorType}: ${errorMessage}` : errorType,
    consumer: h['lambda-esm-consumer-group'] ?? h['lambda-esm-function-arn']?.split(':').pop() ?? '?',
    origin: {
      topic: h['lambda-esm-source-topic'] ?? '?',
      partition: Number(h['lambda-esm-source-partition'] ?? -1),
      offset: Number(h['lambda-esm-source-offset'] ?? -1),
      timestamp: Number.isSafeInteger(timestamp) ? timestamp : undefined,
    },
    keyBase64: m.key === null ? null : Buffer.from(m.key, 'utf8').toString('base64'),
    valueBase64: m.value === null ? null : Buffer.from(m.value, 'utf8').toString('base64'),
    key: m.key,
    value: m.value,
    correlationId: correlationId ?? m.key ?? undefined,
  };
}

function toDeadLetter(m: ReadMessage, e: SagaEvent): DeadLetter {
  const p = e.payload;
  const o = (p.origin ?? {}) as Record<string, unknown>;
  return {
    id: `${m.partition}@${m.offset}`,
    partition: m.partition,
    offset: m.offset,
    time: e.time,
    reason: String(p.reason ?? '?'),
    error: String(p.error ?? ''),
    consumer: String(p.consumer ?? e.source),
    origin: {
      topic: String(o.topic ?? '?'),
      partition: Number(o.partition ?? -1),
      offset: Number(o.offset ?? -1),
      timestamp: typeof o.timestamp === 'number' ? o.timestamp : undefined,
    },
    keyBase64: typeof p.key === 'string' ? p.key : null,
    valueBase64: typeof p.value === 'string' ? p.value : null,
    key: typeof p.key === 'string' ? Buffer.from(p.key, 'base64').toString('utf8') : null,
    value: typeof p.value === 'string' ? Buffer.from(p.value, 'base64').toString('utf8') : null,
    correlationId: e.correlationId,
  };
}
