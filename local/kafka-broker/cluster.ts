import { GroupCoordinator } from './groups/coordinator';
import { ErrorCode } from './protocol/error-codes';
import type { ValidBatch } from './protocol/record-batch';
import type { BrokerStorage, PartitionLog, TopicConfig } from './storage/types';

/** Kafka's defaults for topics created without explicit retention. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_RETENTION_BYTES = -1;
const MAX_PARTITIONS = 10_000;
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export interface BrokerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ClusterOptions {
  readonly nodeId: number;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly logger: BrokerLogger;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs?: number;
  readonly retentionBytes?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * The single owner of broker state: topics (cached from storage), the group coordinator, the advertised
 * address, producer ids and the wake-ups of parked Fetch requests. API handlers read and change state only
 * through this object.
 */
export class Cluster {
  readonly clusterId = 'campusg-embedded-kafka';
  readonly groups: GroupCoordinator;
  advertisedHost = '127.0.0.1';
  advertisedPort = 0;
  private readonly topics = new Map<string, TopicConfig>();
  private readonly appendWaiters = new Set<() => void>();
  private nextProducerId = 1n;

  constructor(
    readonly storage: BrokerStorage,
    readonly options: ClusterOptions,
  ) {
    for (const topic of storage.listTopics()) this.topics.set(topic.name, topic);
    this.groups = new GroupCoordinator(storage, (message) => options.logger.info(message));
  }

  get nodeId(): number {
    return this.options.nodeId;
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  topic(name: string): TopicConfig | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.storage.partition(topic, partition);
  }

  /** Creates a topic; returns a Kafka error code (0 on success). */
  createTopic(topic: NewTopic, validateOnly = false): { errorCode: number; message: string | null } {
    if (!LEGAL_TOPIC.test(topic.name) || topic.name === '.' || topic.name === '..') {
      return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: `topic name ${topic.name} is illegal` };
    }
    if (this.topics.has(topic.name)) {
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic ${topic.name} already exists` };
    }
    const partitions = topic.partitions === -1 ? this.options.defaultPartitions : topic.partitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `partitions must be 1..${MAX_PARTITIONS}` };
    }
    const configs = { ...topic.configs };
    const retentionMs = parseRetention(configs['retention.ms'], topic.retentionMs ?? DEFAULT_RETENTION_MS);
    const retentionBytes = parseRetention(
      configs['retention.bytes'],
      topic.retentionBytes ?? DEFAULT_RETENTION_BYTES,
    );
    if (retentionMs === undefined || retentionBytes === undefined) {
      return {
        errorCode: ErrorCode.INVALID_CONFIG,
        message: 'retention.ms and retention.bytes must be integers',
      };
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null };
    const config: TopicConfig = { name: topic.name, partitions, retentionMs, retentionBytes, configs };
    this.storage.createTopic(config);
    this.topics.set(topic.name, config);
    this.options.logger.info(`created topic ${topic.name} with ${partitions} partitions`);
    return { errorCode: ErrorCode.NONE, message: null };
  }

  deleteTopic(name: string): number {
    if (!this.topics.has(name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    this.storage.deleteTopic(name);
    this.topics.delete(name);
    this.options.logger.info(`deleted topic ${name}`);
    this.wakeFetchers();
    return ErrorCode.NONE;
  }

  /** Auto-creates a topic for Metadata when allowed; returns whether it exists afterwards. */
  ensureTopic(name: string, allowAutoCreate: boolean): boolean {
    if (this.topics.has(name)) return true;
    if (!this.options.autoCreateTopics || !allowAutoCreate) return false;
    return (
      this.createTopic({ name, partitions: this.options.defaultPartitions }).errorCode === ErrorCode.NONE
    );
  }

  /** Appends validated batches; returns the base offset of the first. Wakes parked fetches. */
  append(log: PartitionLog, batches: readonly ValidBatch[]): bigint {
    let first = -1n;
    for (const batch of batches) {
      const base = log.append(batch.bytes, batch.recordCount, batch.firstTimestamp, batch.maxTimestamp);
      if (first < 0n) first = base;
    }
    this.wakeFetchers();
    return first;
  }

  /** Resolves at the next append, after `timeoutMs`, or when `signal` aborts, whichever is first. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.appendWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.appendWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  allocateProducerId(): bigint {
    return this.nextProducerId++;
  }

  enforceRetention(now: number): void {
    for (const topic of this.topics.values()) {
      for (let p = 0; p < topic.partitions; p++) this.storage.partition(topic.name, p)?.enforceRetention(now);
    }
  }

  close(): void {
    this.groups.close();
    this.wakeFetchers();
  }

  private wakeFetchers(): void {
    if (this.appendWaiters.size === 0) return;
    for (const wake of [...this.appendWaiters]) wake();
  }
}

function parseRetention(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  return Number.isInteger(parsed) ? parsed : undefined;
}
