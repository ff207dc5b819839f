import { ErrorCode } from '../protocol/error-codes';
import { firstRecordAtOrAfter } from '../protocol/record-batch';
import type { PartitionLog } from '../storage/types';
import { defineApi } from './types';

/**
 * ListOffsets (key 2), versions 1-3.
 *
 * Request: replica_id int32, v2+: isolation_level int8,
 *   topics [name string, partitions [partition_index int32, timestamp int64]]
 * Response: v2+: throttle_time_ms int32,
 *   topics [name string, partitions [partition_index int32, error_code int16, timestamp int64, offset int64]]
 *
 * timestamp -1 = latest (the high watermark), -2 = earliest (the log start offset), any other value = the
 * offset and timestamp of the first record whose timestamp is >= it (offset -1 when there is none): the
 * log finds the batch by its max timestamp, then the batch's record headers give the record.
 * v3 only changes throttling semantics.
 */
export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;

export interface ListOffsetsRequest {
  readonly replicaId: number;
  readonly isolationLevel: number;
  readonly topics: readonly {
    name: string;
    partitions: readonly { partitionIndex: number; timestamp: bigint }[];
  }[];
}

export interface ListOffsetsPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly timestamp: bigint;
  readonly offset: bigint;
}

export interface ListOffsetsResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly { name: string; partitions: readonly ListOffsetsPartitionResponse[] }[];
}

export const listOffsets = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  key: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 3,
  decode(r, version) {
    return {
      replicaId: r.int32(),
      isolationLevel: version >= 2 ? r.int8() : 0,
      topics: r.array((r) => ({
        name: r.string(),
        partitions: r.array((r) => ({ partitionIndex: r.int32(), timestamp: r.int64() })),
      })),
    };
  },
  encode(w, res, version) {
    if (version >= 2) w.int32(res.throttleTimeMs);
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partitionIndex).int16(p.errorCode).int64(p.timestamp).int64(p.offset);
      });
    });
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex, timestamp }): ListOffsetsPartitionResponse => {
          if (!allowed('Describe', { type: 'topic', name: t.name })) {
            return {
              partitionIndex,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              timestamp: -1n,
              offset: -1n,
            };
          }
          const log = cluster.partition(t.name, partitionIndex);
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
          const found = offsetForTimestamp(log, timestamp);
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            timestamp: found?.timestamp ?? -1n,
            offset: found?.offset ?? -1n,
          };
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
