/**
 * The six client-visible defects of issue 15, each driven through a client nobody here wrote (kafkajs in
 * process; kcat, kafka-python and confluent-kafka when installed) and, where the wire detail matters, raw
 * frames:
 *   1. ListOffsets by timestamp answers per record, not per batch;
 *   2. Fetch keeps to max_bytes except for the first partition with data;
 *   4. auto-creating an illegal topic name answers INVALID_TOPIC_EXCEPTION;
 *   5. CreateTopics refuses unknown config names with INVALID_CONFIG;
 *   6. DescribeConfigs reports every topic config with value and source.
 * (Defect 3, idempotent producers, has its own file: idempotence.test.ts.)
 */
import { type Broker, ErrorCode } from '#local/kafka-broker/index';
import { brokerPool, kafkaFor, run } from '#test/support/kafka-broker/broker-pool';
import { int8, int32, int64, RawClient, request, str } from '#test/support/kafka-broker/raw-client';
import { withTool } from '#test/support/outside-tools';

const pool = brokerPool();
const kcat = withTool('kcat');
const kafkaPython = withTool('kafka-python');
const confluent = withTool('confluent-kafka');

const T0 = 1_700_000_000_000;

/** One batch of 5 records with timestamps T0, T0+10, ... T0+40 on partition 0 of `topic`. */
async function timedBatch(broker: Broker, topic: string): Promise<void> {
  const producer = kafkaFor(broker).producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: 5 }, (_, i) => ({
      value: `r${i}`,
      partition: 0,
      timestamp: String(T0 + i * 10),
    })),
  });
  await producer.disconnect();
  expect(broker.storage.partition(topic, 0)!.read(0n, 1 << 20)).toHaveLength(1);
}

