import { CLUSTER_RESOURCE } from '../authorizer';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * CreateTopics (key 19), versions 0-7 (flexible from v5).
 *
 * Request: topics [name string, num_partitions int32, replication_factor int16,
 *   assignments [partition_index int32, broker_ids [int32]], configs [name string, value nullable string]],
 *   timeout_ms int32, v1+: validate_only bool
 * Response: v2+: throttle_time_ms int32, topics [name string, v7+: topic_id uuid, error_code int16,
 *   v1+: error_message nullable string, v5+: num_partitions int32, replication_factor int16,
 *   configs nullable [name string, value nullable string, read_only bool, config_source int8, is_sensitive bool]]
 * v5+: compact encodings and tag sections (the tagged topic_config_error_code is not sent). v6 only adds
 * quota errors.
 *
 * num_partitions and replication_factor may be -1 (broker default) at every version. An existing topic
 * gets 36; a replication factor above 1 gets 38 (single node); manual assignments are accepted when they
 * name only this broker (the partition count is taken from them). From v5 a created (or validated) topic
 * reports its partition count, replication factor 1 and the configs set on it (source 1, dynamic topic);
 * a failed one -1, -1 and null.
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

export interface CreatedTopicConfig {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly configSource: number;
  readonly isSensitive: boolean;
}

export interface CreatedTopicResult {
  readonly name: string;
  readonly topicId: Buffer;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs: readonly CreatedTopicConfig[] | null;
}

export interface CreateTopicsResponse {
  readonly throttleTimeMs: number;
  readonly topics: readonly CreatedTopicResult[];
}

const FLEXIBLE = 5;
const ZERO_UUID = Buffer.alloc(16);
const SOURCE_DYNAMIC_TOPIC = 1;

function failed(name: string, errorCode: number, errorMessage: string | null): CreatedTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}

export const createTopics = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  key: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const topics = f.structs(
      (f): CreatableTopic => ({
        name: f.string(),
        numPartitions: f.int32(),
        replicationFactor: f.int16(),
        assignments: f.structs((f) => ({
          partitionIndex: f.int32(),
          brokerIds: f.array((f) => f.int32()),
        })),
        configs: f.structs((f) => ({ name: f.string(), value: f.nullableString() })),
      }),
    );
    const timeoutMs = f.int32();
    const validateOnly = version >= 1 ? f.bool() : false;
    f.tags();
    return { topics, timeoutMs, validateOnly };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 2) f.int32(res.throttleTimeMs);
    f.structs(res.topics, (f, t) => {
      f.string(t.name);
      if (version >= 7) f.uuid(t.topicId);
      f.int16(t.errorCode);
      if (version >= 1) f.nullableString(t.errorMessage);
      if (version >= 5) {
        f.int32(t.numPartitions).int16(t.replicationFactor);
        f.nullableStructs(t.configs, (f, c) => {
          f.string(c.name).nullableString(c.value).bool(c.readOnly).int8(c.configSource).bool(c.isSensitive);
        });
      }
    });
    f.tags();
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
          return failed(t.name, ErrorCode.INVALID_REQUEST, `topic ${t.name} is listed twice`);
        }
        seen.add(t.name);
        if (!mayCreate(t.name)) {
          return failed(
            t.name,
            ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            `not authorized to create topic ${t.name}`,
          );
        }
        if (t.replicationFactor > 1) {
          return failed(
            t.name,
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `replication factor ${t.replicationFactor} is larger than the 1 broker available`,
          );
        }
        const manual = t.assignments.length > 0;
        if (manual && t.assignments.some((a) => a.brokerIds.some((id) => id !== cluster.nodeId))) {
          return failed(
            t.name,
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `assignments may only name broker ${cluster.nodeId}`,
          );
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
        const partitions = manual ? t.assignments.length : t.numPartitions;
        const result = cluster.createTopic({ name: t.name, partitions, configs }, req.validateOnly);
        if (result.errorCode !== ErrorCode.NONE) return failed(t.name, result.errorCode, result.message);
        return {
          name: t.name,
          topicId: cluster.topicId(t.name),
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          numPartitions: partitions === -1 ? cluster.options.defaultPartitions : partitions,
          replicationFactor: 1,
          configs: Object.entries(configs).map(([name, value]) => ({
            name,
            value,
            readOnly: false,
            configSource: SOURCE_DYNAMIC_TOPIC,
            isSensitive: false,
          })),
        };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => failed(t.name, errorCode, null)) };
  },
});
