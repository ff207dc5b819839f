/**
 * Every choice a user may want to change, read from CDK context (`cdk.json` or `-c key=value`).
 *
 * Each field documents its context key and default; `readConfig` validates them all at once and throws one
 * error listing every problem. The defaults are also the values the README's cost table is computed for.
 */
import type { Construct } from 'constructs';
import { DEFAULT_ACCEPT_TIMEOUT_SECONDS, DEFAULT_PAYMENT_LIMIT_CENTS } from '#shared/wiring/defaults';
import { checkAzIds } from './availability-zones';

export type ClusterMode = 'provisioned' | 'serverless';
export type EsmMode = 'provisioned' | 'on-demand';
export type RemovalMode = 'destroy' | 'retain';
export type DeployProfile = 'aws' | 'localstack';

export interface CampusgConfig {
  /** `stage`: prefix of every physical name (`campusg-<stage>-...`) and of the stack names. Default `dev`. */
  readonly stage: string;
  /** `profile`: `aws` (default). `localstack` applies the LocalStack profile after the app is built (infra/profiles/localstack.ts). */
  readonly profile: DeployProfile;
  /** `clusterMode`: `provisioned` MSK (default) or `serverless` MSK (topics made by a custom resource). */
  readonly clusterMode: ClusterMode;
  /** `kafkaVersion`: MSK provisioned Kafka version, >= 3.6. Default `3.8.x` (MSK's recommended version). */
  readonly kafkaVersion: string;
  /** `brokerInstanceType`: MSK broker size. Default `kafka.m7g.large` (t3.small throttles IAM-auth connections). */
  readonly brokerInstanceType: string;
  /**
   * `availabilityZoneIds`: comma-separated AZ IDs (not names) of the subnets, e.g. `use1-az1,use1-az2,use1-az4`;
   * 2 or 3 zones. Default: the deployment region's entry in infra/availability-zones.ts (three zones MSK accepts).
   */
  readonly availabilityZoneIds: readonly string[];
  /** `brokerCount`: number of brokers, a multiple of the number of zones (3 by default). Default 3. */
  readonly brokerCount: number;
  /** `brokerStorageGiB`: EBS volume per broker. Default 20. */
  readonly brokerStorageGiB: number;
  /** `replicationFactor`: topic replication factor (provisioned mode). Default 3. */
  readonly replicationFactor: number;
  /** `minInsyncReplicas`: `min.insync.replicas` of the brokers. Default 2. */
  readonly minInsyncReplicas: number;
  /**
   * `esmMode`: `provisioned` (default: poller group, bounded retries, bisect, Kafka on-failure destination,
   * no VPC endpoints for Lambda/STS needed) or `on-demand` (no poller cost; dead letters only via the
   * handlers' own dead-letter path; needs Lambda and STS interface endpoints).
   */
  readonly esmMode: EsmMode;
  /** `pollerGroupName`: the poller group every provisioned-mode ESM shares. Default `campusg-<stage>`. */
  readonly pollerGroupName: string;
  /** `minimumPollers` / `maximumPollers`: provisioned pollers per ESM. Defaults 1 and 2. */
  readonly minimumPollers: number;
  readonly maximumPollers: number;
  /** `batchSize`: records per invocation. Default 100. */
  readonly batchSize: number;
  /** `batchingWindowSeconds`: maximum batching window; 0 (default) is what AWS documents for low latency. */
  readonly batchingWindowSeconds: number;
  /** `retryAttempts`: ESM retries of a failing batch before the on-failure destination (provisioned mode). Default 3. */
  readonly retryAttempts: number;
  /** `orderAcceptTimeoutSeconds`: how long an order waits for a runner before it times out. Default 900. */
  readonly orderAcceptTimeoutSeconds: number;
  /** `paymentLimitCents`: the simulated provider declines orders above this. Default 50000. */
  readonly paymentLimitCents: number;
  /** `logRetentionDays`: retention of every log group (a CloudWatch Logs retention value). Default 14. */
  readonly logRetentionDays: number;
  /** `logLevel`: `POWERTOOLS_LOG_LEVEL` of every function. Default `INFO`. */
  readonly logLevel: string;
  /** `removalPolicy`: `destroy` or `retain` tables and log groups on stack deletion. Default `retain` for stage `prod`, else `destroy`. */
  readonly removalPolicy: RemovalMode;
  /** `corsOrigins`: comma-separated allowed origins for the HTTP API; empty (default) disables CORS. */
  readonly corsOrigins: readonly string[];
  /** `jwtIssuer` + `jwtAudience` (comma-separated): use an external identity provider instead of the stack's Cognito user pool. */
  readonly jwtIssuer?: string;
  readonly jwtAudience: readonly string[];
  /**
   * `jwtRolesClaim`: the claim of the configured issuer's tokens that lists the caller's roles (`customers`,
   * `runners`). Default `cognito:groups` with the stack's user pool; required with `jwtIssuer`.
   */
  readonly jwtRolesClaim: string;
  /** `selfSignUp`: let anyone create an account in the Cognito user pool. Default false (admins create users). */
  readonly selfSignUp: boolean;
  /**
   * `authCallbackUrls` / `authLogoutUrls` (comma-separated https URLs, or http://localhost): the Cognito app
   * client's OAuth redirect URLs (authorization code grant only). Default none: OAuth off, sign-in through
   * the SRP API flow only.
   */
  readonly authCallbackUrls: readonly string[];
  readonly authLogoutUrls: readonly string[];
  /** `alarmEmail`: an address the alarm topic mails (confirm the subscription e-mail once). Default none. */
  readonly alarmEmail?: string;
  /** `apiRateLimit` / `apiBurstLimit`: HTTP API stage throttling. Defaults 50 requests/s and 100. */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** `natGateways`: NAT gateways (with public subnets) for general egress. Default 0: VPC endpoints only. */
  readonly natGateways: number;
  /** `functionMemoryMb`: memory of every function. Default 512. */
  readonly functionMemoryMb: number;
}

