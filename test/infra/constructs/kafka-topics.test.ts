/**
 * Template test of KafkaTopics on a bare stack: in provisioned mode one AWS::MSK::Topic per topic with its
 * Base64 JSON configs; in serverless mode the topic custom resource and its handler, which may create and
 * alter exactly these topics and never delete one.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ClusterMode } from '#infra/config';
import { KafkaTopics, topicConfigs } from '#infra/constructs/kafka-topics';
import type { TopicSpec } from '#shared/topology';
import { bareStack, FIXTURE_CLUSTER_ARN, fixtureVpc } from '#test/support/cdk-stack';

const TOPICS: TopicSpec[] = [
  { name: 'order-events', description: 'orders', partitions: 6, retentionMs: 604800000 },
  { name: 'dead-letters', description: 'dead letters', partitions: 1, retentionMs: 1209600000 },
];

function synth(mode: ClusterMode) {
  const stack = bareStack();
  const vpc = fixtureVpc(stack, 'Vpc');
  const topics = new KafkaTopics(stack, 'Topics', {
    mode,
    clusterArn: FIXTURE_CLUSTER_ARN,
    topics: TOPICS,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    vpc,
    subnets: { subnetGroupName: 'Private' },
    securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
    logRetention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { topics, t: Template.fromStack(stack) };
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('KafkaTopics in provisioned mode', () => {
  const { topics, t } = synth('provisioned');

  it('creates one topic resource per topic under `<Name>Topic` with its partitions and configs', () => {
    expect(t.findResources('AWS::MSK::Topic')).toEqual({
      OrderEventsTopic: {
        Type: 'AWS::MSK::Topic',
        Properties: {
          ClusterArn: FIXTURE_CLUSTER_ARN,
          TopicName: 'order-events',
          PartitionCount: 6,
          ReplicationFactor: 3,
          Configs: base64Json({
            'retention.ms': '604800000',
            'cleanup.policy': 'delete',
            'min.insync.replicas': '2',
          }),
        },
      },
      DeadLettersTopic: {
        Type: 'AWS::MSK::Topic',
        Properties: {
          ClusterArn: FIXTURE_CLUSTER_ARN,
          TopicName: 'dead-letters',
          PartitionCount: 1,
          ReplicationFactor: 3,
          Configs: base64Json({
            'retention.ms': '1209600000',
            'cleanup.policy': 'delete',
            'min.insync.replicas': '2',
          }),
        },
      },
    });
    expect([...topics.topicResources.keys()]).toEqual(['order-events', 'dead-letters']);
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });
});

describe('KafkaTopics in serverless mode', () => {
  const { t } = synth('serverless');

  it('creates the topics through one custom resource with a 6-minute timeout', () => {
    t.resourceCountIs('AWS::MSK::Topic', 0);
    t.hasResource('Custom::CampusgKafkaTopics', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TopicsTopicAdminFunction'), 'Arn'] },
        ServiceTimeout: '360',
        ClusterArn: FIXTURE_CLUSTER_ARN,
        Topics: TOPICS.map((topic) => ({
          Name: topic.name,
          Partitions: topic.partitions,
          Configs: topicConfigs(topic),
        })),
      },
    });
  });

  it('runs its handler on Node.js 22 arm64 in the VPC for at most five minutes', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 300,
      TracingConfig: { Mode: 'Active' },
      VpcConfig: Match.objectLike({
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Sg'), 'GroupId'] }],
      }),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('lets the handler create and alter these topics and never delete one', () => {
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Record<string, any>[],
    );
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions).toEqual(
      expect.arrayContaining([
        'kafka:DescribeClusterV2',
        'kafka:GetBootstrapBrokers',
        'kafka-cluster:Connect',
        'kafka-cluster:CreateTopic',
        'kafka-cluster:AlterTopicDynamicConfiguration',
      ]),
    );
    expect(actions.filter((a) => a.includes('Delete'))).toEqual([]);
    const topicStatement = statements.find((s) => [s.Action].flat().includes('kafka-cluster:CreateTopic'))!;
    const resources = JSON.stringify(topicStatement.Resource);
    expect(resources).toContain('/order-events');
    expect(resources).toContain('/dead-letters');
  });
});
