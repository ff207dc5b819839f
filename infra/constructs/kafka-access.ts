/**
 * MSK IAM access control, scoped to exact topic and consumer-group ARNs.
 *
 * MSK ARNs share the cluster's name and UUID: `arn:<partition>:kafka:<region>:<account>:topic/<cluster>/<uuid>/<topic>`
 * (and `group/...`), so their prefixes are built once from the cluster ARN with Fn::Split / Fn::Select. No
 * `kafka-cluster:*` action is ever granted, and no wildcard resource except for `kafka:GetBootstrapBrokers`, which
 * IAM only grants on `*`.
 */
import { Aws, Fn } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** A cluster and the ARN prefixes of its topics and consumer groups. */
export interface KafkaClusterRef {
  readonly clusterArn: string;
  /** `arn:...:topic/<cluster>/<uuid>/` */
  readonly topicArnPrefix: string;
  /** `arn:...:group/<cluster>/<uuid>/` */
  readonly groupArnPrefix: string;
}

/** What a principal may do on one cluster. */
export interface KafkaAccess {
  /** Topics read through event-source mappings. */
  readonly consumes: readonly string[];
  /** Consumer groups those mappings commit offsets in. */
  readonly groups: readonly string[];
  /** Topics written to. */
  readonly publishes: readonly string[];
}

/** The ARN prefix of a cluster's topics or groups, for a cluster ARN token. */
export function mskArnPrefix(clusterArn: string, kind: 'topic' | 'group'): string {
  const parts = Fn.split('/', clusterArn);
  return Fn.join('', [
    `arn:${Aws.PARTITION}:kafka:${Aws.REGION}:${Aws.ACCOUNT_ID}:${kind}/`,
    Fn.select(1, parts),
    '/',
    Fn.select(2, parts),
    '/',
  ]);
}

/** A cluster reference computed from its ARN. */
export function kafkaClusterRef(clusterArn: string): KafkaClusterRef {
  return {
    clusterArn,
    topicArnPrefix: mskArnPrefix(clusterArn, 'topic'),
    groupArnPrefix: mskArnPrefix(clusterArn, 'group'),
  };
}

/** Grants exactly the Kafka data-plane and control-plane actions `access` needs. */
export function grantKafkaAccess(grantee: IGrantable, cluster: KafkaClusterRef, access: KafkaAccess): void {
  const { clusterArn } = cluster;
  const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  const any = access.consumes.length + access.publishes.length > 0;
  if (!any) return;

  add(
    new PolicyStatement({
      sid: 'KafkaControlPlane',
      actions: ['kafka:DescribeClusterV2'],
      resources: [clusterArn],
    }),
  );
  // GetBootstrapBrokers supports no resource-level permissions: IAM grants it only on `*`, and a grant on
  // the cluster ARN is ignored (found by the local runtime's IAM check, local/iam).
  add(
    new PolicyStatement({
      sid: 'KafkaBootstrapBrokers',
      actions: ['kafka:GetBootstrapBrokers'],
      resources: ['*'],
    }),
  );
  add(
    new PolicyStatement({
      sid: 'KafkaConnect',
      actions: [
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeClusterDynamicConfiguration',
        ...(access.publishes.length > 0 ? ['kafka-cluster:WriteDataIdempotently'] : []),
      ],
      resources: [clusterArn],
    }),
  );
  if (access.consumes.length > 0) {
    add(
      new PolicyStatement({
        sid: 'KafkaConsumeTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: access.consumes.map((t) => `${cluster.topicArnPrefix}${t}`),
      }),
    );
    add(
      new PolicyStatement({
        sid: 'KafkaConsumerGroups',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: access.groups.map((g) => `${cluster.groupArnPrefix}${g}`),
      }),
    );
  }
  if (access.publishes.length > 0) {
    add(
      new PolicyStatement({
        sid: 'KafkaPublishTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: access.publishes.map((t) => `${cluster.topicArnPrefix}${t}`),
      }),
    );
  }
}
