import { type AclOperation, CLUSTER_RESOURCE } from '../authorizer';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * Metadata (key 3), versions 0-12 (flexible from v9).
 *
 * Request v0: topics [name string]                       (empty = all topics)
 * Request v1-3: topics nullable[name string]             (null = all, empty = none)
 * Request v4+: v1 + allow_auto_topic_creation bool
 * Request v8-10: + include_cluster_authorized_operations bool; v8+: include_topic_authorized_operations bool
 * Request v10+: topics nullable[topic_id uuid, name nullable string]   (v12: by id when the name is null)
 *
 * Response:
 *   v3+: throttle_time_ms int32
 *   brokers [node_id int32, host string, port int32, v1+: rack nullable string]
 *   v2+: cluster_id nullable string
 *   v1+: controller_id int32
 *   topics [error_code int16, name string (nullable v12+), v10+: topic_id uuid, v1+: is_internal bool,
 *           partitions [error_code int16, partition_index int32, leader_id int32, v7+: leader_epoch int32,
 *                       replica_nodes [int32], isr_nodes [int32], v5+: offline_replicas [int32]],
 *           v8+: topic_authorized_operations int32]
 *   v8-10: cluster_authorized_operations int32
 * v9+ use compact encodings and a tag section after every structure (none are set).
 *
 * Single node: this broker leads every partition (leader epoch 0) and is the controller. Topic ids come from
 * Cluster.topicId (stable per name). Unknown topics are auto-created
 * when the broker allows it and (v4+) the request does too; an illegal name gets INVALID_TOPIC_EXCEPTION
 * (17), a topic that is not auto-created UNKNOWN_TOPIC_OR_PARTITION (3); an unknown id (v12) gets
 * UNKNOWN_TOPIC_ID (100). With an authorizer, "all topics"
 * lists only those the principal may Describe, a named one it may not gets TOPIC_AUTHORIZATION_FAILED
 * (29), and auto-creation needs Create on the topic or the cluster. Authorized operations are Kafka's bit
 * set (bit n = AclOperation code n) when asked for, else INT32_MIN.
 */
const FLEXIBLE = 9;
const ZERO_UUID = Buffer.alloc(16);
/** Kafka's "authorized operations not requested" value. */
const NOT_REQUESTED = -2147483648;
const TOPIC_OPERATIONS: readonly [AclOperation, number][] = [
  ['Read', 3],
  ['Write', 4],
  ['Create', 5],
  ['Delete', 6],
  ['Alter', 7],
  ['Describe', 8],
  ['DescribeConfigs', 10],
  ['AlterConfigs', 11],
];
const CLUSTER_OPERATIONS: readonly [AclOperation, number][] = [
  ['Create', 5],
  ['Alter', 7],
  ['Describe', 8],
  ['DescribeConfigs', 10],
  ['AlterConfigs', 11],
];

export interface MetadataRequestTopic {
  readonly topicId: Buffer;
  readonly name: string | null;
}

export interface MetadataRequest {
  /** null = all topics. */
  readonly topics: readonly MetadataRequestTopic[] | null;
  readonly allowAutoTopicCreation: boolean;
  readonly includeClusterAuthorizedOperations: boolean;
  readonly includeTopicAuthorizedOperations: boolean;
}