export const LOG_RETENTION_VALUES = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Context keys this app reads; anything else under a similar name is probably a typo. */
export const CONTEXT_KEYS = [
  'stage',
  'profile',
  'clusterMode',
  'kafkaVersion',
  'brokerInstanceType',
  'availabilityZoneIds',
  'brokerCount',
  'brokerStorageGiB',
  'replicationFactor',
  'minInsyncReplicas',
  'esmMode',
  'pollerGroupName',
  'minimumPollers',
  'maximumPollers',
  'batchSize',
  'batchingWindowSeconds',
  'retryAttempts',
  'orderAcceptTimeoutSeconds',
  'paymentLimitCents',
  'logRetentionDays',
  'logLevel',
  'removalPolicy',
  'corsOrigins',
  'jwtIssuer',
  'jwtAudience',
  'jwtRolesClaim',
  'selfSignUp',
  'authCallbackUrls',
  'authLogoutUrls',
  'alarmEmail',
  'apiRateLimit',
  'apiBurstLimit',
  'natGateways',
  'functionMemoryMb',
] as const;

type Raw = (key: string) => unknown;

/** Reads and validates the configuration from a construct's context. */
export function readConfig(scope: Construct): CampusgConfig {
  return parseConfig((key) => scope.node.tryGetContext(key));
}

