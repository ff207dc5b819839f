import type { Consumer, Kafka } from 'kafkajs';
import * as z from 'zod';
import { CliError } from '#local/core/errors';
import { formatCents } from '#local/core/format';
import { TOPICS } from '#shared/topology';
import {
  decodeMessage,
  type ReadMessage,
  readToEnd,
  stopAndForget,
  throwawayGroupId,
  withAdmin,
} from './kafka-read';

/**
 * The saga of one order as the CLI sees it: every event on the saga topics whose correlation id (or key,
 * or payload orderId) is the order id, in time order. Used by `trace` and `demo`.
 */

/** Every topic a saga event can be on: the topology's topics minus the central log stream. */
export const SAGA_TOPICS: readonly string[] = TOPICS.map((t) => t.name).filter((n) => n !== 'system-logs');

/** Lenient envelope: trace shows what is on the topics, even events a newer or older schema would reject. */
const LooseEnvelope = z.object({
  id: z.string().optional(),
  type: z.string(),
  timestamp: z.string().optional(),
  source: z.string().optional(),
  correlationId: z.string().optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
});

export interface SagaEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly id?: string;
  readonly type: string;
  /** Event time, epoch milliseconds (the envelope's timestamp, else the record's). */
  readonly time: number;
  readonly source: string;
  readonly correlationId?: string;
  readonly payload: Record<string, unknown>;
}

/** Decodes a record into a saga event; undefined when its value is not an event envelope. */
export function toSagaEvent(m: ReadMessage): SagaEvent | undefined {
  if (m.value === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(m.value);
  } catch {
    return undefined;
  }
  const parsed = LooseEnvelope.safeParse(json);
  if (!parsed.success) return undefined;
  const env = parsed.data;
  const t = env.timestamp ? Date.parse(env.timestamp) : Number.NaN;
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key,
    id: env.id,
    type: env.type,
    time: Number.isNaN(t) ? m.timestamp : t,
    source: env.source ?? '?',
    correlationId: env.correlationId,
    payload: env.payload ?? {},
  };
}

/** The order an event belongs to: its correlation id, else its payload's orderId, else its key. */
export function orderIdOf(e: SagaEvent): string | undefined {
  if (e.correlationId) return e.correlationId;
  if (typeof e.payload.orderId === 'string') return e.payload.orderId;
  return e.key ?? undefined;
}

const topicRank = new Map(SAGA_TOPICS.map((t, i) => [t, i]));

