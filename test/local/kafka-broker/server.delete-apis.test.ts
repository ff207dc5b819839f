/**
 * DeleteRecords, DeleteGroups and OffsetDelete against a running broker: the first two through kafkajs'
 * admin client (deleteTopicRecords, deleteGroups), OffsetDelete in raw frames (kafkajs 2.2 has no client
 * for it); the log start offset set by DeleteRecords surviving a restart on a data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ErrorCode, startBroker } from '#local/kafka-broker/index';
import { brokerPool, kafkaFor, memoryLogger } from '#test/support/kafka-broker/broker-pool';
import { int32, RawClient, request, str } from '#test/support/kafka-broker/raw-client';

const pool = brokerPool();

/** OffsetDelete v0 for one group and topic; resolves with the top-level and per-partition error codes. */
async function offsetDelete(port: number, group: string, topic: string, partitions: number[]) {
  const client = await RawClient.open(port);
  try {
    const body = Buffer.concat([
      str(group),
      int32(1),
      str(topic),
      int32(partitions.length),
      ...partitions.map((p) => int32(p)),
    ]);
    client.send(request(47, 0, 9, body));
    const res = await client.next();
    // correlation id, error code, throttle, topics [name, partitions [index, error]]
    const errorCode = res.readInt16BE(4);
    let pos = 10 + 4 + 2 + Buffer.byteLength(topic);
    const count = res.readInt32BE(pos);
    pos += 4;
    const perPartition: number[] = [];
    for (let i = 0; i < count; i++, pos += 6) perPartition.push(res.readInt16BE(pos + 4));
    return { errorCode, perPartition };
  } finally {
    client.close();
  }
}

async function produceValues(kafka: ReturnType<typeof kafkaFor>, topic: string, values: string[]) {
  const producer = kafka.producer();
  await producer.connect();
  for (const value of values) await producer.send({ topic, acks: -1, messages: [{ value, partition: 0 }] });
  await producer.disconnect();
}

describe('delete APIs', () => {
  it('DeleteRecords moves the earliest offset, so a consumer from the beginning starts there', async () => {
    const broker = await pool.start({ topics: [{ name: 'trim', partitions: 1 }] });
    const kafka = kafkaFor(broker);
    await produceValues(kafka, 'trim', ['a', 'b', 'c', 'd']);
    const admin = kafka.admin();
    await admin.connect();
    try {
      // kafkajs' deleteTopicRecords needs the topic's metadata loaded first.
      await admin.fetchTopicMetadata({ topics: ['trim'] });
      await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '2' }] });
      const offsets = await admin.fetchTopicOffsets('trim');
      expect(offsets).toEqual([expect.objectContaining({ partition: 0, low: '2', high: '4' })]);
      await expect(
        admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '9' }] }),
      ).rejects.toThrow();
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({ groupId: 'trim-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'trim', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual(['c', 'd']);
  });

  it('DeleteRecords keeps the new log start across a restart on a data directory', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'campusg-delete-records-'));
    try {
      const options = { port: 0, host: '127.0.0.1', dataDir, logger: memoryLogger() };
      const first = await startBroker({ ...options, topics: [{ name: 'kept', partitions: 1 }] });
      await produceValues(kafkaFor(first), 'kept', ['a', 'b', 'c']);
      const admin = kafkaFor(first).admin();
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: ['kept'] });
      await admin.deleteTopicRecords({ topic: 'kept', partitions: [{ partition: 0, offset: '-1' }] });
      await admin.disconnect();
      await first.stop();

      const second = await startBroker(options);
      try {
        const again = kafkaFor(second).admin();
        await again.connect();
        const offsets = await again.fetchTopicOffsets('kept');
        await again.disconnect();
        expect(offsets).toEqual([expect.objectContaining({ partition: 0, low: '3', high: '3' })]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('DeleteGroups deletes an empty group with its offsets and refuses a live or unknown one', async () => {
    const broker = await pool.start({ topics: [{ name: 'jobs', partitions: 1 }] });
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: 'idle', topic: 'jobs', partitions: [{ partition: 0, offset: '0' }] });
      const consumer = kafka.consumer({ groupId: 'busy', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'jobs' });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      void consumer.run({ eachMessage: async () => {} });
      await joined;

      const results = await admin.deleteGroups(['idle']);
      expect(results).toEqual([expect.objectContaining({ groupId: 'idle', errorCode: ErrorCode.NONE })]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).toEqual(['busy']);
      const failed = await admin
        .deleteGroups(['busy', 'never'])
        .catch((err: { groups?: unknown }) => err.groups);
      expect(failed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP }),
          expect.objectContaining({ groupId: 'never', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }),
        ]),
      );
      await consumer.disconnect();
    } finally {
      await admin.disconnect();
    }
  });

  it('OffsetDelete forgets offsets of an idle group and refuses a subscribed topic or an unknown group', async () => {
    const broker = await pool.start({ topics: [{ name: 'jobs', partitions: 2 }] });
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: 'idle',
        topic: 'jobs',
        partitions: [
          { partition: 0, offset: '1' },
          { partition: 1, offset: '1' },
        ],
      });
      expect(await offsetDelete(broker.port, 'idle', 'jobs', [0, 7])).toEqual({
        errorCode: ErrorCode.NONE,
        perPartition: [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      });
      const [fetched] = await admin.fetchOffsets({ groupId: 'idle', topics: ['jobs'] });
      expect(fetched!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual([
        '-1',
        '1',
      ]);
      expect((await offsetDelete(broker.port, 'never', 'jobs', [0])).errorCode).toBe(
        ErrorCode.GROUP_ID_NOT_FOUND,
      );

      const consumer = kafka.consumer({ groupId: 'busy', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'jobs' });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      void consumer.run({ eachMessage: async () => {} });
      await joined;
      expect(await offsetDelete(broker.port, 'busy', 'jobs', [0])).toEqual({
        errorCode: ErrorCode.NONE,
        perPartition: [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      });
      await consumer.disconnect();
    } finally {
      await admin.disconnect();
    }
  });
});
