/**
 * Reads the synthesized cloud assembly (cdk.out) into a `LocalAppModel`: the artifact `cdk deploy` would
 * deploy, with every intrinsic resolved to local names. Also decides whether cdk.out is stale and runs
 * `cdk synth` when it is.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type CfnResource,
  type CfnTemplate,
  DEFAULT_LOCAL_REGION,
  type ExportResolver,
  IntrinsicResolver,
  LOCAL_ACCOUNT_ID,
  physicalName,
} from './intrinsics';
import type {
  LocalAppModel,
  LocalEventSourceMapping,
  LocalFunction,
  LocalRoute,
  LocalSubscriptionFilter,
  LocalTable,
  LocalTopic,
} from './types';

interface ManifestArtifact {
  type: string;
  environment?: string;
  properties?: {
    templateFile?: string;
    stackName?: string;
    directoryName?: string;
    parameters?: Record<string, string>;
  };
  dependencies?: string[];
  displayName?: string;
}

interface Manifest {
  artifacts?: Record<string, ManifestArtifact>;
}

export interface AssemblyStack {
  readonly artifactId: string;
  readonly stackName: string;
  readonly region: string;
  /** Folder of the (possibly nested) assembly holding the template and assets. */
  readonly dir: string;
  readonly template: CfnTemplate;
}

export interface ReadAssemblyOptions {
  readonly assemblyDir: string;
  /** Region used when the stack is environment-agnostic; default AWS_REGION or us-east-1. */
  readonly region?: string;
}

/** Files and folders whose change makes cdk.out stale. */
export const SYNTH_INPUTS = ['infra', 'functions', 'shared', 'cdk.json', 'package-lock.json'];

function newestMtime(p: string): { mtimeMs: number; file?: string } {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return { mtimeMs: 0 };
  }
  if (!st.isDirectory()) return { mtimeMs: st.mtimeMs, file: p };
  let best: { mtimeMs: number; file?: string } = { mtimeMs: 0 };
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry === 'cdk.out' || entry.startsWith('.')) continue;
    const sub = newestMtime(path.join(p, entry));
    if (sub.mtimeMs > best.mtimeMs) best = sub;
  }
  return best;
}

/** Whether cdk.out must be synthesized again: no manifest, or a synth input newer than the manifest. */
export function assemblyStaleness(cwd: string, assemblyDir: string): { stale: boolean; reason: string } {
  const manifest = path.join(assemblyDir, 'manifest.json');
  let manifestMtime: number;
  try {
    manifestMtime = fs.statSync(manifest).mtimeMs;
  } catch {
    return { stale: true, reason: `${path.relative(cwd, manifest) || manifest} does not exist` };
  }
  for (const input of SYNTH_INPUTS) {
    const newest = newestMtime(path.join(cwd, input));
    if (newest.mtimeMs > manifestMtime) {
      return {
        stale: true,
        reason: `${path.relative(cwd, newest.file ?? input)} changed after the last synth`,
      };
    }
  }
  return { stale: false, reason: 'up to date' };
}

export interface EnsureAssemblyOptions {
  readonly cwd: string;
  readonly assemblyDir: string;
  /** false: never synthesize (fail when cdk.out is missing). */
  readonly synth?: boolean;
  /** Where synth progress goes (default: inherit this process's stdio). */
  readonly output?: 'inherit' | 'ignore' | 'pipe';
  readonly log?: (line: string) => void;
}

