import { ErrorCode } from '#local/kafka-broker/index';
import { brokerPool, kafkaFor } from '#test/support/kafka-broker/broker-pool';

const pool = brokerPool();

/** The innermost error of a kafkajs failure (retries wrap the protocol error). */
function rootCause(error: unknown): { type?: string; code?: number; message?: string } {
  let e = error as {
    type?: string;
    code?: number;
    message?: string;
    originalError?: unknown;
    cause?: unknown;
  };
  while (e && !e.type && (e.originalError || e.cause)) e = (e.originalError ?? e.cause) as typeof e;
  return e;
}

describe('topic auto-creation (kafkajs)', () => {
  it('with autoCreateTopics false, refuses a produce to an unknown topic with UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    const broker = await pool.start({ autoCreateTopics: false, topics: [{ name: 'known', partitions: 2 }] });
    const kafka = kafkaFor(broker, { retry: { retries: 1, initialRetryTime: 20, maxRetryTime: 50 } });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const failure = await producer.send({ topic: 'not-there', messages: [{ key: 'k', value: 'v' }] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeDefined();
      expect(rootCause(failure)).toMatchObject({
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      });
      // the known topic still takes records on the same connection
      await producer.send({ topic: 'known', messages: [{ key: 'k', value: 'v' }] });
    } finally {
      await producer.disconnect();
    }

    const admin = kafka.admin();
    await admin.connect();
    try {
      // the producer's Metadata requests asked to auto-create it: the topic still does not exist
      const metadata = await admin.fetchTopicMetadata({ topics: ['not-there'] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(rootCause(metadata)).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
      expect((await admin.listTopics()).sort()).toEqual(['known']);
    } finally {
      await admin.disconnect();
    }
  });

  it('with autoCreateTopics true, creates an unknown topic on first produce with the default partition count', async () => {
    const broker = await pool.start({ autoCreateTopics: true, defaultPartitions: 4 });
    const kafka = kafkaFor(broker);
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const [ack] = await producer.send({ topic: 'made-on-demand', messages: [{ key: 'k', value: 'v' }] });
      expect(ack).toMatchObject({ topicName: 'made-on-demand', errorCode: 0 });
    } finally {
      await producer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['made-on-demand'] });
      expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
      const offsets = await admin.fetchTopicOffsets('made-on-demand');
      expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('gives an auto-created topic one partition when no default is configured', async () => {
    const broker = await pool.start({});
    const kafka = kafkaFor(broker);
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer
      .send({ topic: 'one-partition', messages: [{ value: 'a' }, { value: 'b' }] })
      .finally(() => producer.disconnect());
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['one-partition'] });
      expect(topics.map((t) => [t.name, t.partitions.length])).toEqual([['one-partition', 1]]);
    } finally {
      await admin.disconnect();
    }
  });
});
