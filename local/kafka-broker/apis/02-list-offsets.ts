import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { firstRecordAtOrAfter } from '../protocol/record-batch';
import type { BatchInfo, PartitionLog } from '../storage/types';
import { defineApi, type RequestContext } from './types';

/**
 * ListOffsets (key 2), versions 0-7 (flexible from v6).
 *
 * Request: replica_id int32, v2+: isolation_level int8,
 *   topics [name string, partitions [partition_index int32, v4+: current_leader_epoch int32, timestamp int64,
 *           v0: max_num_offsets int32]]
 * Response: v2+: throttle_time_ms int32,
 *   topics [name string, partitions [partition_index int32, error_code int16,
 *     v0: old_style_offsets [int64] | v1+: timestamp int64, offset int64, v4+: leader_epoch int32]]
 * v6+: compact encodings and tag sections. v7 adds timestamp -3 (KIP-734).
 *
 * timestamp -1 = latest (the high watermark), -2 = earliest (the log start offset), -3 (v7+) = the record
 * with the largest timestamp (offset -1 in an empty partition), any other value = the
 * offset and timestamp of the first record whose timestamp is >= it (offset -1 when there is none): the
 * log finds the batch by its max timestamp, then the batch's record headers give the record.
 * v3 only changes throttling semantics; v5 only the errors a replica may see. The leader epoch is 0 (one
 * broker, never re-elected).
 *
 * v0 answers a list of offsets instead of one offset and its timestamp. Kafka's v0 lists segment base
 * offsets before the timestamp (plus the log end for "latest"); this broker lists the one offset v1 would
 * answer (none when there is none), cut to max_num_offsets: what old clients use v0 for (the start or the
 * end of a partition) is the same.
 */
export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;
export const MAX_TIMESTAMP = -3n;
const FLEXIBLE = 6;

export interface ListOffsetsRequest {
  readonly replicaId: number;
  readonly isolationLevel: number;
  readonly topics: readonly {
    name: string;
    partitions: readonly {
      partitionIndex: number;
      currentLeaderEpoch: number;
      timestamp: bigint;
      maxNumOffsets?: number;
    }[];
  }[];
}

export interface ListOffsetsPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly timestamp: bigint;
  readonly offset: bigint;
  /** v4+. @default 0 when offset >= 0, else -1 */
  readonly leaderEpoch?: number;
  /** v0 only: the offsets answered instead of `offset`. @default [offset] when offset >= 0, else [] */
  readonly oldStyleOffsets?: readonly bigint[];
}

export interface ListOffsetsResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly { name: string; partitions: readonly ListOffsetsPartitionResponse[] }[];
}

export const listOffsets = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  key: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 7,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => ({
      replicaId: f.int32(),
      isolationLevel: version >= 2 ? f.int8() : 0,
      topics: f.structs((f) => ({
        name: f.string(),
        partitions: f.structs((f) => ({
          partitionIndex: f.int32(),
          currentLeaderEpoch: version >= 4 ? f.int32() : -1,
          timestamp: f.int64(),
          ...(version === 0 ? { maxNumOffsets: f.int32() } : {}),
        })),
      })),
    }));
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 2) f.int32(res.throttleTimeMs);
    f.structs(res.topics, (f, t) => {
      f.string(t.name);
      f.structs(t.partitions, (f, p) => {
        f.int32(p.partitionIndex).int16(p.errorCode);
        if (version === 0) {
          f.array(p.oldStyleOffsets ?? (p.offset >= 0n ? [p.offset] : []), (f, o) => f.int64(o));
        } else {
          f.int64(p.timestamp).int64(p.offset);
          if (version >= 4) f.int32(p.leaderEpoch ?? (p.offset >= 0n ? 0 : -1));
        }
      });
    });
    f.tags();
  },
  handle(req, version, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const answer = answerPartition(t.name, p.partitionIndex, p.timestamp, ctx);
          if (version !== 0) return answer;
          const offsets = answer.offset >= 0n ? [answer.offset] : [];
          return { ...answer, oldStyleOffsets: offsets.slice(0, Math.max(0, p.maxNumOffsets ?? 1)) };
        }),
      })),
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          timestamp: -1n,
          offset: -1n,
        })),
      })),
    };
  },
});

/** One partition's answer at v1+: its offset and timestamp for `timestamp`, or an error code. */
function answerPartition(
  topic: string,
  partitionIndex: number,
  timestamp: bigint,
  { cluster, allowed }: RequestContext,
): ListOffsetsPartitionResponse {
  if (!allowed('Describe', { type: 'topic', name: topic })) {
    return {
      partitionIndex,
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      timestamp: -1n,
      offset: -1n,
    };
  }
  const log = cluster.partition(topic, partitionIndex);
  if (!log) {
    return {
      partitionIndex,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      timestamp: -1n,
      offset: -1n,
    };
  }
  if (timestamp === LATEST_TIMESTAMP) {
    return { partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1n, offset: log.highWatermark() };
  }
  if (timestamp === EARLIEST_TIMESTAMP) {
    return {
      partitionIndex,
      errorCode: ErrorCode.NONE,
      timestamp: -1n,
      offset: log.logStartOffset(),
    };
  }
  if (timestamp === MAX_TIMESTAMP) {
    const found = offsetOfMaxTimestamp(log);
    return {
      partitionIndex,
      errorCode: ErrorCode.NONE,
      timestamp: found?.timestamp ?? -1n,
      offset: found?.offset ?? -1n,
    };
  }
  const found = offsetForTimestamp(log, timestamp);
  // A batch that DeleteRecords cut into may hold the record found below the log start.
  const start = log.logStartOffset();
  return {
    partitionIndex,
    errorCode: ErrorCode.NONE,
    timestamp: found?.timestamp ?? -1n,
    offset: found === undefined ? -1n : found.offset < start ? start : found.offset,
  };
}

/** The first record at or after `timestamp`: the batch from the log's index, the record from its headers. */
function offsetForTimestamp(
  log: PartitionLog,
  timestamp: bigint,
): { offset: bigint; timestamp: bigint } | undefined {
  const found = log.offsetForTimestamp(timestamp);
  if (!found) return undefined;
  const [batch] = log.read(found.offset, 1);
  return (batch && firstRecordAtOrAfter(batch.bytes, timestamp)) ?? found;
}

/** The first record carrying the largest timestamp of the partition (timestamp -3, KIP-734). */
function offsetOfMaxTimestamp(log: PartitionLog): { offset: bigint; timestamp: bigint } | undefined {
  let best: BatchInfo | undefined;
  let offset = log.logStartOffset();
  const end = log.highWatermark();
  while (offset < end) {
    const batches = log.read(offset, 1 << 20);
    if (batches.length === 0) break;
    for (const batch of batches) {
      if (!best || batch.maxTimestamp > best.maxTimestamp) best = batch;
      offset = batch.lastOffset + 1n;
    }
  }
  if (!best) return undefined;
  return (
    firstRecordAtOrAfter(best.bytes, best.maxTimestamp) ?? {
      offset: best.baseOffset,
      timestamp: best.maxTimestamp,
    }
  );
}