/** Synthesizes when cdk.out is stale (`npx cdk synth --quiet`), then checks that a manifest exists. */
export async function ensureAssembly(options: EnsureAssemblyOptions): Promise<{ synthesized: boolean }> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const { stale, reason } = assemblyStaleness(options.cwd, options.assemblyDir);
  if (!stale) return { synthesized: false };
  if (options.synth === false) {
    if (fs.existsSync(path.join(options.assemblyDir, 'manifest.json'))) {
      log(`cdk.out is stale (${reason}); using it anyway (--no-synth)`);
      return { synthesized: false };
    }
    throw new Error(
      `no cloud assembly at ${options.assemblyDir} and --no-synth was given; run npx cdk synth`,
    );
  }
  log(`synthesizing the cloud assembly (${reason}): npx cdk synth --quiet`);
  const started = Date.now();
  await runSynth(options.cwd, options.assemblyDir, options.output ?? 'inherit');
  log(`synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { synthesized: true };
}

/** Lines `cdk synth` prints that are about the CLI, not about this project's synthesis. */
const CDK_NOISE = [/^Supply a stack id/, /feature flags are not configured/, /^\s*$/];

function runSynth(cwd: string, assemblyDir: string, output: 'inherit' | 'ignore' | 'pipe'): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['cdk', 'synth', '--quiet'];
    if (path.resolve(assemblyDir) !== path.resolve(cwd, 'cdk.out')) args.push('--output', assemblyDir);
    // 'inherit' is piped too, so that cdk's hints that mean nothing to a user of `npm start` can be dropped.
    const child = spawn('npx', args, {
      cwd,
      stdio: output === 'ignore' ? ['ignore', 'ignore', 'ignore'] : ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let captured = '';
    const collect = (d: Buffer) => {
      captured += d;
      if (output !== 'inherit') return;
      const text = String(d)
        .split('\n')
        .filter((line) => !CDK_NOISE.some((noise) => noise.test(line)))
        .join('\n');
      if (text.trim()) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) {
        // cdk writes the manifest before bundling finishes on some versions; touch it so it is newer than inputs.
        const manifest = path.join(assemblyDir, 'manifest.json');
        if (fs.existsSync(manifest)) {
          const now = new Date();
          fs.utimesSync(manifest, now, now);
        }
        resolve();
      } else
        reject(
          new Error(
            `cdk synth failed with exit code ${code}${captured ? `:\n${captured.slice(-4000)}` : ''}`,
          ),
        );
    });
  });
}

/** Every CloudFormation stack of the assembly (nested assemblies of stages included), dependencies first. */
export function readStacks(options: ReadAssemblyOptions): AssemblyStack[] {
  const defaultRegion =
    options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_LOCAL_REGION;
  const stacks: AssemblyStack[] = [];
  const visit = (dir: string) => {
    const manifestPath = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestPath))
      throw new Error(`no cloud assembly manifest at ${manifestPath}; run npx cdk synth`);
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
    const artifacts = manifest.artifacts ?? {};
    const ordered: string[] = [];
    const seen = new Set<string>();
    const order = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const dep of artifacts[id]?.dependencies ?? []) if (artifacts[dep]) order(dep);
      ordered.push(id);
    };
    for (const id of Object.keys(artifacts)) order(id);
    for (const id of ordered) {
      const a = artifacts[id]!;
      if (a.type === 'cdk:cloud-assembly' && a.properties?.directoryName) {
        visit(path.join(dir, a.properties.directoryName));
      } else if (a.type === 'aws:cloudformation:stack' && a.properties?.templateFile) {
        const template = JSON.parse(
          fs.readFileSync(path.join(dir, a.properties.templateFile), 'utf8'),
        ) as CfnTemplate;
        const envRegion = /^aws:\/\/[^/]+\/(.+)$/.exec(a.environment ?? '')?.[1];
        const region = envRegion && envRegion !== 'unknown-region' ? envRegion : defaultRegion;
        stacks.push({ artifactId: id, stackName: a.properties.stackName ?? id, region, dir, template });
      }
    }
  };
  visit(path.resolve(options.assemblyDir));
  return stacks;
}

function asNumber(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

function lastConstructId(logicalId: string, res: CfnResource): string {
  const cdkPath = res.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath === 'string') {
    const parts = cdkPath.split('/').slice(1);
    while (parts.length > 1 && (parts.at(-1) === 'Resource' || parts.at(-1) === 'Default')) parts.pop();
    if (parts.length > 0) return parts.at(-1)!;
  }
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** The function ARN inside an API Gateway integration URI, or the value itself when it is one. */
function functionArnFromUri(uri: string): string {
  const m = /functions\/(arn:aws[^/]*:lambda:[^/]+)\/invocations/.exec(uri);
  return m ? m[1]! : uri;
}

function configsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === 'string' && v.trim() !== '') {
    // AWS::MSK::Topic `Configs`: a JSON object, Base64-encoded (plain JSON accepted too)
    for (const text of [Buffer.from(v, 'base64').toString('utf8'), v]) {
      try {
        return configsOf(JSON.parse(text));
      } catch {
        // not this encoding
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    for (const item of v as Record<string, unknown>[]) {
      const key = item.Key ?? item.Name ?? item.key ?? item.name;
      const value = item.Value ?? item.value;
      if (key !== undefined && value !== undefined) out[String(key)] = String(value);
    }
  } else if (v && typeof v === 'object') {
    for (const [k, val] of Object.entries(v)) out[k] = String(val);
  }
  return out;
}

/** Reads cdk.out into the model the local runtime runs. */
export function readAssembly(options: ReadAssemblyOptions): LocalAppModel {
  const stacks = readStacks(options);
  if (stacks.length === 0) throw new Error(`the cloud assembly at ${options.assemblyDir} holds no stack`);

  const resolvers = new Map<string, IntrinsicResolver>();
  const exportSources = new Map<string, { stack: AssemblyStack; value: unknown }>();
  for (const stack of stacks) {
    for (const [, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Export?.Name !== undefined) {
        // Export names are usually literals or Sub over the stack name; resolve them with a bare resolver.
        const name = new IntrinsicResolver({
          stackName: stack.stackName,
          region: stack.region,
          template: stack.template,
        }).resolveString(output.Export.Name);
        exportSources.set(name, { stack, value: output.Value });
      }
    }
  }
  const resolving = new Set<string>();
  const exports: ExportResolver = {
    importValue(name) {
      const src = exportSources.get(name);
      if (!src) throw new Error(`Fn::ImportValue: no stack exports ${name}`);
      if (resolving.has(name)) throw new Error(`Fn::ImportValue: circular export ${name}`);
      resolving.add(name);
      try {
        return resolverOf(src.stack).resolveString(src.value, `Export(${name})`);
      } finally {
        resolving.delete(name);
      }
    },
  };
  const resolverOf = (stack: AssemblyStack) => {
    let r = resolvers.get(stack.artifactId);
    if (!r) {
      r = new IntrinsicResolver({
        stackName: stack.stackName,
        region: stack.region,
        template: stack.template,
        exports,
      });
      resolvers.set(stack.artifactId, r);
    }
    return r;
  };

  const functions: LocalFunction[] = [];
  const tables: LocalTable[] = [];
  const topics = new Map<string, LocalTopic>();
  const esms: LocalEventSourceMapping[] = [];
  const routes: LocalRoute[] = [];
  const subscriptionFilters: LocalSubscriptionFilter[] = [];
  const scheduleGroups: string[] = [];
  const outputs: Record<string, string> = {};

  for (const stack of stacks) {
    const r = resolverOf(stack);
    const resources = stack.template.Resources ?? {};
    const active = (res: CfnResource) => !res.Condition || r.evaluateCondition(res.Condition);

    for (const [logicalId, res] of Object.entries(resources)) {
      if (!active(res)) continue;
      const props = res.Properties ?? {};
      const at = (p: string) => `${stack.stackName}.${logicalId}.${p}`;
      switch (res.Type) {
        case 'AWS::Lambda::Function': {
          const assetRel = res.Metadata?.['aws:asset:path'];
          if (typeof assetRel !== 'string') {
            // Inline code (custom resource providers and the like) has no bundle to run locally.
            if ((props.Code as Record<string, unknown> | undefined)?.ZipFile !== undefined) continue;
            throw new Error(`function ${logicalId} in ${stack.stackName} has no aws:asset:path metadata`);
          }
          const functionName = r.ref(logicalId);
          const env = (r.resolve(
            (props.Environment as Record<string, unknown> | undefined)?.Variables ?? {},
            at('Environment'),
          ) ?? {}) as Record<string, unknown>;
          const logging = r.resolve(props.LoggingConfig ?? {}, at('LoggingConfig')) as Record<
            string,
            unknown
          >;
          functions.push({
            logicalId,
            constructId: lastConstructId(logicalId, res),
            functionName,
            arn: r.getAtt(logicalId, 'Arn'),
            assetPath: path.resolve(stack.dir, assetRel),
            handler:
              props.Handler !== undefined ? r.resolveString(props.Handler, at('Handler')) : 'index.handler',
            environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
            logGroupName:
              typeof logging.LogGroup === 'string' ? logging.LogGroup : `/aws/lambda/${functionName}`,
            timeoutSeconds: asNumber(r.resolve(props.Timeout), 3),
            memoryMb: asNumber(r.resolve(props.MemorySize), 128),
            runtime: props.Runtime !== undefined ? r.resolveString(props.Runtime) : undefined,
            logFormat: logging.LogFormat === 'JSON' ? 'JSON' : 'Text',
          });
          break;
        }
        case 'AWS::DynamoDB::Table':
        case 'AWS::DynamoDB::GlobalTable': {
          const resolved = r.resolve(props, at('Properties')) as Record<string, unknown>;
          tables.push({
            logicalId,
            tableName: r.ref(logicalId),
            properties: { ...resolved, TableName: r.ref(logicalId) },
          });
          break;
        }
        case 'Custom::CampusgKafkaTopics': {
          // MSK Serverless: one custom resource with `Topics: [{ Name, Partitions, Configs }]`
          const p = r.resolve(props, at('Properties')) as { Topics?: Record<string, unknown>[] };
          for (const t of p.Topics ?? []) {
            if (typeof t.Name !== 'string') continue;
            topics.set(t.Name, {
              name: t.Name,
              partitions: asNumber(t.Partitions, 1),
              configs: configsOf(t.Configs),
            });
          }
          break;
        }
        case 'AWS::MSK::Topic':
        case 'Custom::KafkaTopic':
        case 'Custom::MskTopic': {
          const p = r.resolve(props, at('Properties')) as Record<string, unknown>;
          const name = p.TopicName ?? p.Name ?? p.Topic;
          if (typeof name !== 'string') break;
          topics.set(name, {
            name,
            partitions: asNumber(
              p.NumPartitions ?? p.PartitionCount ?? p.Partitions ?? p.NumberOfPartitions,
              1,
            ),
            configs: configsOf(p.Configs ?? p.Config ?? p.TopicConfigs ?? p.Configurations),
          });
          break;
        }
        case 'AWS::Lambda::EventSourceMapping': {
          const p = r.resolve(props, at('Properties')) as Record<string, unknown>;
          const topicsProp = (p.Topics as string[] | undefined) ?? [];
          if (topicsProp.length === 0) break; // not a Kafka mapping
          const kafkaCfg = (p.AmazonManagedKafkaEventSourceConfig ??
            p.SelfManagedKafkaEventSourceConfig ??
            {}) as Record<string, unknown>;
          const destination = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)
            ?.OnFailure?.Destination;
          const fnRef = String(p.FunctionName);
          const functionArn = fnRef.startsWith('arn:')
            ? fnRef.split(':').slice(0, 7).join(':')
            : `arn:aws:lambda:${stack.region}:${LOCAL_ACCOUNT_ID}:function:${fnRef}`;
          const maxRetry = asNumber(p.MaximumRetryAttempts, -1);
          esms.push({
            logicalId,
            functionArn,
            topic: topicsProp[0]!,
            consumerGroupId:
              typeof kafkaCfg.ConsumerGroupId === 'string'
                ? kafkaCfg.ConsumerGroupId
                : physicalName(stack.stackName, logicalId),
            batchSize: asNumber(p.BatchSize, 100),
            maximumBatchingWindowInSeconds: asNumber(p.MaximumBatchingWindowInSeconds, 0),
            startingPosition: p.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
            maximumRetryAttempts: maxRetry,
            bisectBatchOnFunctionError:
              p.BisectBatchOnFunctionError === true || p.BisectBatchOnFunctionError === 'true',
            onFailureDestination: typeof destination === 'string' ? destination : undefined,
            enabled: p.Enabled !== false && p.Enabled !== 'false',
            maximumRecordAgeInSeconds: asNumber(p.MaximumRecordAgeInSeconds, -1),
            functionResponseTypes: Array.isArray(p.FunctionResponseTypes)
              ? (p.FunctionResponseTypes as unknown[]).map(String)
              : [],
            filterPatterns: (
              ((p.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? []) as {
                Pattern?: unknown;
              }[]
            )
              .map((f) => (typeof f.Pattern === 'string' ? f.Pattern : JSON.stringify(f.Pattern)))
              .filter((pattern) => pattern !== undefined),
            metrics: Array.isArray((p.MetricsConfig as { Metrics?: unknown } | undefined)?.Metrics)
              ? ((p.MetricsConfig as { Metrics: unknown[] }).Metrics.map(String) as string[])
              : [],
          });
          break;
        }
        case 'AWS::ApiGatewayV2::Route': {
          const p = r.resolve(props, at('Properties')) as Record<string, unknown>;
          const target = typeof p.Target === 'string' ? p.Target : '';
          const integrationId = target.replace(/^integrations\//, '');
          const integration = resources[integrationId];
          if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') break;
          const ip = r.resolve(integration.Properties ?? {}, `${stack.stackName}.${integrationId}`) as Record<
            string,
            unknown
          >;
          const uri = typeof ip.IntegrationUri === 'string' ? ip.IntegrationUri : '';
          let jwtAuthorizer: LocalRoute['jwtAuthorizer'];
          const authType = String(p.AuthorizationType ?? 'NONE');
          if (authType === 'JWT' && typeof p.AuthorizerId === 'string') {
            const auth = resources[p.AuthorizerId];
            if (auth?.Type === 'AWS::ApiGatewayV2::Authorizer') {
              const ap = r.resolve(auth.Properties ?? {}, `${stack.stackName}.${p.AuthorizerId}`) as Record<
                string,
                unknown
              >;
              const jwt = (ap.JwtConfiguration ?? {}) as { Audience?: string[]; Issuer?: string };
              jwtAuthorizer = {
                name: String(ap.Name ?? p.AuthorizerId),
                issuer: jwt.Issuer,
                audience: jwt.Audience ?? [],
                identitySource: (ap.IdentitySource as string[] | undefined) ?? [
                  '$request.header.Authorization',
                ],
              };
            }
          }
          routes.push({
            routeKey: String(p.RouteKey),
            functionArn: functionArnFromUri(uri),
            authorizationType: authType === 'JWT' ? 'JWT' : 'NONE',
            jwtAuthorizer,
            authorizationScopes: (p.AuthorizationScopes as string[] | undefined) ?? undefined,
            payloadFormatVersion:
              typeof ip.PayloadFormatVersion === 'string' ? ip.PayloadFormatVersion : '2.0',
          });
          break;
        }
        case 'AWS::Logs::SubscriptionFilter': {
          const p = r.resolve(props, at('Properties')) as Record<string, unknown>;
          subscriptionFilters.push({
            logGroupName: String(p.LogGroupName),
            destinationArn: String(p.DestinationArn),
            filterPattern: typeof p.FilterPattern === 'string' ? p.FilterPattern : '',
            filterName:
              typeof p.FilterName === 'string' ? p.FilterName : physicalName(stack.stackName, logicalId, 512),
          });
          break;
        }
        case 'AWS::Scheduler::ScheduleGroup':
          scheduleGroups.push(r.ref(logicalId));
          break;
        default:
          break;
      }
    }

    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Condition && !r.evaluateCondition(output.Condition)) continue;
      try {
        outputs[name] = r.resolveString(output.Value, `${stack.stackName}.Outputs.${name}`);
      } catch {
        // an output the local runtime cannot express (a list, an unsupported attribute) is left out
      }
    }
  }

  // Topics the mappings use but the template does not declare (e.g. created by the cluster on first use).
  for (const esm of esms) {
    for (const t of [esm.topic, esm.onFailureDestination?.replace(/^kafka:\/\//, '')]) {
      if (t && !t.startsWith('arn:') && !topics.has(t))
        topics.set(t, { name: t, partitions: 1, configs: {} });
    }
  }

  return {
    region: stacks[0]!.region,
    accountId: LOCAL_ACCOUNT_ID,
    functions,
    tables,
    topics: [...topics.values()],
    eventSourceMappings: esms,
    routes,
    subscriptionFilters,
    scheduleGroups,
    outputs,
  };
}

/** Finds a function by ARN (with or without qualifier), name, logical id or construct id. */
export function findFunction(
  model: Pick<LocalAppModel, 'functions'>,
  ref: string,
): LocalFunction | undefined {
  const unqualified =
    ref.startsWith('arn:') && ref.split(':').length > 7 ? ref.split(':').slice(0, 7).join(':') : ref;
  return model.functions.find(
    (f) => f.arn === unqualified || f.functionName === ref || f.logicalId === ref || f.constructId === ref,
  );
}
