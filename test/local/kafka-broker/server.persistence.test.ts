import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Consumer, Kafka, type KafkaMessage, logLevel, type Message } from 'kafkajs';
import { startBroker } from '#local/kafka-broker/index';
import { type BrokerProcess, spawnBroker } from '#test/support/kafka-broker/broker-process';

const T0 = Date.now() - 60_000;

interface Seen {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: string;
  readonly headers: Record<string, string>;
}

function seen(partition: number, m: KafkaMessage): Seen {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {}))
    headers[k] = Buffer.isBuffer(v) ? v.toString('hex') : String(v);
  return {
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('hex') : null,
    value: m.value ? m.value.toString('hex') : null,
    timestamp: m.timestamp,
    headers,
  };
}

function sortSeen(list: Seen[]): Seen[] {
  return [...list].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

function client(address: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  });
}

/** Consumes until `count` messages arrived (from the group's committed offsets, or the beginning). */
async function consume(kafka: Kafka, groupId: string, topic: string, count: number): Promise<Seen[]> {
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, retry: { retries: 3 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: Seen[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`got ${out.length} of ${count} messages from ${topic}`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            out.push(seen(partition, message));
            if (out.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Keys, null keys, binary values, empty and null values, several headers, three partitions. */
function messages(from: number, to: number): (Message & { partition: number })[] {
  const out: (Message & { partition: number })[] = [];
  for (let i = from; i < to; i++) {
    out.push({
      partition: i % 3,
      key: i % 7 === 0 ? null : `key-${i}`,
      value:
        i % 11 === 0
          ? null
          : i % 13 === 0
            ? Buffer.alloc(0)
            : Buffer.from(Array.from({ length: 1 + (i % 50) }, (_, b) => (b * i) & 0xff)),
      headers: i % 2 === 0 ? { trace: `t-${i}`, bin: Buffer.from([0, 255, i & 0xff]) } : {},
      // Recent, explicit timestamps: they must come back as sent, and stay inside the default retention.
      timestamp: String(T0 + i),
    });
  }
  return out;
}

describe('broker persistence', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-persist-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves identical records, topics and committed offsets after a clean restart', async () => {
    const topic = 'persisted';
    let broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir });
    const sent = messages(0, 300);
    let before: Seen[];
    let committedBefore: unknown;
    try {
      const kafka = client(`${broker.host}:${broker.port}`, 'persist-1');
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const producer = kafka.producer();
      await producer.connect();
      // Several produce requests, each with batches for the three partitions.
      for (let i = 0; i < sent.length; i += 40) {
        await producer.send({ topic, acks: -1, messages: sent.slice(i, i + 40) });
      }
      await producer.disconnect();
      before = await consume(kafka, 'reader', topic, sent.length);
      // A group that read only part of the log, committed explicitly.
      await admin.setOffsets({
        groupId: 'halfway',
        topic,
        partitions: [
          { partition: 0, offset: '50' },
          { partition: 1, offset: '7' },
        ],
      });
      committedBefore = await admin.fetchOffsets({ groupId: 'reader', topics: [topic] });
      await admin.disconnect();
    } finally {
      await broker.stop();
    }

    // What went in is what came out, before any restart.
    const expected = sent.map((m) => ({
      partition: m.partition,
      key: m.key ? Buffer.from(m.key as string).toString('hex') : null,
      value: m.value ? (m.value as Buffer).toString('hex') : null,
      timestamp: m.timestamp,
      headers: Object.fromEntries(
        Object.entries(m.headers ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v as string | Buffer).toString('hex'),
        ]),
      ),
    }));
    const got = before.map(({ partition, key, value, timestamp, headers }) => ({
      partition,
      key,
      value,
      timestamp,
      headers,
    }));
    expect(got.sort(byJson)).toEqual(expected.sort(byJson));

    broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir });
    try {
      const kafka = client(`${broker.host}:${broker.port}`, 'persist-2');
      const admin = kafka.admin();
      await admin.connect();
      expect(await admin.listTopics()).toContain(topic);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]!.partitions).toHaveLength(3);
      expect(await admin.fetchOffsets({ groupId: 'reader', topics: [topic] })).toEqual(committedBefore);
      const halfway = await admin.fetchOffsets({ groupId: 'halfway', topics: [topic] });
      expect(halfway[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual([
        '50',
        '7',
        '-1',
      ]);
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.map((o) => Number(o.high)).reduce((a, b) => a + b, 0)).toBe(sent.length);

      // Byte-identical: every record with its partition, offset, key, value, timestamp and headers.
      const after = await consume(kafka, 'reader-after-restart', topic, sent.length);
      expect(sortSeen(after)).toEqual(sortSeen(before));

      // The group that had committed everything resumes at its committed offsets: only new records arrive.
      const producer = kafka.producer();
      await producer.connect();
      const more = messages(300, 306);
      await producer.send({ topic, acks: -1, messages: more });
      await producer.disconnect();
      const resumed = await consume(kafka, 'reader', topic, more.length);
      expect(resumed.map((s) => `${s.partition}:${s.value}`).sort()).toEqual(
        more.map((m) => `${m.partition}:${m.value ? (m.value as Buffer).toString('hex') : null}`).sort(),
      );
      await admin.disconnect();
    } finally {
      await broker.stop();
    }
  });

  it('keeps every acknowledged record and committed offset after the broker process is killed with SIGKILL', async () => {
    const topic = 'crash';
    let proc: BrokerProcess | undefined = await spawnBroker(dataDir);
    const acked: { partition: number; offset: string; key: string }[] = [];
    try {
      const kafka = client(proc.address, 'crash-1');
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer({ retry: { retries: 0 } });
      await producer.connect();

      let stop = false;
      let seq = 0;
      const sender = async (lane: number) => {
        while (!stop) {
          const key = `lane${lane}-${seq++}`;
          try {
            const [meta] = await producer.send({
              topic,
              acks: -1,
              messages: [{ key, value: `value of ${key}`.repeat(5), partition: lane % 2 }],
            });
            acked.push({ partition: meta!.partition, offset: meta!.baseOffset!, key });
          } catch {
            // Cut off by the kill: never acknowledged, so the broker owes nothing for it.
            return;
          }
        }
      };
      const lanes = [0, 1, 2, 3].map(sender);
      await waitFor(() => acked.length >= 150);
      // A commit acknowledged before the crash must survive it too.
      const admin2 = kafka.admin();
      await admin2.connect();
      await admin2.setOffsets({ groupId: 'crash-group', topic, partitions: [{ partition: 1, offset: '3' }] });
      await admin2.disconnect();
      await waitFor(() => acked.length >= 300);
      // Kill while the four senders still have requests in flight.
      proc.child.kill('SIGKILL');
      await proc.exited;
      proc = undefined;
      stop = true;
      await Promise.all(lanes);
      await producer.disconnect().catch(() => undefined);
    } finally {
      if (proc) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    }
    expect(acked.length).toBeGreaterThanOrEqual(300);

    const restarted = await spawnBroker(dataDir);
    try {
      const kafka = client(restarted.address, 'crash-2');
      const admin = kafka.admin();
      await admin.connect();
      const highs = await admin.fetchTopicOffsets(topic);
      const total = highs.map((o) => Number(o.high)).reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(acked.length);
      const committed = await admin.fetchOffsets({ groupId: 'crash-group', topics: [topic] });
      expect(committed[0]!.partitions.find((p) => p.partition === 1)?.offset).toBe('3');
      await admin.disconnect();

      const all = await consume(kafka, 'after-crash', topic, total);
      const byPosition = new Map(all.map((s) => [`${s.partition}/${s.offset}`, s]));
      const missing = acked.filter((a) => {
        const s = byPosition.get(`${a.partition}/${a.offset}`);
        return !s || s.key !== Buffer.from(a.key).toString('hex');
      });
      expect(missing).toEqual([]);
      // Nothing appears twice: offsets are dense from 0 in each partition.
      for (const p of [0, 1]) {
        const offsets = all.filter((s) => s.partition === p).map((s) => Number(s.offset));
        expect(offsets.sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));
      }
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
