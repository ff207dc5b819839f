/**
 * The admin APIs added for issue 15: IncrementalAlterConfigs in raw frames (kafkajs 2.2 has no client for
 * it), AlterConfigs and CreatePartitions through kafkajs, and the configs surviving a restart on a data
 * directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ErrorCode, startBroker } from '#local/kafka-broker/index';
import { brokerPool, kafkaFor, memoryLogger } from '#test/support/kafka-broker/broker-pool';
import { int8, int16, int32, RawClient, request, str } from '#test/support/kafka-broker/raw-client';

const pool = brokerPool();

async function topicConfigs(
  kafka: ReturnType<typeof kafkaFor>,
  topic: string,
): Promise<Record<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const res = await admin.describeConfigs({
      resources: [{ type: 2, name: topic }],
      includeSynonyms: false,
    });
    return Object.fromEntries(
      res.resources[0]!.configEntries.filter((e) => !e.isDefault).map((e) => [e.configName, e.configValue]),
    );
  } finally {
    await admin.disconnect();
  }
}

/** IncrementalAlterConfigs v0 for one topic; resolves with the resource's error code and message. */
async function incrementalAlter(
  port: number,
  topic: string,
  changes: readonly [name: string, operation: number, value: string | null][],
): Promise<{ errorCode: number; errorMessage: string | null }> {
  const client = await RawClient.open(port);
  const configs = changes.map(([name, op, value]) =>
    Buffer.concat([str(name), int8(op), value === null ? int16(-1) : str(value)]),
  );
  const body = Buffer.concat([int32(1), int8(2), str(topic), int32(configs.length), ...configs, int8(0)]);
  client.send(request(44, 0, 1, body));
  const res = await client.next();
  client.close();
  // correlation, throttle, [error_code, error_message, resource_type, resource_name]
  const errorCode = res.readInt16BE(12);
  const length = res.readInt16BE(14);
  return { errorCode, errorMessage: length < 0 ? null : res.toString('utf8', 16, 16 + length) };
}

describe('IncrementalAlterConfigs', () => {
  it('changes only the named configs', async () => {
    const broker = await pool.start({
      topics: [
        {
          name: 'orders',
          partitions: 1,
          configs: { 'cleanup.policy': 'delete', 'min.insync.replicas': '2' },
        },
      ],
    });
    expect(
      await incrementalAlter(broker.port, 'orders', [
        ['retention.ms', 0, '3600000'],
        ['min.insync.replicas', 1, null],
        ['cleanup.policy', 2, 'compact'],
      ]),
    ).toEqual({ errorCode: 0, errorMessage: null });
    expect(await topicConfigs(kafkaFor(broker), 'orders')).toEqual({
      'cleanup.policy': 'delete,compact',
      'retention.ms': '3600000',
    });
    expect(broker.storage.listTopics().find((t) => t.name === 'orders')?.retentionMs).toBe(3_600_000);
  });

  it('refuses an unknown config name with INVALID_CONFIG and changes nothing', async () => {
    const broker = await pool.start({ topics: [{ name: 'orders', partitions: 1 }] });
    expect(await incrementalAlter(broker.port, 'orders', [['dummy.doesntexist', 0, '1']])).toEqual({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'unknown topic config dummy.doesntexist',
    });
    expect(await topicConfigs(kafkaFor(broker), 'orders')).toEqual({});
  });
});

describe('AlterConfigs and CreatePartitions with kafkajs', () => {
  it('replaces a topic config set and keeps it across a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'campusg-admin-'));
    try {
      const options = { port: 0, host: '127.0.0.1', dataDir, logger: memoryLogger() };
      let broker = await startBroker({
        ...options,
        topics: [{ name: 'kept', partitions: 1, configs: { 'segment.ms': '1000' } }],
      });
      const admin = kafkaFor(broker).admin();
      await admin.connect();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: 2, name: 'kept', configEntries: [{ name: 'retention.bytes', value: '1048576' }] },
        ],
      });
      await admin.createPartitions({ topicPartitions: [{ topic: 'kept', count: 3 }] });
      await admin.disconnect();
      await broker.stop();

      broker = await startBroker(options);
      try {
        const kafka = kafkaFor(broker);
        expect(await topicConfigs(kafka, 'kept')).toEqual({ 'retention.bytes': '1048576' });
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({ topic: 'kept', messages: [{ partition: 2, value: 'to the new partition' }] });
        await producer.disconnect();
        expect(broker.storage.partition('kept', 2)?.highWatermark()).toBe(1n);
      } finally {
        await broker.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to shrink a topic with INVALID_PARTITIONS', async () => {
    const broker = await pool.start({ topics: [{ name: 'wide', partitions: 3 }] });
    const admin = kafkaFor(broker, { retry: { retries: 0 } }).admin();
    await admin.connect();
    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: 'wide', count: 2 }] }),
    ).rejects.toMatchObject({
      type: 'INVALID_PARTITIONS',
    });
    await admin.disconnect();
  });
});

describe('LeaveGroup v3', () => {
  it('removes a batch of members and reports an unknown one per member', async () => {
    const broker = await pool.start({ topics: [{ name: 'shared', partitions: 2 }] });
    const kafka = kafkaFor(broker);
    const consumers = [
      kafka.consumer({ groupId: 'batch-leave' }),
      kafka.consumer({ groupId: 'batch-leave' }),
    ];
    for (const c of consumers) {
      await c.connect();
      await c.subscribe({ topic: 'shared' });
      await c.run({ eachMessage: async () => {} });
    }
    const admin = kafka.admin();
    await admin.connect();
    let members: string[] = [];
    const deadline = Date.now() + 30_000;
    while (
      members.length !== 2 ||
      (await admin.describeGroups(['batch-leave'])).groups[0]!.state !== 'Stable'
    ) {
      if (Date.now() > deadline) throw new Error('the two consumers did not form a stable group in 30 s');
      members = (await admin.describeGroups(['batch-leave'])).groups[0]!.members.map((m) => m.memberId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const client = await RawClient.open(broker.port);
    const body = Buffer.concat([
      str('batch-leave'),
      int32(3),
      ...[...members, 'not-a-member'].map((m) => Buffer.concat([str(m), int16(-1)])),
    ]);
    client.send(request(13, 3, 1, body));
    const res = await client.next();
    client.close();
    // correlation, throttle, error, members [member_id, instance id, error]
    expect(res.readInt16BE(8)).toBe(0);
    const errors: number[] = [];
    let at = 14;
    for (let i = 0; i < 3; i++) {
      at += 2 + res.readInt16BE(at);
      at += 2;
      errors.push(res.readInt16BE(at));
      at += 2;
    }
    expect(errors).toEqual([0, 0, ErrorCode.UNKNOWN_MEMBER_ID]);
    await Promise.all(consumers.map((c) => c.disconnect()));
    await admin.disconnect();
  });
});
