/**
 * The monthly cost of a configuration, from the us-east-1 list prices docs/deploy.md tabulates ("What it
 * costs per month"). `campusg preflight --target aws` prints it for the chosen context so the bill is seen
 * before `cdk deploy`; the prices are estimates recorded offline, not looked up.
 */
import { TOPICS } from '#shared/topology';
import type { CampusgConfig } from '../config';

export const HOURS_PER_MONTH = 730;

/** USD per broker-hour (MSK provisioned, us-east-1). */
export const BROKER_HOURLY: Readonly<Record<string, number>> = {
  'kafka.t3.small': 0.0456,
  'kafka.m5.large': 0.21,
  'kafka.m7g.large': 0.204,
  'kafka.m7g.xlarge': 0.408,
};

export const PRICES = {
  brokerStorageGbMonth: 0.1,
  serverlessClusterHour: 0.75,
  serverlessPartitionHour: 0.0015,
  serverlessDataAndStorage: 1.5,
  /** Provisioned-mode ESM poller group: event poller units per hour, 2 EPUs assumed for 14 mappings. */
  epuHour: 0.185,
  epus: 2,
  interfaceEndpointAzHour: 0.01,
  natGatewayHour: 0.045,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  requestDriven: 5,
} as const;

export interface CostLine {
  readonly item: string;
  readonly usd: number;
}

export interface CostEstimate {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** Set when a price is unknown (e.g. a broker type not in BROKER_HOURLY). */
  readonly unknown?: string;
}

export function monthlyCost(config: CampusgConfig, alarmCount: number): CostEstimate {
  const zones = config.availabilityZoneIds.length || 3;
  const lines: CostLine[] = [];
  let unknown: string | undefined;
  if (config.clusterMode === 'provisioned') {
    const hourly = BROKER_HOURLY[config.brokerInstanceType];
    if (hourly === undefined) unknown = `no price recorded for ${config.brokerInstanceType}`;
    lines.push({
      item: `MSK brokers, ${config.brokerCount} x ${config.brokerInstanceType}`,
      usd: (hourly ?? 0) * config.brokerCount * HOURS_PER_MONTH,
    });
    lines.push({
      item: `MSK storage, ${config.brokerCount} x ${config.brokerStorageGiB} GB`,
      usd: PRICES.brokerStorageGbMonth * config.brokerCount * config.brokerStorageGiB,
    });
  } else {
    const partitions = TOPICS.reduce((n, t) => n + t.partitions, 0);
    lines.push({ item: 'MSK Serverless cluster', usd: PRICES.serverlessClusterHour * HOURS_PER_MONTH });
    lines.push({
      item: `MSK Serverless partitions (${partitions})`,
      usd: PRICES.serverlessPartitionHour * partitions * HOURS_PER_MONTH,
    });
    lines.push({ item: 'MSK Serverless data and storage', usd: PRICES.serverlessDataAndStorage });
  }
  if (config.esmMode === 'provisioned') {
    lines.push({ item: 'ESM poller group (EPUs)', usd: PRICES.epuHour * PRICES.epus * HOURS_PER_MONTH });
  }
  const endpoints = 2 + (config.esmMode === 'on-demand' ? 2 : 0);
  lines.push({
    item: `interface endpoints, ${endpoints} x ${zones} AZs`,
    usd: PRICES.interfaceEndpointAzHour * endpoints * zones * HOURS_PER_MONTH,
  });
  if (config.natGateways > 0) {
    lines.push({
      item: `NAT gateways (${config.natGateways})`,
      usd: PRICES.natGatewayHour * config.natGateways * HOURS_PER_MONTH,
    });
  }
  lines.push({
    item: `CloudWatch: ${alarmCount} alarms, 1 dashboard`,
    usd: PRICES.alarmMonth * alarmCount + PRICES.dashboardMonth,
  });
  lines.push({ item: 'Lambda, DynamoDB, HTTP API, Scheduler, logs (10k orders)', usd: PRICES.requestDriven });
  const totalUsd = Math.round(lines.reduce((n, l) => n + l.usd, 0) * 100) / 100;
  return { lines, totalUsd, unknown };
}
