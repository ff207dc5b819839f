import { CLUSTER_RESOURCE } from '../authorizer';
import { type Cluster, DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_MS } from '../cluster';
import { ErrorCode } from '../protocol/error-codes';
import { TOPIC_CONFIGS, topicConfigDefinition } from '../topic-configs';
import { defineApi } from './types';

/**
 * DescribeConfigs (key 32), versions 0-2.
 *
 * Request: resources [resource_type int8, resource_name string, configuration_keys nullable[string]],
 *   v1+: include_synonyms bool
 * Response: throttle_time_ms int32, results [error_code int16, error_message nullable string,
 *   resource_type int8, resource_name string,
 *   configs [name string, value nullable string, read_only bool, v0: is_default bool, v1+: config_source int8,
 *            is_sensitive bool, v1+: synonyms [name string, value nullable string, source int8]]]
 *
 * Topics (type 2) report every topic config Kafka 3.9 knows (topic-configs.ts) with its value and source
 * (1 = set on the topic, 5 = default); asked-for names filter the list. The broker (type 4, name "" or its
 * id) reports its main settings. Synonyms are always empty. Other resource types get INVALID_REQUEST.
 */
const TOPIC = 2;
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
}

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly configSource: number;
  readonly isSensitive: boolean;
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
    const entries = TOPIC_CONFIGS.map((def) => {
      const value = given[def.name] ?? actual[def.name] ?? def.defaultValue;
      const set = Object.hasOwn(given, def.name) || value !== def.defaultValue;
      return entry(def.name, value, set ? SOURCE_DYNAMIC_TOPIC : SOURCE_DEFAULT);
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
  maxVersion: 2,
  decode(r, version) {
    const resources = r.array((r) => ({
      resourceType: r.int8(),
      resourceName: r.string(),
      configurationKeys: r.nullableArray((r) => r.string()),
    }));
    return { resources, includeSynonyms: version >= 1 ? r.bool() : false };
  },
  encode(w, res, version) {
    w.int32(res.throttleTimeMs);
    w.array(res.results, (w, result) => {
      w.int16(result.errorCode).nullableString(result.errorMessage);
      w.int8(result.resourceType).string(result.resourceName);
      w.array(result.configs, (w, c) => {
        w.string(c.name).nullableString(c.value).bool(c.readOnly);
        if (version === 0) w.bool(c.configSource === SOURCE_DEFAULT);
        else w.int8(c.configSource);
        w.bool(c.isSensitive);
        if (version >= 1) w.int32(0); // synonyms: none
      });
    });
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
