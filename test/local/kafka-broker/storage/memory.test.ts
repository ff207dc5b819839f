import { MemoryStorage } from '#local/kafka-broker/storage/memory';
import type { TopicConfig } from '#local/kafka-broker/storage/types';
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
