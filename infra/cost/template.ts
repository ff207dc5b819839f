/**
 * Reads the facts the cost and capacity model needs from a synthesized cloud assembly
 * (`cdk.out/*.template.json`): brokers, topics and their partitions and retention, functions and their
 * memory and architecture, event-source mappings and their poller settings, tables, log retention,
 * endpoints, NAT gateways, alarms, HTTP API throttling. Plain JSON reading, no CDK: the local CLI imports it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TopicFacts {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** `retention.ms`; undefined when the topic sets none (Kafka's default is 7 days). */
  readonly retentionMs?: number;
}

export interface FunctionFacts {
  /** Logical id = construct id (`OrderConsumer`, `OrderApiFunction`, ...). */
  readonly id: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  readonly timeoutSeconds: number;
}

export interface MappingFacts {
  /** Logical id of the function the mapping invokes. */
  readonly functionId: string;
  readonly topic: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /** Provisioned mode only; undefined in on-demand mode. */
  readonly pollers?: { readonly minimum: number; readonly maximum: number; readonly group?: string };
}

export interface DeploymentFacts {
  readonly stage: string;
  readonly cluster:
    | {
        readonly mode: 'provisioned';
        readonly brokerInstanceType: string;
        readonly brokerCount: number;
        readonly storageGiBPerBroker: number;
      }
    | { readonly mode: 'serverless' }
    | { readonly mode: 'none' };
  readonly topics: readonly TopicFacts[];
  readonly functions: readonly FunctionFacts[];
  readonly mappings: readonly MappingFacts[];
  readonly tables: readonly { readonly id: string; readonly billingMode: string }[];
  /** Retention of the functions' log groups, days (the smallest found; undefined = never expire). */
  readonly logRetentionDays?: number;
  /** Interface endpoints and the subnets (AZs) each one spans. */
  readonly interfaceEndpoints: readonly { readonly id: string; readonly azs: number }[];
  readonly natGateways: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly secrets: number;
  readonly kmsKeys: number;
  /** HTTP API stage throttling (requests/s and burst); undefined when the stage sets none. */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export class TemplateReadError extends Error {
  override readonly name = 'TemplateReadError';
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
type Template = { readonly Resources?: Record<string, Resource> };

const num = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};

/** Reads every `*.template.json` of `assemblyDir` (one stage: the stage of the first `CampusG-<stage>-*` file). */
export function readDeploymentFacts(assemblyDir: string): DeploymentFacts {
  let files: string[];
  try {
    files = fs.readdirSync(assemblyDir).filter((f) => /^CampusG-.+\.template\.json$/.test(f));
  } catch (err) {
    throw new TemplateReadError(
      `cannot read the cloud assembly ${assemblyDir} (${(err as Error).message}): run \`npm run synth\` first`,
    );
  }
  if (files.length === 0) {
    throw new TemplateReadError(
      `${assemblyDir} holds no CampusG-*.template.json: run \`npm run synth\` first`,
    );
  }
  files.sort();
  const stage = /^CampusG-(.+?)-[A-Za-z]+\.template\.json$/.exec(files[0]!)?.[1] ?? 'dev';
  const templates = files
    .filter((f) => f.startsWith(`CampusG-${stage}-`))
    .map((f) => JSON.parse(fs.readFileSync(path.join(assemblyDir, f), 'utf8')) as Template);
  return factsOf(templates, stage);
}

/** The facts of already parsed templates (exported for tests of odd shapes). */
export function factsOf(templates: readonly Template[], stage = 'dev'): DeploymentFacts {
  const all: [string, Resource][] = templates.flatMap((t) => Object.entries(t.Resources ?? {}));
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type);
  const props = (r: Resource) => r.Properties ?? {};

  let cluster: DeploymentFacts['cluster'] = { mode: 'none' };
  const provisioned = ofType('AWS::MSK::Cluster')[0];
  if (provisioned) {
    const p = props(provisioned[1]);
    const group = (p.BrokerNodeGroupInfo ?? {}) as Record<string, unknown>;
    const storage = ((group.StorageInfo as Record<string, unknown> | undefined)?.EBSStorageInfo ??
      {}) as Record<string, unknown>;
    cluster = {
      mode: 'provisioned',
      brokerInstanceType: String(group.InstanceType ?? 'unknown'),
      brokerCount: num(p.NumberOfBrokerNodes, 0),
      storageGiBPerBroker: num(storage.VolumeSize, 0),
    };
  } else if (ofType('AWS::MSK::ServerlessCluster').length > 0) {
    cluster = { mode: 'serverless' };
  }

