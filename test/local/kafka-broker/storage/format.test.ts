/**
 * The format version of a broker data directory (local/kafka-broker/storage/format.ts), through
 * openFileStorage: a new directory gets format.json, a directory of an unreadable version is refused with the
 * file and the versions named (and left untouched), a version 1 directory is opened and raised to 2, and a
 * directory from before format.json is adopted with its records and offsets intact.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openFileStorage } from '#local/kafka-broker/storage/file';
import { FORMAT_VERSION } from '#local/kafka-broker/storage/format';
import { decodeBatch, encodeBatch } from '#test/support/kafka-broker/batches';

const T0 = 1_700_000_000_000n;
const topic = { name: 'orders', partitions: 1, retentionMs: -1, retentionBytes: -1, configs: {} };

describe('storage format version', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-format-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const marker = () => JSON.parse(fs.readFileSync(path.join(dir, 'format.json'), 'utf8'));

  it('writes format.json into a new directory and checks it on the next open', async () => {
    const s = await openFileStorage(dir);
    expect(s.format).toBe('created');
    await s.close();
    expect(marker()).toEqual({ format: 'campusg-kafka-broker-storage', version: 2 });
    expect(FORMAT_VERSION).toBe(2);
    const again = await openFileStorage(dir);
    expect(again.format).toBe('checked');
    await again.close();
  });

  it('refuses a directory of another version, naming the file and both versions, and leaves it as it was', async () => {
    const file = path.join(dir, 'format.json');
    fs.writeFileSync(file, JSON.stringify({ format: 'campusg-kafka-broker-storage', version: 3 }));
    await expect(openFileStorage(dir)).rejects.toThrow(
      `${file}: storage format version 3 found, version 1 or 2 expected.`,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['format.json']);
    // The lock was released: once the marker is right, the directory opens.
    fs.writeFileSync(file, JSON.stringify({ format: 'campusg-kafka-broker-storage', version: 1 }));
    await (await openFileStorage(dir)).close();
  });

  it('refuses a topics.json of another version even when format.json is right', async () => {
    await (await openFileStorage(dir)).close();
    const file = path.join(dir, 'topics.json');
    fs.writeFileSync(file, JSON.stringify({ version: 7, topics: [] }));
    await expect(openFileStorage(dir)).rejects.toThrow(
      `${file}: storage format version 7 found, version 1 or 2 expected.`,
    );
  });

  it('refuses a format.json of something else, and an unreadable one', async () => {
    const file = path.join(dir, 'format.json');
    fs.writeFileSync(file, JSON.stringify({ format: 'other-tool', version: 1 }));
    await expect(openFileStorage(dir)).rejects.toThrow(
      /names format "other-tool".*not a broker data directory/,
    );
    fs.writeFileSync(file, '{"format":');
    await expect(openFileStorage(dir)).rejects.toThrow(/format\.json is unreadable/);
  });

  it('adopts a directory from before format.json as version 1, with its records and offsets', async () => {
    const s = await openFileStorage(dir);
    const b = encodeBatch([{ value: Buffer.from('kept') }], { firstTimestamp: T0 });
    s.createTopic(topic);
    s.partition('orders', 0)!.append(b.bytes, b.recordCount, b.firstTimestamp, b.maxTimestamp);
    s.commitOffset('g', 'orders', 0, { offset: 1n, leaderEpoch: -1, metadata: null, commitTimestamp: T0 });
    await s.close();
    // What a broker of the previous release left behind: the same files, no format.json.
    fs.rmSync(path.join(dir, 'format.json'));

    const old = await openFileStorage(dir);
    expect(old.format).toBe('adopted');
    expect(old.recovery.truncations).toEqual([]);
    expect(decodeBatch(old.partition('orders', 0)!.read(0n, 1 << 20)[0]!.bytes)[0]!.value?.toString()).toBe(
      'kept',
    );
    expect(old.fetchOffset('g', 'orders', 0)?.offset).toBe(1n);
    await old.close();
    expect(marker()).toEqual({ format: 'campusg-kafka-broker-storage', version: 2 });
  });

  it('opens a version 1 directory with its records and offsets and raises its format.json to 2', async () => {
    const s = await openFileStorage(dir);
    const b = encodeBatch([{ value: Buffer.from('kept') }], { firstTimestamp: T0 });
    s.createTopic(topic);
    s.partition('orders', 0)!.append(b.bytes, b.recordCount, b.firstTimestamp, b.maxTimestamp);
    s.commitOffset('g', 'orders', 0, { offset: 1n, leaderEpoch: -1, metadata: null, commitTimestamp: T0 });
    await s.close();
    // What a broker of the version 1 release wrote: the same files, marked 1.
    fs.writeFileSync(
      path.join(dir, 'format.json'),
      JSON.stringify({ format: 'campusg-kafka-broker-storage', version: 1 }),
    );
    const topicsFile = path.join(dir, 'topics.json');
    fs.writeFileSync(topicsFile, fs.readFileSync(topicsFile, 'utf8').replace('"version": 2', '"version": 1'));

    const old = await openFileStorage(dir);
    expect(old.format).toBe('upgraded');
    expect(old.partition('orders', 0)!.highWatermark()).toBe(1n);
    expect(old.fetchOffset('g', 'orders', 0)?.offset).toBe(1n);
    await old.close();
    expect(marker()).toEqual({ format: 'campusg-kafka-broker-storage', version: 2 });
  });
});
