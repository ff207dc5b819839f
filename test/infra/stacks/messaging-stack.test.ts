import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TOPICS } from '#shared/topology';
import { resourcesOf, synthesize } from '#test/support/cdk-app';

describe('MessagingStack (provisioned)', () => {
  let t: Template;
  beforeAll(() => {
    t = synthesize().templates.messaging;
  });

  it('creates exactly the topology topics with their partitions, replication 3 and retention', () => {
    const topics = resourcesOf(t, 'AWS::MSK::Topic').map(([, r]) => r.Properties);
    expect(topics.map((p) => [p.TopicName, p.PartitionCount]).sort()).toEqual(
      TOPICS.map((s) => [s.name, s.partitions]).sort(),
    );
    for (const p of topics) {
      const spec = TOPICS.find((s) => s.name === p.TopicName)!;
      expect(p.ReplicationFactor).toBe(3);
      const configs = JSON.parse(Buffer.from(p.Configs, 'base64').toString('utf8'));
      expect(configs).toMatchObject({ 'retention.ms': String(spec.retentionMs), 'min.insync.replicas': '2' });
    }
    expect(topics.map((p) => p.TopicName)).toContain('dead-letters');
  });

  it('runs Kafka >= 3.6 on three brokers with IAM auth, TLS everywhere and broker logs', () => {
    t.hasResourceProperties('AWS::MSK::Cluster', {
      ClusterName: 'campusg-dev',
      KafkaVersion: '3.8.x',
      NumberOfBrokerNodes: 3,
      BrokerNodeGroupInfo: Match.objectLike({ InstanceType: 'kafka.m7g.large' }),
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true } } },
    });
    const cluster = resourcesOf(t, 'AWS::MSK::Cluster')[0]![1];
    expect(cluster.Properties.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(3);
  });

  it('turns auto-create off and requires two in-sync replicas', () => {
    const config = resourcesOf(t, 'AWS::MSK::Configuration')[0]![1].Properties.ServerProperties as string;
    expect(config).toContain('auto.create.topics.enable=false');
    expect(config).toContain('min.insync.replicas=2');
    expect(config).toContain('default.replication.factor=3');
  });

  it('outputs the cluster ARN', () => {
    const [[clusterId]] = resourcesOf(t, 'AWS::MSK::Cluster');
    t.hasOutput('ClusterArn', { Value: { 'Fn::GetAtt': [clusterId, 'Arn'] } });
  });
});

describe('MessagingStack (serverless)', () => {
  let t: Template;
  beforeAll(() => {
    t = synthesize({ clusterMode: 'serverless' }).templates.messaging;
  });

  it('uses an MSK Serverless cluster with IAM auth and no AWS::MSK::Topic', () => {
    t.resourceCountIs('AWS::MSK::Cluster', 0);
    t.resourceCountIs('AWS::MSK::Topic', 0);
    t.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });

  it('creates every topology topic through the custom resource, which may never delete topics', () => {
    const [, cr] = resourcesOf(t, 'Custom::CampusgKafkaTopics')[0]!;
    expect(
      cr.Properties.Topics.map((x: { Name: string; Partitions: number }) => [x.Name, x.Partitions]).sort(),
    ).toEqual(TOPICS.map((s) => [s.name, s.partitions]).sort());
    const actions = resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => s.Action),
    );
    expect(actions).toContain('kafka-cluster:CreateTopic');
    expect(actions).not.toContain('kafka-cluster:DeleteTopic');
    expect(actions.some((a: string) => a.endsWith('*'))).toBe(false);
  });
});
