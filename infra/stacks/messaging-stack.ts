import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { CampusgConfig } from '../config';
import { KafkaCluster } from '../constructs/kafka-cluster';
import { KafkaTopics } from '../constructs/kafka-topics';
import type { CampusgNetwork } from '../constructs/network';
import { pinExports } from './exports';
import { removalPolicyOf } from './removal';

export interface MessagingStackProps extends StackProps {
  readonly config: CampusgConfig;
  readonly clusterName: string;
  readonly network: CampusgNetwork;
}

/** The MSK cluster and the topology's topics. */
export class MessagingStack extends Stack {
  public readonly cluster: KafkaCluster;
  public readonly topics: KafkaTopics;

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const { config, network } = props;
    const removalPolicy = removalPolicyOf(config);
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.cluster = new KafkaCluster(this, 'Kafka', {
      mode: config.clusterMode,
      clusterName: props.clusterName,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      securityGroup: network.clusterSecurityGroup,
      kafkaVersion: config.kafkaVersion,
      brokerInstanceType: config.brokerInstanceType,
      brokerCount: config.brokerCount,
      brokerStorageGiB: config.brokerStorageGiB,
      replicationFactor: config.replicationFactor,
      minInsyncReplicas: config.minInsyncReplicas,
      logRetention,
      removalPolicy,
    });
    this.topics = new KafkaTopics(this, 'Topics', {
      mode: config.clusterMode,
      clusterArn: this.cluster.clusterArn,
      replicationFactor: config.replicationFactor,
      minInsyncReplicas: config.minInsyncReplicas,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      // The topic admin function talks to the brokers like any other function.
      securityGroup: network.functionSecurityGroup,
      logRetention,
      removalPolicy,
    });

    // Pinned: the services stack imports it (stacks/exports.ts).
    pinExports(this, config, [this.cluster.clusterArn]);
    new CfnOutput(this, 'ClusterArn', { value: this.cluster.clusterArn, description: 'MSK cluster ARN' });
    new CfnOutput(this, 'ClusterMode', { value: config.clusterMode });
    if (this.cluster.brokerLogGroup) {
      new CfnOutput(this, 'BrokerLogGroupName', { value: this.cluster.brokerLogGroup.logGroupName });
    }
  }
}
