import { resolve } from 'node:path';
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { type Command, Option } from 'commander';
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel } from 'kafkajs';
import { Names, STACK_PARTS, type StackPart } from '#infra/catalogue';
import { DEFAULT_ENDPOINTS, DEFAULT_STATE_DIR, LOCALSTACK_DEFAULTS } from '#local/core/defaults';
import {
  RUNTIME_LOCK,
  type RuntimeFileRead,
  type RuntimeInfo,
  readRuntimeFile,
  runtimeFileOf,
} from '#local/core/state-file';
import { probeGuard } from '#local/instance-guard/index';
import { type KafkaConfig, kafkaJsOptions } from '#shared/kafka/config';
import { mintDevToken } from './local-token';
import { STATE_DIR_HELP } from './long-running';
import { CliError, UsageError } from './output';

/**
 * Where a `campusg` command points: the embedded runtime (`local`, the default), a deployed stack (`aws`)
 * or a stack on LocalStack (`localstack`). Every command that talks to the system takes the options
 * added by `addTargetOptions` and asks the resolved `Target` for Kafka, the HTTP API, CloudWatch Logs
 * and tokens; nothing else in the CLI knows which target it runs against.
 *
 * local:      flags > env (CAMPUSG_BROKERS, CAMPUSG_API_URL, CAMPUSG_AWS_ENDPOINT) > <state-dir>/runtime.json
 *             > defaults; Kafka plaintext; logs through the local AWS API endpoint; tokens minted locally.
 * aws:        stack outputs (DescribeStacks), brokers from GetBootstrapBrokers (SASL/IAM list), SASL
 *             OAUTHBEARER with the MSK IAM signer over TLS; real CloudWatch Logs; `--token` from Cognito.
 * localstack: like aws, AWS APIs at AWS_ENDPOINT_URL (default http://localhost:4566); Kafka plaintext from
 *             flag/env (the compose file's broker, default localhost:9092).
 */

