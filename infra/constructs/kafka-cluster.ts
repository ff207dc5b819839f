/**
 * The Kafka cluster: MSK provisioned (default) or MSK Serverless, both IAM-authenticated over TLS inside the
 * VPC. The provisioned cluster gets a broker configuration with auto-create off, replication factor 3 and
 * min.insync.replicas 2, encryption at rest, and broker logs in CloudWatch Logs.
 */
import { createHash } from 'node:crypto';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import type { ClusterMode } from '../config';
import { type KafkaClusterRef, kafkaClusterRef } from './kafka-access';

export interface KafkaClusterProps {
  readonly mode: ClusterMode;
  /** Cluster name, e.g. `campusg-dev`. */
  readonly clusterName: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Provisioned mode only. */
  readonly kafkaVersion: string;
  readonly brokerInstanceType: string;
  readonly brokerCount: number;
  readonly brokerStorageGiB: number;
  /** `default.replication.factor` (provisioned mode). */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class KafkaCluster extends Construct {
  public readonly clusterArn: string;
  public readonly clusterName: string;
  /** The cluster ARN and the ARN prefixes of its topics and groups (for IAM). */
  public readonly ref: KafkaClusterRef;
  public readonly mode: ClusterMode;
  /** Provisioned mode: the broker log group. */
  public readonly brokerLogGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    this.mode = props.mode;
    this.clusterName = props.clusterName;
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;

    if (props.mode === 'serverless') {
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: props.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [props.securityGroup.securityGroupId] }],
      });
      this.clusterArn = cluster.attrArn;
      this.ref = kafkaClusterRef(this.clusterArn);
      return;
    }

    const serverProperties = [
      'auto.create.topics.enable=false',
      `default.replication.factor=${props.replicationFactor}`,
      `min.insync.replicas=${props.minInsyncReplicas}`,
      'num.partitions=3',
      'unclean.leader.election.enable=false',
      'delete.topic.enable=true',
      '',
    ].join('\n');
    const configuration = new msk.CfnConfiguration(this, 'BrokerConfiguration', {
      name: brokerConfigurationName(props.clusterName, props.kafkaVersion, serverProperties),
      description: 'CampusG brokers: topics only from the topology, durable writes',
      kafkaVersionsList: [props.kafkaVersion],
      serverProperties,
    });

    // Under /aws/vendedlogs/: MSK delivers broker logs as vended logs, and CloudWatch Logs keeps the
    // account's resource policy under its size limit only for log groups with this prefix.
    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogGroup', {
      logGroupName: `/aws/vendedlogs/msk/${props.clusterName}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    const cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: props.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: props.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups: [props.securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: props.brokerStorageGiB } },
      },
      clientAuthentication: {
        sasl: { iam: { enabled: true } },
        unauthenticated: { enabled: false },
      },
      encryptionInfo: {
        // Encryption at rest is always on; without a key id MSK uses its AWS-managed KMS key.
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
      enhancedMonitoring: 'DEFAULT',
      loggingInfo: {
        brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName } },
      },
    });
    this.clusterArn = cluster.attrArn;
    this.ref = kafkaClusterRef(this.clusterArn);
  }
}

/**
 * The MSK configuration's name, derived from the Kafka version and the content. CloudFormation replaces an
 * AWS::MSK::Configuration whose `KafkaVersionsList` changes and accepts that only together with a new `Name`
 * (the replacement is created before the old one is deleted, under a name that must be free), so a version
 * upgrade with a fixed name fails. `<cluster>-<version>-<hash of version and properties>`, e.g.
 * `campusg-dev-3-8-x-1a2b3c4d`; names allow letters, digits and dashes.
 */
export function brokerConfigurationName(
  clusterName: string,
  kafkaVersion: string,
  serverProperties: string,
): string {
  const hash = createHash('sha256').update(`${kafkaVersion}\n${serverProperties}`).digest('hex').slice(0, 8);
  return `${clusterName}-${kafkaVersion.replace(/[^0-9A-Za-z]+/g, '-')}-${hash}`;
}
