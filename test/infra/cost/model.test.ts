/**
 * Pins the cost and capacity model's arithmetic on a fixture whose numbers can be checked by hand: round
 * prices, one function, one topic, one table. The expected dollars are worked out in the comments.
 */
import { capacityOf, costAt, DEFAULT_LIMITS, type OrderUsage, profileFacts } from '#infra/cost/model';
import { DEFAULT_PRICES, type PriceTable, withPriceOverrides } from '#infra/cost/prices';
import type { DeploymentFacts } from '#infra/cost/template';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const prices: PriceTable = withPriceOverrides({
  mskBrokerHour: { 'kafka.test': 1 },
  mskStorageGbMonth: 0.1,
  mskServerlessClusterHour: 1,
  mskServerlessPartitionHour: 0.001,
  lambdaGbSecond: { arm64: 0.00001 },
  lambdaRequestsPerMillion: 0.2,
  lambdaEpuHour: 0.1,
  dynamoWruPerMillion: 1,
  dynamoRruPerMillion: 0.25,
  dynamoStorageGbMonth: 0.25,
  schedulerInvocationsPerMillion: 1,
  httpApiRequestsPerMillion: 1,
  logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  interfaceEndpointAzHour: 0.01,
});

const facts: DeploymentFacts = {
  stage: 'dev',
  cluster: { mode: 'provisioned', brokerInstanceType: 'kafka.test', brokerCount: 3, storageGiBPerBroker: 10 },
  topics: [{ name: 'a', partitions: 2, replicationFactor: 3, retentionMs: 86_400_000 }],
  functions: [{ id: 'F1', functionName: 'f1', memoryMb: 1024, architecture: 'arm64', timeoutSeconds: 30 }],
  mappings: [
    {
      functionId: 'F1',
      topic: 'a',
      batchSize: 100,
      batchingWindowSeconds: 0,
      pollers: { minimum: 1, maximum: 2 },
    },
  ],
  tables: [{ id: 'T', billingMode: 'PAY_PER_REQUEST' }],
  // one month of retention: storage = ingestion x 1 month
  logRetentionDays: 730 / 24,
  interfaceEndpoints: [{ id: 'E', azs: 2 }],
  natGateways: 0,
  alarms: 10,
  dashboards: 1,
  secrets: 0,
  kmsKeys: 0,
  apiThrottle: { rateLimit: 50, burstLimit: 100 },
};

const usage: OrderUsage = {
  source: 'fixture',
  orders: 4,
  mix: { completed: 4 },
  functions: { F1: { invocations: 2, billedMs: 1000 } },
  topics: { a: { records: 4, bytes: MIB } },
  tables: { T: { wru: 10, rru: 4, storedBytes: 0, hotKey: { key: 'K', wru: 5 } } },
  scheduler: { creates: 1, deletes: 0, invocations: 1 },
  httpRequests: 2,
  logs: { events: 10, bytes: GIB / 1e6 },
};

