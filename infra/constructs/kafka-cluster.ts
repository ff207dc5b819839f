/**
 * The Kafka cluster: MSK provisioned (default) or MSK Serverless, both IAM-authenticated over TLS inside the
 * VPC. The provisioned cluster gets a broker configuration with auto-create off, replication factor 3 and
 * min.insync.replicas 2, encryption at rest, and broker logs in CloudWatch Logs.
 */
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

    const configuration = new msk.CfnConfiguration(this, 'BrokerConfiguration', {
      name: `${props.clusterName}-brokers`,
      description: 'CampusG brokers: topics only from the topology, durable writes',
      kafkaVersionsList: [props.kafkaVersion],
      serverProperties: [
        'auto.create.topics.enable=false',
        `default.replication.factor=${props.replicationFactor}`,
        `min.insync.replicas=${props.minInsyncReplicas}`,
        'num.partitions=3',
        'unclean.leader.election.enable=false',
        'delete.topic.enable=true',
        '',
      ].join('\n'),
    });

    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogGroup', {
      logGroupName: `/campusg/msk/${props.clusterName}`,
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
