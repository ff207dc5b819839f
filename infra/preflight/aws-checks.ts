/**
 * Read-only checks of an AWS account before `cdk deploy`, for `campusg preflight --target aws`: the region's
 * AZ IDs against the MSK rules (infra/availability-zones.ts), the Kafka version MSK offers, the CDK bootstrap
 * stack, and the Lambda concurrency quota against what the stacks need. Every call is a Describe/List/Get.
 *
 * Endpoints follow the SDK's `AWS_ENDPOINT_URL_<SERVICE>` variables (tests point them at recorded responses).
 * EC2 is called with a SigV4-signed Query request: `@aws-sdk/client-ec2` is not a dependency of this project,
 * and DescribeAvailabilityZones is one small call.
 */
import { createHash, createHmac } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { KafkaClient, ListKafkaVersionsCommand } from '@aws-sdk/client-kafka';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import { TOPICS } from '#shared/topology';
import { checkAzIds, DEFAULT_AZ_IDS, MSK_REJECTED_AZ_IDS, TWO_SUBNET_REGIONS } from '../availability-zones';
import { ALL_FUNCTIONS, CONSUMERS } from '../catalogue';
import type { CampusgConfig } from '../config';

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface AwsContext {
  readonly region: string;
  /** @default the SDK's default chain */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The CDK bootstrap version CDK v2 apps of this age need at least. */
export const MIN_BOOTSTRAP_VERSION = 6;

const endpointOf = (ctx: AwsContext, service: string) =>
  (ctx.env ?? process.env)[`AWS_ENDPOINT_URL_${service}`];
const clientConfig = (ctx: AwsContext, service: string) => ({
  region: ctx.region,
  ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
  ...(endpointOf(ctx, service) ? { endpoint: endpointOf(ctx, service) } : {}),
  maxAttempts: 2,
});
const reason = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

const toBytes = (d: SourceData): Uint8Array | string =>
  typeof d === 'string'
    ? d
    : d instanceof Uint8Array
      ? d
      : ArrayBuffer.isView(d)
        ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
        : new Uint8Array(d);

/** SHA-256 / HMAC-SHA-256 for the signer, from node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface Zone {
  readonly zoneId: string;
  readonly zoneName: string;
  readonly state: string;
}

/** EC2 DescribeAvailabilityZones (zones of type availability-zone only), signed with SigV4. */
export async function describeZones(ctx: AwsContext): Promise<Zone[]> {
  const credentials: AwsCredentialIdentity = ctx.credentials
    ? await ctx.credentials()
    : await new LambdaClient({ region: ctx.region }).config.credentials();
  const url = new URL(endpointOf(ctx, 'EC2') ?? `https://ec2.${ctx.region}.amazonaws.com/`);
  const body = new URLSearchParams({
    Action: 'DescribeAvailabilityZones',
    Version: '2016-11-15',
    'Filter.1.Name': 'zone-type',
    'Filter.1.Value.1': 'availability-zone',
  }).toString();
  const signer = new SignatureV4({ service: 'ec2', region: ctx.region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const xml = await res.text();
  if (!res.ok) {
    const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? `HTTP ${res.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? '';
    throw new Error(`ec2:DescribeAvailabilityZones failed: ${code} ${message}`.trim());
  }
  const zones: Zone[] = [];
  for (const item of xml.split('<item>').slice(1)) {
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(item)?.[1];
    const zoneId = field('zoneId');
    if (zoneId) zones.push({ zoneId, zoneName: field('zoneName') ?? '', state: field('zoneState') ?? '' });
  }
  return zones;
}

/** The zones the stacks will use in this region, and whether the account has them and MSK accepts them. */
export async function checkZones(ctx: AwsContext, config: CampusgConfig): Promise<CheckResult> {
  const check = 'availability zones (AZ IDs) for MSK';
  try {
    const zones = await describeZones(ctx);
    const available = zones.filter((z) => z.state === 'available').map((z) => z.zoneId);
    const usable = available.filter((id) => !MSK_REJECTED_AZ_IDS.includes(id)).sort();
    const prefix = usable[0]?.split('-')[0];
    const suggestion = usable.slice(0, prefix && TWO_SUBNET_REGIONS[prefix] ? 2 : 3).join(',');
    const wanted =
      config.availabilityZoneIds.length > 0 ? config.availabilityZoneIds : DEFAULT_AZ_IDS[ctx.region];
    if (!wanted) {
      return {
        check,
        ok: false,
        detail: `${ctx.region} has no default zones in infra/availability-zones.ts: deploy with -c availabilityZoneIds=${suggestion}`,
      };
    }
    const problems = checkAzIds(
      wanted,
      config.clusterMode === 'provisioned' ? config.brokerCount : undefined,
    );
    const missing = wanted.filter((id) => !available.includes(id));
    if (missing.length > 0) {
      problems.push(
        `${missing.join(', ')} not available in this account's ${ctx.region} (it has ${available.join(', ')})`,
      );
    }
    if (problems.length > 0) {
      return {
        check,
        ok: false,
        detail: `${problems.join('; ')}; e.g. -c availabilityZoneIds=${suggestion}`,
      };
    }
    return { check, ok: true, detail: `${wanted.join(', ')} available in ${ctx.region}` };
  } catch (err) {
    return { check, ok: false, detail: reason(err) };
  }
}

export async function checkKafkaVersion(ctx: AwsContext, config: CampusgConfig): Promise<CheckResult> {
  const check = 'Kafka version offered by MSK';
  if (config.clusterMode === 'serverless') {
    return { check, ok: true, detail: 'MSK Serverless picks the version itself' };
  }
  try {
    const out = await new KafkaClient(clientConfig(ctx, 'KAFKA')).send(new ListKafkaVersionsCommand({}));
    const versions = out.KafkaVersions ?? [];
    const active = versions.filter((v) => v.Status === 'ACTIVE').map((v) => v.Version!);
    if (active.includes(config.kafkaVersion)) {
      return { check, ok: true, detail: `${config.kafkaVersion} is ACTIVE in ${ctx.region}` };
    }
    const status = versions.find((v) => v.Version === config.kafkaVersion)?.Status;
    return {
      check,
      ok: false,
      detail: `${config.kafkaVersion} is ${status ?? 'not offered'} in ${ctx.region}; ACTIVE: ${active.join(', ')} (set -c kafkaVersion=...)`,
    };
  } catch (err) {
    return { check, ok: false, detail: reason(err) };
  }
}

export async function checkBootstrap(ctx: AwsContext): Promise<CheckResult> {
  const check = 'CDK bootstrap (CDKToolkit)';
  const fix = `run \`npx cdk bootstrap aws://<account>/${ctx.region}\``;
  try {
    const out = await new CloudFormationClient(clientConfig(ctx, 'CLOUDFORMATION')).send(
      new DescribeStacksCommand({ StackName: 'CDKToolkit' }),
    );
    const stack = out.Stacks?.[0];
    const status = stack?.StackStatus ?? 'missing';
    const version = Number(stack?.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue);
    if (!/_COMPLETE$/.test(status) || /DELETE|ROLLBACK_COMPLETE$/.test(status)) {
      return { check, ok: false, detail: `CDKToolkit is ${status}: ${fix}` };
    }
    if (!(version >= MIN_BOOTSTRAP_VERSION)) {
      return {
        check,
        ok: false,
        detail: `bootstrap version ${version || 'unknown'} < ${MIN_BOOTSTRAP_VERSION}: ${fix}`,
      };
    }
    return { check, ok: true, detail: `CDKToolkit ${status}, bootstrap version ${version}` };
  } catch (err) {
    if (err instanceof Error && /does not exist/.test(err.message)) {
      return { check, ok: false, detail: `no CDKToolkit stack in ${ctx.region}: ${fix}` };
    }
    return { check, ok: false, detail: reason(err) };
  }
}

/**
 * Concurrent executions the stacks can use at once: one per partition of each mapping's topic (the ESM
 * invokes at most one batch per partition at a time) plus one per non-consumer function, plus the 10 that
 * Lambda always keeps unreserved.
 */
export function concurrencyNeeded(): number {
  const partitions = (topic: string) => TOPICS.find((t) => t.name === topic)?.partitions ?? 1;
  const consumers = CONSUMERS.reduce((n, c) => n + c.consumes.reduce((m, t) => m + partitions(t), 0), 0);
  const others = ALL_FUNCTIONS.length - CONSUMERS.length;
  return consumers + others + 10;
}

export async function checkConcurrency(ctx: AwsContext): Promise<CheckResult> {
  const check = 'Lambda concurrency quota';
  const need = concurrencyNeeded();
  try {
    const out = await new LambdaClient(clientConfig(ctx, 'LAMBDA')).send(new GetAccountSettingsCommand({}));
    const limit = out.AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions ?? limit;
    if (unreserved >= need) {
      return { check, ok: true, detail: `${unreserved} unreserved of ${limit}; the stacks can use ${need}` };
    }
    return {
      check,
      ok: false,
      detail: `${unreserved} unreserved of ${limit}, the stacks can use ${need}: request a higher "Concurrent executions" quota for Lambda in Service Quotas (${ctx.region})`,
    };
  } catch (err) {
    return { check, ok: false, detail: reason(err) };
  }
}

/** Every account check, in table order. */
export async function awsChecks(ctx: AwsContext, config: CampusgConfig): Promise<CheckResult[]> {
  return Promise.all([
    checkZones(ctx, config),
    checkKafkaVersion(ctx, config),
    checkBootstrap(ctx),
    checkConcurrency(ctx),
  ]);
}
