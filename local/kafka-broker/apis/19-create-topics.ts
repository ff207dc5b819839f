import { CLUSTER_RESOURCE } from '../authorizer';
import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * CreateTopics (key 19), versions 0-4.
 *
 * Request: topics [name string, num_partitions int32, replication_factor int16,
 *   assignments [partition_index int32, broker_ids [int32]], configs [name string, value nullable string]],
 *   timeout_ms int32, v1+: validate_only bool
 * Response: v2+: throttle_time_ms int32, topics [name string, error_code int16, v1+: error_message nullable string]
 *
 * num_partitions and replication_factor may be -1 (broker default) at every version. An existing topic
 * gets 36; a replication factor above 1 gets 38 (single node); manual assignments are accepted when they
 * name only this broker (the partition count is taken from them).
 */
export interface CreatableTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[];
  readonly configs: readonly { name: string; value: string | null }[];
}

export interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[];
  readonly timeoutMs: number;
  readonly validateOnly: boolean;
}

export interface CreateTopicsResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly { name: string; errorCode: number; errorMessage: string | null }[];
}

export const createTopics = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  key: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  decode(r, version) {
    const topics = r.array(
      (r): CreatableTopic => ({
        name: r.string(),
        numPartitions: r.int32(),
        replicationFactor: r.int16(),
        assignments: r.array((r) => ({ partitionIndex: r.int32(), brokerIds: r.array((r) => r.int32()) })),
        configs: r.array((r) => ({ name: r.string(), value: r.nullableString() })),
      }),
    );
    const timeoutMs = r.int32();
    const validateOnly = version >= 1 ? r.bool() : false;
    return { topics, timeoutMs, validateOnly };
  },
  encode(w, res, version) {
    if (version >= 2) w.int32(res.throttleTimeMs);
    w.array(res.topics, (w, t) => {
      w.string(t.name).int16(t.errorCode);
      if (version >= 1) w.nullableString(t.errorMessage);
    });
  },
  handle(req, _version, { cluster, allowed }) {
    const mayCreate = (name: string) =>
      allowed('Create', { type: 'cluster', name: CLUSTER_RESOURCE }) ||
      allowed('Create', { type: 'topic', name });
    const seen = new Set<string>();
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        if (seen.has(t.name)) {
          return {
            name: t.name,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `topic ${t.name} is listed twice`,
          };
        }
        seen.add(t.name);
        if (!mayCreate(t.name)) {
          return {
            name: t.name,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: `not authorized to create topic ${t.name}`,
          };
        }
        if (t.replicationFactor > 1) {
          return {
            name: t.name,
            errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
            errorMessage: `replication factor ${t.replicationFactor} is larger than the 1 broker available`,
          };
        }
        const manual = t.assignments.length > 0;
        if (manual && t.assignments.some((a) => a.brokerIds.some((id) => id !== cluster.nodeId))) {
          return {
            name: t.name,
            errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
            errorMessage: `assignments may only name broker ${cluster.nodeId}`,
          };
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
        const partitions = manual ? t.assignments.length : t.numPartitions;
        const result = cluster.createTopic({ name: t.name, partitions, configs }, req.validateOnly);
        return { name: t.name, errorCode: result.errorCode, errorMessage: result.message };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    };
  },
});
