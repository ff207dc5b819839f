import { MemoryStorage } from '#local/kafka-broker/storage/memory';
import type { TopicConfig } from '#local/kafka-broker/storage/types';
import { encodeBatch } from '#test/support/kafka-broker/batches';
import { recordBatch } from '#test/support/kafka-broker/raw-client';

const topic = (overrides: Partial<TopicConfig> = {}): TopicConfig => ({
  name: 't',
  partitions: 1,
  retentionMs: -1,
  retentionBytes: -1,
  configs: {},
  ...overrides,
});

function append(storage: MemoryStorage, value: string, ts: bigint): bigint {
  return storage.partition('t', 0)!.append(recordBatch(value, ts), 1, ts, ts);
}

describe('memory storage', () => {
  it('assigns consecutive offsets, patches stored copies and reads from any offset', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    const original = recordBatch('a', 1n);
    expect(storage.partition('t', 0)!.append(original, 1, 1n, 1n)).toBe(0n);
    expect(append(storage, 'b', 2n)).toBe(1n);
    expect(original.readBigInt64BE(0)).toBe(0n);
    const log = storage.partition('t', 0)!;
    expect(log.highWatermark()).toBe(2n);
    const [batch] = log.read(1n, 1);
    expect(batch!.baseOffset).toBe(1n);
    expect(batch!.bytes.readBigInt64BE(0)).toBe(1n);
    expect(log.read(0n, 1)).toHaveLength(1); // at least one batch even over the limit
    expect(log.read(0n, 1_000_000)).toHaveLength(2);
    expect(log.read(2n, 1_000_000)).toEqual([]);
    expect(log.offsetForTimestamp(2n)).toEqual({ offset: 1n, timestamp: 2n });
    expect(log.offsetForTimestamp(3n)).toBeUndefined();
  });

  it('drops the oldest batches beyond retention.bytes on append', () => {
    const storage = new MemoryStorage();
    const size = recordBatch('x').length;
    storage.createTopic(topic({ retentionBytes: size * 2 }));
    for (let i = 0; i < 5; i++) append(storage, 'x', BigInt(i));
    const log = storage.partition('t', 0)!;
    expect(log.sizeBytes()).toBe(size * 2);
    expect(log.logStartOffset()).toBe(3n);
    expect(log.read(0n, 1_000_000)[0]!.baseOffset).toBe(3n);
  });

  it('drops batches older than retention.ms when retention is enforced', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic({ retentionMs: 1000 }));
    append(storage, 'old', 1000n);
    append(storage, 'new', 5000n);
    const log = storage.partition('t', 0)!;
    log.enforceRetention(5500);
    expect(log.logStartOffset()).toBe(1n);
    expect(log.highWatermark()).toBe(2n);
  });

  it('keeps committed offsets per group and forgets them with the topic', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    const value = { offset: 4n, leaderEpoch: -1, metadata: null, commitTimestamp: 1n };
    storage.commitOffset('g', 't', 0, value);
    expect(storage.fetchOffset('g', 't', 0)).toEqual(value);
    expect(storage.groupsWithOffsets()).toEqual(['g']);
    storage.deleteTopic('t');
    expect(storage.committedOffsets('g')).toEqual([]);
    expect(storage.partition('t', 0)).toBeUndefined();
  });
});

/** A batch of `count` records at `ts`, as the producer sends it. */
function batchOf(count: number, ts: bigint): Buffer {
  return encodeBatch(
    Array.from({ length: count }, (_, i) => ({ value: `v${i}` })),
    { firstTimestamp: ts },
  ).bytes;
}

