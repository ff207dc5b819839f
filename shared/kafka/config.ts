import type { KafkaClient } from '@aws-sdk/client-kafka';
import { Kafka, type KafkaConfig as KafkaJsConfig, type logCreator, logLevel } from 'kafkajs';
import { createLogger } from '#shared/logging';
import { KafkaConfigError } from './errors';
import { mskIamTokenProvider } from './iam';

export type KafkaAuth = 'iam' | 'none';

export interface KafkaConfig {
  /** Bootstrap brokers; when set, they win over `clusterArn`. */
  readonly brokers?: readonly string[];
  /** MSK cluster ARN: brokers come from GetBootstrapBrokers (the SASL/IAM list when auth is iam). */
  readonly clusterArn?: string;
  readonly auth: KafkaAuth;
  readonly tls: boolean;
  readonly region?: string;
  readonly clientId: string;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes'].includes(v.toLowerCase());

/**
 * Reads the Kafka settings every function gets from its environment (docs/conventions.md):
 * KAFKA_BROKERS, MSK_CLUSTER_ARN, KAFKA_AUTH (iam|none; iam by default with a cluster ARN), KAFKA_TLS.
 */
export function kafkaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const brokers = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const clusterArn = env.MSK_CLUSTER_ARN || undefined;
  const auth = (env.KAFKA_AUTH ?? (brokers?.length ? 'none' : clusterArn ? 'iam' : 'none')) as string;
  if (auth !== 'iam' && auth !== 'none') {
    throw new KafkaConfigError(`KAFKA_AUTH must be "iam" or "none", not ${JSON.stringify(auth)}`);
  }
  if (!brokers?.length && !clusterArn) {
    throw new KafkaConfigError(
      'no Kafka brokers configured: set KAFKA_BROKERS (host:port,...) or MSK_CLUSTER_ARN',
    );
  }
  return {
    brokers: brokers?.length ? brokers : undefined,
    clusterArn,
    auth,
    tls: env.KAFKA_TLS !== undefined ? truthy(env.KAFKA_TLS) : auth === 'iam',
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    clientId: env.AWS_LAMBDA_FUNCTION_NAME ?? env.CAMPUSG_SERVICE ?? 'campusg',
  };
}

const brokerCache = new Map<string, Promise<string[]>>();

/** Bootstrap brokers for a config: the given list, or GetBootstrapBrokers for the cluster (cached per process). */
export function resolveBrokers(config: KafkaConfig, client?: KafkaClient): Promise<string[]> {
  if (config.brokers?.length) return Promise.resolve([...config.brokers]);
  const arn = config.clusterArn;
  if (!arn) return Promise.reject(new KafkaConfigError('neither brokers nor an MSK cluster ARN given'));
  const cacheKey = `${arn}|${config.auth}|${config.tls}`;
  let pending = brokerCache.get(cacheKey);
  if (!pending) {
    // Loaded here, not at module scope: functions given KAFKA_BROKERS never need the MSK API client.
    const sdk: typeof import('@aws-sdk/client-kafka') = require('@aws-sdk/client-kafka');
    const kafka = client ?? new sdk.KafkaClient({ region: config.region });
    pending = kafka.send(new sdk.GetBootstrapBrokersCommand({ ClusterArn: arn })).then((out) => {
      const list =
        config.auth === 'iam'
          ? (out.BootstrapBrokerStringSaslIam ?? out.BootstrapBrokerStringPublicSaslIam)
          : config.tls
            ? out.BootstrapBrokerStringTls
            : out.BootstrapBrokerString;
      if (!list) {
        throw new KafkaConfigError(
          `cluster ${arn} has no bootstrap brokers for auth=${config.auth} tls=${config.tls}`,
        );
      }
      return list.split(',').map((b) => b.trim());
    });
    // A failed lookup is not cached: the next invocation asks again.
    pending.catch(() => brokerCache.delete(cacheKey));
    brokerCache.set(cacheKey, pending);
  }
  return pending;
}

/** Builds the kafkajs client options for a config (brokers resolved lazily, IAM auth when asked). */
export function kafkaJsOptions(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): KafkaJsConfig {
  if (config.auth === 'iam' && !config.region) {
    throw new KafkaConfigError('MSK IAM auth needs a region: set AWS_REGION');
  }
  return {
    clientId: config.clientId,
    brokers: () => resolveBrokers(config),
    ssl: config.tls,
    sasl:
      config.auth === 'iam'
        ? { mechanism: 'oauthbearer', oauthBearerProvider: mskIamTokenProvider(config.region!) }
        : undefined,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator: powertoolsLogCreator,
    ...overrides,
  };
}

/** Routes kafkajs' own log lines through the service's Powertools logger, so they are JSON like the rest. */
const powertoolsLogCreator: logCreator = () => {
  const logger = createLogger(undefined, { logger: 'kafkajs' });
  return ({ level, log }) => {
    const { message, ...extra } = log;
    if (level === logLevel.ERROR) logger.error(message, extra);
    else if (level === logLevel.WARN) logger.warn(message, extra);
    else if (level === logLevel.INFO) logger.info(message, extra);
    else logger.debug(message, extra);
  };
};

export function createKafka(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): Kafka {
  return new Kafka(kafkaJsOptions(config, overrides));
}
