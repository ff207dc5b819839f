import type { Template } from 'aws-cdk-lib/assertions';
import { ALL_FUNCTIONS, CONSUMERS, Names } from '#infra/catalogue';
import { resourcesOf, synthesize } from '#test/support/cdk-app';

describe('ObservabilityStack', () => {
  let t: Template;
  let alarms: Record<string, any>[];
  beforeAll(() => {
    t = synthesize().templates.observability;
    alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  });
  const names = new Names('dev');
  const alarmsOn = (metricName: string, dimension: Record<string, unknown>) =>
    alarms.filter(
      (a) =>
        a.MetricName === metricName &&
        JSON.stringify(a.Dimensions) ===
          JSON.stringify(Object.entries(dimension).map(([Name, Value]) => ({ Name, Value }))),
    );

  it('alarms on errors and throttles of every function', () => {
    for (const f of ALL_FUNCTIONS) {
      expect(alarmsOn('Errors', { FunctionName: names.functionName(f.id) })).toHaveLength(1);
      expect(alarmsOn('Throttles', { FunctionName: names.functionName(f.id) })).toHaveLength(1);
    }
  });

  it('alarms on the offset lag of every consumer and on dead letters of every consumer service', () => {
    for (const c of CONSUMERS) {
      expect(alarmsOn('OffsetLag', { FunctionName: names.functionName(c.id) })).toHaveLength(1);
      const dl = alarmsOn('DeadLetters', { service: c.service });
      expect(dl).toHaveLength(1);
      expect(dl[0]!.Namespace).toBe('CampusG');
    }
  });

  it('alarms on API 5xx and latency and draws a dashboard', () => {
    expect(
      alarms
        .filter((a) => a.Namespace === 'AWS/ApiGateway')
        .map((a) => a.MetricName)
        .sort(),
    ).toEqual(['5xx', 'Latency']);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
