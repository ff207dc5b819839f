import { parseConfig } from '#infra/config';

const from = (values: Record<string, unknown>) => parseConfig((key) => values[key]);

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const c = from({});
    expect(c).toMatchObject({
      stage: 'dev',
      profile: 'aws',
      clusterMode: 'provisioned',
      kafkaVersion: '3.8.x',
      brokerInstanceType: 'kafka.m7g.large',
      brokerCount: 3,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      esmMode: 'provisioned',
      pollerGroupName: 'campusg-dev',
      batchSize: 100,
      batchingWindowSeconds: 0,
      orderAcceptTimeoutSeconds: 900,
      logRetentionDays: 14,
      removalPolicy: 'destroy',
      corsOrigins: [],
      jwtIssuer: undefined,
      natGateways: 0,
    });
  });

  it('parses strings given with -c', () => {
    const c = from({
      stage: 'prod',
      batchSize: '10',
      corsOrigins: 'https://a.example.com, https://b.example.com',
      clusterMode: 'serverless',
      esmMode: 'on-demand',
    });
    expect(c.batchSize).toBe(10);
    expect(c.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(c.removalPolicy).toBe('retain');
    expect(c.clusterMode).toBe('serverless');
    expect(c.esmMode).toBe('on-demand');
  });

  it('lists every problem in one error', () => {
    expect(() =>
      from({
        kafkaVersion: '3.5.1',
        brokerCount: '4',
        esmMode: 'lazy',
        logRetentionDays: '10',
        jwtIssuer: 'https://x',
      }),
    ).toThrow(
      /kafkaVersion must be 3\.6 or newer[\s\S]*brokerCount must be a multiple of the 3 zones[\s\S]*logRetentionDays must be one of[\s\S]*jwtIssuer and jwtAudience go together[\s\S]*esmMode must be one of/,
    );
  });
});