describe('costAt', () => {
  it('splits the bill into the fixed part and the per-order part, to the cent', () => {
    const c = costAt(usage, facts, prices, 1);
    // fixed: brokers 3 x $1 x 730 h = 2190; storage 3 x 10 GB x 0.1 = 3; 1 minimum poller -> 1 EPU x 0.1 x 730 = 73;
    // endpoints 2 AZs x 0.01 x 730 = 14.6; 10 alarms x 0.1 + 1 dashboard x 3 = 4  => 2284.6
    expect(c.fixedMonthlyUsd).toBeCloseTo(2284.6, 9);
    expect(c.lines.filter((l) => l.kind === 'fixed').map((l) => l.monthlyUsd)).toEqual([
      2190, 3, 73, 14.6, 4,
    ]);
    // per order: 1 GB-s x 0.00001 + 2 requests x 0.2e-6 + 10 WRU x 1e-6 + 4 RRU x 0.25e-6 + 0 storage
    //   + 1 scheduled invocation x 1e-6 + 2 HTTP requests x 1e-6 + 1e-6 GB x 0.5 ingest + 1e-6 GB x 0.03 storage
    //   = 0.00001 + 0.0000004 + 0.00001 + 0.000001 + 0.000001 + 0.000002 + 0.0000005 + 0.00000003 = 0.00002493
    expect(c.variablePer1000Usd).toBeCloseTo(0.02493, 12);
    // 1 order/s = 2,628,000 orders in 730 hours
    expect(c.ordersPerMonth).toBe(2_628_000);
    expect(c.perOrderMonthlyUsd).toBeCloseTo(65.51604, 6);
    expect(c.totalMonthlyUsd).toBeCloseTo(2350.11604, 6);
    expect(c.allInPer1000Usd).toBeCloseTo((2350.11604 / 2_628_000) * 1000, 9);
    expect(c.unknownPrices).toEqual([]);
  });

  it('prices the serverless profile by cluster-hour, partition-hour and data', () => {
    const c = costAt(usage, profileFacts(facts, 'serverless'), prices, 1);
    // cluster 1 x 730 = 730; 2 partitions x 0.001 x 730 = 1.46; EPU 73; endpoints 14.6; CloudWatch 4
    expect(c.fixedMonthlyUsd).toBeCloseTo(730 + 1.46 + 73 + 14.6 + 4, 9);
    const perOrder = Object.fromEntries(c.lines.map((l) => [l.item, l.monthlyUsd / c.ordersPerMonth]));
    // 1 MiB in at $0.1/GB, read once (one mapping) at $0.05/GB, kept 1 day of a 30.42-day month at $0.1/GB-month
    expect(perOrder['MSK Serverless data in']).toBeCloseTo(0.1 / 1024, 12);
    expect(perOrder['MSK Serverless data out']).toBeCloseTo(DEFAULT_PRICES.mskServerlessGbOut / 1024, 12);
    expect(perOrder['MSK Serverless storage (retention)']).toBeCloseTo(
      (DEFAULT_PRICES.mskServerlessStorageGbMonth / 1024) * (24 / 730),
      12,
    );
  });

  it('drops the pollers and adds the Lambda and STS endpoints in the small profile', () => {
    const small = profileFacts(facts, 'small');
    expect(small.cluster).toMatchObject({ brokerInstanceType: 'kafka.t3.small' });
    const c = costAt(usage, small, prices, 1);
    // brokers 3 x $0.0456 (the default t3.small price, kept under the overrides) x 730 = 99.864; storage 3;
    // endpoints 3 x 2 AZs x 0.01 x 730 = 43.8; CloudWatch 4; no EPU
    expect(c.fixedMonthlyUsd).toBeCloseTo(99.864 + 3 + 43.8 + 4, 9);
    expect(c.unknownPrices).toEqual([]);
  });

  it('names a broker type the table has no price for', () => {
    const odd: DeploymentFacts = {
      ...facts,
      cluster: { ...facts.cluster, brokerInstanceType: 'kafka.z9.huge' } as DeploymentFacts['cluster'],
    };
    expect(costAt(usage, odd, prices, 1).unknownPrices).toEqual(['MSK broker-hour of kafka.z9.huge']);
  });

  it('refuses unknown price keys and negative prices', () => {
    expect(() => withPriceOverrides({ lambdaEpuHuor: 1 })).toThrow(/unknown price "lambdaEpuHuor"/);
    expect(() => withPriceOverrides({ lambdaEpuHour: -1 })).toThrow(/lambdaEpuHour must be a number >= 0/);
    expect(() => withPriceOverrides([1])).toThrow(/must be a JSON object/);
  });
});

describe('capacityOf', () => {
  const limits = { ...DEFAULT_LIMITS, brokerWriteBytesPerSecond: { 'kafka.test': 5 * MIB } };

  it('finds the first limit and the changes 10x and 100x need', () => {
    const cap = capacityOf(usage, facts, 'default', limits);
    // F1 takes 1000 ms for 4 records = 250 ms per record; 2 partitions x 4 records/s = 8 records/s / 4 per order
    expect(cap.maxOrdersPerSecond).toBeCloseTo(2, 12);
    expect(cap.firstLimit).toBe('partitions x invocation time: a -> F1');
    const byName = Object.fromEntries(cap.limits.map((l) => [l.name, l.maxOrdersPerSecond]));
    // 3 brokers x 5 MiB/s / (1 MiB x replication 3) = 5
    expect(byName['broker throughput: 3 x kafka.test']).toBeCloseTo(5, 12);
    // 2 pollers x 5 MiB/s / 1 MiB = 10
    expect(byName['poller throughput: a -> F1']).toBeCloseTo(10, 12);
    expect(byName['HTTP API stage throttle']).toBe(25);
    expect(byName['DynamoDB partition key: T K']).toBe(200);
    expect(byName['Lambda concurrency (account)']).toBe(1000);
    expect(byName['EventBridge Scheduler CreateSchedule']).toBe(1000);
    expect(cap.limits.map((l) => l.maxOrdersPerSecond)).toEqual(
      [...cap.limits.map((l) => l.maxOrdersPerSecond)].sort((x, y) => x - y),
    );
    const tenX = cap.toScale.find((s) => s.factor === 10)!;
    expect(tenX.target).toBeCloseTo(20, 12);
    expect(tenX.changes).toEqual([
      expect.stringContaining('a: 20 partitions (now 2)'),
      expect.stringContaining('brokers: 12 x kafka.test'),
      expect.stringContaining('maximumPollers 4 (now 2)'),
    ]);
    const hundredX = cap.toScale.find((s) => s.factor === 100)!;
    expect(hundredX.changes.some((c) => c.includes('-c apiRateLimit=400'))).toBe(true);
    // the hot key saturates at exactly 200 orders/s = the 100x target: no change needed yet
    expect(hundredX.changes.some((c) => c.includes('DynamoDB partition key'))).toBe(false);
    expect(hundredX.changes.some((c) => c.includes('T: ask for a table-level quota'))).toBe(false);
  });

  it('has no poller limit in on-demand mode', () => {
    const cap = capacityOf(usage, profileFacts(facts, 'small'), 'small', limits);
    expect(cap.limits.some((l) => l.name.startsWith('poller throughput'))).toBe(false);
  });
});
