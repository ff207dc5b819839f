import { lastOffsetDeltaOf, patchBaseOffset, readBatchHeader } from '../protocol/record-batch';
import type { BatchInfo, BrokerStorage, CommittedOffset, PartitionLog, TopicConfig } from './types';

/**
 * In-memory storage (the default). Batches are kept as copies of the producer's bytes with the base offset
 * patched. Retention by bytes is applied on every append (memory stays bounded even between sweeps);
 * retention by time when the broker's periodic sweep calls `enforceRetention`.
 */
class MemoryPartitionLog implements PartitionLog {
  private batches: BatchInfo[] = [];
  /** Index of the first live batch in `batches` (dropped batches are compacted away lazily). */
  private head = 0;
  private startOffset = 0n;
  private nextOffset = 0n;
  private bytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly config: () => TopicConfig,
  ) {}

  logStartOffset(): bigint {
    return this.startOffset;
  }

  highWatermark(): bigint {
    return this.nextOffset;
  }

  sizeBytes(): number {
    return this.bytes;
  }

  append(batch: Buffer, recordCount: number, firstTimestamp: bigint, maxTimestamp: bigint): bigint {
    const baseOffset = this.nextOffset;
    const stored = Buffer.from(batch);
    patchBaseOffset(stored, baseOffset);
    const { lastOffsetDelta } = readBatchHeader(stored);
    const lastOffset = baseOffset + BigInt(lastOffsetDeltaOf({ lastOffsetDelta, recordCount }));
    this.batches.push({ baseOffset, lastOffset, firstTimestamp, maxTimestamp, bytes: stored });
    this.bytes += stored.length;
    this.nextOffset = lastOffset + 1n;
    const { retentionBytes } = this.config();
    if (retentionBytes >= 0 && this.bytes > retentionBytes) this.dropWhile(() => this.bytes > retentionBytes);
    return baseOffset;
  }

  read(offset: bigint, maxBytes: number): BatchInfo[] {
    const out: BatchInfo[] = [];
    let i = this.firstBatchEndingAtOrAfter(offset);
    let total = 0;
    for (; i < this.batches.length; i++) {
      const batch = this.batches[i]!;
      if (out.length > 0 && total + batch.bytes.length > maxBytes) break;
      out.push(batch);
      total += batch.bytes.length;
    }
    return out;
  }

  offsetForTimestamp(ts: bigint): { offset: bigint; timestamp: bigint } | undefined {
    for (let i = this.head; i < this.batches.length; i++) {
      const batch = this.batches[i]!;
      if (batch.maxTimestamp >= ts) return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
    }
    return undefined;
  }

  deleteRecordsBefore(offset: bigint): void {
    if (offset <= this.startOffset) return;
    this.dropWhile((batch) => batch.lastOffset < offset);
    if (offset > this.startOffset) this.startOffset = offset;
  }

  enforceRetention(now: number): void {
    const { retentionMs, retentionBytes } = this.config();
    if (retentionMs >= 0) {
      const cutoff = BigInt(now - retentionMs);
      this.dropWhile((batch) => batch.maxTimestamp < cutoff);
    }
    if (retentionBytes >= 0) this.dropWhile(() => this.bytes > retentionBytes);
  }

  private dropWhile(shouldDrop: (batch: BatchInfo) => boolean): void {
    while (this.head < this.batches.length && shouldDrop(this.batches[this.head]!)) {
      const batch = this.batches[this.head]!;
      this.bytes -= batch.bytes.length;
      if (batch.lastOffset + 1n > this.startOffset) this.startOffset = batch.lastOffset + 1n;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  /** Binary search for the first live batch whose last offset is >= offset. */
  private firstBatchEndingAtOrAfter(offset: bigint): number {
    let lo = this.head;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class MemoryStorage implements BrokerStorage {
  private readonly topics = new Map<string, { config: TopicConfig; partitions: MemoryPartitionLog[] }>();
  private readonly offsets = new Map<
    string,
    Map<string, { topic: string; partition: number; value: CommittedOffset }>
  >();

  listTopics(): TopicConfig[] {
    return [...this.topics.values()].map((topic) => topic.config);
  }

  createTopic(config: TopicConfig): void {
    if (this.topics.has(config.name)) throw new Error(`topic ${config.name} already exists; delete it first`);
    const entry = { config, partitions: [] as MemoryPartitionLog[] };
    for (let p = 0; p < config.partitions; p++) {
      entry.partitions.push(new MemoryPartitionLog(config.name, p, () => entry.config));
    }
    this.topics.set(config.name, entry);
  }

  deleteTopic(name: string): void {
    this.topics.delete(name);
    for (const group of this.offsets.values()) {
      for (const [key, entry] of group) if (entry.topic === name) group.delete(key);
    }
  }

  updateTopic(config: TopicConfig): void {
    const entry = this.topics.get(config.name);
    if (!entry) throw new Error(`topic ${config.name} does not exist; create it first`);
    if (config.partitions < entry.partitions.length) throw new Error(`topic ${config.name} cannot shrink`);
    entry.config = config;
    for (let p = entry.partitions.length; p < config.partitions; p++) {
      entry.partitions.push(new MemoryPartitionLog(config.name, p, () => entry.config));
    }
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  commitOffset(group: string, topic: string, partition: number, value: CommittedOffset): void {
    let entries = this.offsets.get(group);
    if (!entries) {
      entries = new Map();
      this.offsets.set(group, entries);
    }
    entries.set(`${topic}\u0000${partition}`, { topic, partition, value });
  }

  fetchOffset(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(group)?.get(`${topic}\u0000${partition}`)?.value;
  }

  committedOffsets(group: string): { topic: string; partition: number; value: CommittedOffset }[] {
    return [...(this.offsets.get(group)?.values() ?? [])];
  }

  groupsWithOffsets(): string[] {
    return [...this.offsets.keys()].filter((group) => (this.offsets.get(group)?.size ?? 0) > 0);
  }

  deleteOffset(group: string, topic: string, partition: number): void {
    this.offsets.get(group)?.delete(`${topic}\u0000${partition}`);
  }

  deleteGroupOffsets(group: string): void {
    this.offsets.delete(group);
  }

  async close(): Promise<void> {
    this.topics.clear();
    this.offsets.clear();
  }
}
