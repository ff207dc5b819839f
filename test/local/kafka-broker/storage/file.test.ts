import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type FileBrokerStorage,
  type FileStorageOptions,
  openFileStorage,
} from '#local/kafka-broker/storage/file';
import type { CommittedOffset, PartitionLog, TopicConfig } from '#local/kafka-broker/storage/types';
import { decodeBatch, encodeBatch, type TestRecord } from '#test/support/kafka-broker/batches';

const T0 = 1_700_000_000_000n;

function topic(name: string, partitions = 1, extra: Partial<TopicConfig> = {}): TopicConfig {
  return { name, partitions, retentionMs: -1, retentionBytes: -1, configs: {}, ...extra };
}

function commit(offset: bigint, metadata: string | null = null): CommittedOffset {
  return { offset, leaderEpoch: -1, metadata, commitTimestamp: T0 };
}

function append(log: PartitionLog, records: TestRecord[], firstTimestamp = T0): bigint {
  const b = encodeBatch(records, { firstTimestamp });
  return log.append(b.bytes, b.recordCount, b.firstTimestamp, b.maxTimestamp);
}

function values(log: PartitionLog, from = 0n, maxBytes = 1 << 30): string[] {
  return log
    .read(from, maxBytes)
    .flatMap((b) => decodeBatch(b.bytes))
    .map((r) => `${r.offset}:${r.value?.toString()}`);
}

function segmentFiles(dir: string, name: string, partition = 0): string[] {
  const d = path.join(dir, 'logs', name, String(partition));
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(d, f));
}

