import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * OffsetDelete (key 47), version 0 (Kafka has no flexible version of it).
 *
 * Request: group_id string, topics [name string, partitions [partition_index int32]]
 * Response: error_code int16, throttle_time_ms int32,
 *   topics [name string, partitions [partition_index int32, error_code int16]]
 *
 * Forgets committed offsets of a group. An unknown group (no members, no offsets) gets GROUP_ID_NOT_FOUND
 * (69) at the top; a partition of a topic that a live member subscribes to GROUP_SUBSCRIBED_TO_TOPIC (86);
 * an unknown partition 3. Needs Delete on the group (else 30 at the top) and Read on each topic (else 29).
 */
export interface OffsetDeleteRequest {
  readonly groupId: string;
  readonly topics: readonly { name: string; partitions: readonly number[] }[];
}

export interface OffsetDeleteResponse {
  readonly errorCode: number;
  readonly throttleTimeMs: number;
  readonly topics: readonly {
    name: string;
    partitions: readonly { partitionIndex: number; errorCode: number }[];
  }[];
}

function everyPartition(req: OffsetDeleteRequest, topLevel: number, errorCode: number): OffsetDeleteResponse {
  return {
    errorCode: topLevel,
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode })),
    })),
  };
}

export const offsetDelete = defineApi<OffsetDeleteRequest, OffsetDeleteResponse>({
  key: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  decode(r) {
    const groupId = r.string();
    const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
    return { groupId, topics };
  },
  encode(w, res) {
    w.int16(res.errorCode).int32(res.throttleTimeMs);
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.partitionIndex).int16(p.errorCode);
      });
    });
  },
  handle(req, _version, { cluster, allowed }) {
    if (!allowed('Delete', { type: 'group', name: req.groupId })) {
      return everyPartition(req, ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.NONE);
    }
    const described = cluster.groups.describe(req.groupId);
    if (described.state === 'Dead') return everyPartition(req, ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.NONE);
    const subscribed = cluster.groups.subscribedTopics(req.groupId);
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partitionIndex) => {
          const answer = (errorCode: number) => ({ partitionIndex, errorCode });
          if (!allowed('Read', { type: 'topic', name: t.name }))
            return answer(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          if (!cluster.partition(t.name, partitionIndex)) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (subscribed.has(t.name)) return answer(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
          cluster.storage.deleteOffset(req.groupId, t.name, partitionIndex);
          return answer(ErrorCode.NONE);
        }),
      })),
    };
  },
  errorResponse(req, _version, errorCode) {
    return everyPartition(req, errorCode, errorCode);
  },
});