/** Parses raw context values (strings from `-c`, or JSON values from cdk.json); throws one error listing every problem. */
export function parseConfig(raw: Raw): CampusgConfig {
  const problems: string[] = [];

  const str = (key: string, fallback: string): string => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v !== 'string') {
      problems.push(`${key} must be a string, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, fallback: T, allowed: readonly T[]): T => {
    const v = str(key, fallback);
    if (!allowed.includes(v as T)) {
      problems.push(`${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as T;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    problems.push(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return fallback;
  };
  const list = (key: string): string[] => {
    const v = raw(key);
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v !== 'string') {
      problems.push(`${key} must be a comma-separated string or a list, got ${JSON.stringify(v)}`);
      return [];
    }
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  };

  const stage = str('stage', 'dev');
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
    problems.push(
      `stage must be 1-16 lowercase letters, digits or dashes starting with a letter, got ${JSON.stringify(stage)}`,
    );
  }
  const kafkaVersion = str('kafkaVersion', '3.8.x');
  const m = /^(\d+)\.(\d+)/.exec(kafkaVersion);
  if (!m || Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 6)) {
    problems.push(
      `kafkaVersion must be 3.6 or newer (e.g. 3.8.x, 3.9.x), got ${JSON.stringify(kafkaVersion)}`,
    );
  }
  const brokerInstanceType = str('brokerInstanceType', 'kafka.m7g.large');
  if (!brokerInstanceType.startsWith('kafka.')) {
    problems.push(
      `brokerInstanceType must be an MSK broker type such as kafka.m7g.large, got ${JSON.stringify(brokerInstanceType)}`,
    );
  }
  const availabilityZoneIds = list('availabilityZoneIds');
  const brokerCount = int('brokerCount', 3, 2, 30);
  const zones = availabilityZoneIds.length || 3;
  if (availabilityZoneIds.length > 0) problems.push(...checkAzIds(availabilityZoneIds, brokerCount));
  else if (brokerCount % zones !== 0)
    problems.push(
      `brokerCount must be a multiple of the ${zones} zones (one subnet each), got ${brokerCount}`,
    );
  const replicationFactor = int('replicationFactor', 3, 1, 3);
  if (replicationFactor > brokerCount) {
    problems.push(`replicationFactor (${replicationFactor}) cannot exceed brokerCount (${brokerCount})`);
  }
  const minInsyncReplicas = int('minInsyncReplicas', 2, 1, 3);
  if (minInsyncReplicas > replicationFactor) {
    problems.push(
      `minInsyncReplicas (${minInsyncReplicas}) cannot exceed replicationFactor (${replicationFactor})`,
    );
  }
  const minimumPollers = int('minimumPollers', 1, 1, 200);
  const maximumPollers = int('maximumPollers', 2, 1, 2000);
  if (minimumPollers > maximumPollers) {
    problems.push(`minimumPollers (${minimumPollers}) cannot exceed maximumPollers (${maximumPollers})`);
  }
  const logRetentionDays = int('logRetentionDays', 14, 1, 3653);
  if (!LOG_RETENTION_VALUES.includes(logRetentionDays)) {
    problems.push(
      `logRetentionDays must be one of ${LOG_RETENTION_VALUES.join(', ')}, got ${logRetentionDays}`,
    );
  }
  const jwtIssuerRaw = str('jwtIssuer', '');
  const jwtAudience = list('jwtAudience');
  if (jwtIssuerRaw && !jwtIssuerRaw.startsWith('https://')) {
    problems.push(`jwtIssuer must be an https:// URL, got ${JSON.stringify(jwtIssuerRaw)}`);
  }
  if (Boolean(jwtIssuerRaw) !== jwtAudience.length > 0) {
    problems.push(
      'jwtIssuer and jwtAudience go together: set both (external identity provider) or neither (Cognito)',
    );
  }
  const jwtRolesClaim = str('jwtRolesClaim', '');
  if (jwtIssuerRaw && !jwtRolesClaim) {
    problems.push(
      'jwtIssuer needs jwtRolesClaim: name the claim your identity provider puts the roles (customers, runners) in, e.g. -c jwtRolesClaim=groups',
    );
  }
  const urls = (key: string): string[] => {
    const values = list(key);
    for (const u of values) {
      if (!/^https:\/\/[^\s]+$/.test(u) && !/^http:\/\/localhost(:\d+)?(\/[^\s]*)?$/.test(u)) {
        problems.push(`${key} entries must be https:// URLs (or http://localhost), got ${JSON.stringify(u)}`);
      }
    }
    return values;
  };
  const authCallbackUrls = urls('authCallbackUrls');
  const authLogoutUrls = urls('authLogoutUrls');
  if (jwtIssuerRaw && authCallbackUrls.length + authLogoutUrls.length > 0) {
    problems.push(
      "authCallbackUrls and authLogoutUrls configure the stack's Cognito app client; with jwtIssuer set the redirect URLs at your identity provider",
    );
  }
  if (authLogoutUrls.length > 0 && authCallbackUrls.length === 0) {
    problems.push('authLogoutUrls needs authCallbackUrls (OAuth is off without callback URLs)');
  }
  const alarmEmail = str('alarmEmail', '');
  if (alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`alarmEmail must be an e-mail address, got ${JSON.stringify(alarmEmail)}`);
  }
  const corsOrigins = list('corsOrigins');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
      problems.push(
        `corsOrigins entries must be origins like https://app.example.com (no path), got ${JSON.stringify(origin)}`,
      );
    }
  }

  const config: CampusgConfig = {
    stage,
    profile: oneOf<DeployProfile>('profile', 'aws', ['aws', 'localstack']),
    clusterMode: oneOf<ClusterMode>('clusterMode', 'provisioned', ['provisioned', 'serverless']),
    kafkaVersion,
    brokerInstanceType,
    availabilityZoneIds,
    brokerCount,
    brokerStorageGiB: int('brokerStorageGiB', 20, 1, 16384),
    replicationFactor,
    minInsyncReplicas,
    esmMode: oneOf<EsmMode>('esmMode', 'provisioned', ['provisioned', 'on-demand']),
    pollerGroupName: str('pollerGroupName', `campusg-${stage}`),
    minimumPollers,
    maximumPollers,
    batchSize: int('batchSize', 100, 1, 10000),
    batchingWindowSeconds: int('batchingWindowSeconds', 0, 0, 300),
    retryAttempts: int('retryAttempts', 3, 0, 10),
    orderAcceptTimeoutSeconds: int(
      'orderAcceptTimeoutSeconds',
      DEFAULT_ACCEPT_TIMEOUT_SECONDS,
      60,
      7 * 24 * 3600,
    ),
    paymentLimitCents: int('paymentLimitCents', DEFAULT_PAYMENT_LIMIT_CENTS, 1, 100_000_000),
    logRetentionDays,
    logLevel: oneOf('logLevel', 'INFO', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']),
    removalPolicy: oneOf<RemovalMode>('removalPolicy', stage === 'prod' ? 'retain' : 'destroy', [
      'destroy',
      'retain',
    ]),
    corsOrigins,
    jwtIssuer: jwtIssuerRaw || undefined,
    jwtAudience,
    jwtRolesClaim: jwtRolesClaim || 'cognito:groups',
    selfSignUp: bool('selfSignUp', false),
    authCallbackUrls,
    authLogoutUrls,
    alarmEmail: alarmEmail || undefined,
    apiRateLimit: int('apiRateLimit', 50, 1, 10000),
    apiBurstLimit: int('apiBurstLimit', 100, 1, 5000),
    natGateways: int('natGateways', 0, 0, 3),
    functionMemoryMb: int('functionMemoryMb', 512, 128, 10240),
  };

  if (problems.length > 0) {
    throw new Error(`invalid CampusG context (cdk.json or -c):\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
