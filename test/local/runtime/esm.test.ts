import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { type MskEvent, toMskEvent } from '#local/core/msk-event';
import type { InvokeResult, Invoker, LocalEventSourceMapping } from '#local/core/types';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { KafkaEventSourceMapping, toMskRecord } from '#local/runtime/esm';

const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:000000000000:cluster/campusg-local/0000-1';

class FakeInvoker implements Invoker {
  readonly events: MskEvent[] = [];
  fail: (event: MskEvent, n: number) => boolean = () => false;
  async invoke(_ref: string, event: unknown): Promise<InvokeResult> {
    const e = event as MskEvent;
    this.events.push(e);
    if (this.fail(e, this.events.length)) {
      return { ok: false, error: { errorType: 'Error', errorMessage: 'boom' }, durationMs: 1 };
    }
    return { ok: true, payload: null, durationMs: 1 };
  }
  records(): MskEvent['records'][string] {
    return this.events.flatMap((e) => Object.values(e.records).flat());
  }
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
};

describe('MSK event shaping', () => {
  it('matches the shape of the documented MSK event', () => {
    const fixture = JSON.parse(
      fs.readFileSync(path.join(__dirname, '../../fixtures/aws-events/msk-event.json'), 'utf8'),
    ) as MskEvent;
    const original = fixture.records['order-events-0']![0]!;
    const record = toMskRecord('order-events', 0, {
      key: Buffer.from(original.key!, 'base64'),
      value: Buffer.from(original.value!, 'base64'),
      timestamp: String(original.timestamp),
      offset: String(original.offset),
      attributes: 0,
      size: 0,
      headers: { traceparent: Buffer.from(original.headers[0]!.traceparent!) },
    } as unknown as KafkaMessage);
    expect(record).toEqual(original);
    const event = toMskEvent([record], {
      eventSourceArn: fixture.eventSourceArn,
      bootstrapServers: fixture.bootstrapServers,
    });
    expect(Object.keys(event)).toEqual(Object.keys(fixture));
    expect(event.records['order-events-0']).toEqual([original]);
    const nullKey = toMskRecord('order-events', 1, {
      key: null,
      value: Buffer.from('x'),
      timestamp: '1',
      offset: '3',
      attributes: 0,
      size: 0,
      headers: {},
    } as unknown as KafkaMessage);
    expect(nullKey.key).toBeNull();
    expect(nullKey.headers).toEqual([]);
  });
});

