/**
 * The authorization hook of the embedded broker. Without an authorizer every request is allowed. With one,
 * the APIs ask it before acting, with the connection's principal (from SASL, or `ANONYMOUS` on a
 * plaintext listener), and answer a denial the way Kafka does:
 *
 *   Produce                      Write topic        -> TOPIC_AUTHORIZATION_FAILED (29) per partition
 *   Fetch                        Read topic         -> 29 per partition
 *   ListOffsets                  Describe topic     -> 29 per partition
 *   Metadata                     Describe topic     -> 29 for a named topic; omitted from "all topics"
 *                                Create topic       -> needed to auto-create (else 29)
 *   FindCoordinator, Join/Sync/Heartbeat/Leave, OffsetCommit/Fetch, DescribeGroups
 *                                Read group (Describe for FindCoordinator/DescribeGroups)
 *                                                   -> GROUP_AUTHORIZATION_FAILED (30)
 *   OffsetCommit / OffsetFetch   Read / Describe topic -> 29 per partition
 *   ListGroups                   Describe group     -> the group is left out
 *   CreateTopics / DeleteTopics  Create / Delete topic -> 29
 *   DescribeConfigs              DescribeConfigs topic (29) or cluster (CLUSTER_AUTHORIZATION_FAILED 31)
 *   AlterConfigs, IncrementalAlterConfigs, CreatePartitions, DeleteRecords, DeleteGroups, OffsetDelete
 *                                AlterConfigs / Alter / Delete as Kafka documents
 */
export type AclOperation =
  | 'Read'
  | 'Write'
  | 'Create'
  | 'Delete'
  | 'Alter'
  | 'Describe'
  | 'AlterConfigs'
  | 'DescribeConfigs';

export interface AclResource {
  readonly type: 'topic' | 'group' | 'cluster';
  readonly name: string;
}

export interface Authorizer {
  authorize(principal: string, operation: AclOperation, resource: AclResource): boolean;
}

/** The cluster resource's name, as Kafka spells it. */
export const CLUSTER_RESOURCE = 'kafka-cluster';
