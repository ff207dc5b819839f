import type { Consumer, EachMessagePayload } from 'kafkajs';
import { brokerPool, kafkaFor, waitFor } from '#test/support/kafka-broker/broker-pool';

const pool = brokerPool();

describe('embedded broker with kafkajs', () => {
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  function consumerFor(kafka: ReturnType<typeof kafkaFor>, groupId: string): Consumer {
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    consumers.push(consumer);
    return consumer;
  }

  it('round-trips records with keys and headers across partitions', async () => {
    const broker = await pool.start();
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `order-${i}`,
      value: JSON.stringify({ n: i }),
      headers: { 'trace-id': `t-${i}` },
    }));
    await producer.send({ topic: 'orders', messages: sent });
    await producer.disconnect();

    const offsets = await admin.fetchTopicOffsets('orders');
    await admin.disconnect();
    expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1, 2]);
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(30);
    expect(offsets.filter((o) => Number(o.high) > 0).length).toBeGreaterThan(1);

    const received: EachMessagePayload[] = [];
    const consumer = consumerFor(kafka, 'round-trip');
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    await consumer.run({
      eachMessage: async (payload) => {
        received.push(payload);
      },
    });
    await waitFor(() => received.length >= 30, '30 records');

    const got = received.map(({ message, partition }) => ({
      key: message.key?.toString(),
      value: message.value?.toString(),
      trace: message.headers?.['trace-id']?.toString(),
      partition,
    }));
    expect(
      got
        .map(({ key, value, trace }) => ({ key, value, trace }))
        .sort((a, b) => a.key!.localeCompare(b.key!)),
    ).toEqual(
      sent
        .map((m) => ({ key: m.key, value: m.value, trace: m.headers['trace-id'] }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
    // One key always lands on one partition, and offsets within a partition are dense and ordered.
    for (const partition of [0, 1, 2]) {
      const inPartition = received
        .filter((r) => r.partition === partition)
        .map((r) => Number(r.message.offset));
      expect(inPartition).toEqual(inPartition.map((_, i) => i));
    }
  });

  it('resumes a restarted consumer from its committed offsets', async () => {
    const broker = await pool.start({ topics: [{ name: 'payments', partitions: 2 }] });
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'payments',
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `${i}`, value: `first-${i}` })),
    });

    const first: string[] = [];
    const consumer1 = consumerFor(kafka, 'payments-service');
    await consumer1.connect();
    await consumer1.subscribe({ topic: 'payments', fromBeginning: true });
    await consumer1.run({ eachMessage: async ({ message }) => void first.push(message.value!.toString()) });
    await waitFor(() => first.length >= 10, 'first 10 records');
    await consumers.pop()!.disconnect();

    await producer.send({
      topic: 'payments',
      messages: Array.from({ length: 5 }, (_, i) => ({ key: `${i}`, value: `second-${i}` })),
    });

    const second: string[] = [];
    const consumer2 = consumerFor(kafka, 'payments-service');
    await consumer2.connect();
    await consumer2.subscribe({ topic: 'payments', fromBeginning: true });
    await consumer2.run({ eachMessage: async ({ message }) => void second.push(message.value!.toString()) });
    await waitFor(() => second.length >= 5, 'the 5 new records');
    // A sentinel at the end of each partition: once both are seen, everything before them was delivered,
    // so a redelivered old record would be in `second` by now.
    await producer.send({
      topic: 'payments',
      messages: [0, 1].map((partition) => ({ partition, value: `end-${partition}` })),
    });
    await producer.disconnect();
    await waitFor(
      () => second.includes('end-0') && second.includes('end-1'),
      'the sentinel of each partition',
    );
    expect(second.filter((v) => !v.startsWith('end-')).sort()).toEqual([
      'second-0',
      'second-1',
      'second-2',
      'second-3',
      'second-4',
    ]);
  });

  it('creates, lists and deletes topics and reports topic and group offsets', async () => {
    const broker = await pool.start();
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }, { topic: 'b' }] })).toBe(
      true,
    );
    expect(await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }] })).toBe(false);
    expect((await admin.listTopics()).sort()).toEqual(['a', 'b']);
    const metadata = await admin.fetchTopicMetadata({ topics: ['a'] });
    expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'a',
      messages: [
        { value: 'x', partition: 1 },
        { value: 'y', partition: 1 },
      ],
    });
    await producer.disconnect();
    expect(await admin.fetchTopicOffsets('a')).toEqual([
      { partition: 0, offset: '0', high: '0', low: '0' },
      { partition: 1, offset: '2', high: '2', low: '0' },
    ]);

    await admin.setOffsets({ groupId: 'reporting', topic: 'a', partitions: [{ partition: 1, offset: '1' }] });
    const committed = await admin.fetchOffsets({ groupId: 'reporting', topics: ['a'] });
    expect(committed).toEqual([
      {
        topic: 'a',
        partitions: expect.arrayContaining([
          { partition: 0, offset: '-1', metadata: null },
          { partition: 1, offset: '1', metadata: null },
        ]),
      },
    ]);
    expect((await admin.listGroups()).groups).toEqual([{ groupId: 'reporting', protocolType: 'consumer' }]);

    const configs = await admin.describeConfigs({
      resources: [{ type: 2, name: 'a' }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]!.configEntries.map((c) => c.configName)).toContain('retention.ms');

    await admin.deleteTopics({ topics: ['a'] });
    expect(await admin.listTopics()).toEqual(['b']);
    await admin.disconnect();
  });
});