export const TARGET_KINDS = ['local', 'aws', 'localstack'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const DEFAULTS = {
  stateDir: DEFAULT_STATE_DIR,
  brokers: DEFAULT_ENDPOINTS.kafka,
  apiUrl: DEFAULT_ENDPOINTS.http,
  awsEndpoint: DEFAULT_ENDPOINTS.aws,
  localstackEndpoint: LOCALSTACK_DEFAULTS.endpoint,
  localstackBrokers: LOCALSTACK_DEFAULTS.kafkaBrokers,
  region: 'us-east-1',
  /** `CampusG-<stage>`: the prefix of the app's stack names (infra/catalogue.ts), stage `dev`. */
  stack: new Names('dev').stackPrefix,
} as const;

/**
 * The stack outputs the CLI reads, by what it uses them for, and the stack that exposes each: the app
 * deploys `CampusG-<stage>-Network|Messaging|Data|Services|Observability` (infra/campusg-app.ts, the
 * CfnOutputs in infra/stacks/). The one place these names live on the CLI side.
 */
export const STACK_OUTPUTS = {
  apiUrl: { stack: 'Services', output: 'ApiUrl' },
  clusterArn: { stack: 'Messaging', output: 'ClusterArn' },
} as const satisfies Record<string, { stack: StackPart; output: string }>;

/** `CampusG-dev-Services` -> `CampusG-dev`; a prefix is returned as it is. */
export function stackPrefixOf(nameOrPrefix: string): string {
  for (const part of STACK_PARTS) {
    if (nameOrPrefix.endsWith(`-${part}`)) return nameOrPrefix.slice(0, -part.length - 1);
  }
  return nameOrPrefix;
}

/** Each function's log group is the Services stack output `<ConstructId>LogGroupName`. */
export const LOG_GROUP_OUTPUT = { stack: 'Services', suffix: 'LogGroupName' } as const satisfies {
  stack: StackPart;
  suffix: string;
};

export type StackOutputRole = keyof typeof STACK_OUTPUTS;

/** The options every target-aware command accepts (commander camel-cases them). */
export interface TargetFlags {
  readonly target?: string;
  readonly stateDir?: string;
  readonly brokers?: string;
  readonly apiUrl?: string;
  readonly awsEndpoint?: string;
  readonly region?: string;
  readonly stack?: string;
  readonly token?: string;
}

/** Adds the target options to a command. They are per command so `campusg <cmd> --target aws` works. */
export function addTargetOptions(cmd: Command, opts: { token?: boolean } = {}): Command {
  // Usage errors propagate to main(), which exits 2 for them (commander itself would exit 1).
  cmd
    .exitOverride()
    .addOption(
      new Option('--target <target>', 'where the system runs')
        .choices(TARGET_KINDS)
        .default('local')
        .env('CAMPUSG_TARGET'),
    )
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--brokers <list>', 'Kafka bootstrap brokers, comma separated (env CAMPUSG_BROKERS)')
    .option('--api-url <url>', 'base URL of the HTTP API (env CAMPUSG_API_URL)')
    .option(
      '--aws-endpoint <url>',
      'AWS API endpoint for local/localstack (env CAMPUSG_AWS_ENDPOINT, AWS_ENDPOINT_URL for localstack)',
    )
    .option('--region <region>', `AWS region (default: $AWS_REGION or ${DEFAULTS.region})`)
    .option(
      '--stack <prefix>',
      `stack name prefix CampusG-<stage>; outputs come from <prefix>-Services and <prefix>-Messaging (default: $CAMPUSG_STACK or ${DEFAULTS.stack})`,
    );
  if (opts.token) {
    cmd.option('--token <jwt>', 'bearer token for the HTTP API, e.g. from Cognito (env CAMPUSG_TOKEN)');
  }
  return cmd;
}

/** A resolved value and where it came from, for reports (`doctor`) and tests. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

/** What a command needs to reach Kafka, as settings plus the kafkajs options built from them. */
export interface KafkaSettings {
  readonly config: KafkaConfig;
  readonly source: string;
  /** kafkajs client options; `brokers` is a function for clusters whose brokers come from GetBootstrapBrokers. */
  readonly options: KafkaJsConfig;
}

export type Role = 'customer' | 'runner';

/** Mints a dev token for the local target. Loaded lazily so only commands that need it pay for it. */
export type LocalTokenMinter = (input: {
  sub: string;
  groups: string[];
  stateDir: string;
}) => Promise<string>;

/** The client settings every AWS SDK client the CLI makes for a target shares. */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * What a command asks of the system it talks to. One implementation per target kind (`LocalTarget`,
 * `AwsTarget`, `LocalStackTarget`, registered in `TARGETS`). Commands look at `kind` only for what one
 * target alone has (the local runtime's runtime.json, its time scale) and for wording.
 */
export interface Target {
  readonly kind: TargetKind;
  /** The state directory (runtime.json, dev-token key): flag > CAMPUSG_STATE_DIR > `.campusg`. */
  readonly stateDir: string;
  readonly runtimeFile: string;
  /** The running local runtime's info, or undefined (with `runtimeProblem()` saying why). */
  runtime(): RuntimeInfo | undefined;
  runtimeProblem(): string | undefined;
  /** True when a runtime holds the state directory's lock (a runtime.json left by a crash never counts). */
  runtimeAlive(): Promise<boolean>;
  region(): Sourced<string>;
  /** `CampusG-<stage>`, the prefix of the deployed stacks' names. */
  stackPrefix(): string;
  stackName(part: StackPart): string;
  /** The AWS API endpoint for local and localstack; undefined for aws (the SDK's own resolution). */
  awsEndpoint(): Sourced<string> | undefined;
  awsClientConfig(): AwsClientConfig;
  /** Outputs of one of the app's stacks; `{}` locally. */
  stackOutputs(part: StackPart): Promise<Record<string, string>>;
  /** A stack output by role; undefined when the stack does not expose it. */
  stackOutput(role: StackOutputRole): Promise<string | undefined>;
  /** Log group names the stack exposes for these construct ids (aws and localstack; [] locally). */
  logGroupOutputs(constructIds: readonly string[]): Promise<string[]>;
  kafkaSettings(clientId?: string): Promise<KafkaSettings>;
  kafka(clientId?: string): Promise<Kafka>;
  /** Base URL of the HTTP API (no trailing slash). */
  apiUrl(): Promise<Sourced<string>>;
  logsClient(): CloudWatchLogsClient;
  /** A bearer token for calling the HTTP API as this user. */
  bearerToken(role: Role, id: string): Promise<string>;
}

/** The resolution every target shares: flags, then env, then what the target kind supplies. */
abstract class BaseTarget implements Target {
  abstract readonly kind: TargetKind;
  private runtimeCache: RuntimeFileRead | undefined;

  constructor(
    protected readonly flags: TargetFlags,
    protected readonly env: NodeJS.ProcessEnv,
    protected readonly cwd: string,
  ) {}

  get stateDir(): string {
    return resolve(this.cwd, this.flags.stateDir ?? this.env.CAMPUSG_STATE_DIR ?? DEFAULTS.stateDir);
  }

  get runtimeFile(): string {
    return runtimeFileOf(this.stateDir);
  }

  runtime(): RuntimeInfo | undefined {
    if (!this.runtimeCache) this.runtimeCache = readRuntimeFile(this.runtimeFile);
    return this.runtimeCache.info;
  }

  runtimeProblem(): string | undefined {
    this.runtime();
    return this.runtimeCache?.problem;
  }

  /**
   * The OS drops the lock (local/instance-guard) when the runtime dies, so a runtime.json left by a crash,
   * whose pid may now belong to another process, never counts as running.
   */
  async runtimeAlive(): Promise<boolean> {
    return (await probeGuard(this.stateDir, RUNTIME_LOCK)).state === 'running';
  }

  region(): Sourced<string> {
    if (this.flags.region) return { value: this.flags.region, source: '--region' };
    if (this.env.AWS_REGION) return { value: this.env.AWS_REGION, source: 'AWS_REGION' };
    if (this.env.AWS_DEFAULT_REGION)
      return { value: this.env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
    return { value: DEFAULTS.region, source: 'default' };
  }

  /** A full stack name of the app (`CampusG-dev-Services`) is taken for its prefix, so either spelling works. */
  stackPrefix(): string {
    return stackPrefixOf((this.flags.stack ?? this.env.CAMPUSG_STACK ?? DEFAULTS.stack).trim());
  }

  stackName(part: StackPart): string {
    return `${this.stackPrefix()}-${part}`;
  }

  /** `--aws-endpoint` or CAMPUSG_AWS_ENDPOINT, which local and localstack honour. */
  protected awsEndpointFlagOrEnv(): Sourced<string> | undefined {
    if (this.flags.awsEndpoint) return { value: this.flags.awsEndpoint, source: '--aws-endpoint' };
    if (this.env.CAMPUSG_AWS_ENDPOINT)
      return { value: this.env.CAMPUSG_AWS_ENDPOINT, source: 'CAMPUSG_AWS_ENDPOINT' };
    return undefined;
  }

  abstract awsEndpoint(): Sourced<string> | undefined;

  awsClientConfig(): AwsClientConfig {
    quietSdkNotice();
    const region = this.region().value;
    const endpoint = this.awsEndpoint()?.value;
    const credentials = this.awsCredentials();
    return {
      region,
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    };
  }

  /** Fixed credentials for an emulator, or undefined for the SDK's own chain. */
  protected abstract awsCredentials(): AwsClientConfig['credentials'];

  abstract stackOutputs(part: StackPart): Promise<Record<string, string>>;

  async stackOutput(role: StackOutputRole): Promise<string | undefined> {
    const { stack, output } = STACK_OUTPUTS[role];
    return findOutput(await this.stackOutputs(stack), output);
  }

  abstract logGroupOutputs(constructIds: readonly string[]): Promise<string[]>;

  /** `--brokers` or CAMPUSG_BROKERS. */
  protected brokersFlagOrEnv(): Sourced<string> | undefined {
    if (this.flags.brokers) return { value: this.flags.brokers, source: '--brokers' };
    if (this.env.CAMPUSG_BROKERS) return { value: this.env.CAMPUSG_BROKERS, source: 'CAMPUSG_BROKERS' };
    return undefined;
  }

  /** This target's Kafka client settings before the CLI's kafkajs options are added. */
  protected abstract kafkaConfig(
    region: string,
    clientId: string,
  ): Promise<{ config: KafkaConfig; source: string }>;

  async kafkaSettings(clientId = 'campusg-cli'): Promise<KafkaSettings> {
    quietSdkNotice();
    const { config, source } = await this.kafkaConfig(this.region().value, clientId);
    return {
      config,
      source,
      options: kafkaJsOptions(config, {
        // A CLI should fail fast and speak for itself: no kafkajs log lines, few retries.
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: 15000,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
      }),
    };
  }

  async kafka(clientId?: string): Promise<Kafka> {
    return new Kafka((await this.kafkaSettings(clientId)).options);
  }

  async apiUrl(): Promise<Sourced<string>> {
    const chosen = (await this.apiUrlFlagOrEnv()) ?? (await this.apiUrlFallback());
    return { value: chosen.value.replace(/\/+$/, ''), source: chosen.source };
  }

  private async apiUrlFlagOrEnv(): Promise<Sourced<string> | undefined> {
    if (this.flags.apiUrl) return { value: this.flags.apiUrl, source: '--api-url' };
    if (this.env.CAMPUSG_API_URL) return { value: this.env.CAMPUSG_API_URL, source: 'CAMPUSG_API_URL' };
    return undefined;
  }

  /** The API URL when neither flag nor env names one. */
  protected abstract apiUrlFallback(): Promise<Sourced<string>>;

  logsClient(): CloudWatchLogsClient {
    // Required here, not imported at the top: evaluating an AWS SDK client costs a short command (`topics
    // list`, `orders get`) tens of milliseconds it does not need (issue 18).
    const { CloudWatchLogsClient } =
      require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
    return new CloudWatchLogsClient(this.awsClientConfig());
  }

  async bearerToken(role: Role, id: string): Promise<string> {
    return this.flags.token ?? this.env.CAMPUSG_TOKEN ?? this.tokenFallback(role, id);
  }

  /** A token when neither `--token` nor CAMPUSG_TOKEN gives one. */
  protected abstract tokenFallback(role: Role, id: string): Promise<string>;
}

/** The embedded runtime: endpoints from flags, env, runtime.json, then the defaults; tokens minted locally. */
export class LocalTarget extends BaseTarget {
  readonly kind = 'local';

  constructor(
    flags: TargetFlags,
    env: NodeJS.ProcessEnv,
    cwd: string,
    private readonly mintLocalToken: LocalTokenMinter = defaultLocalTokenMinter,
  ) {
    super(flags, env, cwd);
  }

  awsEndpoint(): Sourced<string> {
    const given = this.awsEndpointFlagOrEnv();
    if (given) return given;
    const fromRuntime = this.runtime()?.endpoints.aws;
    if (fromRuntime) return { value: fromRuntime, source: this.runtimeFile };
    return { value: DEFAULTS.awsEndpoint, source: 'default' };
  }

  /** The local endpoint ignores signatures. */
  protected awsCredentials(): AwsClientConfig['credentials'] {
    return { accessKeyId: 'local', secretAccessKey: 'local' };
  }

  stackOutputs(): Promise<Record<string, string>> {
    return Promise.resolve({});
  }

  async logGroupOutputs(): Promise<string[]> {
    return [];
  }

  protected async kafkaConfig(region: string, clientId: string) {
    let chosen = this.brokersFlagOrEnv();
    if (!chosen) {
      const kafka = this.runtime()?.endpoints.kafka;
      if (kafka) chosen = { value: Array.isArray(kafka) ? kafka.join(',') : kafka, source: this.runtimeFile };
    }
    chosen ??= { value: DEFAULTS.brokers, source: 'default' };
    return { config: plaintextKafka(chosen.value, region, clientId), source: chosen.source };
  }

  protected async apiUrlFallback(): Promise<Sourced<string>> {
    const http = this.runtime()?.endpoints.http;
    if (http) return { value: http, source: this.runtimeFile };
    return { value: DEFAULTS.apiUrl, source: 'default' };
  }

  protected tokenFallback(role: Role, id: string): Promise<string> {
    return this.mintLocalToken({
      sub: id,
      groups: [role === 'customer' ? 'customers' : 'runners'],
      stateDir: this.stateDir,
    });
  }
}

/** A deployed stack (aws, localstack): outputs from DescribeStacks, tokens given by the user. */
abstract class StackTarget extends BaseTarget {
  private readonly outputsCache = new Map<string, Promise<Record<string, string>>>();

  stackOutputs(part: StackPart): Promise<Record<string, string>> {
    let pending = this.outputsCache.get(part);
    if (!pending) {
      pending = this.describeStack(this.stackName(part));
      this.outputsCache.set(part, pending);
    }
    return pending;
  }

  private async describeStack(name: string): Promise<Record<string, string>> {
    const { CloudFormationClient, DescribeStacksCommand } =
      require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
    const client = new CloudFormationClient(this.awsClientConfig());
    let out: DescribeStacksCommandOutput;
    try {
      out = await client.send(new DescribeStacksCommand({ StackName: name }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/does not exist/i.test(message)) {
        throw new CliError(
          `stack ${name} does not exist in ${this.region().value} (${this.kind}); pass --stack CampusG-<stage> or set CAMPUSG_STACK`,
          1,
          { cause: err },
        );
      }
      throw new CliError(`cannot read stack ${name} (${this.kind}): ${message}`, 1, { cause: err });
    } finally {
      client.destroy();
    }
    const outputs: Record<string, string> = {};
    for (const output of out.Stacks?.[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue !== undefined)
        outputs[output.OutputKey] = output.OutputValue;
    }
    return outputs;
  }

  async logGroupOutputs(constructIds: readonly string[]): Promise<string[]> {
    const outputs = await this.stackOutputs(LOG_GROUP_OUTPUT.stack);
    return constructIds
      .map((id) => findOutput(outputs, `${id}${LOG_GROUP_OUTPUT.suffix}`))
      .filter((g): g is string => g !== undefined);
  }

  protected async apiUrlFallback(): Promise<Sourced<string>> {
    const url = await this.stackOutput('apiUrl');
    const where = this.stackName(STACK_OUTPUTS.apiUrl.stack);
    if (!url)
      throw new CliError(`stack ${where} has no ${STACK_OUTPUTS.apiUrl.output} output; pass --api-url`);
    return { value: url, source: `${where} output ${STACK_OUTPUTS.apiUrl.output}` };
  }

  protected tokenFallback(): Promise<string> {
    return Promise.reject(
      new UsageError(
        `--target ${this.kind} needs a token for the HTTP API: pass --token <jwt> or set CAMPUSG_TOKEN (a Cognito id token)`,
      ),
    );
  }
}

/** A deployed stack on AWS: the SDK's endpoints and credentials; MSK IAM over TLS. */
export class AwsTarget extends StackTarget {
  readonly kind = 'aws';

  awsEndpoint(): undefined {
    return undefined;
  }

  protected awsCredentials(): undefined {
    return undefined;
  }

  protected async kafkaConfig(region: string, clientId: string) {
    const given = this.brokersFlagOrEnv();
    // An explicit broker list on AWS is still MSK: IAM auth over TLS.
    if (given) {
      const config: KafkaConfig = {
        brokers: parseBrokers(given.value),
        auth: 'iam',
        tls: true,
        region,
        clientId,
      };
      return { config, source: given.source };
    }
    const clusterArn = await this.stackOutput('clusterArn');
    if (!clusterArn) {
      throw new CliError(
        `stack ${this.stackName(STACK_OUTPUTS.clusterArn.stack)} has no ${STACK_OUTPUTS.clusterArn.output} output; pass --brokers instead`,
      );
    }
    const config: KafkaConfig = { clusterArn, auth: 'iam', tls: true, region, clientId };
    return { config, source: `GetBootstrapBrokers(${clusterArn})` };
  }
}

/** A stack on LocalStack: AWS APIs at its endpoint, Kafka plaintext (the compose file's broker). */
export class LocalStackTarget extends StackTarget {
  readonly kind = 'localstack';

  awsEndpoint(): Sourced<string> {
    const given = this.awsEndpointFlagOrEnv();
    if (given) return given;
    if (this.env.AWS_ENDPOINT_URL) return { value: this.env.AWS_ENDPOINT_URL, source: 'AWS_ENDPOINT_URL' };
    return { value: DEFAULTS.localstackEndpoint, source: 'default' };
  }

  /** LocalStack accepts any key; the user's real keys are used when there are some. */
  protected awsCredentials(): AwsClientConfig['credentials'] {
    if (this.env.AWS_ACCESS_KEY_ID && this.env.AWS_SECRET_ACCESS_KEY) return undefined;
    return { accessKeyId: 'test', secretAccessKey: 'test' };
  }

  protected async kafkaConfig(region: string, clientId: string) {
    const chosen = this.brokersFlagOrEnv() ?? { value: DEFAULTS.localstackBrokers, source: 'default' };
    return { config: plaintextKafka(chosen.value, region, clientId), source: chosen.source };
  }
}

function plaintextKafka(brokers: string, region: string, clientId: string): KafkaConfig {
  return { brokers: parseBrokers(brokers), auth: 'none', tls: false, region, clientId };
}

/** The SDK's "node >= 22 from 2027" notice is noise in a CLI's output; the project supports node 20. */
function quietSdkNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Resolves a command's target options into a Target. */
export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  mintLocalToken?: LocalTokenMinter,
): Target {
  const kind = flags.target ?? env.CAMPUSG_TARGET ?? 'local';
  if (!Object.hasOwn(TARGETS, kind)) {
    throw new UsageError(`unknown target ${JSON.stringify(kind)}: use one of ${TARGET_KINDS.join(', ')}`);
  }
  return TARGETS[kind as TargetKind](flags, env, cwd, mintLocalToken);
}

/** One implementation per target kind. */
const TARGETS: Record<
  TargetKind,
  (flags: TargetFlags, env: NodeJS.ProcessEnv, cwd: string, mintLocalToken?: LocalTokenMinter) => Target
> = {
  local: (flags, env, cwd, mintLocalToken) => new LocalTarget(flags, env, cwd, mintLocalToken),
  aws: (flags, env, cwd) => new AwsTarget(flags, env, cwd),
  localstack: (flags, env, cwd) => new LocalStackTarget(flags, env, cwd),
};

export function parseBrokers(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim().replace(/^[a-z]+:\/\//i, ''))
    .filter(Boolean);
  if (brokers.length === 0) throw new UsageError('no Kafka brokers given: expected host:port[,host:port...]');
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(b)) {
      throw new UsageError(`bad Kafka broker ${JSON.stringify(b)}: expected host:port`);
    }
  }
  return brokers;
}

/** An output by name: exact key, else an export name or a CDK-hashed key (`ApiUrl` -> `OrderApiApiUrl1A2B3C4D`). */
export function findOutput(outputs: Readonly<Record<string, string>>, name: string): string | undefined {
  if (outputs[name] !== undefined) return outputs[name];
  const hashed = new RegExp(`${name}(?:[0-9A-F]{8})?$`);
  const key = Object.keys(outputs).find((k) => hashed.test(k));
  return key === undefined ? undefined : outputs[key];
}

const defaultLocalTokenMinter: LocalTokenMinter = async ({ sub, groups, stateDir }) => {
  return mintDevToken({ sub, groups, stateDir });
};
