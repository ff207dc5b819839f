import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * OffsetCommit (key 8), versions 2-8 (flexible from v8).
 *
 * Request: group_id string, generation_id int32, member_id string, v7+: group_instance_id nullable string,
 *   v2-4: retention_time_ms int64,
 *   topics [name string, partitions [partition_index int32, committed_offset int64,
 *            v6+: committed_leader_epoch int32, committed_metadata nullable string]]
 * Response: v3+: throttle_time_ms int32, topics [name string, partitions [partition_index int32, error_code int16]]
 * v8: compact encodings and tag sections (v9 is the KIP-848 consumer protocol: not served).
 *
 * The member and generation are checked (25, 22; 27 while the group completes a rebalance); generation -1
 * with an empty member id commits for a group without live members ("simple" consumers and admin tools).
 * Unknown partitions get 3. Offsets are stored through BrokerStorage.commitOffset.
 */
const FLEXIBLE = 8;

export interface OffsetCommitPartition {
  readonly partitionIndex: number;
  readonly committedOffset: bigint;
  readonly committedLeaderEpoch: number;
  readonly committedMetadata: string | null;
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly retentionTimeMs: bigint;
  readonly topics: readonly { name: string; partitions: readonly OffsetCommitPartition[] }[];
}

export interface OffsetCommitResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly {
    name: string;
    partitions: readonly { partitionIndex: number; errorCode: number }[];
  }[];
}

export const offsetCommit = defineApi<OffsetCommitRequest, OffsetCommitResponse>({
  key: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 8,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const groupId = f.string();
    const generationId = f.int32();
    const memberId = f.string();
    const groupInstanceId = version >= 7 ? f.nullableString() : null;
    const retentionTimeMs = version <= 4 ? f.int64() : -1n;
    const topics = f.structs((f) => ({
      name: f.string(),
      partitions: f.structs((f) => ({
        partitionIndex: f.int32(),
        committedOffset: f.int64(),
        committedLeaderEpoch: version >= 6 ? f.int32() : -1,
        committedMetadata: f.nullableString(),
      })),
    }));
    f.tags();
    return { groupId, generationId, memberId, groupInstanceId, retentionTimeMs, topics };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 3) f.int32(res.throttleTimeMs);
    f.structs(res.topics, (f, t) => {
      f.string(t.name);
      f.structs(t.partitions, (f, p) => {
        f.int32(p.partitionIndex).int16(p.errorCode);
      });
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId })) {
      return everyPartition(req, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const groupError = cluster.groups.checkCommit(req.groupId, req.generationId, req.memberId);
    if (groupError !== ErrorCode.NONE) return everyPartition(req, groupError);
    const commitTimestamp = BigInt(Date.now());
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!allowed('Read', { type: 'topic', name: t.name })) {
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          }
          if (!cluster.partition(t.name, p.partitionIndex)) {
            return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          }
          cluster.storage.commitOffset(req.groupId, t.name, p.partitionIndex, {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
            commitTimestamp,
          });
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        }),
      })),
    };
  },
  errorResponse(req, _version, errorCode) {
    return everyPartition(req, errorCode);
  },
});

function everyPartition(req: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}