describe('file storage', () => {
  let dir: string;
  const open: FileBrokerStorage[] = [];

  async function openStorage(options?: FileStorageOptions): Promise<FileBrokerStorage> {
    const s = await openFileStorage(dir, options);
    open.push(s);
    return s;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-file-storage-'));
  });

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('assigns consecutive offsets and reads batches back with their base offsets patched', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    const log = s.partition('t', 0)!;
    expect(append(log, [{ value: 'a' }, { value: 'b' }])).toBe(0n);
    expect(append(log, [{ value: 'c' }])).toBe(2n);
    expect(append(log, [{ value: 'd' }, { value: 'e' }, { value: 'f' }])).toBe(3n);
    expect(log.highWatermark()).toBe(6n);
    expect(log.logStartOffset()).toBe(0n);
    expect(values(log)).toEqual(['0:a', '1:b', '2:c', '3:d', '4:e', '5:f']);
    // A read inside a batch starts with the batch that holds the offset.
    expect(log.read(4n, 1 << 20).map((b) => [b.baseOffset, b.lastOffset])).toEqual([[3n, 5n]]);
    expect(log.read(6n, 1 << 20)).toEqual([]);
    expect(s.partition('t', 1)).toBeUndefined();
    expect(s.partition('nope', 0)).toBeUndefined();
  });

  it('returns at least one batch even when it exceeds maxBytes, and stops at maxBytes', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    const log = s.partition('t', 0)!;
    for (let i = 0; i < 5; i++) append(log, [{ value: 'x'.repeat(100) }]);
    const one = log.read(0n, 1);
    expect(one).toHaveLength(1);
    const size = one[0]!.bytes.length;
    expect(log.read(0n, size * 3)).toHaveLength(3);
    expect(log.read(0n, size * 3 - 1)).toHaveLength(2);
    expect(log.sizeBytes()).toBe(size * 5);
  });

  it('serves reads from the file when the recent-batch cache is disabled', async () => {
    const s = await openStorage({ cacheBytes: 0 });
    s.createTopic(topic('t'));
    const log = s.partition('t', 0)!;
    for (let i = 0; i < 10; i++) append(log, [{ key: `k${i}`, value: `v${i}`, headers: { h: `${i}` } }]);
    const records = log.read(0n, 1 << 20).flatMap((b) => decodeBatch(b.bytes));
    expect(
      records.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.headers.h?.toString()]),
    ).toEqual(Array.from({ length: 10 }, (_, i) => [BigInt(i), `k${i}`, `v${i}`, `${i}`]));
  });

  it('finds the first batch at or after a timestamp', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    const log = s.partition('t', 0)!;
    append(log, [{ value: 'a' }, { value: 'b', timestampDelta: 10 }], T0);
    append(log, [{ value: 'c' }], T0 + 100n);
    append(log, [{ value: 'd' }], T0 + 200n);
    expect(log.offsetForTimestamp(T0)).toEqual({ offset: 0n, timestamp: T0 + 10n });
    expect(log.offsetForTimestamp(T0 + 11n)).toEqual({ offset: 2n, timestamp: T0 + 100n });
    expect(log.offsetForTimestamp(T0 + 150n)).toEqual({ offset: 3n, timestamp: T0 + 200n });
    expect(log.offsetForTimestamp(T0 + 201n)).toBeUndefined();
  });

  it('rolls segments and reads across them', async () => {
    const s = await openStorage({ segmentBytes: 300 });
    s.createTopic(topic('t'));
    const log = s.partition('t', 0)!;
    for (let i = 0; i < 20; i++) append(log, [{ value: `value-${i}`.padEnd(60, '.') }]);
    expect(segmentFiles(dir, 't').length).toBeGreaterThan(3);
    expect(values(log).map((v) => v.split(':')[0])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(values(log, 13n)[0]).toMatch(/^13:value-13/);
  });

  it('deletes whole old segments beyond retention.bytes as the partition grows', async () => {
    const s = await openStorage({ segmentBytes: 400 });
    s.createTopic(topic('t', 1, { retentionBytes: 500 }));
    const log = s.partition('t', 0)!;
    let maxOnDisk = 0;
    for (let i = 0; i < 30; i++) {
      append(log, [{ value: `${i}`.padEnd(50, '.') }]);
      maxOnDisk = Math.max(
        maxOnDisk,
        segmentFiles(dir, 't').reduce((n, f) => n + fs.statSync(f).size, 0),
      );
    }
    // Bounded by retention.bytes plus one segment: deletion works in whole segments.
    expect(maxOnDisk).toBeLessThanOrEqual(500 + 400);
    log.enforceRetention(Date.now());
    const files = segmentFiles(dir, 't');
    const onDisk = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    expect(log.sizeBytes()).toBe(onDisk);
    expect(onDisk).toBeGreaterThanOrEqual(500);
    expect(log.logStartOffset()).toBeGreaterThan(0n);
    expect(path.basename(files[0]!)).toBe(`${log.logStartOffset().toString().padStart(20, '0')}.log`);
    expect(log.highWatermark()).toBe(30n);
    // Reading from 0 starts at the log start offset.
    expect(log.read(0n, 1 << 20)[0]!.baseOffset).toBe(log.logStartOffset());
    expect(values(log).at(-1)).toMatch(/^29:/);
  });

  it('deletes segments older than retention.ms, keeping the offsets moving', async () => {
    const s = await openStorage({ segmentBytes: 200 });
    s.createTopic(topic('t', 1, { retentionMs: 1000 }));
    const log = s.partition('t', 0)!;
    for (let i = 0; i < 10; i++) append(log, [{ value: `${i}`.padEnd(50, '.') }], T0 + BigInt(i * 1000));
    log.enforceRetention(Number(T0) + 5500);
    expect(log.logStartOffset()).toBeGreaterThan(0n);
    expect(log.logStartOffset()).toBeLessThanOrEqual(5n);
    log.enforceRetention(Number(T0) + 100_000);
    expect(log.logStartOffset()).toBe(10n);
    expect(log.highWatermark()).toBe(10n);
    expect(log.read(0n, 1 << 20)).toEqual([]);
    expect(append(log, [{ value: 'next' }])).toBe(10n);
    await s.close();
    const again = await openStorage();
    expect(again.partition('t', 0)!.logStartOffset()).toBe(10n);
    expect(values(again.partition('t', 0)!)).toEqual(['10:next']);
  });

  it('restores topics, records and committed offsets on reopen', async () => {
    const s = await openStorage({ segmentBytes: 500 });
    s.createTopic(topic('orders', 3, { retentionMs: 86_400_000, configs: { 'cleanup.policy': 'delete' } }));
    s.createTopic(topic('events'));
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 10; i++) append(s.partition('orders', p)!, [{ key: `k${i}`, value: `p${p}-${i}` }]);
    }
    s.commitOffset('g1', 'orders', 0, commit(5n, 'meta'));
    s.commitOffset('g1', 'orders', 0, commit(7n));
    s.commitOffset('g2', 'events', 0, commit(0n));
    const before = values(s.partition('orders', 2)!);
    await s.close();

    const r = await openStorage({ segmentBytes: 500 });
    expect(r.recovery.truncations).toEqual([]);
    expect(r.listTopics().map((t) => [t.name, t.partitions, t.retentionMs, t.configs])).toEqual([
      ['orders', 3, 86_400_000, { 'cleanup.policy': 'delete' }],
      ['events', 1, -1, {}],
    ]);
    expect(values(r.partition('orders', 2)!)).toEqual(before);
    expect(r.partition('orders', 1)!.highWatermark()).toBe(10n);
    expect(r.fetchOffset('g1', 'orders', 0)).toEqual(commit(7n));
    expect(r.fetchOffset('g1', 'orders', 1)).toBeUndefined();
    expect(r.groupsWithOffsets().sort()).toEqual(['g1', 'g2']);
    expect(r.committedOffsets('g2')).toEqual([{ topic: 'events', partition: 0, value: commit(0n) }]);
    expect(append(r.partition('orders', 0)!, [{ value: 'after' }])).toBe(10n);
  });

  it('moves the log start offset with deleteRecordsBefore, drops whole segments before it and keeps it on reopen', async () => {
    const s = await openStorage({ segmentBytes: 200 });
    s.createTopic(topic('t'));
    const log = s.partition('t', 0)!;
    for (let i = 0; i < 6; i++) append(log, [{ value: `v${i}a` }, { value: `v${i}b` }]);
    const segmentsBefore = segmentFiles(dir, 't').length;
    expect(segmentsBefore).toBeGreaterThan(2);
    log.deleteRecordsBefore(7n); // inside the batch 6-7
    expect(log.logStartOffset()).toBe(7n);
    expect(log.highWatermark()).toBe(12n);
    expect(segmentFiles(dir, 't').length).toBeLessThan(segmentsBefore);
    // The batch holding offset 7 is still served whole; the client skips offset 6.
    expect(values(log, 7n)[0]).toBe('6:v3a');
    log.deleteRecordsBefore(3n); // never backwards
    expect(log.logStartOffset()).toBe(7n);
    await s.close();

    const r = await openStorage({ segmentBytes: 200 });
    const again = r.partition('t', 0)!;
    expect(again.logStartOffset()).toBe(7n);
    expect(again.highWatermark()).toBe(12n);
    again.deleteRecordsBefore(12n); // everything
    expect(again.logStartOffset()).toBe(12n);
    expect(again.read(12n, 1 << 20)).toEqual([]);
    expect(append(again, [{ value: 'after' }])).toBe(12n);
    expect(again.logStartOffset()).toBe(12n);
  });

  it('forgets one offset and whole groups, also after reopen', async () => {
    const s = await openStorage();
    s.createTopic(topic('t', 2));
    s.commitOffset('g1', 't', 0, commit(1n));
    s.commitOffset('g1', 't', 1, commit(2n));
    s.commitOffset('g2', 't', 0, commit(3n));
    s.deleteOffset('g1', 't', 0);
    s.deleteGroupOffsets('g2');
    s.deleteOffset('nobody', 't', 0);
    expect(s.fetchOffset('g1', 't', 0)).toBeUndefined();
    expect(s.fetchOffset('g1', 't', 1)).toEqual(commit(2n));
    expect(s.groupsWithOffsets()).toEqual(['g1']);
    await s.close();

    const r = await openStorage();
    expect(r.fetchOffset('g1', 't', 0)).toBeUndefined();
    expect(r.fetchOffset('g1', 't', 1)).toEqual(commit(2n));
    expect(r.groupsWithOffsets()).toEqual(['g1']);
  });

  it('cuts a batch torn mid-write and keeps everything before it', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    for (let i = 0; i < 5; i++) append(s.partition('t', 0)!, [{ value: `v${i}` }]);
    await s.close();
    const [file] = segmentFiles(dir, 't');
    const size = fs.statSync(file!).size;
    fs.truncateSync(file!, size - 7);

    const r = await openStorage();
    expect(r.recovery.truncations).toHaveLength(1);
    expect(r.recovery.truncations[0]).toMatch(/cut short/);
    const log = r.partition('t', 0)!;
    expect(values(log)).toEqual(['0:v0', '1:v1', '2:v2', '3:v3']);
    expect(log.highWatermark()).toBe(4n);
    expect(fs.statSync(file!).size).toBe((size / 5) * 4);
    expect(append(log, [{ value: 'again' }])).toBe(4n);
    expect(values(log, 4n)).toEqual(['4:again']);
  });

  it('cuts a short batch header at the tail', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    for (let i = 0; i < 3; i++) append(s.partition('t', 0)!, [{ value: `v${i}` }]);
    await s.close();
    const [file] = segmentFiles(dir, 't');
    fs.appendFileSync(file!, Buffer.from([0, 0, 0, 0, 0, 0, 0, 3, 0, 0]));
    const r = await openStorage();
    expect(r.recovery.truncations[0]).toMatch(/short batch header/);
    expect(values(r.partition('t', 0)!)).toEqual(['0:v0', '1:v1', '2:v2']);
  });

  it('cuts the last batch when one of its bytes is flipped (CRC-32C mismatch)', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    for (let i = 0; i < 4; i++) append(s.partition('t', 0)!, [{ value: `value-${i}` }]);
    await s.close();
    const [file] = segmentFiles(dir, 't');
    const bytes = fs.readFileSync(file!);
    bytes[bytes.length - 3]! ^= 0x40;
    fs.writeFileSync(file!, bytes);

    const r = await openStorage();
    expect(r.recovery.truncations[0]).toMatch(/CRC-32C mismatch/);
    const log = r.partition('t', 0)!;
    expect(values(log)).toEqual(['0:value-0', '1:value-1', '2:value-2']);
    expect(log.highWatermark()).toBe(3n);
  });

  it('checks older segments only when asked to', async () => {
    const s = await openStorage({ segmentBytes: 200 });
    s.createTopic(topic('t'));
    for (let i = 0; i < 6; i++) append(s.partition('t', 0)!, [{ value: `${i}`.padEnd(50, '.') }]);
    await s.close();
    const files = segmentFiles(dir, 't');
    expect(files.length).toBeGreaterThan(1);
    const bytes = fs.readFileSync(files[0]!);
    bytes[bytes.length - 1]! ^= 1;
    fs.writeFileSync(files[0]!, bytes);

    const lenient = await openStorage();
    expect(lenient.recovery.truncations).toEqual([]);
    await lenient.close();
    const strict = await openStorage({ verifyAllSegments: true });
    expect(strict.recovery.truncations).toHaveLength(1);
    expect(strict.recovery.truncations[0]).toContain(path.basename(files[0]!));
  });

  it('replays the offsets log and cuts its torn tail', async () => {
    const s = await openStorage();
    s.createTopic(topic('t', 2));
    s.commitOffset('g', 't', 0, commit(1n));
    s.commitOffset('g', 't', 1, commit(2n));
    s.commitOffset('g', 't', 0, commit(3n, 'last'));
    await s.close();
    const file = path.join(dir, 'offsets.log');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 5);

    const r = await openStorage();
    expect(r.recovery.truncations).toHaveLength(1);
    expect(r.fetchOffset('g', 't', 0)).toEqual(commit(1n));
    expect(r.fetchOffset('g', 't', 1)).toEqual(commit(2n));
    r.commitOffset('g', 't', 0, commit(9n));
    await r.close();
    const again = await openStorage();
    expect(again.recovery.truncations).toEqual([]);
    expect(again.fetchOffset('g', 't', 0)).toEqual(commit(9n));
  });

  it('stops replaying the offsets log at a corrupt frame', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    s.commitOffset('g', 't', 0, commit(1n));
    s.commitOffset('g', 't', 0, commit(2n));
    await s.close();
    const file = path.join(dir, 'offsets.log');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 2]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const r = await openStorage();
    expect(r.recovery.truncations[0]).toMatch(/offsets\.log.*CRC-32C mismatch/);
    expect(r.fetchOffset('g', 't', 0)).toEqual(commit(1n));
  });

  it('compacts the offsets log and keeps the latest value of each offset', async () => {
    const s = await openStorage({ offsetsCompactionSlack: 10 });
    s.createTopic(topic('t', 2));
    for (let i = 0; i < 100; i++) s.commitOffset('g', 't', i % 2, commit(BigInt(i)));
    const file = path.join(dir, 'offsets.log');
    // 100 frames of ~100 bytes without compaction; at most 2 live + 10 slack frames with it.
    expect(fs.statSync(file).size).toBeLessThan(13 * 120);
    await s.close();
    const r = await openStorage();
    expect(r.fetchOffset('g', 't', 0)).toEqual(commit(98n));
    expect(r.fetchOffset('g', 't', 1)).toEqual(commit(99n));
  });

  it('deletes a topic with its files and offsets, and a new topic of that name starts empty', async () => {
    const s = await openStorage();
    s.createTopic(topic('t', 2));
    s.createTopic(topic('keep'));
    append(s.partition('t', 1)!, [{ value: 'x' }]);
    s.commitOffset('g', 't', 1, commit(1n));
    s.commitOffset('g', 'keep', 0, commit(4n));
    const stale = s.partition('t', 1)!;
    s.deleteTopic('t');
    expect(fs.existsSync(path.join(dir, 'logs', 't'))).toBe(false);
    // A caller still holding the partition gets empty reads and a clear error, not a file error.
    expect(stale.read(0n, 1 << 20)).toEqual([]);
    expect(() => append(stale, [{ value: 'late' }])).toThrow(/topic t was deleted/);
    expect(s.partition('t', 0)).toBeUndefined();
    expect(s.fetchOffset('g', 't', 1)).toBeUndefined();
    expect(() => s.createTopic(topic('keep'))).toThrow(/already exists/);
    s.createTopic(topic('t', 1));
    expect(s.partition('t', 0)!.highWatermark()).toBe(0n);
    await s.close();
    const r = await openStorage();
    expect(
      r
        .listTopics()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['keep', 't']);
    expect(r.fetchOffset('g', 't', 1)).toBeUndefined();
    expect(r.fetchOffset('g', 'keep', 0)).toEqual(commit(4n));
    expect(r.partition('t', 0)!.highWatermark()).toBe(0n);
  });

  it('removes log directories of topics that topics.json does not list', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    await s.close();
    fs.mkdirSync(path.join(dir, 'logs', 'ghost', '0'), { recursive: true });
    await openStorage();
    expect(fs.existsSync(path.join(dir, 'logs', 'ghost'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'logs', 't'))).toBe(true);
  });

  it('refuses to guess when topics.json is damaged', async () => {
    const s = await openStorage();
    s.createTopic(topic('t'));
    await s.close();
    fs.writeFileSync(path.join(dir, 'topics.json'), '{"topics": [');
    await expect(openFileStorage(dir)).rejects.toThrow(/topics\.json is unreadable/);
    expect(fs.existsSync(path.join(dir, 'broker.lock'))).toBe(false);
  });

  it('refuses a data directory that an open storage holds, and takes it once that one is closed', async () => {
    const first = await openStorage();
    await expect(openFileStorage(dir)).rejects.toThrow(/data directory .* is in use by pid \d+/);
    await first.close();
    const second = await openStorage();
    expect(second.listTopics()).toEqual([]);
  });

  it('replaces an old pid-file lock naming a live process: a pid proves nothing', async () => {
    // process.ppid is alive (jest's parent) and is no broker
    fs.writeFileSync(path.join(dir, 'broker.lock'), String(process.ppid));
    const s = await openStorage();
    expect(fs.lstatSync(path.join(dir, 'broker.lock')).isSocket()).toBe(true);
    await s.close();
    expect(fs.existsSync(path.join(dir, 'broker.lock'))).toBe(false);
  });

  it('keeps every append with fsync always and with an fsync interval', async () => {
    for (const fsync of ['always', 20] as const) {
      const s = await openStorage({ fsync });
      s.createTopic(topic(`t${fsync}`));
      append(s.partition(`t${fsync}`, 0)!, [{ value: 'durable' }]);
      s.commitOffset('g', `t${fsync}`, 0, commit(1n));
      await s.close();
      const r = await openStorage();
      expect(values(r.partition(`t${fsync}`, 0)!)).toEqual(['0:durable']);
      expect(r.fetchOffset('g', `t${fsync}`, 0)).toEqual(commit(1n));
      await r.close();
    }
  });
});
