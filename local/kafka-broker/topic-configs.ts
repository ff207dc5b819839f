/**
 * The topic configs Kafka 3.9 knows, with their defaults and value rules: CreateTopics and the AlterConfigs
 * APIs refuse unknown names and bad values with INVALID_CONFIG (40), and DescribeConfigs reports every one
 * of them with its value and source, as Kafka does. This broker acts on retention.ms and retention.bytes;
 * the others are kept and reported so that tools and templates that set them (min.insync.replicas,
 * cleanup.policy, ...) work unchanged, and they are not enforced (single node, no compaction).
 */
const LONG_MAX = '9223372036854775807';

type Rule =
  | { readonly kind: 'long'; readonly min?: bigint }
  | { readonly kind: 'int'; readonly min?: number }
  | { readonly kind: 'double'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'choice'; readonly values: readonly string[] }
  | { readonly kind: 'list'; readonly values: readonly string[] }
  | { readonly kind: 'string' };

export interface TopicConfigDefinition {
  readonly name: string;
  readonly defaultValue: string;
  readonly rule: Rule;
}

const long = (min?: bigint): Rule => ({ kind: 'long', min });
const int = (min?: number): Rule => ({ kind: 'int', min });

export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  { name: 'cleanup.policy', defaultValue: 'delete', rule: { kind: 'list', values: ['delete', 'compact'] } },
  {
    name: 'compression.type',
    defaultValue: 'producer',
    rule: { kind: 'choice', values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  },
  { name: 'delete.retention.ms', defaultValue: '86400000', rule: long(0n) },
  { name: 'file.delete.delay.ms', defaultValue: '60000', rule: long(0n) },
  { name: 'flush.messages', defaultValue: LONG_MAX, rule: long(1n) },
  { name: 'flush.ms', defaultValue: LONG_MAX, rule: long(0n) },
  { name: 'follower.replication.throttled.replicas', defaultValue: '', rule: { kind: 'string' } },
  { name: 'index.interval.bytes', defaultValue: '4096', rule: int(0) },
  { name: 'leader.replication.throttled.replicas', defaultValue: '', rule: { kind: 'string' } },
  { name: 'local.retention.bytes', defaultValue: '-2', rule: long(-2n) },
  { name: 'local.retention.ms', defaultValue: '-2', rule: long(-2n) },
  { name: 'max.compaction.lag.ms', defaultValue: LONG_MAX, rule: long(1n) },
  { name: 'max.message.bytes', defaultValue: '1048588', rule: int(0) },
  { name: 'message.downconversion.enable', defaultValue: 'true', rule: { kind: 'boolean' } },
  { name: 'message.format.version', defaultValue: '3.0-IV1', rule: { kind: 'string' } },
  { name: 'message.timestamp.after.max.ms', defaultValue: LONG_MAX, rule: long(0n) },
  { name: 'message.timestamp.before.max.ms', defaultValue: LONG_MAX, rule: long(0n) },
  { name: 'message.timestamp.difference.max.ms', defaultValue: LONG_MAX, rule: long(0n) },
  {
    name: 'message.timestamp.type',
    defaultValue: 'CreateTime',
    rule: { kind: 'choice', values: ['CreateTime', 'LogAppendTime'] },
  },
  { name: 'min.cleanable.dirty.ratio', defaultValue: '0.5', rule: { kind: 'double', min: 0, max: 1 } },
  { name: 'min.compaction.lag.ms', defaultValue: '0', rule: long(0n) },
  { name: 'min.insync.replicas', defaultValue: '1', rule: int(1) },
  { name: 'preallocate', defaultValue: 'false', rule: { kind: 'boolean' } },
  { name: 'remote.storage.enable', defaultValue: 'false', rule: { kind: 'boolean' } },
  { name: 'retention.bytes', defaultValue: '-1', rule: long() },
  { name: 'retention.ms', defaultValue: '604800000', rule: long(-1n) },
  { name: 'segment.bytes', defaultValue: '1073741824', rule: int(14) },
  { name: 'segment.index.bytes', defaultValue: '10485760', rule: int(4) },
  { name: 'segment.jitter.ms', defaultValue: '0', rule: long(0n) },
  { name: 'segment.ms', defaultValue: '604800000', rule: long(1n) },
  { name: 'unclean.leader.election.enable', defaultValue: 'false', rule: { kind: 'boolean' } },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDefinition(name: string): TopicConfigDefinition | undefined {
  return BY_NAME.get(name);
}

/** Why `value` is not valid for topic config `name`, or undefined when it is. */
export function topicConfigProblem(name: string, value: string | null): string | undefined {
  const def = BY_NAME.get(name);
  if (!def) return `unknown topic config ${name}`;
  if (value === null) return `topic config ${name} needs a value`;
  const rule = def.rule;
  switch (rule.kind) {
    case 'long': {
      if (!/^-?\d+$/.test(value.trim())) return `${name} must be an integer, got "${value}"`;
      const n = BigInt(value.trim());
      if (n > BigInt(LONG_MAX) || n < -BigInt(LONG_MAX) - 1n) return `${name} ${value} is out of range`;
      if (rule.min !== undefined && n < rule.min) return `${name} must be at least ${rule.min}, got ${value}`;
      return undefined;
    }
    case 'int': {
      const n = Number(value.trim());
      if (!/^-?\d+$/.test(value.trim()) || n > 2147483647 || n < -2147483648) {
        return `${name} must be a 32-bit integer, got "${value}"`;
      }
      if (rule.min !== undefined && n < rule.min) return `${name} must be at least ${rule.min}, got ${value}`;
      return undefined;
    }
    case 'double': {
      const n = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(n) || n < rule.min || n > rule.max) {
        return `${name} must be a number in [${rule.min}, ${rule.max}], got "${value}"`;
      }
      return undefined;
    }
    case 'boolean':
      return /^(true|false)$/i.test(value.trim())
        ? undefined
        : `${name} must be true or false, got "${value}"`;
    case 'choice':
      return rule.values.includes(value.trim())
        ? undefined
        : `${name} must be one of ${rule.values.join(', ')}, got "${value}"`;
    case 'list': {
      const items = value.split(',').map((v) => v.trim());
      const bad = items.filter((v) => !rule.values.includes(v));
      return bad.length === 0 && items.length > 0
        ? undefined
        : `${name} must be a list of ${rule.values.join(', ')}, got "${value}"`;
    }
    case 'string':
      return undefined;
  }
}