describe('memory storage logs', () => {
  it('gives a batch of n records n offsets, counting from recordCount when lastOffsetDelta is short', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    const log = storage.partition('t', 0)!;
    expect(log.append(batchOf(3, 10n), 3, 10n, 10n)).toBe(0n);
    const short = Buffer.from(batchOf(4, 20n));
    short.writeInt32BE(0, 23); // lastOffsetDelta 0 for 4 records
    expect(log.append(short, 4, 20n, 20n)).toBe(3n);
    expect(log.append(batchOf(1, 30n), 1, 30n, 30n)).toBe(7n);
    expect(log.highWatermark()).toBe(8n);
    expect(log.read(0n, 1_000_000).map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0n, 2n],
      [3n, 6n],
      [7n, 7n],
    ]);
    expect(log.sizeBytes()).toBe(batchOf(3, 10n).length + short.length + batchOf(1, 30n).length);
  });

  it('reads from the batch holding the offset, whichever of its records it names', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    const log = storage.partition('t', 0)!;
    for (let i = 0; i < 6; i++) log.append(batchOf(2, BigInt(i)), 2, BigInt(i), BigInt(i));
    const firstBase = (offset: bigint) => log.read(offset, 1_000_000)[0]?.baseOffset;
    expect([0n, 1n, 2n, 3n, 4n, 5n, 10n, 11n].map(firstBase)).toEqual([0n, 0n, 2n, 2n, 4n, 4n, 10n, 10n]);
    expect(log.read(12n, 1_000_000)).toEqual([]);
    expect(log.read(4n, 1_000_000)).toHaveLength(4);
  });

  it('fills maxBytes exactly and stops before the batch that would exceed it', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    const log = storage.partition('t', 0)!;
    for (let i = 0; i < 4; i++) append(storage, 'x', BigInt(i));
    const size = recordBatch('x').length;
    expect(log.read(0n, size * 2)).toHaveLength(2);
    expect(log.read(0n, size * 2 - 1)).toHaveLength(1);
    expect(log.read(0n, size * 2 + 1)).toHaveLength(2);
    expect(log.read(1n, size * 3)).toHaveLength(3);
  });

  it('answers a time with the first batch whose max timestamp reaches it, skipping dropped batches', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic({ retentionMs: 100 }));
    const log = storage.partition('t', 0)!;
    append(storage, 'a', 1000n);
    append(storage, 'b', 2000n);
    append(storage, 'c', 3000n);
    expect(log.offsetForTimestamp(0n)).toEqual({ offset: 0n, timestamp: 1000n });
    expect(log.offsetForTimestamp(1000n)).toEqual({ offset: 0n, timestamp: 1000n });
    expect(log.offsetForTimestamp(1001n)).toEqual({ offset: 1n, timestamp: 2000n });
    expect(log.offsetForTimestamp(3000n)).toEqual({ offset: 2n, timestamp: 3000n });
    log.enforceRetention(2050); // cutoff 1950: a goes
    expect(log.offsetForTimestamp(0n)).toEqual({ offset: 1n, timestamp: 2000n });
    expect(log.read(0n, 1_000_000).map((b) => b.baseOffset)).toEqual([1n, 2n]);
  });

  it('keeps a batch exactly at the retention.ms cutoff and one that fits retention.bytes exactly', () => {
    const storage = new MemoryStorage();
    const size = recordBatch('x').length;
    storage.createTopic(topic({ retentionMs: 1000, retentionBytes: size * 2 }));
    const log = storage.partition('t', 0)!;
    append(storage, 'x', 1000n);
    append(storage, 'x', 2000n);
    expect(log.logStartOffset()).toBe(0n);
    log.enforceRetention(2000); // cutoff 1000: the batch at 1000 is not older
    expect(log.logStartOffset()).toBe(0n);
    log.enforceRetention(2001);
    expect(log.logStartOffset()).toBe(1n);
    expect(log.sizeBytes()).toBe(size);
  });

  it('applies retention.bytes in the periodic sweep after the limit was lowered, and not without one', () => {
    const storage = new MemoryStorage();
    const size = recordBatch('x').length;
    storage.createTopic(topic());
    const log = storage.partition('t', 0)!;
    for (let i = 0; i < 3; i++) append(storage, 'x', BigInt(i));
    log.enforceRetention(Number.MAX_SAFE_INTEGER);
    expect(log.logStartOffset()).toBe(0n);
    storage.updateTopic(topic({ retentionBytes: size }));
    log.enforceRetention(0);
    expect(log.logStartOffset()).toBe(2n);
    expect(log.sizeBytes()).toBe(size);
  });

  it('stays correct after dropping more than a thousand batches (the dropped ones are compacted away)', () => {
    const storage = new MemoryStorage();
    const size = recordBatch('x').length;
    storage.createTopic(topic({ retentionBytes: size * 3 }));
    const log = storage.partition('t', 0)!;
    const x = recordBatch('x');
    for (let i = 0; i < 2100; i++) log.append(x, 1, BigInt(i), BigInt(i));
    expect(log.logStartOffset()).toBe(2097n);
    expect(log.highWatermark()).toBe(2100n);
    expect(log.read(0n, 1_000_000).map((b) => b.baseOffset)).toEqual([2097n, 2098n, 2099n]);
    expect(log.read(2098n, 1_000_000).map((b) => b.baseOffset)).toEqual([2098n, 2099n]);
    expect(log.offsetForTimestamp(0n)).toEqual({ offset: 2097n, timestamp: 2097n });
    expect(log.sizeBytes()).toBe(size * 3);
  });
});