/** Sorts by event time; ties by topic (topology order) and offset, so the output is stable. */
export function sortTimeline(events: readonly SagaEvent[]): SagaEvent[] {
  return [...events].sort(
    (a, b) =>
      a.time - b.time ||
      (topicRank.get(a.topic) ?? 99) - (topicRank.get(b.topic) ?? 99) ||
      a.partition - b.partition ||
      a.offset - b.offset,
  );
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');

/** One short human sentence per event type. */
export function summarize(e: SagaEvent): string {
  const p = e.payload;
  switch (e.type) {
    case 'ORDER_CREATED': {
      const items = Array.isArray(p.items) ? p.items.length : 0;
      return `customer ${str(p.customerId)}, ${items} item${items === 1 ? '' : 's'}, total ${formatCents(p.totalCents)}, to ${str(p.deliveryLocation)}`;
    }
    case 'ORDER_ACCEPTED':
      return `runner ${str(p.runnerId)} accepted`;
    case 'ORDER_COMPLETED':
      return `runner ${str(p.runnerId)} completed, total ${formatCents(p.totalCents)}`;
    case 'ORDER_CANCELLED':
      return `cancelled: ${str(p.reason)}`;
    case 'PAYMENT_AUTHORIZED':
      return `payment ${str(p.paymentId)} authorized ${formatCents(p.amountCents)}`;
    case 'PAYMENT_FAILED':
      return `declined ${formatCents(p.amountCents)}: ${str(p.code)} (${str(p.reason)})`;
    case 'PAYMENT_CAPTURED':
      return `payment ${str(p.paymentId)} captured ${formatCents(p.amountCents)}`;
    case 'PAYMENT_VOIDED':
      return `payment ${str(p.paymentId)} voided ${formatCents(p.amountCents)}: ${str(p.reason)}`;
    case 'FUNDS_HELD':
      return `hold ${str(p.holdId)} of ${formatCents(p.amountCents)}`;
    case 'FUNDS_RELEASED':
      return `${formatCents(p.amountCents)} released to runner ${str(p.runnerId)}`;
    case 'FUNDS_REFUNDED':
      return `${formatCents(p.amountCents)} refunded to customer ${str(p.customerId)}: ${str(p.reason)}`;
    case 'TIMER_STARTED':
      return `acceptance deadline ${str(p.deadline)}`;
    case 'TIMER_CANCELLED':
      return `deadline cancelled: ${str(p.reason)}`;
    case 'ORDER_TIMEOUT':
      return `deadline ${str(p.deadline)} passed`;
    case 'NOTIFICATION_SENT':
      return `to ${str(p.role)} ${str(p.userId)}: ${str(p.title)}`;
    case 'DEAD_LETTER': {
      const o = (p.origin ?? {}) as Record<string, unknown>;
      return `${str(p.reason)} from ${str(o.topic)}/${str(o.partition)}@${str(o.offset)} by ${str(p.consumer)}: ${str(p.error)}`;
    }
    default:
      return Object.keys(p).length > 0 ? JSON.stringify(p).slice(0, 100) : '';
  }
}

/** `+0ms`, `+35ms`, `+1.204s`, `+2m03.5s`. */
export function formatDelta(ms: number): string {
  if (ms < 1000) return `+${ms}ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(3)}s`;
  const m = Math.floor(ms / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(1).padStart(4, '0');
  return `+${m}m${s}s`;
}

/** Time of day in UTC with milliseconds: `13:00:00.123`. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

export interface TimelineRow {
  readonly time: string;
  readonly deltaMs: number;
  readonly topic: string;
  readonly type: string;
  readonly source: string;
  readonly summary: string;
  /** True when an earlier row has the same event id (an at-least-once redelivery). */
  readonly duplicate: boolean;
  readonly partition: number;
  readonly offset: number;
  readonly id?: string;
  readonly payload: Record<string, unknown>;
}

export function timelineRows(events: readonly SagaEvent[]): TimelineRow[] {
  const sorted = sortTimeline(events);
  const first = sorted[0]?.time ?? 0;
  const seen = new Set<string>();
  return sorted.map((e) => {
    const duplicate = e.id !== undefined && seen.has(e.id);
    if (e.id !== undefined) seen.add(e.id);
    return {
      time: new Date(e.time).toISOString(),
      deltaMs: e.time - first,
      topic: e.topic,
      type: e.type,
      source: e.source,
      summary: summarize(e),
      duplicate,
      partition: e.partition,
      offset: e.offset,
      id: e.id,
      payload: e.payload,
    };
  });
}

/** The text timeline: a header line, then `time  +delta  topic  type  source  summary` per event. */
export function formatTimeline(orderId: string, events: readonly SagaEvent[]): string[] {
  const rows = timelineRows(events);
  if (rows.length === 0) return [`order ${orderId}: no events`];
  const span = rows[rows.length - 1]!.deltaMs;
  const header = `order ${orderId}: ${rows.length} event${rows.length === 1 ? '' : 's'} over ${formatDelta(span).slice(1)} (times UTC)`;
  const cells = rows.map((r) => [
    formatTime(Date.parse(r.time)),
    formatDelta(r.deltaMs),
    r.topic,
    r.type,
    r.source,
    r.duplicate ? `(duplicate) ${r.summary}` : r.summary,
  ]);
  const widths = [0, 0, 0, 0, 0];
  for (const c of cells) for (let i = 0; i < 5; i++) widths[i] = Math.max(widths[i]!, c[i]!.length);
  return [
    header,
    ...cells.map((c) =>
      `  ${c
        .map((cell, i) => (i < 5 ? (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)) : cell))
        .join('  ')}`.trimEnd(),
    ),
  ];
}

/** Reads the saga topics from the beginning and returns the events of one order (unsorted). */
export async function collectOrderEvents(
  kafka: Kafka,
  orderId: string,
  opts: { topics?: readonly string[]; timeoutMs?: number } = {},
): Promise<SagaEvent[]> {
  const events: SagaEvent[] = [];
  await readToEnd(
    kafka,
    opts.topics ?? SAGA_TOPICS,
    (m) => {
      // Cheap pre-filter: the order id has to appear somewhere in the record.
      if (m.key !== orderId && !m.value?.includes(orderId)) return;
      const e = toSagaEvent(m);
      if (e && orderIdOf(e) === orderId) events.push(e);
    },
    { timeoutMs: opts.timeoutMs, purpose: 'trace' },
  );
  return events;
}

/**
 * Watches the saga topics from "now" on and keeps every event by order id, so a driver (`demo`) can
 * create an order and wait for its events without a race between publishing and subscribing.
 */
export class SagaWatcher {
  private readonly byOrder = new Map<string, SagaEvent[]>();
  private readonly listeners = new Set<() => void>();
  private failure: unknown;

  private constructor(
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
    private readonly groupId: string,
  ) {}

  /** Starts watching; resolves once the consumer has joined and been given its partitions. */
  static async start(kafka: Kafka, topics: readonly string[] = SAGA_TOPICS): Promise<SagaWatcher> {
    const starts = new Map<string, number>();
    const present = await withAdmin(kafka, async (admin) => {
      const existing = new Set(await admin.listTopics());
      const list = topics.filter((t) => existing.has(t));
      for (const t of list) {
        for (const p of await admin.fetchTopicOffsets(t)) starts.set(`${t}/${p.partition}`, Number(p.high));
      }
      return list;
    });
    const groupId = throwawayGroupId('watch');
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    const watcher = new SagaWatcher(kafka, consumer, groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: present, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    consumer.on(consumer.events.CRASH, (e) => {
      watcher.failure = e.payload.error;
      watcher.notify();
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        // Records that were there before the watch began belong to other orders.
        if (Number(message.offset) < (starts.get(`${topic}/${partition}`) ?? 0)) return;
        const e = toSagaEvent(decodeMessage(topic, partition, message));
        const orderId = e && orderIdOf(e);
        if (!e || !orderId) return;
        const list = watcher.byOrder.get(orderId) ?? [];
        list.push(e);
        watcher.byOrder.set(orderId, list);
        watcher.notify();
      },
    });
    await joined;
    return watcher;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  events(orderId: string): SagaEvent[] {
    return [...(this.byOrder.get(orderId) ?? [])];
  }

  /**
   * Resolves with the order's events once every type in `types` has been seen; rejects when a type in
   * `failOn` shows up first, or after `timeoutMs`.
   */
  waitFor(
    orderId: string,
    types: readonly string[],
    opts: { timeoutMs: number; failOn?: readonly string[] },
  ): Promise<SagaEvent[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.failure)
          return finish(new CliError(`watching the saga topics failed: ${String(this.failure)}`));
        const seen = new Set(this.events(orderId).map((e) => e.type));
        const bad = opts.failOn?.find((t) => seen.has(t));
        if (bad)
          return finish(new CliError(`order ${orderId} got ${bad} while waiting for ${types.join(', ')}`));
        if (types.every((t) => seen.has(t))) return finish();
      };
      const timer = setTimeout(() => {
        const seen = new Set(this.events(orderId).map((e) => e.type));
        const missing = types.filter((t) => !seen.has(t));
        finish(
          new CliError(
            `order ${orderId}: no ${missing.join(', ')} within ${Math.round(opts.timeoutMs / 1000)} s (seen: ${[...seen].join(', ') || 'nothing'})`,
          ),
        );
      }, opts.timeoutMs);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (err) reject(err);
        else resolve(this.events(orderId));
      };
      this.listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    await stopAndForget(this.kafka, this.consumer, this.groupId);
  }
}
