/**
 * The AWS list prices the cost model (infra/cost/model.ts) multiplies usage by: one table, one region, the
 * date the numbers were typed in. They were typed by hand from AWS's public pricing pages (MSK, Lambda,
 * DynamoDB, EventBridge, API Gateway, CloudWatch, VPC/PrivateLink) for us-east-1, the region docs/deploy.md
 * defaults to, as of PRICES_AS_OF; nothing here is fetched (the project builds offline). Verify them
 * before relying on them: `campusg cost --prices <file.json>` overrides any subset (see `withPriceOverrides`).
 * Free tiers are ignored: the model prices every unit.
 */

export const PRICES_AS_OF = '2026-11-27';
export const PRICES_REGION = 'us-east-1';
export const PRICES_SOURCE =
  `AWS public pricing pages (MSK, Lambda, DynamoDB, EventBridge, API Gateway, CloudWatch, VPC), ${PRICES_REGION}, ` +
  `typed from the public price list as of ${PRICES_AS_OF}; verify before relying on them`;

export interface PriceTable {
  /** MSK provisioned (Standard brokers): USD per broker-hour by instance type. aws.amazon.com/msk/pricing */
  readonly mskBrokerHour: Readonly<Record<string, number>>;
  /** MSK provisioned broker storage, USD per GB-month. aws.amazon.com/msk/pricing */
  readonly mskStorageGbMonth: number;
  /** MSK Serverless: USD per cluster-hour, per partition-hour, per GB in, per GB out, per GB-month stored. */
  readonly mskServerlessClusterHour: number;
  readonly mskServerlessPartitionHour: number;
  readonly mskServerlessGbIn: number;
  readonly mskServerlessGbOut: number;
  readonly mskServerlessStorageGbMonth: number;
  /** Lambda duration, USD per GB-second, by architecture. aws.amazon.com/lambda/pricing */
  readonly lambdaGbSecond: Readonly<Record<'arm64' | 'x86_64', number>>;
  /** Lambda requests, USD per million. */
  readonly lambdaRequestsPerMillion: number;
  /** Lambda event-source mappings in provisioned mode: USD per event poller unit (EPU) hour. aws.amazon.com/lambda/pricing */
  readonly lambdaEpuHour: number;
  /** DynamoDB on-demand: USD per million write / read request units, per GB-month stored. aws.amazon.com/dynamodb/pricing/on-demand */
  readonly dynamoWruPerMillion: number;
  readonly dynamoRruPerMillion: number;
  readonly dynamoStorageGbMonth: number;
  /** EventBridge Scheduler: USD per million scheduled invocations (API calls are not billed). aws.amazon.com/eventbridge/pricing */
  readonly schedulerInvocationsPerMillion: number;
  /** API Gateway HTTP APIs: USD per million requests (first 300 million a month). aws.amazon.com/api-gateway/pricing */
  readonly httpApiRequestsPerMillion: number;
  /** CloudWatch Logs (Standard class): USD per GB ingested, per GB-month stored. aws.amazon.com/cloudwatch/pricing */
  readonly logsIngestGb: number;
  readonly logsStorageGbMonth: number;
  /** CloudWatch: USD per standard alarm-month, per dashboard-month. */
  readonly alarmMonth: number;
  readonly dashboardMonth: number;
  /** VPC interface endpoints (PrivateLink): USD per endpoint-AZ-hour, per GB processed. aws.amazon.com/privatelink/pricing */
  readonly interfaceEndpointAzHour: number;
  readonly interfaceEndpointGb: number;
  /** NAT gateway: USD per hour, per GB processed. aws.amazon.com/vpc/pricing */
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  /** Secrets Manager secret-month and KMS customer key-month (the template creates neither today). */
  readonly secretMonth: number;
  readonly kmsKeyMonth: number;
}

export const DEFAULT_PRICES: PriceTable = {
  mskBrokerHour: {
    'kafka.t3.small': 0.0456,
    'kafka.m5.large': 0.21,
    'kafka.m5.xlarge': 0.42,
    'kafka.m5.2xlarge': 0.84,
    'kafka.m7g.large': 0.204,
    'kafka.m7g.xlarge': 0.408,
    'kafka.m7g.2xlarge': 0.816,
  },
  mskStorageGbMonth: 0.1,
  mskServerlessClusterHour: 0.75,
  mskServerlessPartitionHour: 0.0015,
  mskServerlessGbIn: 0.1,
  mskServerlessGbOut: 0.05,
  mskServerlessStorageGbMonth: 0.1,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  lambdaRequestsPerMillion: 0.2,
  // The least certain line (docs/deploy.md says so too): check the Lambda pricing page's
  // "Provisioned mode for event source mappings" section for your region.
  lambdaEpuHour: 0.185,
  dynamoWruPerMillion: 0.625,
  dynamoRruPerMillion: 0.125,
  dynamoStorageGbMonth: 0.25,
  schedulerInvocationsPerMillion: 1.0,
  httpApiRequestsPerMillion: 1.0,
  logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  interfaceEndpointAzHour: 0.01,
  interfaceEndpointGb: 0.01,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  secretMonth: 0.4,
  kmsKeyMonth: 1,
};

/** Hours in the month the model bills (AWS's calculator uses 730). */
export const HOURS_PER_MONTH = 730;

export class PriceOverrideError extends Error {
  override readonly name = 'PriceOverrideError';
}

/**
 * The default table with `overrides` laid over it (a partial table, e.g. parsed from a JSON file). Unknown
 * keys and non-numbers are refused, all listed in one error, so a typo never silently keeps the default.
 */
export function withPriceOverrides(overrides: unknown, base: PriceTable = DEFAULT_PRICES): PriceTable {
  if (overrides === undefined || overrides === null) return base;
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new PriceOverrideError('price overrides must be a JSON object such as {"lambdaEpuHour": 0.2}');
  }
  const problems: string[] = [];
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    if (!Object.hasOwn(base, key)) {
      problems.push(`unknown price ${JSON.stringify(key)} (known: ${Object.keys(base).join(', ')})`);
      continue;
    }
    const current = (base as unknown as Record<string, unknown>)[key];
    if (typeof current === 'number') {
      if (typeof value !== 'number' || !(value >= 0)) problems.push(`${key} must be a number >= 0`);
      else out[key] = value;
    } else {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${key} must be an object of numbers`);
        continue;
      }
      const merged: Record<string, number> = { ...(current as Record<string, number>) };
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'number' || !(v >= 0)) problems.push(`${key}.${k} must be a number >= 0`);
        else merged[k] = v;
      }
      out[key] = merged;
    }
  }
  if (problems.length > 0) {
    throw new PriceOverrideError(`invalid price overrides:\n  - ${problems.join('\n  - ')}`);
  }
  return out as unknown as PriceTable;
}
