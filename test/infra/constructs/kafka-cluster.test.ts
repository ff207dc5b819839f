/**
 * Template test of KafkaCluster on a bare stack: in provisioned mode the broker configuration (named after
 * version and content), the vended broker log group and an IAM/TLS-only cluster; in serverless mode an
 * IAM-authenticated serverless cluster and nothing else.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ClusterMode } from '#infra/config';
import { brokerConfigurationName, KafkaCluster } from '#infra/constructs/kafka-cluster';
import { bareStack, fixtureVpc } from '#test/support/cdk-stack';

const SERVER_PROPERTIES = [
  'auto.create.topics.enable=false',
  'default.replication.factor=3',
  'min.insync.replicas=2',
  'num.partitions=3',
  'unclean.leader.election.enable=false',
  'delete.topic.enable=true',
  '',
].join('\n');

function synth(mode: ClusterMode) {
  const stack = bareStack();
  const vpc = fixtureVpc(stack, 'Vpc');
  const securityGroup = new ec2.SecurityGroup(stack, 'Brokers', { vpc });
  const cluster = new KafkaCluster(stack, 'Kafka', {
    mode,
    clusterName: 'campusg-test',
    vpc,
    subnets: { subnetGroupName: 'Private' },
    securityGroup,
    kafkaVersion: '3.8.x',
    brokerInstanceType: 'kafka.t3.small',
    brokerCount: 2,
    brokerStorageGiB: 20,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    logRetention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { cluster, t: Template.fromStack(stack) };
}

describe('KafkaCluster in provisioned mode', () => {
  const { cluster, t } = synth('provisioned');

  it('configures the brokers under a name derived from version and content', () => {
    t.hasResourceProperties('AWS::MSK::Configuration', {
      Name: brokerConfigurationName('campusg-test', '3.8.x', SERVER_PROPERTIES),
      KafkaVersionsList: ['3.8.x'],
      ServerProperties: SERVER_PROPERTIES,
    });
    expect(brokerConfigurationName('campusg-test', '3.8.x', SERVER_PROPERTIES)).toMatch(
      /^campusg-test-3-8-x-[0-9a-f]{8}$/,
    );
  });

  it('logs the brokers to a vended log group', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/msk/campusg-test',
      RetentionInDays: 7,
    });
  });

  it('creates an IAM-only, TLS-only cluster with that configuration', () => {
    t.hasResourceProperties('AWS::MSK::Cluster', {
      ClusterName: 'campusg-test',
      KafkaVersion: '3.8.x',
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: {
        InstanceType: 'kafka.t3.small',
        ClientSubnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }]),
        SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Brokers'), 'GroupId'] }],
        StorageInfo: { EBSStorageInfo: { VolumeSize: 20 } },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      ConfigurationInfo: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaBrokerConfiguration'), 'Arn'] },
        Revision: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaBrokerConfiguration'), 'LatestRevision.Revision'],
        },
      },
      EnhancedMonitoring: 'DEFAULT',
      LoggingInfo: {
        BrokerLogs: {
          CloudWatchLogs: {
            Enabled: true,
            LogGroup: { Ref: Match.stringLikeRegexp('^KafkaBrokerLogGroup') },
          },
        },
      },
    });
    t.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    expect(cluster.mode).toBe('provisioned');
    expect(cluster.brokerLogGroup).toBeDefined();
  });
});

describe('KafkaCluster in serverless mode', () => {
  const { cluster, t } = synth('serverless');

  it('creates one IAM-authenticated serverless cluster and no brokers, configuration or log group', () => {
    t.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClusterName: 'campusg-test',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [{ SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Brokers'), 'GroupId'] }] }],
    });
    t.resourceCountIs('AWS::MSK::Cluster', 0);
    t.resourceCountIs('AWS::MSK::Configuration', 0);
    t.resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(cluster.brokerLogGroup).toBeUndefined();
  });
});
