/**
 * The monthly cost of a configuration, from the us-east-1 list prices docs/deploy.md tabulates ("What it
 * costs per month"). `campusg preflight --target aws` prints it for the chosen context so the bill is seen
 * before `cdk deploy`; the prices are estimates recorded offline, not looked up.
 */
import { TOPICS } from '#shared/topology';
import type { CampusgConfig } from '../config';
import { DEFAULT_PRICES, HOURS_PER_MONTH } from '../cost/prices';

export { HOURS_PER_MONTH } from '../cost/prices';

const P = DEFAULT_PRICES;

/**
 * The prices come from the one price table (infra/cost/prices.ts, dated there); what is added here are the
 * assumptions of a quick pre-deploy figure, which `campusg cost` replaces with measured usage.
 */
const ASSUMED = {
  /** MSK Serverless data in/out and storage for a small month, USD. */
  serverlessDataAndStorage: 1.5,
  /** Provisioned-mode ESM poller group: event poller units assumed for 14 mappings. */
  epus: 2,
  /** Lambda, DynamoDB, HTTP API, Scheduler and logs for about 10,000 orders, USD. */
  requestDriven: 5,
} as const;

export interface CostLine {
  readonly item: string;
  readonly usd: number;
}

export interface CostEstimate {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** Set when a price is unknown (e.g. a broker type the price table lacks). */
  readonly unknown?: string;
}

export function monthlyCost(config: CampusgConfig, alarmCount: number): CostEstimate {
  const zones = config.availabilityZoneIds.length || 3;
  const lines: CostLine[] = [];
  let unknown: string | undefined;
  if (config.clusterMode === 'provisioned') {
    const hourly = P.mskBrokerHour[config.brokerInstanceType];
    if (hourly === undefined) unknown = `no price recorded for ${config.brokerInstanceType}`;
    lines.push({
      item: `MSK brokers, ${config.brokerCount} x ${config.brokerInstanceType}`,
      usd: (hourly ?? 0) * config.brokerCount * HOURS_PER_MONTH,
    });
    lines.push({
      item: `MSK storage, ${config.brokerCount} x ${config.brokerStorageGiB} GB`,
      usd: P.mskStorageGbMonth * config.brokerCount * config.brokerStorageGiB,
    });
  } else {
    const partitions = TOPICS.reduce((n, t) => n + t.partitions, 0);
    lines.push({ item: 'MSK Serverless cluster', usd: P.mskServerlessClusterHour * HOURS_PER_MONTH });
    lines.push({
      item: `MSK Serverless partitions (${partitions})`,
      usd: P.mskServerlessPartitionHour * partitions * HOURS_PER_MONTH,
    });
    lines.push({ item: 'MSK Serverless data and storage', usd: ASSUMED.serverlessDataAndStorage });
  }
  if (config.esmMode === 'provisioned') {
    lines.push({ item: 'ESM poller group (EPUs)', usd: P.lambdaEpuHour * ASSUMED.epus * HOURS_PER_MONTH });
  }
  const endpoints = 2 + (config.esmMode === 'on-demand' ? 2 : 0);
  lines.push({
    item: `interface endpoints, ${endpoints} x ${zones} AZs`,
    usd: P.interfaceEndpointAzHour * endpoints * zones * HOURS_PER_MONTH,
  });
  if (config.natGateways > 0) {
    lines.push({
      item: `NAT gateways (${config.natGateways})`,
      usd: P.natGatewayHour * config.natGateways * HOURS_PER_MONTH,
    });
  }
  lines.push({
    item: `CloudWatch: ${alarmCount} alarms, 1 dashboard`,
    usd: P.alarmMonth * alarmCount + P.dashboardMonth,
  });
  lines.push({
    item: 'Lambda, DynamoDB, HTTP API, Scheduler, logs (10k orders)',
    usd: ASSUMED.requestDriven,
  });
  const totalUsd = Math.round(lines.reduce((n, l) => n + l.usd, 0) * 100) / 100;
  return { lines, totalUsd, unknown };
}
