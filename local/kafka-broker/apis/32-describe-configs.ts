import type { Cluster } from '../cluster';
import { ErrorCode } from '../protocol/error-codes';
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
 * Topics (type 2) report retention and the configs given at creation; the broker (type 4) a few of its
 * settings. Synonyms are always empty. Other resource types get INVALID_REQUEST.
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
    const source = (name: string) => (name in given ? SOURCE_DYNAMIC_TOPIC : SOURCE_DEFAULT);
    const entries = new Map<string, ConfigEntry>([
      ['cleanup.policy', entry('cleanup.policy', 'delete', SOURCE_DEFAULT)],
      ['retention.ms', entry('retention.ms', String(topic.retentionMs), source('retention.ms'))],
      ['retention.bytes', entry('retention.bytes', String(topic.retentionBytes), source('retention.bytes'))],
    ]);
    for (const [name, value] of Object.entries(given)) {
      if (!entries.has(name)) entries.set(name, entry(name, value, SOURCE_DYNAMIC_TOPIC));
    }
    return [...entries.values()];
  }
  if (resourceType === BROKER) {
    const { options } = cluster;
    return [
      entry('broker.id', String(options.nodeId), SOURCE_STATIC_BROKER, true),
      entry('num.partitions', String(options.defaultPartitions), SOURCE_STATIC_BROKER, true),
      entry('auto.create.topics.enable', String(options.autoCreateTopics), SOURCE_STATIC_BROKER, true),
      entry('default.replication.factor', '1', SOURCE_STATIC_BROKER, true),
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
  handle(req, _version, { cluster }) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((resource): DescribeConfigsResult => {
        const found = configsOf(cluster, resource.resourceType, resource.resourceName);
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
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
