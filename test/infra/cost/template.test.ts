/**
 * The template reader against the real synthesized cloud assembly: every fact it reads must agree with the
 * configuration defaults (infra/config.ts) and the topology (shared/topology.ts) the app was synthesized from.
 */
import { parseConfig } from '#infra/config';
import { factsOf, readDeploymentFacts } from '#infra/cost/template';
import { SERVICES, TOPICS } from '#shared/topology';
import { ASSEMBLY, ensureSuiteAssembly } from '#test/e2e/helpers';

const defaults = parseConfig(() => undefined);

describe('readDeploymentFacts (cdk.out)', () => {
  let facts: ReturnType<typeof readDeploymentFacts>;

  beforeAll(async () => {
    await ensureSuiteAssembly();
    facts = readDeploymentFacts(ASSEMBLY);
  }, 240_000);

  it('reads the brokers as configured', () => {
    expect(facts.stage).toBe(defaults.stage);
    expect(facts.cluster).toEqual({
      mode: 'provisioned',
      brokerInstanceType: defaults.brokerInstanceType,
      brokerCount: defaults.brokerCount,
      storageGiBPerBroker: defaults.brokerStorageGiB,
    });
  });

  it('reads every topic with its partitions, replication and retention', () => {
    const byName = new Map(facts.topics.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(TOPICS.map((t) => t.name).sort());
    for (const t of TOPICS) {
      expect(byName.get(t.name)).toEqual({
        name: t.name,
        partitions: t.partitions,
        replicationFactor: defaults.replicationFactor,
        retentionMs: t.retentionMs,
      });
    }
  });

  it('reads one mapping per consumer topic with the provisioned poller settings', () => {
    const expected = SERVICES.reduce((n, s) => n + s.consumes.length, 0);
    expect(facts.mappings.length).toBe(expected);
    for (const m of facts.mappings) {
      expect(facts.functions.some((f) => f.id === m.functionId)).toBe(true);
      expect(m.batchSize).toBe(defaults.batchSize);
      expect(m.batchingWindowSeconds).toBe(defaults.batchingWindowSeconds);
      expect(m.pollers).toMatchObject({ minimum: defaults.minimumPollers, maximum: defaults.maximumPollers });
    }
  });

  it('reads the functions, tables, log retention, endpoints and API throttle', () => {
    expect(facts.functions.length).toBeGreaterThanOrEqual(10);
    for (const f of facts.functions.filter((x) => x.functionName.startsWith(`campusg-${defaults.stage}-`))) {
      expect(f.memoryMb).toBe(defaults.functionMemoryMb);
      expect(f.architecture).toBe('arm64');
    }
    expect(facts.tables.map((t) => t.id).sort()).toEqual(
      [
        'EscrowTable',
        'LogsTable',
        'NotificationsTable',
        'OrdersTable',
        'PaymentsTable',
        'TimersTable',
      ].sort(),
    );
    expect(facts.tables.every((t) => t.billingMode === 'PAY_PER_REQUEST')).toBe(true);
    expect(facts.logRetentionDays).toBe(defaults.logRetentionDays);
    expect(facts.interfaceEndpoints.length).toBeGreaterThan(0);
    expect(facts.interfaceEndpoints.every((e) => e.azs === 3)).toBe(true);
    expect(facts.natGateways).toBe(defaults.natGateways);
    expect(facts.alarms).toBeGreaterThan(0);
    expect(facts.apiThrottle).toEqual({
      rateLimit: defaults.apiRateLimit,
      burstLimit: defaults.apiBurstLimit,
    });
  });

  it('names the fix when there is no assembly', () => {
    expect(() => readDeploymentFacts('/nonexistent/cdk.out')).toThrow(/npm run synth/);
  });
});

describe('factsOf (serverless shape)', () => {
  it('reads topics from the custom resource when there is no AWS::MSK::Topic', () => {
    const facts = factsOf([
      {
        Resources: {
          Cluster: { Type: 'AWS::MSK::ServerlessCluster', Properties: {} },
          Topics: {
            Type: 'Custom::CampusgKafkaTopics',
            Properties: {
              Topics: [{ Name: 'order-events', Partitions: 6, Configs: { 'retention.ms': '1000' } }],
            },
          },
        },
      },
    ]);
    expect(facts.cluster).toEqual({ mode: 'serverless' });
    expect(facts.topics).toEqual([
      { name: 'order-events', partitions: 6, replicationFactor: 3, retentionMs: 1000 },
    ]);
  });
});
