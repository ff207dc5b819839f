import { CLUSTER_RESOURCE } from '../authorizer';
import { type Cluster, DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_MS } from '../cluster';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { TOPIC_CONFIGS, topicConfigDefinition } from '../topic-configs';
import { defineApi } from './types';

/**
 * DescribeConfigs (key 32), versions 0-4 (flexible from v4).
 *
 * Request: resources [resource_type int8, resource_name string, configuration_keys nullable[string]],
 *   v1+: include_synonyms bool, v3+: include_documentation bool
 * Response: throttle_time_ms int32, results [error_code int16, error_message nullable string,
 *   resource_type int8, resource_name string,
 *   configs [name string, value nullable string, read_only bool, v0: is_default bool, v1+: config_source int8,
 *            is_sensitive bool, v1+: synonyms [name string, value nullable string, source int8],
 *            v3+: config_type int8, documentation nullable string]]
 * v4: compact encodings and tag sections.
 *
 * Topics (type 2) report every topic config Kafka 3.9 knows (topic-configs.ts) with its value and source
 * (1 = set on the topic, 5 = default); asked-for names filter the list. The broker (type 4, name "" or its
 * id) reports its main settings. Synonyms are always empty and documentation null. The config type (v3+)
 * is Kafka's code (1 boolean, 2 string, 3 int, 5 long, 6 double, 7 list) for topic configs, 0 (unknown)
 * for the broker's. Other resource types get INVALID_REQUEST.
 */
const FLEXIBLE = 4;
const TOPIC = 2;
const CONFIG_TYPE: Readonly<Record<string, number>> = {
  boolean: 1,
  string: 2,
  choice: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
};
const BROKER = 4;
const SOURCE_DYNAMIC_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;

export interface DescribeConfigsRequest {
  readonly resources: readonly {
    resourceType: number;
    resourceName: string;
    configurationKeys: readonly string[] | null;
  }[];
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly configSource: number;
  readonly isSensitive: boolean;
  /** v3+: Kafka's ConfigType code. @default 0 (unknown) */
  readonly configType?: number;
}

export interface DescribeConfigsResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly ConfigEntry[];
}

export interface DescribeConfigsResponse {
  readonly throttleTimeMs: number;
  readonly results: readonly DescribeConfigsResult[];
}

function entry(name: string, value: string, configSource: number, readOnly = false): ConfigEntry {
  return { name, value, readOnly, configSource, isSensitive: false };
}

function configsOf(cluster: Cluster, resourceType: number, resourceName: string): ConfigEntry[] | number {
  if (resourceType === TOPIC) {
    const topic = cluster.topic(resourceName);
    if (!topic) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const given = topic.configs;
    const actual: Record<string, string> = {
      'retention.ms': String(topic.retentionMs),
      'retention.bytes': String(topic.retentionBytes),
    };
    const entries = TOPIC_CONFIGS.map((def): ConfigEntry => {
      const value = given[def.name] ?? actual[def.name] ?? def.defaultValue;
      const set = Object.hasOwn(given, def.name) || value !== def.defaultValue;
      return {
        ...entry(def.name, value, set ? SOURCE_DYNAMIC_TOPIC : SOURCE_DEFAULT),
        configType: CONFIG_TYPE[def.rule.kind] ?? 0,
      };
    });
    for (const [name, value] of Object.entries(given)) {
      if (!topicConfigDefinition(name)) entries.push(entry(name, value, SOURCE_DYNAMIC_TOPIC));
    }
    return entries;
  }
  if (resourceType === BROKER) {
    if (resourceName !== '' && resourceName !== String(cluster.nodeId)) return ErrorCode.INVALID_REQUEST;
    const { options } = cluster;
    const fixed = (name: string, value: string) => entry(name, value, SOURCE_STATIC_BROKER, true);
    const byDefault = (name: string, value: string) => entry(name, value, SOURCE_DEFAULT, true);
    return [
      fixed('broker.id', String(options.nodeId)),
      fixed('node.id', String(options.nodeId)),
      fixed('num.partitions', String(options.defaultPartitions)),
      fixed('auto.create.topics.enable', String(options.autoCreateTopics)),
      fixed('default.replication.factor', '1'),
      fixed('offsets.topic.replication.factor', '1'),
      fixed('transaction.state.log.replication.factor', '1'),
      fixed('advertised.listeners', `PLAINTEXT://${cluster.advertisedHost}:${cluster.advertisedPort}`),
      byDefault('log.retention.ms', String(DEFAULT_RETENTION_MS)),
      byDefault('log.retention.hours', '168'),
      byDefault('log.retention.bytes', String(DEFAULT_RETENTION_BYTES)),
      byDefault('log.segment.bytes', '1073741824'),
      byDefault('log.cleanup.policy', 'delete'),
      byDefault('message.max.bytes', '1048588'),
      byDefault('min.insync.replicas', '1'),
      byDefault('compression.type', 'producer'),
      byDefault('group.initial.rebalance.delay.ms', '0'),
      byDefault('group.min.session.timeout.ms', '6000'),
      byDefault('group.max.session.timeout.ms', '300000'),
      byDefault('delete.topic.enable', 'true'),
    ];
  }
  return ErrorCode.INVALID_REQUEST;
}

export const describeConfigs = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  key: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const resources = f.structs((f) => ({
      resourceType: f.int8(),
      resourceName: f.string(),
      configurationKeys: f.nullableArray((f) => f.string()),
    }));
    const includeSynonyms = version >= 1 ? f.bool() : false;
    const includeDocumentation = version >= 3 ? f.bool() : false;
    f.tags();
    return { resources, includeSynonyms, includeDocumentation };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    f.int32(res.throttleTimeMs);
    f.structs(res.results, (f, result) => {
      f.int16(result.errorCode).nullableString(result.errorMessage);
      f.int8(result.resourceType).string(result.resourceName);
      f.structs(result.configs, (f, c) => {
        f.string(c.name).nullableString(c.value).bool(c.readOnly);
        if (version === 0) f.bool(c.configSource === SOURCE_DEFAULT);
        else f.int8(c.configSource);
        f.bool(c.isSensitive);
        if (version >= 1) f.structs([], () => {}); // synonyms: none
        if (version >= 3) f.int8(c.configType ?? 0).nullableString(null);
      });
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((resource): DescribeConfigsResult => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        const isTopic = resource.resourceType === TOPIC;
        const target = isTopic
          ? { type: 'topic' as const, name: resource.resourceName }
          : { type: 'cluster' as const, name: CLUSTER_RESOURCE };
        if (!allowed('DescribeConfigs', target)) {
          return {
            ...base,
            errorCode: isTopic
              ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
              : ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
            errorMessage: `not authorized to describe the configs of ${resource.resourceName}`,
            configs: [],
          };
        }
        const found = configsOf(cluster, resource.resourceType, resource.resourceName);
        if (typeof found === 'number') {
          return {
            ...base,
            errorCode: found,
            errorMessage: `cannot describe ${resource.resourceName}`,
            configs: [],
          };
        }
        const keys = resource.configurationKeys;
        const configs = keys === null ? found : found.filter((c) => keys.includes(c.name));
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => ({
        errorCode,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      })),
    };
  },
});
