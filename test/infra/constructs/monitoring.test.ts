/**
 * Template test of Monitoring on a bare stack: the alarm topic (with its e-mail subscription), one errors and
 * one throttles alarm per function, an offset-lag alarm per consumer, a dead-letter alarm per consumer
 * service, the dead-letter topic alarm summed over the brokers, the API alarms, every alarm notifying the
 * topic, and the dashboard.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Monitoring, type MonitoringProps } from '#infra/constructs/monitoring';
import { bareStack } from '#test/support/cdk-stack';

const PROPS: MonitoringProps = {
  dashboardName: 'campusg-test',
  alarmTopicName: 'campusg-test-alarms',
  alarmEmail: 'ops@example.org',
  functions: [
    { id: 'OrderConsumer', functionName: 'campusg-test-OrderConsumer', service: 'order', consumer: true },
    {
      id: 'OrderApiFunction',
      functionName: 'campusg-test-OrderApiFunction',
      service: 'order',
      consumer: false,
    },
  ],
  mappings: [{ label: 'order <- payment-events', mappingId: 'uuid-1' }],
  kafka: {
    clusterName: 'campusg-test',
    mode: 'provisioned',
    brokerCount: 2,
    deadLetterTopic: 'dead-letters',
  },
  apiId: 'api123',
  offsetLagThreshold: 500,
};

function synth(props: MonitoringProps) {
  const stack = bareStack();
  const monitoring = new Monitoring(stack, 'Monitoring', props);
  return { monitoring, t: Template.fromStack(stack) };
}

const alarmsOf = (t: Template) =>
  Object.entries(t.findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => [id, a.Properties] as const);

describe('Monitoring', () => {
  const { monitoring, t } = synth(PROPS);

  it('notifies one TLS-only topic that mails the operator', () => {
    t.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'campusg-test-alarms',
      DisplayName: 'CampusG alarms',
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
    for (const [, a] of alarmsOf(t)) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
      expect(a.TreatMissingData).toBe('notBreaching');
    }
  });

  it('alarms on errors and throttles of every function and on the lag of consumers only', () => {
    const byId = new Map(alarmsOf(t).map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ''), a]));
    expect([...byId.keys()].sort()).toEqual(
      [
        'MonitoringOrderConsumerErrors',
        'MonitoringOrderConsumerThrottles',
        'MonitoringOrderConsumerOffsetLag',
        'MonitoringOrderApiFunctionErrors',
        'MonitoringOrderApiFunctionThrottles',
        'MonitoringDeadLettersOrder',
        'MonitoringDeadLetterTopicWrites',
        'MonitoringApi5xx',
        'MonitoringApiLatency',
      ].sort(),
    );
    expect(byId.get('MonitoringOrderConsumerOffsetLag')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Dimensions: [{ Name: 'FunctionName', Value: 'campusg-test-OrderConsumer' }],
      Statistic: 'Maximum',
      Threshold: 500,
      Period: 300,
    });
    expect(byId.get('MonitoringDeadLettersOrder')).toMatchObject({
      Namespace: 'CampusG',
      MetricName: 'DeadLetters',
      Dimensions: [{ Name: 'service', Value: 'order' }],
      Threshold: 1,
    });
    expect(byId.get('MonitoringApiLatency')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiId', Value: 'api123' }],
      ExtendedStatistic: 'p99',
      Threshold: 2000,
    });
    expect(monitoring.alarms).toHaveLength(9);
  });

  it('sums the dead-letter topic bytes over every broker and alarms on any', () => {
    const [, writes] = alarmsOf(t).find(([id]) => id.startsWith('MonitoringDeadLetterTopicWrites'))!;
    expect(writes.Threshold).toBe(0);
    expect(writes.ComparisonOperator).toBe('GreaterThanThreshold');
    const expression = writes.Metrics.find((m: { Expression?: string }) => m.Expression);
    expect(expression.Expression).toBe('b1 + b2');
    const brokers = writes.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map(
      (m: any) => m.MetricStat.Metric.Dimensions,
    );
    expect(brokers).toEqual([
      [
        { Name: 'Broker ID', Value: '1' },
        { Name: 'Cluster Name', Value: 'campusg-test' },
        { Name: 'Topic', Value: 'dead-letters' },
      ],
      [
        { Name: 'Broker ID', Value: '2' },
        { Name: 'Cluster Name', Value: 'campusg-test' },
        { Name: 'Topic', Value: 'dead-letters' },
      ],
    ]);
  });

  it('draws a dashboard with the mappings by UUID', () => {
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'campusg-test' });
    const body = JSON.stringify(
      Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody,
    );
    expect(body).toContain('EventSourceMappingUUID=\\\\\\"uuid-1\\\\\\"');
  });

  it('subscribes no one without an address and reads one metric on a serverless cluster', () => {
    const { t: serverless } = synth({
      ...PROPS,
      alarmEmail: undefined,
      kafka: { ...PROPS.kafka, mode: 'serverless' },
    });
    serverless.resourceCountIs('AWS::SNS::Subscription', 0);
    const [, writes] = alarmsOf(serverless).find(([id]) => id.startsWith('MonitoringDeadLetterTopicWrites'))!;
    expect(writes).toMatchObject({
      Namespace: 'AWS/Kafka',
      MetricName: 'BytesInPerSec',
      Dimensions: [
        { Name: 'Cluster Name', Value: 'campusg-test' },
        { Name: 'Topic', Value: 'dead-letters' },
      ],
    });
  });
});
