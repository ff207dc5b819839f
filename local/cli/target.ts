import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { type Command, Option } from 'commander';
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel } from 'kafkajs';
import * as z from 'zod';
import { type KafkaConfig, kafkaJsOptions } from '../../shared/kafka/config';
import { DEFAULT_STATE_DIR } from '../http-api/jwt';
import { probeGuard } from '../instance-guard';
import { RUNTIME_LOCK } from '../runtime/instance-lock';
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
  brokers: '127.0.0.1:9092',
  apiUrl: 'http://127.0.0.1:3000',
  awsEndpoint: 'http://127.0.0.1:4577',
  localstackEndpoint: 'http://localhost:4566',
  localstackBrokers: 'localhost:9092',
  region: 'us-east-1',
  /** `CampusG-<stage>`: the prefix of the app's stack names (infra/campusg-app.ts). */
  stack: 'CampusG-dev',
} as const;

/**
 * The stack outputs the CLI reads, by what it uses them for, and the stack that exposes each: the app
 * deploys `CampusG-<stage>-Network|Messaging|Data|Services|Observability` (infra/campusg-app.ts, the
 * CfnOutputs in infra/stacks/). The one place these names live on the CLI side.
 */
export const STACK_OUTPUTS = {
  apiUrl: { stack: 'Services', output: 'ApiUrl' },
  clusterArn: { stack: 'Messaging', output: 'ClusterArn' },
} as const;

/** The app's stacks are `<prefix>-<suffix>` for these suffixes (infra/campusg-app.ts). */
export const APP_STACK_SUFFIXES = ['Network', 'Messaging', 'Data', 'Services', 'Observability'] as const;

/** `CampusG-dev-Services` -> `CampusG-dev`; a prefix is returned as it is. */
export function stackPrefixOf(nameOrPrefix: string): string {
  for (const suffix of APP_STACK_SUFFIXES) {
    if (nameOrPrefix.endsWith(`-${suffix}`)) return nameOrPrefix.slice(0, -suffix.length - 1);
  }
  return nameOrPrefix;
}

/** Each function's log group is the Services stack output `<ConstructId>LogGroupName`. */
export const LOG_GROUP_OUTPUT = { stack: 'Services', suffix: 'LogGroupName' } as const;

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

