/**
 * The cost and capacity model of the AWS deployment (issue 16): pure functions of (a) what one order uses,
 * measured on the local runtime by `campusg cost` (OrderUsage), (b) the deployment's shape read from the
 * synthesized template (DeploymentFacts, infra/cost/template.ts), (c) an order rate, and (d) the price table
 * (infra/cost/prices.ts). It answers what 1,000 orders and a month cost per profile, split into the fixed
 * part (paid at zero orders) and the per-order part, and the highest sustainable order rate, which limit
 * binds first and what to change for 10x and 100x. Every limit constant names its source; the ones marked
 * "estimate" are not AWS quotas but working figures to check with a load test.
 */
import { HOURS_PER_MONTH, type PriceTable } from './prices';
import type { DeploymentFacts, MappingFacts } from './template';

// ------------------------------------------------------------------------------------------------------------
// Usage: what one order uses (averages over a measured mix)
// ------------------------------------------------------------------------------------------------------------

export interface FunctionUsage {
  /** Invocations per order. */
  readonly invocations: number;
  /** Billed milliseconds per order (sum of the REPORT lines' Billed Duration). */
  readonly billedMs: number;
}

export interface TopicUsage {
  /** Records written per order. */
  readonly records: number;
  /** Bytes written per order (key + value + headers). */
  readonly bytes: number;
}

export interface TableUsage {
  /** Write / read request units per order, as DynamoDB bills them for the item sizes seen. */
  readonly wru: number;
  readonly rru: number;
  /** Bytes the order leaves stored (item sizes + 100 bytes of per-item overhead). */
  readonly storedBytes: number;
  /** The partition key that took the most writes, and its WRU per order (a key every order writes to). */
  readonly hotKey?: { readonly key: string; readonly wru: number };
}

export interface OrderUsage {
  /** Where the numbers come from (command, date, machine). */
  readonly source: string;
  /** Orders measured, and how many of each fate. */
  readonly orders: number;
  readonly mix: Readonly<Record<string, number>>;
  /** By function logical id (`OrderConsumer`, ...). */
  readonly functions: Readonly<Record<string, FunctionUsage>>;
  /** By topic name. */
  readonly topics: Readonly<Record<string, TopicUsage>>;
  /** By table logical id (`OrdersTable`, ...). */
  readonly tables: Readonly<Record<string, TableUsage>>;
  /** Scheduler API calls and scheduled invocations per order. */
  readonly scheduler: { readonly creates: number; readonly deletes: number; readonly invocations: number };
  /** HTTP API requests per order. */
  readonly httpRequests: number;
  /** Log events and bytes ingested per order (message bytes + 26 bytes per event, CloudWatch's event size). */
  readonly logs: { readonly events: number; readonly bytes: number };
}

// ------------------------------------------------------------------------------------------------------------
// Profiles
// ------------------------------------------------------------------------------------------------------------

export const PROFILES = ['default', 'serverless', 'small'] as const;
export type ProfileName = (typeof PROFILES)[number];

export const PROFILE_DESCRIPTIONS: Readonly<Record<ProfileName, string>> = {
  default: 'as synthesized (cdk.out)',
  serverless: '-c clusterMode=serverless',
  small: '-c brokerInstanceType=kafka.t3.small -c esmMode=on-demand',
};

/**
 * The facts of a profile, derived from the synthesized (default) facts with the changes its context keys make
 * (infra/config.ts): `serverless` swaps the brokers for an MSK Serverless cluster with the same topics;
 * `small` uses kafka.t3.small brokers and on-demand mappings (no pollers), which need Lambda and STS interface
 * endpoints in the same zones.
 */
