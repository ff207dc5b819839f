/**
 * Storage contract of the embedded broker. The protocol layer (APIs, groups) talks only to these
 * interfaces; `memory.ts` keeps everything in RAM (the default), `file.ts` keeps it in a data directory
 * so that records, topics and committed offsets survive a restart or a kill -9.
 *
 * Record batches are stored exactly as the producer sent them (RecordBatch v2 bytes), with only the
 * base offset (bytes 0..7) patched to the offset the log assigned. Nothing decodes records on the hot path.
 */

export interface TopicConfig {
  readonly name: string;
  readonly partitions: number;
  /** `retention.ms`; -1 = unlimited. */
  readonly retentionMs: number;
  /** `retention.bytes` per partition; -1 = unlimited. */
  readonly retentionBytes: number;
  /** Extra topic configs as given on creation (strings, as Kafka keeps them). */
  readonly configs: Readonly<Record<string, string>>;
}

/** What the log knows about one stored batch, enough to serve Fetch and ListOffsets without decoding. */
export interface BatchInfo {
  readonly baseOffset: bigint;
  /** baseOffset + lastOffsetDelta. */
  readonly lastOffset: bigint;
  /** maxTimestamp from the batch header (ms). */
  readonly maxTimestamp: bigint;
  /** firstTimestamp from the batch header (ms). */
  readonly firstTimestamp: bigint;
  readonly bytes: Buffer;
}

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** First offset still stored (moves forward with retention). */
  logStartOffset(): bigint;
  /** Offset the next appended record gets (= high watermark; there is no replication). */
  highWatermark(): bigint;
  /**
   * Appends one RecordBatch v2 (already validated: magic 2, CRC-32C checked). Patches its base offset in
   * place (a copy is stored) and returns the assigned base offset. When this returns, the batch is as
   * durable as the log promises (file logs: written and flushed to the OS before the produce is acked).
   */
  append(batch: Buffer, recordCount: number, firstTimestamp: bigint, maxTimestamp: bigint): bigint;
  /**
   * Batches holding offsets >= `offset`, in order, until `maxBytes` is reached; always at least one batch
   * when any exists at or after `offset` (even if larger than maxBytes). Empty at the high watermark.
   */
  read(offset: bigint, maxBytes: number): BatchInfo[];
  /** Earliest offset whose batch has maxTimestamp >= ts, or the high watermark if none (ListOffsets by time). */
  offsetForTimestamp(ts: bigint): { offset: bigint; timestamp: bigint } | undefined;
  /**
   * Moves the log start offset forward to `offset` (DeleteRecords): batches wholly before it are dropped,
   * a batch it falls inside stays stored but its records before `offset` are no longer served. Never moves
   * backwards; `offset` must not exceed the high watermark (the caller checks). Durable like an append.
   */
  deleteRecordsBefore(offset: bigint): void;
  /** Drops whole batches that are older than retention.ms or beyond retention.bytes. */
  enforceRetention(now: number): void;
  /** Stored bytes of this partition. */
  sizeBytes(): number;
}

export interface CommittedOffset {
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestamp: bigint;
}

export interface BrokerStorage {
  /** Topics known at open (restored from the data directory, or none in memory). */
  listTopics(): TopicConfig[];
  createTopic(config: TopicConfig): void;
  deleteTopic(name: string): void;
  /** Replaces a topic's configs (AlterConfigs); `partitions` may only grow (CreatePartitions). */
  updateTopic(config: TopicConfig): void;
  partition(topic: string, partition: number): PartitionLog | undefined;
  commitOffset(group: string, topic: string, partition: number, value: CommittedOffset): void;
  fetchOffset(group: string, topic: string, partition: number): CommittedOffset | undefined;
  /** Every (topic, partition) with a committed offset for the group. */
  committedOffsets(group: string): { topic: string; partition: number; value: CommittedOffset }[];
  /** Groups that have committed offsets (for ListGroups of empty groups). */
  groupsWithOffsets(): string[];
  /** Forgets one committed offset (OffsetDelete); nothing happens when there is none. */
  deleteOffset(group: string, topic: string, partition: number): void;
  /** Forgets every committed offset of a group (DeleteGroups). */
  deleteGroupOffsets(group: string): void;
  /** Flushes and closes files. */
  close(): Promise<void>;
}