describe('KafkaEventSourceMapping against the embedded broker', () => {
  let broker: Broker;
  let kafka: Kafka;
  const mappings: KafkaEventSourceMapping[] = [];

  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      topics: [
        { name: 'esm-shape', partitions: 2 },
        { name: 'esm-commit', partitions: 1 },
        { name: 'esm-dlq-source', partitions: 1 },
        { name: 'esm-dead', partitions: 1 },
        { name: 'esm-lanes', partitions: 2 },
      ],
    });
    kafka = new Kafka({ clientId: 'esm-test', brokers: [broker.address], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await Promise.all(mappings.map((m) => m.stop()));
    await broker.stop();
  });

  const mapping = (topic: string, extra: Partial<LocalEventSourceMapping> = {}): LocalEventSourceMapping => ({
    logicalId: `${topic}-esm`,
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    topic,
    consumerGroupId: `group-${topic}`,
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
    ...extra,
  });

  const start = async (m: LocalEventSourceMapping, invoker: Invoker) => {
    const esm = new KafkaEventSourceMapping({
      mapping: m,
      invoker,
      brokers: [broker.address],
      eventSourceArn: CLUSTER_ARN,
      retryBackoffMs: { initial: 20, max: 100 },
    });
    mappings.push(esm);
    await esm.start();
    return esm;
  };

  const committed = async (group: string, topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return t!.partitions.map((p) => Number(p.offset));
    } finally {
      await admin.disconnect();
    }
  };

  it('delivers MSK events in batches of at most the batch size, keyed by topic-partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'esm-shape',
      messages: Array.from({ length: 7 }, (_, i) => ({
        key: `order-${i}`,
        value: JSON.stringify({ n: i }),
        partition: i % 2,
        headers: { traceparent: `tp-${i}` },
      })),
    });
    await producer.disconnect();
    const invoker = new FakeInvoker();
    await start(mapping('esm-shape', { batchSize: 2 }), invoker);
    await until(() => invoker.records().length === 7);
    for (const e of invoker.events) {
      expect(e.eventSource).toBe('aws:kafka');
      expect(e.eventSourceArn).toBe(CLUSTER_ARN);
      expect(e.bootstrapServers).toBe(broker.address);
      const all = Object.entries(e.records);
      expect(all.flatMap(([, rs]) => rs).length).toBeLessThanOrEqual(2);
      for (const [key, rs] of all) for (const r of rs) expect(key).toBe(`${r.topic}-${r.partition}`);
    }
    const r0 = invoker.records().find((r) => Buffer.from(r.key!, 'base64').toString() === 'order-0')!;
    expect(JSON.parse(Buffer.from(r0.value!, 'base64').toString())).toEqual({ n: 0 });
    expect(r0).toMatchObject({ topic: 'esm-shape', partition: 0, offset: 0, timestampType: 'CREATE_TIME' });
    expect(r0.headers).toEqual([{ traceparent: [...Buffer.from('tp-0')] }]);
    await until(
      async () => (await committed('group-esm-shape', 'esm-shape')).reduce((a, b) => a + b, 0) === 7,
    );
  });

  it('commits offsets only after the invocation succeeds, retrying until it does', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'esm-commit', messages: [{ key: 'a', value: 'first' }] });
    const invoker = new FakeInvoker();
    let healthy = false;
    invoker.fail = () => !healthy;
    const esm = await start(mapping('esm-commit'), invoker);
    await until(() => invoker.events.length >= 3);
    expect(await committed('group-esm-commit', 'esm-commit')).toEqual([-1]);
    healthy = true;
    await until(async () => (await committed('group-esm-commit', 'esm-commit'))[0] === 1);
    expect(esm.stats.failedInvocations).toBeGreaterThanOrEqual(3);
    // a stopped mapping redelivers what it had not committed to the next consumer of the group
    await esm.stop();
    healthy = false;
    await producer.send({ topic: 'esm-commit', messages: [{ key: 'b', value: 'second' }] });
    await producer.disconnect();
    const second = new FakeInvoker();
    second.fail = () => second.events.length < 2;
    await start(mapping('esm-commit'), second);
    await until(async () => (await committed('group-esm-commit', 'esm-commit'))[0] === 2);
    const values = second.records().map((r) => Buffer.from(r.value!, 'base64').toString());
    expect(values.every((v) => v === 'second')).toBe(true);
  });

  it('after exhausting retries (with bisect) sends the failing record to the on-failure destination and moves on', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'esm-dlq-source',
      messages: [
        { key: 'ok-1', value: 'good' },
        { key: 'poison', value: 'poison', headers: { h: 'v' } },
        { key: 'ok-2', value: 'good' },
      ],
    });
    await producer.disconnect();
    const invoker = new FakeInvoker();
    invoker.fail = (e) =>
      Object.values(e.records)
        .flat()
        .some((r) => Buffer.from(r.value!, 'base64').toString() === 'poison');
    const esm = await start(
      mapping('esm-dlq-source', {
        maximumRetryAttempts: 2,
        bisectBatchOnFunctionError: true,
        onFailureDestination: 'kafka://esm-dead',
      }),
      invoker,
    );
    await until(async () => (await committed('group-esm-dlq-source', 'esm-dlq-source'))[0] === 3);
    expect(esm.stats.recordsSentToDestination).toBe(1);
    const delivered = invoker.events
      .filter((e) => !invoker.fail(e, 0))
      .flatMap((e) => Object.values(e.records).flat())
      .map((r) => Buffer.from(r.key!, 'base64').toString());
    expect(delivered.sort()).toEqual(['ok-1', 'ok-2']);

    // a short long-poll: disconnect waits for the fetch in flight, which would otherwise idle for 5 s
    const consumer = kafka.consumer({ groupId: 'dead-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'esm-dead', fromBeginning: true });
    const dead: { key: string; value: string; headers: Record<string, string> }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        dead.push({ key: String(message.key), value: String(message.value), headers });
      },
    });
    await until(() => dead.length === 1);
    await consumer.disconnect();
    expect(dead[0]).toMatchObject({
      key: 'poison',
      value: 'poison',
      headers: {
        h: 'v',
        'lambda-esm-condition': 'RetryAttemptsExhausted',
        'lambda-esm-source-topic': 'esm-dlq-source',
        'lambda-esm-source-partition': '0',
        'lambda-esm-source-offset': '1',
        'lambda-esm-error-type': 'Error',
        'lambda-esm-error-message': 'boom',
        'lambda-esm-consumer-group': 'group-esm-dlq-source',
      },
    });
  });

  it('invokes partitions concurrently: a busy partition does not hold back another, each stays in order, one invocation at a time', async () => {
    const producer = kafka.producer();
    await producer.connect();
    let releaseFirst!: () => void;
    const firstBlocked = new Promise<void>((r) => {
      releaseFirst = r;
    });
    const inFlight = new Map<number, number>();
    let overlapInOnePartition = false;
    const seen: { partition: number; offset: number }[] = [];
    const invoker: Invoker = {
      async invoke(_ref, event) {
        const records = Object.values((event as MskEvent).records).flat();
        const partition = records[0]!.partition;
        if ((inFlight.get(partition) ?? 0) > 0) overlapInOnePartition = true;
        inFlight.set(partition, (inFlight.get(partition) ?? 0) + 1);
        for (const r of records) seen.push({ partition: r.partition, offset: r.offset });
        // the first invocation on partition 0 waits until partition 1 has been delivered
        if (partition === 0 && records[0]!.offset === 0) await firstBlocked;
        inFlight.set(partition, inFlight.get(partition)! - 1);
        return { ok: true, payload: null, durationMs: 1 };
      },
    };
    await start(mapping('esm-lanes', { batchSize: 1 }), invoker);
    await producer.send({ topic: 'esm-lanes', messages: [{ key: 'a', value: 'p0-0', partition: 0 }] });
    await until(() => seen.some((s) => s.partition === 0));
    await producer.send({
      topic: 'esm-lanes',
      messages: [
        { key: 'a', value: 'p0-1', partition: 0 },
        { key: 'b', value: 'p1-0', partition: 1 },
        { key: 'b', value: 'p1-1', partition: 1 },
      ],
    });
    await until(() => seen.filter((s) => s.partition === 1).length === 2);
    expect(seen.filter((s) => s.partition === 0)).toEqual([{ partition: 0, offset: 0 }]);
    expect(await committed('group-esm-lanes', 'esm-lanes')).toEqual([-1, 2]);
    releaseFirst();
    await until(async () => (await committed('group-esm-lanes', 'esm-lanes')).join() === '2,2');
    await producer.disconnect();
    expect(seen.filter((s) => s.partition === 0).map((s) => s.offset)).toEqual([0, 1]);
    expect(seen.filter((s) => s.partition === 1).map((s) => s.offset)).toEqual([0, 1]);
    expect(overlapInOnePartition).toBe(false);
  });
});
