import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * OffsetFetch (key 9), versions 1-7 (flexible from v6).
 *
 * Request v1: group_id string, topics [name string, partition_indexes [int32]]
 * Request v2+: topics is nullable (null = every partition the group committed)
 * Request v7: + require_stable bool (KIP-447; there are no pending transactional offsets here)
 * Response: v3+: throttle_time_ms int32,
 *   topics [name string, partitions [partition_index int32, committed_offset int64,
 *            v5+: committed_leader_epoch int32, metadata nullable string, error_code int16]],
 *   v2+: error_code int16
 * v6+: compact encodings and tag sections. v8 (several groups per request) is not served.
 *
 * A partition without a committed offset (or an unknown group) gets offset -1, empty metadata, no error.
 */
const FLEXIBLE = 6;

export interface OffsetFetchRequest {
  readonly groupId: string;
  readonly topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null;
  readonly requireStable: boolean;
}

export interface OffsetFetchPartition {
  readonly partitionIndex: number;
  readonly committedOffset: bigint;
  readonly committedLeaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface OffsetFetchResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly { name: string; partitions: readonly OffsetFetchPartition[] }[];
  readonly errorCode: number;
}

export const offsetFetch = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  key: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 7,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const groupId = f.string();
    const topic = (f: FieldReader) => ({
      name: f.string(),
      partitionIndexes: f.array((f) => f.int32()),
    });
    const topics = version >= 2 ? f.nullableStructs(topic) : f.structs(topic);
    const requireStable = version >= 7 ? f.bool() : false;
    f.tags();
    return { groupId, topics, requireStable };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 3) f.int32(res.throttleTimeMs);
    f.structs(res.topics, (f, t) => {
      f.string(t.name);
      f.structs(t.partitions, (f, p) => {
        f.int32(p.partitionIndex).int64(p.committedOffset);
        if (version >= 5) f.int32(p.committedLeaderEpoch);
        f.nullableString(p.metadata).int16(p.errorCode);
      });
    });
    if (version >= 2) f.int16(res.errorCode);
    f.tags();
  },
  handle(req, version, { cluster, allowed }) {
    const { storage } = cluster;
    if (!allowed('Describe', { type: 'group', name: req.groupId })) {
      return this.errorResponse(req, version, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const describable = (name: string) => allowed('Describe', { type: 'topic', name });
    if (req.topics === null) {
      const byTopic = new Map<string, OffsetFetchPartition[]>();
      for (const { topic, partition, value } of storage.committedOffsets(req.groupId)) {
        if (!describable(topic)) continue;
        const partitions = byTopic.get(topic) ?? [];
        partitions.push({
          partitionIndex: partition,
          committedOffset: value.offset,
          committedLeaderEpoch: value.leaderEpoch,
          metadata: value.metadata ?? '',
          errorCode: ErrorCode.NONE,
        });
        byTopic.set(topic, partitions);
      }
      return {
        throttleTimeMs: 0,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        errorCode: ErrorCode.NONE,
      };
    }
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex): OffsetFetchPartition => {
          if (!describable(t.name)) {
            return {
              partitionIndex,
              committedOffset: -1n,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            };
          }
          const value = storage.fetchOffset(req.groupId, t.name, partitionIndex);
          return {
            partitionIndex,
            committedOffset: value?.offset ?? -1n,
            committedLeaderEpoch: value?.leaderEpoch ?? -1,
            metadata: value?.metadata ?? '',
            errorCode: ErrorCode.NONE,
          };
        }),
      })),
      errorCode: ErrorCode.NONE,
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: -1n,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode,
        })),
      })),
      errorCode,
    };
  },
});
