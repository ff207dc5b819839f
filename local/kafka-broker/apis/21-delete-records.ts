import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * DeleteRecords (key 21), versions 0-2 (flexible from v2).
 *
 * Request: topics [name string, partitions [partition_index int32, offset int64]], timeout_ms int32
 * Response: throttle_time_ms int32,
 *   topics [name string, partitions [partition_index int32, low_watermark int64, error_code int16]]
 * v1 differs only in throttling; v2 uses compact encodings and tag sections.
 *
 * Moves each partition's log start offset forward to `offset` (-1 = the high watermark): Fetch below it
 * gets OFFSET_OUT_OF_RANGE and ListOffsets earliest answers it, as after retention. The low watermark
 * answered is the log start afterwards (an offset below the current start changes nothing). An offset past
 * the high watermark or below -1 gets OFFSET_OUT_OF_RANGE (1); an unknown partition 3; without Delete on
 * the topic, TOPIC_AUTHORIZATION_FAILED (29). The file storage keeps the new start across restarts.
 */
const FLEXIBLE = 2;
const HIGH_WATERMARK = -1n;

export interface DeleteRecordsRequest {
  readonly topics: readonly {
    name: string;
    partitions: readonly { partitionIndex: number; offset: bigint }[];
  }[];
  readonly timeoutMs: number;
}

export interface DeleteRecordsPartitionResult {
  readonly partitionIndex: number;
  readonly lowWatermark: bigint;
  readonly errorCode: number;
}

export interface DeleteRecordsResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly { name: string; partitions: readonly DeleteRecordsPartitionResult[] }[];
}

export const deleteRecords = defineApi<DeleteRecordsRequest, DeleteRecordsResponse>({
  key: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const topics = f.structs((f) => ({
      name: f.string(),
      partitions: f.structs((f) => ({ partitionIndex: f.int32(), offset: f.int64() })),
    }));
    const timeoutMs = f.int32();
    f.tags();
    return { topics, timeoutMs };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    f.int32(res.throttleTimeMs);
    f.structs(res.topics, (f, t) => {
      f.string(t.name);
      f.structs(t.partitions, (f, p) => {
        f.int32(p.partitionIndex).int64(p.lowWatermark).int16(p.errorCode);
      });
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex, offset }): DeleteRecordsPartitionResult => {
          const failed = (errorCode: number) => ({ partitionIndex, lowWatermark: -1n, errorCode });
          if (!allowed('Delete', { type: 'topic', name: t.name })) {
            return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          }
          const log = cluster.partition(t.name, partitionIndex);
          if (!log) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const highWatermark = log.highWatermark();
          const target = offset === HIGH_WATERMARK ? highWatermark : offset;
          if (target < 0n || target > highWatermark) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
          log.deleteRecordsBefore(target);
          return { partitionIndex, lowWatermark: log.logStartOffset(), errorCode: ErrorCode.NONE };
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
          lowWatermark: -1n,
          errorCode,
        })),
      })),
    };
  },
});