describe('memory storage topics and offsets', () => {
  it('lists topics, refuses a second topic of a name, and grows partitions but never shrinks them', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic({ partitions: 2 }));
    storage.createTopic(topic({ name: 'u' }));
    expect(storage.listTopics().map((t) => [t.name, t.partitions])).toEqual([
      ['t', 2],
      ['u', 1],
    ]);
    expect(() => storage.createTopic(topic())).toThrow(/already exists/);
    expect(storage.partition('t', 1)!.partition).toBe(1);
    expect(storage.partition('t', 2)).toBeUndefined();
    append(storage, 'kept', 1n);
    storage.updateTopic(topic({ partitions: 4, retentionMs: 5 }));
    expect(storage.listTopics()[0]).toMatchObject({ partitions: 4, retentionMs: 5 });
    expect(storage.partition('t', 3)!.topic).toBe('t');
    expect(storage.partition('t', 0)!.highWatermark()).toBe(1n);
    expect(() => storage.updateTopic(topic({ partitions: 3 }))).toThrow(/cannot shrink/);
    expect(() => storage.updateTopic(topic({ name: 'none' }))).toThrow(/does not exist/);
  });

  it('keeps offsets per group, topic and partition, and lists only groups that still have some', () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    storage.createTopic(topic({ name: 'u' }));
    const at = (offset: bigint) => ({ offset, leaderEpoch: -1, metadata: null, commitTimestamp: 1n });
    storage.commitOffset('g', 't', 0, at(1n));
    storage.commitOffset('g', 't', 1, at(2n));
    storage.commitOffset('g', 'u', 0, at(3n));
    storage.commitOffset('h', 'u', 0, at(4n));
    storage.commitOffset('g', 't', 0, at(5n));
    expect(storage.fetchOffset('g', 't', 0)).toEqual(at(5n));
    expect(storage.fetchOffset('g', 't', 1)).toEqual(at(2n));
    expect(storage.fetchOffset('h', 't', 0)).toBeUndefined();
    expect(storage.fetchOffset('none', 't', 0)).toBeUndefined();
    expect(storage.committedOffsets('g')).toEqual([
      { topic: 't', partition: 0, value: at(5n) },
      { topic: 't', partition: 1, value: at(2n) },
      { topic: 'u', partition: 0, value: at(3n) },
    ]);
    expect(storage.committedOffsets('none')).toEqual([]);
    storage.deleteTopic('u');
    expect(storage.groupsWithOffsets()).toEqual(['g']);
    expect(storage.committedOffsets('g').map((o) => o.topic)).toEqual(['t', 't']);
  });

  it('forgets everything on close', async () => {
    const storage = new MemoryStorage();
    storage.createTopic(topic());
    storage.commitOffset('g', 't', 0, { offset: 1n, leaderEpoch: -1, metadata: null, commitTimestamp: 1n });
    await storage.close();
    expect(storage.listTopics()).toEqual([]);
    expect(storage.groupsWithOffsets()).toEqual([]);
  });
});