export function profileFacts(facts: DeploymentFacts, profile: ProfileName): DeploymentFacts {
  switch (profile) {
    case 'default':
      return facts;
    case 'serverless':
      return { ...facts, cluster: { mode: 'serverless' } };
    case 'small': {
      const azs = facts.interfaceEndpoints[0]?.azs ?? 3;
      const hasLambda = facts.interfaceEndpoints.some((e) => /lambda/i.test(e.id));
      const cluster =
        facts.cluster.mode === 'provisioned'
          ? { ...facts.cluster, brokerInstanceType: 'kafka.t3.small' }
          : facts.cluster;
      return {
        ...facts,
        cluster,
        mappings: facts.mappings.map((m) => ({ ...m, pollers: undefined })),
        interfaceEndpoints: hasLambda
          ? facts.interfaceEndpoints
          : [...facts.interfaceEndpoints, { id: 'LambdaEndpoint', azs }, { id: 'StsEndpoint', azs }],
      };
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// Cost
// ------------------------------------------------------------------------------------------------------------

export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const GIB = 1024 ** 3;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
/**
 * Event pollers one EPU holds (Lambda developer guide, "Provisioned mode" for Kafka event sources: an EPU
 * supports up to 10 event pollers). The poller group bills ceil(sum of minimum pollers / 10) EPUs at rest.
 */
export const POLLERS_PER_EPU = 10;
/** Kafka's retention when a topic sets none (`log.retention.hours` = 168). */
const KAFKA_DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface CostLine {
  readonly item: string;
  readonly kind: 'fixed' | 'per-order';
  /** USD a month at the given rate. */
  readonly monthlyUsd: number;
}

export interface CostReport {
  readonly profile: string;
  readonly ordersPerSecond: number;
  readonly ordersPerMonth: number;
  readonly lines: readonly CostLine[];
  readonly fixedMonthlyUsd: number;
  readonly perOrderMonthlyUsd: number;
  readonly totalMonthlyUsd: number;
  /** The per-order part of 1,000 orders (what 1,000 more orders add). */
  readonly variablePer1000Usd: number;
  /** The whole bill divided over the month's orders, per 1,000 (fixed part included). */
  readonly allInPer1000Usd: number;
  /** Prices the table lacks (e.g. an unknown broker type), priced as 0. */
  readonly unknownPrices: readonly string[];
}

/** The per-order price lines: USD per order by item. Exported for the arithmetic test. */
export function perOrderCosts(
  usage: OrderUsage,
  facts: DeploymentFacts,
  prices: PriceTable,
): { item: string; usd: number }[] {
  const lines: { item: string; usd: number }[] = [];
  const fnById = new Map(facts.functions.map((f) => [f.id, f]));
  let durationUsd = 0;
  let requests = 0;
  for (const [id, u] of Object.entries(usage.functions)) {
    const fn = fnById.get(id);
    const memoryGb = (fn?.memoryMb ?? 128) / 1024;
    durationUsd += (u.billedMs / 1000) * memoryGb * prices.lambdaGbSecond[fn?.architecture ?? 'x86_64'];
    requests += u.invocations;
  }
  lines.push({ item: 'Lambda duration (GB-s)', usd: durationUsd });
  lines.push({ item: 'Lambda requests', usd: (requests * prices.lambdaRequestsPerMillion) / 1e6 });

  let wru = 0;
  let rru = 0;
  let stored = 0;
  for (const t of Object.values(usage.tables)) {
    wru += t.wru;
    rru += t.rru;
    stored += t.storedBytes;
  }
  lines.push({ item: 'DynamoDB writes (WRU)', usd: (wru * prices.dynamoWruPerMillion) / 1e6 });
  lines.push({ item: 'DynamoDB reads (RRU)', usd: (rru * prices.dynamoRruPerMillion) / 1e6 });
  // The storage a month of orders adds, billed for one month (it accumulates: a year in, 12 times this).
  lines.push({ item: 'DynamoDB storage added (1 month)', usd: (stored / GIB) * prices.dynamoStorageGbMonth });
  lines.push({
    item: 'Scheduler invocations',
    usd: (usage.scheduler.invocations * prices.schedulerInvocationsPerMillion) / 1e6,
  });
  lines.push({
    item: 'HTTP API requests',
    usd: (usage.httpRequests * prices.httpApiRequestsPerMillion) / 1e6,
  });
  lines.push({ item: 'CloudWatch Logs ingestion', usd: (usage.logs.bytes / GIB) * prices.logsIngestGb });
  // Steady state: each day's ingestion stays stored for the retention period (uncompressed size: an upper bound).
  const retentionDays = facts.logRetentionDays ?? 30;
  lines.push({
    item: `CloudWatch Logs storage (${retentionDays} d retention)`,
    usd: (usage.logs.bytes / GIB) * (retentionDays / DAYS_PER_MONTH) * prices.logsStorageGbMonth,
  });

  if (facts.cluster.mode === 'serverless') {
    let inBytes = 0;
    let outBytes = 0;
    let storedMonthFraction = 0;
    for (const [topic, u] of Object.entries(usage.topics)) {
      inBytes += u.bytes;
      outBytes += u.bytes * facts.mappings.filter((m) => m.topic === topic).length;
      const retentionMs =
        facts.topics.find((t) => t.name === topic)?.retentionMs ?? KAFKA_DEFAULT_RETENTION_MS;
      storedMonthFraction += u.bytes * (retentionMs / 86_400_000 / DAYS_PER_MONTH);
    }
    lines.push({ item: 'MSK Serverless data in', usd: (inBytes / GIB) * prices.mskServerlessGbIn });
    lines.push({ item: 'MSK Serverless data out', usd: (outBytes / GIB) * prices.mskServerlessGbOut });
    lines.push({
      item: 'MSK Serverless storage (retention)',
      usd: (storedMonthFraction / GIB) * prices.mskServerlessStorageGbMonth,
    });
  }
  return lines;
}

/** The fixed monthly lines: what the deployment costs at zero orders. */
export function fixedCosts(
  facts: DeploymentFacts,
  prices: PriceTable,
): { lines: { item: string; usd: number }[]; unknownPrices: string[] } {
  const lines: { item: string; usd: number }[] = [];
  const unknownPrices: string[] = [];
  const c = facts.cluster;
  if (c.mode === 'provisioned') {
    const hourly = prices.mskBrokerHour[c.brokerInstanceType];
    if (hourly === undefined) unknownPrices.push(`MSK broker-hour of ${c.brokerInstanceType}`);
    lines.push({
      item: `MSK brokers, ${c.brokerCount} x ${c.brokerInstanceType}`,
      usd: (hourly ?? 0) * c.brokerCount * HOURS_PER_MONTH,
    });
    lines.push({
      item: `MSK storage, ${c.brokerCount} x ${c.storageGiBPerBroker} GB`,
      usd: c.brokerCount * c.storageGiBPerBroker * prices.mskStorageGbMonth,
    });
  } else if (c.mode === 'serverless') {
    const partitions = facts.topics.reduce((n, t) => n + t.partitions, 0);
    lines.push({ item: 'MSK Serverless cluster', usd: prices.mskServerlessClusterHour * HOURS_PER_MONTH });
    lines.push({
      item: `MSK Serverless partitions (${partitions})`,
      usd: partitions * prices.mskServerlessPartitionHour * HOURS_PER_MONTH,
    });
  }
  const minPollers = facts.mappings.reduce((n, m) => n + (m.pollers?.minimum ?? 0), 0);
  if (minPollers > 0) {
    const epus = Math.ceil(minPollers / POLLERS_PER_EPU);
    lines.push({
      item: `ESM provisioned pollers: ${minPollers} minimum -> ${epus} EPU`,
      usd: epus * prices.lambdaEpuHour * HOURS_PER_MONTH,
    });
  }
  const endpointAzs = facts.interfaceEndpoints.reduce((n, e) => n + e.azs, 0);
  if (endpointAzs > 0) {
    lines.push({
      item: `interface endpoints, ${facts.interfaceEndpoints.length} (${endpointAzs} endpoint-AZs)`,
      usd: endpointAzs * prices.interfaceEndpointAzHour * HOURS_PER_MONTH,
    });
  }
  if (facts.natGateways > 0) {
    lines.push({
      item: `NAT gateways (${facts.natGateways})`,
      usd: facts.natGateways * prices.natGatewayHour * HOURS_PER_MONTH,
    });
  }
  if (facts.alarms + facts.dashboards > 0) {
    lines.push({
      item: `CloudWatch: ${facts.alarms} alarms, ${facts.dashboards} dashboard(s)`,
      usd: facts.alarms * prices.alarmMonth + facts.dashboards * prices.dashboardMonth,
    });
  }
  if (facts.secrets > 0)
    lines.push({ item: `Secrets (${facts.secrets})`, usd: facts.secrets * prices.secretMonth });
  if (facts.kmsKeys > 0)
    lines.push({ item: `KMS keys (${facts.kmsKeys})`, usd: facts.kmsKeys * prices.kmsKeyMonth });
  return { lines, unknownPrices };
}

/** Cost of one profile at `ordersPerSecond`. */
export function costAt(
  usage: OrderUsage,
  facts: DeploymentFacts,
  prices: PriceTable,
  ordersPerSecond: number,
  profile = 'default',
): CostReport {
  const ordersPerMonth = ordersPerSecond * SECONDS_PER_MONTH;
  const fixed = fixedCosts(facts, prices);
  const perOrder = perOrderCosts(usage, facts, prices);
  const lines: CostLine[] = [
    ...fixed.lines.map((l) => ({ item: l.item, kind: 'fixed' as const, monthlyUsd: l.usd })),
    ...perOrder.map((l) => ({
      item: l.item,
      kind: 'per-order' as const,
      monthlyUsd: l.usd * ordersPerMonth,
    })),
  ];
  const fixedMonthlyUsd = sum(fixed.lines.map((l) => l.usd));
  const perOrderUsd = sum(perOrder.map((l) => l.usd));
  const perOrderMonthlyUsd = perOrderUsd * ordersPerMonth;
  const totalMonthlyUsd = fixedMonthlyUsd + perOrderMonthlyUsd;
  return {
    profile,
    ordersPerSecond,
    ordersPerMonth,
    lines,
    fixedMonthlyUsd,
    perOrderMonthlyUsd,
    totalMonthlyUsd,
    variablePer1000Usd: perOrderUsd * 1000,
    allInPer1000Usd:
      ordersPerMonth > 0 ? (totalMonthlyUsd / ordersPerMonth) * 1000 : Number.POSITIVE_INFINITY,
    unknownPrices: fixed.unknownPrices,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((n, v) => n + v, 0);
}

// ------------------------------------------------------------------------------------------------------------
// Capacity
// ------------------------------------------------------------------------------------------------------------

/** The quotas and throughput figures the ceiling is computed from, each with its source. Overridable. */
export interface CapacityLimits {
  /** Lambda concurrent executions per account and region, default quota (Lambda quotas page). */
  readonly lambdaConcurrency: number;
  /** Throughput of one provisioned-mode event poller for Kafka, bytes/s (Lambda guide, provisioned mode: up to 5 MB/s). */
  readonly pollerBytesPerSecond: number;
  /**
   * Sustained produce throughput per Standard broker, bytes/s of replicated writes (ingress x replication
   * factor). Estimate: not an AWS quota; from the instance's baseline network and EBS throughput with
   * headroom (MSK best practices, "right-size your cluster"). t3 brokers are burstable: the baseline applies.
   */
  readonly brokerWriteBytesPerSecond: Readonly<Record<string, number>>;
  /** MSK Serverless quotas: ingress per cluster and per partition, bytes/s (MSK Serverless quotas: 200 MBps, 5 MBps). */
  readonly serverlessClusterIngressBytesPerSecond: number;
  readonly serverlessPartitionIngressBytesPerSecond: number;
  /** DynamoDB: per partition (one key's ceiling) 1,000 WCU/s and 3,000 RCU/s (DynamoDB developer guide, partitions). */
  readonly dynamoPartitionWcu: number;
  readonly dynamoPartitionRcu: number;
  /** DynamoDB on-demand: default table-level throughput quota, 40,000 RRU/s and 40,000 WRU/s (DynamoDB quotas). */
  readonly dynamoTableWru: number;
  readonly dynamoTableRru: number;
  /**
   * EventBridge Scheduler default quotas, requests/s: CreateSchedule and DeleteSchedule 1,000 each and the
   * invocation throttle 1,000 (Scheduler quotas, us-east-1; lower in smaller regions: check Service Quotas).
   */
  readonly schedulerCreatePerSecond: number;
  readonly schedulerDeletePerSecond: number;
  readonly schedulerInvocationsPerSecond: number;
  /** API Gateway: account-level throttle, requests/s per region (API Gateway quotas: 10,000). */
  readonly apiAccountRps: number;
}

export const DEFAULT_LIMITS: CapacityLimits = {
  lambdaConcurrency: 1000,
  pollerBytesPerSecond: 5 * 1024 * 1024,
  brokerWriteBytesPerSecond: {
    'kafka.t3.small': 5 * 1024 * 1024,
    'kafka.m5.large': 30 * 1024 * 1024,
    'kafka.m7g.large': 30 * 1024 * 1024,
    'kafka.m5.xlarge': 60 * 1024 * 1024,
    'kafka.m7g.xlarge': 60 * 1024 * 1024,
    'kafka.m5.2xlarge': 120 * 1024 * 1024,
    'kafka.m7g.2xlarge': 120 * 1024 * 1024,
  },
  serverlessClusterIngressBytesPerSecond: 200 * 1024 * 1024,
  serverlessPartitionIngressBytesPerSecond: 5 * 1024 * 1024,
  dynamoPartitionWcu: 1000,
  dynamoPartitionRcu: 3000,
  dynamoTableWru: 40_000,
  dynamoTableRru: 40_000,
  schedulerCreatePerSecond: 1000,
  schedulerDeletePerSecond: 1000,
  schedulerInvocationsPerSecond: 1000,
  apiAccountRps: 10_000,
};

export interface Limit {
  /** What limits (`partitions x invocation time: order-events -> PaymentConsumer`). */
  readonly name: string;
  /** Orders per second at which it saturates. */
  readonly maxOrdersPerSecond: number;
  /** The arithmetic, in words. */
  readonly detail: string;
  /** What to change to take `target` orders/s. */
  raise(target: number): string;
}

export interface CapacityReport {
  readonly profile: string;
  readonly maxOrdersPerSecond: number;
  readonly firstLimit: string;
  /** Every limit, lowest first. */
  readonly limits: readonly { name: string; maxOrdersPerSecond: number; detail: string }[];
  /** For 10x and 100x the ceiling: every limit below the target and its change. */
  readonly toScale: readonly { factor: number; target: number; changes: readonly string[] }[];
}

const fmt = (n: number): string =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toPrecision(3);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB/s`;

/** Milliseconds of function time per record delivered to it, from the measured usage. */
function msPerRecord(usage: OrderUsage, facts: DeploymentFacts, functionId: string): number | undefined {
  const fn = usage.functions[functionId];
  if (!fn || fn.billedMs <= 0) return undefined;
  const records = facts.mappings
    .filter((m) => m.functionId === functionId)
    .reduce((n, m) => n + (usage.topics[m.topic]?.records ?? 0), 0);
  return records > 0 ? fn.billedMs / records : undefined;
}

/** Every limit of one profile's deployment for this usage. */
export function limitsOf(
  usage: OrderUsage,
  facts: DeploymentFacts,
  limits: CapacityLimits = DEFAULT_LIMITS,
): Limit[] {
  const out: Limit[] = [];
  const partitionsOf = (topic: string) => facts.topics.find((t) => t.name === topic)?.partitions ?? 1;

  // 1. One concurrent invocation per partition per mapping (Lambda guide, MSK event sources: concurrency
  //    scales up to the number of partitions); each partition's records are processed in order. A topic is
  //    as fast as its slowest consumer: one limit per topic, naming that consumer.
  const slowest = new Map<string, { m: MappingFacts; perRecord: number }>();
  for (const m of facts.mappings) {
    const perRecord = msPerRecord(usage, facts, m.functionId);
    if ((usage.topics[m.topic]?.records ?? 0) <= 0 || perRecord === undefined) continue;
    const seen = slowest.get(m.topic);
    if (!seen || perRecord > seen.perRecord) slowest.set(m.topic, { m, perRecord });
  }
  for (const [topic, { m, perRecord }] of slowest) {
    const records = usage.topics[topic]?.records ?? 0;
    const partitions = partitionsOf(topic);
    const recordsPerSecond = (partitions * 1000) / perRecord;
    out.push({
      name: `partitions x invocation time: ${topic} -> ${m.functionId}`,
      maxOrdersPerSecond: recordsPerSecond / records,
      detail: `${partitions} partitions x 1000/${perRecord.toFixed(1)} ms per record = ${fmt(recordsPerSecond)} records/s; ${records.toFixed(2)} records per order`,
      raise: (target) =>
        `${topic}: ${Math.ceil((partitions * target) / (recordsPerSecond / records))} partitions (now ${partitions}), or larger batches (BatchSize ${m.batchSize}, batchingWindowSeconds > 0) to amortize the per-invocation time`,
    });
  }

  // 2. Provisioned pollers: each moves up to pollerBytesPerSecond; a mapping scales to MaximumPollers.
  for (const m of facts.mappings) {
    if (!m.pollers) continue;
    const bytes = usage.topics[m.topic]?.bytes ?? 0;
    if (bytes <= 0) continue;
    const capacity = m.pollers.maximum * limits.pollerBytesPerSecond;
    out.push({
      name: `poller throughput: ${m.topic} -> ${m.functionId}`,
      maxOrdersPerSecond: capacity / bytes,
      detail: `${m.pollers.maximum} pollers x ${mb(limits.pollerBytesPerSecond)} / ${bytes.toFixed(0)} bytes per order`,
      raise: (target) =>
        `maximumPollers ${Math.ceil((target * bytes) / limits.pollerBytesPerSecond)} (now ${m.pollers?.maximum})`,
    });
  }

  // 3. Brokers.
  const bytesPerOrder = Object.values(usage.topics).reduce((n, t) => n + t.bytes, 0);
  const c = facts.cluster;
  if (bytesPerOrder > 0 && c.mode === 'provisioned') {
    const perBroker = limits.brokerWriteBytesPerSecond[c.brokerInstanceType];
    const rf = Math.max(1, ...facts.topics.map((t) => t.replicationFactor));
    if (perBroker !== undefined) {
      const capacity = perBroker * c.brokerCount;
      out.push({
        name: `broker throughput: ${c.brokerCount} x ${c.brokerInstanceType}`,
        maxOrdersPerSecond: capacity / (bytesPerOrder * rf),
        detail: `${c.brokerCount} x ${mb(perBroker)} (estimate) / (${bytesPerOrder.toFixed(0)} bytes per order x replication ${rf})`,
        raise: (target) =>
          `brokers: ${Math.ceil((target * bytesPerOrder * rf) / perBroker)} x ${c.brokerInstanceType} (brokerCount, a multiple of the zones) or a larger brokerInstanceType`,
      });
    }
  } else if (bytesPerOrder > 0 && c.mode === 'serverless') {
    out.push({
      name: 'MSK Serverless cluster ingress',
      maxOrdersPerSecond: limits.serverlessClusterIngressBytesPerSecond / bytesPerOrder,
      detail: `${mb(limits.serverlessClusterIngressBytesPerSecond)} per cluster / ${bytesPerOrder.toFixed(0)} bytes per order`,
      raise: () => 'split the topics over more serverless clusters (a quota increase request is possible)',
    });
    for (const [topic, u] of Object.entries(usage.topics)) {
      if (u.bytes <= 0) continue;
      const partitions = partitionsOf(topic);
      const capacity = partitions * limits.serverlessPartitionIngressBytesPerSecond;
      out.push({
        name: `MSK Serverless partition ingress: ${topic}`,
        maxOrdersPerSecond: capacity / u.bytes,
        detail: `${partitions} partitions x ${mb(limits.serverlessPartitionIngressBytesPerSecond)} / ${u.bytes.toFixed(0)} bytes per order`,
        raise: (target) =>
          `${topic}: ${Math.ceil((target * u.bytes) / limits.serverlessPartitionIngressBytesPerSecond)} partitions (now ${partitions})`,
      });
    }
  }

  // 4. DynamoDB: the hottest key of each table, and the table quota.
  for (const [table, t] of Object.entries(usage.tables)) {
    if (t.hotKey && t.hotKey.wru > 0) {
      const hot = t.hotKey;
      out.push({
        name: `DynamoDB partition key: ${table} ${hot.key}`,
        maxOrdersPerSecond: limits.dynamoPartitionWcu / hot.wru,
        detail: `${limits.dynamoPartitionWcu} WCU/s per partition key / ${hot.wru.toFixed(2)} WRU per order on ${hot.key}`,
        raise: (target) =>
          `${table}: spread ${hot.key} over ${Math.ceil((target * hot.wru) / limits.dynamoPartitionWcu)} key shards (e.g. a #<n> suffix)`,
      });
    }
    if (t.wru > 0) {
      out.push({
        name: `DynamoDB table writes: ${table}`,
        maxOrdersPerSecond: limits.dynamoTableWru / t.wru,
        detail: `${fmt(limits.dynamoTableWru)} WRU/s table quota / ${t.wru.toFixed(2)} WRU per order`,
        raise: (target) => `${table}: ask for a table-level quota of ${fmt(target * t.wru)} WRU/s`,
      });
    }
    if (t.rru > 0) {
      out.push({
        name: `DynamoDB table reads: ${table}`,
        maxOrdersPerSecond: limits.dynamoTableRru / t.rru,
        detail: `${fmt(limits.dynamoTableRru)} RRU/s table quota / ${t.rru.toFixed(2)} RRU per order`,
        raise: (target) => `${table}: ask for a table-level quota of ${fmt(target * t.rru)} RRU/s`,
      });
    }
  }

  // 5. Scheduler.
  const s = usage.scheduler;
  const schedulerLimits: [string, number, number][] = [
    ['CreateSchedule', s.creates, limits.schedulerCreatePerSecond],
    ['DeleteSchedule', s.deletes, limits.schedulerDeletePerSecond],
    ['scheduled invocations', s.invocations, limits.schedulerInvocationsPerSecond],
  ];
  for (const [what, perOrder, quota] of schedulerLimits) {
    if (perOrder <= 0) continue;
    out.push({
      name: `EventBridge Scheduler ${what}`,
      maxOrdersPerSecond: quota / perOrder,
      detail: `${fmt(quota)}/s quota / ${perOrder.toFixed(2)} per order`,
      raise: (target) => `ask for a Scheduler ${what} quota of ${fmt(target * perOrder)}/s (Service Quotas)`,
    });
  }

  // 6. Lambda concurrency: sum over functions of invocations/s x duration.
  const concurrencySecondsPerOrder = Object.values(usage.functions).reduce(
    (n, f) => n + f.billedMs / 1000,
    0,
  );
  if (concurrencySecondsPerOrder > 0) {
    out.push({
      name: 'Lambda concurrency (account)',
      maxOrdersPerSecond: limits.lambdaConcurrency / concurrencySecondsPerOrder,
      detail: `${fmt(limits.lambdaConcurrency)} concurrent executions / ${concurrencySecondsPerOrder.toFixed(3)} s of function time per order`,
      raise: (target) =>
        `ask for ${fmt(Math.ceil(target * concurrencySecondsPerOrder * 1.2))} concurrent executions (20% headroom)`,
    });
  }

  // 7. HTTP API: the stage's throttle, then the account's.
  if (usage.httpRequests > 0) {
    if (facts.apiThrottle) {
      const rate = facts.apiThrottle.rateLimit;
      out.push({
        name: 'HTTP API stage throttle',
        maxOrdersPerSecond: rate / usage.httpRequests,
        detail: `apiRateLimit ${rate} requests/s / ${usage.httpRequests.toFixed(2)} requests per order`,
        raise: (target) =>
          `-c apiRateLimit=${Math.ceil(target * usage.httpRequests)} (and apiBurstLimit at least as high)`,
      });
    }
    out.push({
      name: 'API Gateway account throttle',
      maxOrdersPerSecond: limits.apiAccountRps / usage.httpRequests,
      detail: `${fmt(limits.apiAccountRps)} requests/s per account / ${usage.httpRequests.toFixed(2)} requests per order`,
      raise: (target) => `ask for an account throttle of ${fmt(target * usage.httpRequests)} requests/s`,
    });
  }
  return out.sort((a, b) => a.maxOrdersPerSecond - b.maxOrdersPerSecond);
}

/** The ceiling, its first limit and what 10x and 100x the ceiling would need. */
export function capacityOf(
  usage: OrderUsage,
  facts: DeploymentFacts,
  profile = 'default',
  limits: CapacityLimits = DEFAULT_LIMITS,
): CapacityReport {
  const all = limitsOf(usage, facts, limits);
  const first = all[0];
  const ceiling = first?.maxOrdersPerSecond ?? Number.POSITIVE_INFINITY;
  const toScale = [10, 100].map((factor) => {
    const target = ceiling * factor;
    return {
      factor,
      target,
      changes: all.filter((l) => l.maxOrdersPerSecond < target).map((l) => `${l.name}: ${l.raise(target)}`),
    };
  });
  return {
    profile,
    maxOrdersPerSecond: ceiling,
    firstLimit: first?.name ?? 'none found (no usage measured)',
    limits: all.map((l) => ({ name: l.name, maxOrdersPerSecond: l.maxOrdersPerSecond, detail: l.detail })),
    toScale,
  };
}

/** Mappings of a topic (used by callers that show reads per topic). */
export function mappingsOf(facts: DeploymentFacts, topic: string): MappingFacts[] {
  return facts.mappings.filter((m) => m.topic === topic);
}