describe('defect 1: ListOffsets by timestamp inside a batch', () => {
  it('answers kafkajs with the first record at or after the time', async () => {
    const broker = await pool.start({ topics: [{ name: 'timed', partitions: 1 }] });
    await timedBatch(broker, 'timed');
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', T0 + 25)).toEqual([
      { partition: 0, offset: '3' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', T0 + 30)).toEqual([
      { partition: 0, offset: '3' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('timed', T0)).toEqual([{ partition: 0, offset: '0' }]);
    await admin.disconnect();
  });

  kcat.it('answers kcat -Q with the record offset', async () => {
    const broker = await pool.start({ topics: [{ name: 'timed', partitions: 1 }] });
    await timedBatch(broker, 'timed');
    const res = await run(kcat.command, ['-b', broker.address, '-Q', '-t', `timed:0:${T0 + 25}`]);
    expect(res.stdout.trim()).toBe('timed [0] offset 3');
  });

  kafkaPython.it('answers kafka-python offsets_for_times with the record and its timestamp', async () => {
    const broker = await pool.start({ topics: [{ name: 'timed', partitions: 1 }] });
    await timedBatch(broker, 'timed');
    const res = await run(kafkaPython.command, [
      '-c',
      `import sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1])
r = c.offsets_for_times({TopicPartition('timed', 0): int(sys.argv[2])})[TopicPartition('timed', 0)]
print(r.offset, r.timestamp)`,
      broker.address,
      String(T0 + 25),
    ]);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(`3 ${T0 + 30}`);
  });

  confluent.it('answers confluent-kafka offsets_for_times with the record offset', async () => {
    const broker = await pool.start({ topics: [{ name: 'timed', partitions: 1 }] });
    await timedBatch(broker, 'timed');
    const res = await run(confluent.command, [
      '-c',
      `import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'times'})
print(c.offsets_for_times([TopicPartition('timed', 0, int(sys.argv[2]))], timeout=10)[0].offset)
c.close()`,
      broker.address,
      String(T0 + 25),
    ]);
    expect(res.stdout.trim()).toBe('3');
  });
});

describe('defect 2: Fetch keeps to max_bytes', () => {
  const BIG = 600_000;

  async function threeBigPartitions(): Promise<Broker> {
    const broker = await pool.start({ topics: [{ name: 'big', partitions: 3 }] });
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({
      topic: 'big',
      messages: [0, 1, 2].map((partition) => ({ partition, value: Buffer.alloc(BIG, 97 + partition) })),
    });
    await producer.disconnect();
    return broker;
  }

  it('returns only the first partition with data when the next would pass max_bytes', async () => {
    const broker = await threeBigPartitions();
    const client = await RawClient.open(broker.port);
    const partition = (p: number) => Buffer.concat([int32(p), int64(0n), int32(1_048_576)]);
    // Fetch v4: replica, max wait, min bytes, max bytes, isolation, topics [name, [partition, offset, max]]
    const body = Buffer.concat([
      int32(-1),
      int32(100),
      int32(1),
      int32(1_000_000),
      int8(1),
      int32(1),
      str('big'),
      int32(3),
      partition(0),
      partition(1),
      partition(2),
    ]);
    client.send(request(1, 4, 1, body));
    const res = await client.next();
    client.close();
    expect(res.length).toBeGreaterThan(BIG);
    expect(res.length).toBeLessThan(1_000_000);
  });

  kcat.it('lets kcat consume partitions whose batches together exceed its receive limit', async () => {
    const broker = await threeBigPartitions();
    const res = await run(
      kcat.command,
      [
        '-b',
        broker.address,
        '-C',
        '-t',
        'big',
        '-o',
        'beginning',
        '-e',
        '-X',
        'receive.message.max.bytes=1000000',
        '-X',
        'fetch.max.bytes=999000',
        '-X',
        'message.max.bytes=900000',
        '-f',
        '%p:%S\\n',
      ],
      { timeoutMs: 30_000 },
    );
    expect(res.stderr).not.toMatch(/Invalid response size/);
    expect(res.stdout.trim().split('\n').sort()).toEqual([`0:${BIG}`, `1:${BIG}`, `2:${BIG}`]);
  });
});

describe('defect 4: auto-creating an illegal topic name', () => {
  it('answers Metadata with INVALID_TOPIC_EXCEPTION', async () => {
    const broker = await pool.start();
    const client = await RawClient.open(broker.port);
    // Metadata v4: topics [name], allow_auto_topic_creation
    client.send(request(3, 4, 1, Buffer.concat([int32(1), str('bad name!'), int8(1)])));
    const res = await client.next();
    client.close();
    // correlation, throttle, brokers [id, host, port, rack], cluster id, controller, topics [error, name, ...]
    let at = 8;
    const brokers = res.readInt32BE(at);
    at += 4;
    for (let i = 0; i < brokers; i++) {
      at += 4;
      at += 2 + res.readInt16BE(at);
      at += 4;
      const rack = res.readInt16BE(at);
      at += 2 + Math.max(rack, 0);
    }
    at += 2 + res.readInt16BE(at) + 4 + 4;
    expect(res.readInt16BE(at)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(broker.storage.listTopics()).toEqual([]);
  });

  kcat.it('shows kcat "Invalid topic"', async () => {
    const broker = await pool.start();
    const res = await run(kcat.command, ['-b', broker.address, '-L', '-t', 'bad name!']);
    expect(res.stdout).toContain('topic "bad name!" with 0 partitions: Broker: Invalid topic');
  });
});

describe('defect 5: CreateTopics with an unknown config', () => {
  it('refuses kafkajs with INVALID_CONFIG and creates nothing', async () => {
    const broker = await pool.start();
    const admin = kafkaFor(broker, { retry: { retries: 0 } }).admin();
    await admin.connect();
    await expect(
      admin.createTopics({
        topics: [{ topic: 'configured', configEntries: [{ name: 'dummy.doesntexist', value: '1' }] }],
      }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
    await expect(
      admin.createTopics({
        topics: [{ topic: 'configured', configEntries: [{ name: 'min.insync.replicas', value: 'two' }] }],
      }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
    expect(await admin.listTopics()).toEqual([]);
    await admin.disconnect();
  });

  confluent.it('refuses confluent-kafka create_topics with INVALID_CONFIG', async () => {
    const broker = await pool.start();
    const res = await run(confluent.command, [
      '-c',
      `import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
f = a.create_topics([NewTopic('configured', 1, 1, config={'dummy.doesntexist': '1'})])['configured']
try:
    f.result(10)
    print('created')
except Exception as e:
    print(e.args[0].name())`,
      broker.address,
    ]);
    expect(res.stdout.trim()).toBe('INVALID_CONFIG');
  });
});

describe('defect 6: DescribeConfigs reports every config', () => {
  const STANDARD = [
    'compression.type',
    'min.insync.replicas',
    'max.message.bytes',
    'segment.bytes',
    'cleanup.policy',
  ];

  it('gives kafkajs every topic config with value and source, also when asked by name', async () => {
    const broker = await pool.start({
      topics: [{ name: 'described', partitions: 1, configs: { 'min.insync.replicas': '2' } }],
    });
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    const all = await admin.describeConfigs({
      resources: [{ type: 2, name: 'described' }],
      includeSynonyms: false,
    });
    const entries = new Map(all.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.size).toBeGreaterThanOrEqual(30);
    for (const name of STANDARD) expect(entries.has(name)).toBe(true);
    expect(entries.get('min.insync.replicas')).toMatchObject({ configValue: '2', isDefault: false });
    expect(entries.get('compression.type')).toMatchObject({ configValue: 'producer', isDefault: true });
    const named = await admin.describeConfigs({
      resources: [{ type: 2, name: 'described', configNames: ['segment.bytes', 'max.message.bytes'] }],
      includeSynonyms: false,
    });
    expect(named.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]).sort()).toEqual([
      ['max.message.bytes', '1048588'],
      ['segment.bytes', '1073741824'],
    ]);
    await admin.disconnect();
  });

  confluent.it('gives confluent-kafka describe_configs the standard names', async () => {
    const broker = await pool.start({ topics: [{ name: 'described', partitions: 1 }] });
    const res = await run(confluent.command, [
      '-c',
      `import sys
from confluent_kafka.admin import AdminClient, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
r = ConfigResource('topic', 'described')
configs = a.describe_configs([r])[r].result(10)
print(' '.join(sorted(configs)))`,
      broker.address,
    ]);
    const names = res.stdout.trim().split(' ');
    for (const name of STANDARD) expect(names).toContain(name);
  });
});
