/**
 * Recovery of a data directory whose batches carry a corrupted base offset. The base offset (bytes 0..7 of a
 * RecordBatch) sits outside the CRC-32C, so a flipped or stale one passes the CRC check; the only guard is
 * the scan's rule that offsets move forward. Without it the broker would index a batch twice under old
 * offsets, serve records out of order and hand out offsets already used to the next produce.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type FileBrokerStorage, openFileStorage } from '#local/kafka-broker/storage/file';
import type { PartitionLog } from '#local/kafka-broker/storage/types';
import { decodeBatch, encodeBatch } from '#test/support/kafka-broker/batches';

const T0 = 1_700_000_000_000n;

function append(log: PartitionLog, values: string[]): { base: bigint; size: number } {
  const b = encodeBatch(
    values.map((value) => ({ value })),
    { firstTimestamp: T0 },
  );
  return { base: log.append(b.bytes, b.recordCount, b.firstTimestamp, b.maxTimestamp), size: b.bytes.length };
}

function values(log: PartitionLog): string[] {
  return log
    .read(0n, 1 << 30)
    .flatMap((b) => decodeBatch(b.bytes))
    .map((r) => `${r.offset}:${r.value?.toString()}`);
}

function segmentFiles(dir: string): string[] {
  const d = path.join(dir, 'logs', 't', '0');
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(d, f));
}

/** Overwrites the base offset of the batch that starts at byte `position` of `file`. */
function patchBaseOffset(file: string, position: number, offset: bigint): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(offset);
    fs.writeSync(fd, b, 0, 8, position);
  } finally {
    fs.closeSync(fd);
  }
}

describe('file storage recovery of a corrupted base offset', () => {
  let dir: string;
  const open: FileBrokerStorage[] = [];
  const openStorage = async (options?: Parameters<typeof openFileStorage>[1]) => {
    const s = await openFileStorage(dir, options);
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-file-recovery-'));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cuts a batch of the active segment whose base offset goes backwards, and reuses no offset', async () => {
    const s = await openStorage();
    s.createTopic({ name: 't', partitions: 1, retentionMs: -1, retentionBytes: -1, configs: {} });
    const log = s.partition('t', 0)!;
    const first = append(log, ['a', 'b']);
    const second = append(log, ['c']);
    const third = append(log, ['d', 'e', 'f']);
    expect([first.base, second.base, third.base]).toEqual([0n, 2n, 3n]);
    await s.close();
    const [file] = segmentFiles(dir);
    const size = fs.statSync(file!).size;
    // The third batch claims offset 0 again: its CRC still matches, only the offset rule can notice.
    patchBaseOffset(file!, first.size + second.size, 0n);

    const r = await openStorage();
    expect(r.recovery.truncations).toEqual([
      `${file}: truncated at byte ${first.size + second.size} of ${size}: offset 0 where 3 or later was expected`,
    ]);
    const recovered = r.partition('t', 0)!;
    expect(values(recovered)).toEqual(['0:a', '1:b', '2:c']);
    expect(recovered.highWatermark()).toBe(3n);
    expect(fs.statSync(file!).size).toBe(first.size + second.size);
    expect(append(recovered, ['g']).base).toBe(3n);
    expect(values(recovered)).toEqual(['0:a', '1:b', '2:c', '3:g']);
  });

  it('cuts a batch that repeats the offset of the one before it', async () => {
    const s = await openStorage();
    s.createTopic({ name: 't', partitions: 1, retentionMs: -1, retentionBytes: -1, configs: {} });
    const log = s.partition('t', 0)!;
    const first = append(log, ['a', 'b']);
    append(log, ['c']);
    await s.close();
    const [file] = segmentFiles(dir);
    patchBaseOffset(file!, first.size, 1n); // 1 is inside the first batch (0..1): not forward

    const r = await openStorage();
    expect(r.recovery.truncations).toHaveLength(1);
    expect(r.recovery.truncations[0]).toMatch(/offset 1 where 2 or later was expected$/);
    expect(values(r.partition('t', 0)!)).toEqual(['0:a', '1:b']);
  });

  it('checks the offsets of older segments too, even without verifying their CRCs', async () => {
    // 50-byte values make batches of about 120 bytes: two per 250-byte segment
    const s = await openStorage({ segmentBytes: 250 });
    s.createTopic({ name: 't', partitions: 1, retentionMs: -1, retentionBytes: -1, configs: {} });
    const log = s.partition('t', 0)!;
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) sizes.push(append(log, [`${i}`.padEnd(50, '.')]).size);
    await s.close();
    const files = segmentFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    expect(fs.statSync(files[0]!).size).toBe(sizes[0]! + sizes[1]!);
    // the second batch of the first (closed) segment goes back to offset 0
    patchBaseOffset(files[0]!, sizes[0]!, 0n);

    const r = await openStorage();
    expect(r.recovery.truncations).toHaveLength(1);
    expect(r.recovery.truncations[0]).toContain(path.basename(files[0]!));
    expect(r.recovery.truncations[0]).toMatch(/offset 0 where 1 or later was expected$/);
    const offsets = values(r.partition('t', 0)!).map((v) => Number(v.split(':')[0]));
    // every offset served once, in order; the cut batch (offset 1) is gone
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(offsets).not.toContain(1);
    expect(offsets[0]).toBe(0);
  });
});