/** `<stateDir>/runtime.json`, written by the running local runtime. */
export const RuntimeInfo = z.object({
  pid: z.number().int(),
  startedAt: z.union([z.string(), z.number()]).optional(),
  endpoints: z.object({
    kafka: z.union([z.string(), z.array(z.string())]).optional(),
    http: z.string().optional(),
    aws: z.string().optional(),
    dynamodb: z.string().optional(),
  }),
  dataDir: z.string().optional(),
  /** Scheduler time scale, when the runtime reports it (`demo` uses it to tell whether a deadline can pass). */
  timeScale: z.number().positive().optional(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfo>;

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

export class Target {
  private runtimeCache: { info?: RuntimeInfo; problem?: string } | undefined;
  private readonly outputsCache = new Map<string, Promise<Record<string, string>>>();

  constructor(
    readonly kind: TargetKind,
    private readonly flags: TargetFlags,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly cwd: string = process.cwd(),
    private readonly mintLocalToken: LocalTokenMinter = defaultLocalTokenMinter,
  ) {}

  get stateDir(): string {
    return resolve(this.cwd, this.flags.stateDir ?? this.env.CAMPUSG_STATE_DIR ?? DEFAULTS.stateDir);
  }

  get runtimeFile(): string {
    return join(this.stateDir, 'runtime.json');
  }

  /** The running local runtime's info, or undefined (with `runtimeProblem()` saying why). */
  runtime(): RuntimeInfo | undefined {
    if (!this.runtimeCache) this.runtimeCache = readRuntimeInfo(this.runtimeFile);
    return this.runtimeCache.info;
  }

  runtimeProblem(): string | undefined {
    this.runtime();
    return this.runtimeCache?.problem;
  }

  /**
   * True when a runtime holds the state directory's lock (local/instance-guard): the OS drops that lock
   * when the runtime dies, so a runtime.json left by a crash, whose pid may now belong to another process,
   * never counts as running.
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

  /**
   * `CampusG-<stage>`, the prefix of the deployed stacks' names. A full stack name of the app
   * (`CampusG-dev-Services`) is taken for its prefix, so either spelling works.
   */
  stackPrefix(): string {
    return stackPrefixOf((this.flags.stack ?? this.env.CAMPUSG_STACK ?? DEFAULTS.stack).trim());
  }

  stackName(suffix: string): string {
    return `${this.stackPrefix()}-${suffix}`;
  }

  /** The AWS API endpoint for local and localstack; undefined for aws (the SDK's own resolution). */
  awsEndpoint(): Sourced<string> | undefined {
    if (this.kind === 'aws') return undefined;
    if (this.flags.awsEndpoint) return { value: this.flags.awsEndpoint, source: '--aws-endpoint' };
    if (this.env.CAMPUSG_AWS_ENDPOINT)
      return { value: this.env.CAMPUSG_AWS_ENDPOINT, source: 'CAMPUSG_AWS_ENDPOINT' };
    if (this.kind === 'localstack') {
      if (this.env.AWS_ENDPOINT_URL) return { value: this.env.AWS_ENDPOINT_URL, source: 'AWS_ENDPOINT_URL' };
      return { value: DEFAULTS.localstackEndpoint, source: 'default' };
    }
    const fromRuntime = this.runtime()?.endpoints.aws;
    if (fromRuntime) return { value: fromRuntime, source: this.runtimeFile };
    return { value: DEFAULTS.awsEndpoint, source: 'default' };
  }

  /** Client settings shared by every AWS SDK client the CLI makes for this target. */
  awsClientConfig(): {
    region: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } {
    quietSdkNotice();
    const region = this.region().value;
    const endpoint = this.awsEndpoint()?.value;
    if (this.kind === 'aws') return { region };
    // The local endpoint ignores signatures; LocalStack accepts any key. Use real keys when the user has some.
    const credentials =
      this.kind === 'localstack' && this.env.AWS_ACCESS_KEY_ID && this.env.AWS_SECRET_ACCESS_KEY
        ? undefined
        : {
            accessKeyId: this.kind === 'local' ? 'local' : 'test',
            secretAccessKey: this.kind === 'local' ? 'local' : 'test',
          };
    return { region, endpoint, ...(credentials ? { credentials } : {}) };
  }

  /** Outputs of one of the app's stacks (`<prefix>-<suffix>`); aws and localstack only. */
  stackOutputs(suffix: string): Promise<Record<string, string>> {
    if (this.kind === 'local') return Promise.resolve({});
    let pending = this.outputsCache.get(suffix);
    if (!pending) {
      pending = this.describeStack(this.stackName(suffix));
      this.outputsCache.set(suffix, pending);
    }
    return pending;
  }

  private async describeStack(name: string): Promise<Record<string, string>> {
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

  /** A stack output by role; undefined when the stack does not expose it. */
  async stackOutput(role: StackOutputRole): Promise<string | undefined> {
    const { stack, output } = STACK_OUTPUTS[role];
    return findOutput(await this.stackOutputs(stack), output);
  }

  /** Log group names the stack exposes for these construct ids (aws and localstack; [] locally). */
  async logGroupOutputs(constructIds: readonly string[]): Promise<string[]> {
    if (this.kind === 'local') return [];
    const outputs = await this.stackOutputs(LOG_GROUP_OUTPUT.stack);
    return constructIds
      .map((id) => findOutput(outputs, `${id}${LOG_GROUP_OUTPUT.suffix}`))
      .filter((g): g is string => g !== undefined);
  }

  /** Kafka settings for this target. */
  async kafkaSettings(clientId = 'campusg-cli'): Promise<KafkaSettings> {
    quietSdkNotice();
    const region = this.region().value;
    const fromFlagOrEnv = this.flags.brokers
      ? { value: this.flags.brokers, source: '--brokers' }
      : this.env.CAMPUSG_BROKERS
        ? { value: this.env.CAMPUSG_BROKERS, source: 'CAMPUSG_BROKERS' }
        : undefined;
    let config: KafkaConfig;
    let source: string;
    if (this.kind === 'local' || this.kind === 'localstack') {
      let chosen = fromFlagOrEnv;
      if (!chosen && this.kind === 'local') {
        const kafka = this.runtime()?.endpoints.kafka;
        if (kafka)
          chosen = { value: Array.isArray(kafka) ? kafka.join(',') : kafka, source: this.runtimeFile };
      }
      chosen ??= {
        value: this.kind === 'local' ? DEFAULTS.brokers : DEFAULTS.localstackBrokers,
        source: 'default',
      };
      config = { brokers: parseBrokers(chosen.value), auth: 'none', tls: false, region, clientId };
      source = chosen.source;
    } else if (fromFlagOrEnv) {
      // An explicit broker list on AWS is still MSK: IAM auth over TLS.
      config = { brokers: parseBrokers(fromFlagOrEnv.value), auth: 'iam', tls: true, region, clientId };
      source = fromFlagOrEnv.source;
    } else {
      const clusterArn = await this.stackOutput('clusterArn');
      if (!clusterArn) {
        throw new CliError(
          `stack ${this.stackName(STACK_OUTPUTS.clusterArn.stack)} has no ${STACK_OUTPUTS.clusterArn.output} output; pass --brokers instead`,
        );
      }
      config = { clusterArn, auth: 'iam', tls: true, region, clientId };
      source = `GetBootstrapBrokers(${clusterArn})`;
    }
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

  /** Base URL of the HTTP API (no trailing slash). */
  async apiUrl(): Promise<Sourced<string>> {
    const chosen = await this.apiUrlRaw();
    return { value: chosen.value.replace(/\/+$/, ''), source: chosen.source };
  }

  private async apiUrlRaw(): Promise<Sourced<string>> {
    if (this.flags.apiUrl) return { value: this.flags.apiUrl, source: '--api-url' };
    if (this.env.CAMPUSG_API_URL) return { value: this.env.CAMPUSG_API_URL, source: 'CAMPUSG_API_URL' };
    if (this.kind === 'local') {
      const http = this.runtime()?.endpoints.http;
      if (http) return { value: http, source: this.runtimeFile };
      return { value: DEFAULTS.apiUrl, source: 'default' };
    }
    const url = await this.stackOutput('apiUrl');
    if (!url) {
      throw new CliError(
        `stack ${this.stackName(STACK_OUTPUTS.apiUrl.stack)} has no ${STACK_OUTPUTS.apiUrl.output} output; pass --api-url`,
      );
    }
    return {
      value: url,
      source: `${this.stackName(STACK_OUTPUTS.apiUrl.stack)} output ${STACK_OUTPUTS.apiUrl.output}`,
    };
  }

  logsClient(): CloudWatchLogsClient {
    return new CloudWatchLogsClient(this.awsClientConfig());
  }

  /** A bearer token for calling the HTTP API as this user. */
  async bearerToken(role: Role, id: string): Promise<string> {
    const given = this.flags.token ?? this.env.CAMPUSG_TOKEN;
    if (given) return given;
    if (this.kind !== 'local') {
      throw new UsageError(
        `--target ${this.kind} needs a token for the HTTP API: pass --token <jwt> or set CAMPUSG_TOKEN (a Cognito id token)`,
      );
    }
    return this.mintLocalToken({
      sub: id,
      groups: [role === 'customer' ? 'customers' : 'runners'],
      stateDir: this.stateDir,
    });
  }
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
  if (!(TARGET_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown target ${JSON.stringify(kind)}: use one of ${TARGET_KINDS.join(', ')}`);
  }
  return new Target(kind as TargetKind, flags, env, cwd, mintLocalToken);
}

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

function readRuntimeInfo(file: string): { info?: RuntimeInfo; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${code}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: `${file} is not JSON` };
  }
  const parsed = RuntimeInfo.safeParse(json);
  if (!parsed.success)
    return { problem: `${file} is not a runtime description: ${parsed.error.issues[0]?.message}` };
  return { info: parsed.data };
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