  const topics: TopicFacts[] = [];
  for (const [, r] of ofType('AWS::MSK::Topic')) {
    const p = props(r);
    let configs: Record<string, string> = {};
    if (typeof p.Configs === 'string') {
      try {
        configs = JSON.parse(Buffer.from(p.Configs, 'base64').toString('utf8')) as Record<string, string>;
      } catch {
        // unreadable configs: retention unknown
      }
    }
    topics.push({
      name: String(p.TopicName),
      partitions: num(p.PartitionCount, 1),
      replicationFactor: num(p.ReplicationFactor, 1),
      retentionMs: configs['retention.ms'] !== undefined ? num(configs['retention.ms'], 0) : undefined,
    });
  }
  for (const [, r] of ofType('Custom::CampusgKafkaTopics')) {
    for (const t of (props(r).Topics ?? []) as Record<string, unknown>[]) {
      const configs = (t.Configs ?? {}) as Record<string, string>;
      topics.push({
        name: String(t.Name),
        partitions: num(t.Partitions, 1),
        replicationFactor: 3,
        retentionMs: configs['retention.ms'] !== undefined ? num(configs['retention.ms'], 0) : undefined,
      });
    }
  }

  const functions: FunctionFacts[] = ofType('AWS::Lambda::Function')
    .filter(([, r]) => typeof props(r).FunctionName === 'string')
    .map(([id, r]) => {
      const p = props(r);
      const arch = ((p.Architectures as string[] | undefined) ?? ['x86_64'])[0];
      return {
        id,
        functionName: String(p.FunctionName),
        memoryMb: num(p.MemorySize, 128),
        architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
        timeoutSeconds: num(p.Timeout, 3),
      };
    });

  const mappings: MappingFacts[] = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => {
    const p = props(r);
    const fn = p.FunctionName as { Ref?: string } | string;
    const poller = p.ProvisionedPollerConfig as Record<string, unknown> | undefined;
    return {
      functionId: typeof fn === 'string' ? fn : String(fn?.Ref),
      topic: String(((p.Topics as string[] | undefined) ?? [])[0]),
      batchSize: num(p.BatchSize, 100),
      batchingWindowSeconds: num(p.MaximumBatchingWindowInSeconds, 0),
      pollers: poller
        ? {
            minimum: num(poller.MinimumPollers, 1),
            maximum: num(poller.MaximumPollers, 200),
            group: poller.PollerGroupName === undefined ? undefined : String(poller.PollerGroupName),
          }
        : undefined,
    };
  });

  const tables = ofType('AWS::DynamoDB::Table').map(([id, r]) => ({
    id,
    billingMode: String(props(r).BillingMode ?? 'PROVISIONED'),
  }));

  const functionRetentions = ofType('AWS::Logs::LogGroup')
    .filter(([id]) => functions.some((f) => id.startsWith(`${f.id}LogGroup`)))
    .map(([, r]) => props(r).RetentionInDays)
    .filter((d): d is number => typeof d === 'number');

  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint')
    .filter(([, r]) => props(r).VpcEndpointType === 'Interface')
    .map(([id, r]) => ({ id, azs: ((props(r).SubnetIds as unknown[] | undefined) ?? []).length || 1 }));

  const stage_ = ofType('AWS::ApiGatewayV2::Stage')[0];
  const throttle = stage_
    ? (props(stage_[1]).DefaultRouteSettings as Record<string, unknown> | undefined)
    : undefined;

  return {
    stage,
    cluster,
    topics,
    functions,
    mappings,
    tables,
    logRetentionDays: functionRetentions.length > 0 ? Math.min(...functionRetentions) : undefined,
    interfaceEndpoints,
    natGateways: ofType('AWS::EC2::NatGateway').length,
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    apiThrottle:
      throttle && throttle.ThrottlingRateLimit !== undefined
        ? {
            rateLimit: num(throttle.ThrottlingRateLimit, 0),
            burstLimit: num(throttle.ThrottlingBurstLimit, 0),
          }
        : undefined,
  };
}
