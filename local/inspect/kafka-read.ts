import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs';
import { CliError, NotFoundError, SYSTEM_DOWN_HINT } from '#local/core/errors';

/**
 * Reading topics from the CLI. kafkajs only consumes through consumer groups, so one-off reads use a
 * throwaway group (never committed, deleted afterwards) the way kafka-console-consumer does.
 */

/** One consumed record, decoded to text. */
export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Broker/producer timestamp, epoch milliseconds. */
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

export function throwawayGroupId(purpose: string): string {
  return `campusg-cli-${purpose}-${randomUUID().slice(0, 8)}`;
}

export function decodeMessage(
  topic: string,
  partition: number,
  m: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders },
): ReadMessage {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(m.headers ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    const last = values[values.length - 1];
    if (last !== undefined) headers[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value === null ? null : m.value.toString('utf8'),
    headers,
  };
}

/** Runs `fn` with a connected admin client and always disconnects. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw brokerUnreachable(err);
  }
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function brokerUnreachable(err: unknown): CliError {
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`cannot reach the Kafka broker: ${message} (${SYSTEM_DOWN_HINT})`, 1, {
    cause: err,
  });
}

/** Throws NotFoundError unless the topic exists. */
export async function requireTopic(admin: Admin, topic: string): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic))
    throw new NotFoundError(`topic ${topic} does not exist (see \`campusg topics list\`)`);
}

export interface ReadToEndOptions {
  /** Give up after this long (ms); default 30 s. */
  readonly timeoutMs?: number;
  readonly purpose?: string;
}

/**
 * Reads every record already on the given topics (from the earliest offset to the high watermark at the
 * time of the call) and returns. Topics that do not exist are skipped. Records arrive per partition in
 * offset order; there is no order across partitions.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onMessage: (m: ReadMessage) => void,
  opts: ReadToEndOptions = {},
): Promise<void> {
  const ends = new Map<string, number>();
  const withData: string[] = [];
  await withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics) {
      if (!existing.has(topic)) continue;
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
      }
      if ([...ends.keys()].some((k) => k.startsWith(`${topic}/`))) withData.push(topic);
    }
  });
  if (ends.size === 0) return;

  const groupId = throwawayGroupId(opts.purpose ?? 'read');
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: withData, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const left = [...ends.keys()].join(', ');
        reject(new CliError(`timed out after ${timeoutMs} ms reading ${left} to its end`));
      }, timeoutMs);
      const done = (err?: unknown) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      consumer.on(consumer.events.CRASH, (e) => done(e.payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const key = `${batch.topic}/${batch.partition}`;
            const end = ends.get(key);
            if (end === undefined) return;
            for (const m of batch.messages) {
              if (Number(m.offset) >= end) break;
              onMessage(decodeMessage(batch.topic, batch.partition, m));
            }
            if (Number(batch.lastOffset()) + 1 >= end) {
              ends.delete(key);
              if (ends.size === 0) done();
            }
          },
        })
        .catch(done);
    });
  } finally {
    await stopAndForget(kafka, consumer, groupId);
  }
}

/** Disconnects a throwaway consumer and deletes its group (best effort: not every broker keeps it). */
export async function stopAndForget(kafka: Kafka, consumer: Consumer, groupId: string): Promise<void> {
  await consumer.disconnect().catch(() => undefined);
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // The group holds no offsets; a broker that cannot delete it lets it expire.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
