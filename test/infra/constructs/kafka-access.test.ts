/**
 * Template test of grantKafkaAccess on a bare stack: the statements a role receives for a consumer and for a
 * publisher, each scoped to exact topic and group ARNs built from the cluster ARN, and nothing at all for a
 * principal that uses no topic.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { grantKafkaAccess, kafkaClusterRef } from '#infra/constructs/kafka-access';
import { bareStack, FIXTURE_CLUSTER_ARN } from '#test/support/cdk-stack';

/** The ARN of a topic or group of the fixture cluster, as the template spells it. */
const arnOf = (kind: 'topic' | 'group', name: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':kafka:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${kind}/fixture/0000-uuid/${name}`,
    ],
  ],
});

function grant(access: { consumes: string[]; groups: string[]; publishes: string[] }) {
  const stack = bareStack();
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  grantKafkaAccess(role, kafkaClusterRef(FIXTURE_CLUSTER_ARN), access);
  return Template.fromStack(stack);
}

function statements(t: Template): Record<string, any>[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement,
  );
}

describe('grantKafkaAccess', () => {
  it('grants a consumer-publisher exactly its topics and groups', () => {
    const t = grant({
      consumes: ['order-events'],
      groups: ['campusg-payment-order-events'],
      publishes: ['payment-events'],
    });
    const resolved = JSON.parse(JSON.stringify(statements(t)));
    expect(resolved).toEqual([
      {
        Sid: 'KafkaControlPlane',
        Effect: 'Allow',
        Action: 'kafka:DescribeClusterV2',
        Resource: FIXTURE_CLUSTER_ARN,
      },
      { Sid: 'KafkaBootstrapBrokers', Effect: 'Allow', Action: 'kafka:GetBootstrapBrokers', Resource: '*' },
      {
        Sid: 'KafkaConnect',
        Effect: 'Allow',
        Action: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
          'kafka-cluster:WriteDataIdempotently',
        ],
        Resource: FIXTURE_CLUSTER_ARN,
      },
      {
        Sid: 'KafkaConsumeTopics',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        Resource: arnOf('topic', 'order-events'),
      },
      {
        Sid: 'KafkaConsumerGroups',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: arnOf('group', 'campusg-payment-order-events'),
      },
      {
        Sid: 'KafkaPublishTopics',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        Resource: arnOf('topic', 'payment-events'),
      },
    ]);
  });

  it('gives a publisher no read, group or consume statement', () => {
    const sids = statements(grant({ consumes: [], groups: [], publishes: ['timer-events'] })).map(
      (s) => s.Sid,
    );
    expect(sids).toEqual([
      'KafkaControlPlane',
      'KafkaBootstrapBrokers',
      'KafkaConnect',
      'KafkaPublishTopics',
    ]);
  });

  it('grants nothing to a principal that uses no topic', () => {
    grant({ consumes: [], groups: [], publishes: [] }).resourceCountIs('AWS::IAM::Policy', 0);
  });
});