export interface MetadataPartition {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicaNodes: readonly number[];
  readonly isrNodes: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface MetadataTopic {
  readonly errorCode: number;
  readonly name: string | null;
  readonly topicId: Buffer;
  readonly isInternal: boolean;
  readonly partitions: readonly MetadataPartition[];
  readonly topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  readonly throttleTimeMs: number;
  readonly brokers: readonly { nodeId: number; host: string; port: number; rack: string | null }[];
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly topics: readonly MetadataTopic[];
  readonly clusterAuthorizedOperations: number;
}

function operationBits(
  operations: readonly [AclOperation, number][],
  allowed: (op: AclOperation) => boolean,
): number {
  return operations.filter(([op]) => allowed(op)).reduce((bits, [, code]) => bits | (1 << code), 0);
}

export const metadata = defineApi<MetadataRequest, MetadataResponse>({
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const topic = (f: FieldReader): MetadataRequestTopic => {
      const topicId = version >= 10 ? f.uuid() : ZERO_UUID;
      const name = version >= 10 ? f.nullableString() : f.string();
      f.tags();
      return { topicId, name };
    };
    const topics = version === 0 ? f.array(topic) : f.nullableArray(topic);
    const allowAutoTopicCreation = version >= 4 ? f.bool() : true;
    const includeClusterAuthorizedOperations = version >= 8 && version <= 10 ? f.bool() : false;
    const includeTopicAuthorizedOperations = version >= 8 ? f.bool() : false;
    f.tags();
    return {
      topics: version === 0 && topics!.length === 0 ? null : topics,
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations,
      includeTopicAuthorizedOperations,
    };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 3) f.int32(res.throttleTimeMs);
    f.structs(res.brokers, (f, b) => {
      f.int32(b.nodeId).string(b.host).int32(b.port);
      if (version >= 1) f.nullableString(b.rack);
    });
    if (version >= 2) f.nullableString(res.clusterId);
    if (version >= 1) f.int32(res.controllerId);
    f.structs(res.topics, (f, t) => {
      f.int16(t.errorCode);
      if (version >= 12) f.nullableString(t.name);
      else f.string(t.name ?? '');
      if (version >= 10) f.uuid(t.topicId);
      if (version >= 1) f.bool(t.isInternal);
      f.structs(t.partitions, (f, p) => {
        f.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId);
        if (version >= 7) f.int32(p.leaderEpoch);
        f.array(p.replicaNodes, (f, n) => f.int32(n));
        f.array(p.isrNodes, (f, n) => f.int32(n));
        if (version >= 5) f.array(p.offlineReplicas, (f, n) => f.int32(n));
      });
      if (version >= 8) f.int32(t.topicAuthorizedOperations);
    });
    if (version >= 8 && version <= 10) f.int32(res.clusterAuthorizedOperations);
    f.tags();
  },
  handle(req, _version, { cluster, session, allowed }) {
    const describable = (name: string) => allowed('Describe', { type: 'topic', name });
    const requested: readonly MetadataRequestTopic[] =
      req.topics ??
      cluster
        .topicNames()
        .filter(describable)
        .map((name) => ({ topicId: ZERO_UUID, name }));
    const nodeId = cluster.nodeId;
    const topics = requested.map((wanted): MetadataTopic => {
      const failed = (
        errorCode: number,
        name: string | null,
        topicId: Buffer = ZERO_UUID,
      ): MetadataTopic => ({
        errorCode,
        name,
        topicId,
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: NOT_REQUESTED,
      });
      const name = wanted.name ?? cluster.topicNameById(wanted.topicId);
      if (name === undefined) return failed(ErrorCode.UNKNOWN_TOPIC_ID, null, wanted.topicId);
      if (!describable(name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name);
      if (!cluster.topic(name)) {
        const mayCreate =
          allowed('Create', { type: 'topic', name }) ||
          allowed('Create', { type: 'cluster', name: CLUSTER_RESOURCE });
        if (req.allowAutoTopicCreation && cluster.options.autoCreateTopics && !mayCreate) {
          return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name);
        }
        const errorCode = cluster.ensureTopic(name, req.allowAutoTopicCreation);
        if (errorCode !== ErrorCode.NONE) return failed(errorCode, name);
      }
      const partitions: MetadataPartition[] = [];
      for (let p = 0; p < cluster.topic(name)!.partitions; p++) {
        partitions.push({
          errorCode: ErrorCode.NONE,
          partitionIndex: p,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          offlineReplicas: [],
        });
      }
      return {
        errorCode: ErrorCode.NONE,
        name,
        topicId: cluster.topicId(name),
        isInternal: false,
        partitions,
        topicAuthorizedOperations: req.includeTopicAuthorizedOperations
          ? operationBits(TOPIC_OPERATIONS, (op) => allowed(op, { type: 'topic', name }))
          : NOT_REQUESTED,
      };
    });
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host: cluster.advertisedHost, port: session.listener.port, rack: null }],
      clusterId: cluster.clusterId,
      controllerId: nodeId,
      topics,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? operationBits(CLUSTER_OPERATIONS, (op) => allowed(op, { type: 'cluster', name: CLUSTER_RESOURCE }))
        : NOT_REQUESTED,
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: (req.topics ?? []).map((t) => ({
        errorCode,
        name: t.name,
        topicId: t.topicId,
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: NOT_REQUESTED,
      })),
      clusterAuthorizedOperations: NOT_REQUESTED,
    };
  },
});
