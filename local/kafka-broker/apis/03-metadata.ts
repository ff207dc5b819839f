import { CLUSTER_RESOURCE } from '../authorizer';
import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * Metadata (key 3), versions 0-6.
 *
 * Request v0: topics [name string]                       (empty = all topics)
 * Request v1-3: topics nullable[name string]             (null = all, empty = none)
 * Request v4-6: v1 + allow_auto_topic_creation bool
 *
 * Response:
 *   v3+: throttle_time_ms int32
 *   brokers [node_id int32, host string, port int32, v1+: rack nullable string]
 *   v2+: cluster_id nullable string
 *   v1+: controller_id int32
 *   topics [error_code int16, name string, v1+: is_internal bool,
 *           partitions [error_code int16, partition_index int32, leader_id int32, replica_nodes [int32],
 *                       isr_nodes [int32], v5+: offline_replicas [int32]]]
 *
 * Single node: this broker leads every partition and is the controller. Unknown topics are auto-created
 * when the broker allows it and (v4+) the request does too; an illegal name gets INVALID_TOPIC_EXCEPTION
 * (17), a topic that is not auto-created UNKNOWN_TOPIC_OR_PARTITION (3). With an authorizer, "all topics"
 * lists only those the principal may Describe, a named one it may not gets TOPIC_AUTHORIZATION_FAILED
 * (29), and auto-creation needs Create on the topic or the cluster.
 */
export interface MetadataRequest {
  readonly topics: readonly string[] | null;
  readonly allowAutoTopicCreation: boolean;
}

export interface MetadataPartition {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  readonly replicaNodes: readonly number[];
  readonly isrNodes: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface MetadataTopic {
  readonly errorCode: number;
  readonly name: string;
  readonly isInternal: boolean;
  readonly partitions: readonly MetadataPartition[];
}

export interface MetadataResponse {
  readonly throttleTimeMs: number;
  readonly brokers: readonly { nodeId: number; host: string; port: number; rack: string | null }[];
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly topics: readonly MetadataTopic[];
}

export const metadata = defineApi<MetadataRequest, MetadataResponse>({
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,
  decode(r, version) {
    const topics = version === 0 ? r.array((r) => r.string()) : r.nullableArray((r) => r.string());
    const allowAutoTopicCreation = version >= 4 ? r.bool() : true;
    return { topics: version === 0 && topics!.length === 0 ? null : topics, allowAutoTopicCreation };
  },
  encode(w, res, version) {
    if (version >= 3) w.int32(res.throttleTimeMs);
    w.array(res.brokers, (w, b) => {
      w.int32(b.nodeId).string(b.host).int32(b.port);
      if (version >= 1) w.nullableString(b.rack);
    });
    if (version >= 2) w.nullableString(res.clusterId);
    if (version >= 1) w.int32(res.controllerId);
    w.array(res.topics, (w, t) => {
      w.int16(t.errorCode).string(t.name);
      if (version >= 1) w.bool(t.isInternal);
      w.array(t.partitions, (w, p) => {
        w.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId);
        w.array(p.replicaNodes, (w, n) => w.int32(n));
        w.array(p.isrNodes, (w, n) => w.int32(n));
        if (version >= 5) w.array(p.offlineReplicas, (w, n) => w.int32(n));
      });
    });
  },
  handle(req, _version, { cluster, session, allowed }) {
    const describable = (name: string) => allowed('Describe', { type: 'topic', name });
    const names = req.topics ?? cluster.topicNames().filter(describable);
    const nodeId = cluster.nodeId;
    const topics = names.map((name): MetadataTopic => {
      const failed = (errorCode: number) => ({ errorCode, name, isInternal: false, partitions: [] });
      if (!describable(name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      if (!cluster.topic(name)) {
        const mayCreate =
          allowed('Create', { type: 'topic', name }) ||
          allowed('Create', { type: 'cluster', name: CLUSTER_RESOURCE });
        if (req.allowAutoTopicCreation && cluster.options.autoCreateTopics && !mayCreate) {
          return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        }
        const errorCode = cluster.ensureTopic(name, req.allowAutoTopicCreation);
        if (errorCode !== ErrorCode.NONE) return failed(errorCode);
      }
      const partitions: MetadataPartition[] = [];
      for (let p = 0; p < cluster.topic(name)!.partitions; p++) {
        partitions.push({
          errorCode: ErrorCode.NONE,
          partitionIndex: p,
          leaderId: nodeId,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          offlineReplicas: [],
        });
      }
      return { errorCode: ErrorCode.NONE, name, isInternal: false, partitions };
    });
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host: cluster.advertisedHost, port: session.listener.port, rack: null }],
      clusterId: cluster.clusterId,
      controllerId: nodeId,
      topics,
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: (req.topics ?? []).map((name) => ({ errorCode, name, isInternal: false, partitions: [] })),
    };
  },
});
